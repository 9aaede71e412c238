"""The benchmark harness on a tiny size, so that it does not rot (no timing assertions: speed lives in
benchmarks/). Checks real output: the results document has every stage, the table every row and every case."""

from __future__ import annotations

import json

import pytest

from benchmarks import report, run
from benchmarks.measure import percentile
from benchmarks.querysets import query_cases
from benchmarks.workload import deployment_iris, ensure_workload, sample_ntriples

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([1.0], 50, 1.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([1.0, 2.0, 3.0, 4.0, 5.0], 95, 4.8), ([3.0, 1.0, 2.0], 0, 1.0)],
)
def test_percentile_interpolates_between_ranks(values, q, expected):
    assert percentile(values, q) == pytest.approx(expected)


def test_sample_keeps_the_deployments_their_safeguards_and_shared_resources(tmp_path):
    workload, created = ensure_workload(tmp_path, 2, 3, seed=7)
    assert created
    everyone = deployment_iris(workload.path)
    assert len(everyone) == 6
    chosen = {everyone[0]}
    lines = sample_ntriples(workload.path, chosen).decode().splitlines()
    subjects = {line.split(" ", 1)[0][1:-1] for line in lines}
    assert everyone[0] in subjects
    assert any(s.startswith(everyone[0] + "/safeguard/") for s in subjects)
    assert not any(s == other or s.startswith(other + "/") for other in everyone[1:] for s in subjects)
    assert any("/synthetic-run/" in s for s in subjects)  # the generator run, shared by all deployments


def test_tiny_run_records_every_stage_and_renders_every_row(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nbefore\n\n{report.BEGIN}\nold table\n{report.END}\n\nafter\n", encoding="utf-8")
    code = run.main([
        "--sizes", "1", "--municipalities", "3", "--runs", "1", "--repetitions", "2", "--query-workers", "shared",
        "--pyshacl-sample", "2", "--incremental-runs", "1", "--work-dir", str(tmp_path / "work"),
        "--results-dir", str(tmp_path / "results"),
        "--skip", "rdflib", "http", "--write-doc", "--doc", str(doc),
    ])
    assert code == 0
    data = json.loads((tmp_path / "results" / "latest.json").read_text(encoding="utf-8"))
    size = data["sizes"]["1"]
    assert size["deployments"] == 3
    for stage in ("bulk_store", "raw_load", "build", "validate", "pyshacl", "incremental", "queries", "pages"):
        assert stage in size and "error" not in size[stage], (stage, size.get(stage))
    # the project build and the bulk load write the same number of triples
    assert size["build"]["runs"][0]["triples"] == size["bulk_store"]["runs"][0]["triples"]
    # the load row: the generated file, one triple per line, loaded by the project's path and by raw pyoxigraph
    assert size["bulk_store"]["runs"][0]["load_triples"] == len(
        [line for line in (tmp_path / "work" / "data").glob("*.nt").__next__().read_text().splitlines() if line])
    assert size["raw_load"]["runs"][0]["seconds"] > 0
    # re-validation of one changed deployment ran (and changed its findings: the fact added makes it an AI system)
    assert size["incremental"]["runs"] == 1 and size["incremental"]["p50_ms"] > 0
    # the pages stage replayed the queries behind the profile and the comparison on raw pyoxigraph
    pages = size["pages"]["pages"]
    assert set(pages) == {"profile", "compare"} and all(page["queries"] > 0 and page["raw"]["n"] > 0
                                                        for page in pages.values())
    # the SPARQL engine and pyshacl agree on the sample, and with the full-store run
    assert size["pyshacl"]["identical_on_sample"] and size["pyshacl"]["identical_to_full_store"]
    assert size["validate"]["findings"] > 0
    assert size["validate"]["engine"] == "table" and size["validate"]["identical_to_sparql"] is True
    labels = {case.label for case in query_cases()}
    assert set(size["queries"]["cases"]) == labels
    # every case also ran on raw pyoxigraph, with the same number of solutions
    for label, case in size["queries"]["cases"].items():
        assert case["raw"]["rows"] == case["rows"], label

    text = doc.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("# Benchmarks\n\nbefore") and text.endswith("after\n")
    table = text.split(report.BEGIN)[1].split(report.END)[0]
    for measure in ("build, project", "validate all rules", "findings identical to pyshacl", "rdflib SPARQL",
                    "HTTP `/sparql`", "dereference", "server memory"):
        assert measure in table
    # issue 12's table: its six rows, each with the baseline of the same run
    targets = table.split("#### Details")[0]
    for measure, baseline in (("`validate` all rules", "compiled-SPARQL engine"),
                              ("re-validate after importing one deployment", "full validate"),
                              ("named queries that read deployments or findings", "raw pyoxigraph"),
                              ("`/municipalities/{code}` and `/compare`", "not run"),  # http skipped here
                              ("load the generated triples into a fresh store", "raw pyoxigraph `bulk_load`"),
                              ("dereference a deployment, Turtle / HTML", "not run")):
        line = next(line for line in targets.splitlines() if line.startswith(f"| {measure}"))
        assert baseline in line, line
    assert "yes ✅" in table
    for label in labels:
        assert f"| {label}" in table


def test_tiny_load_test_answers_every_request_as_expected(tmp_path):
    """The load test at a tiny size: every kind of request is sent, every runaway gets its 503 at the deadline,
    nothing else fails, and the table lands between its markers."""
    from benchmarks import load_test

    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"before\n{load_test.BEGIN}\nold\n{load_test.END}\nafter\n", encoding="utf-8")
    code = load_test.main(["--municipalities", "2", "--per-municipality", "2", "--clients", "2", "--duration-s", "4",
                           "--timeout-s", "1", "--runaway-every", "4", "--results-dir", str(tmp_path / "results"),
                           "--write-doc", "--doc", str(doc)])
    result = json.loads((tmp_path / "results" / "load-latest.json").read_text(encoding="utf-8"))
    assert code == 0 and result["total"]["errors"] == 0, result
    assert set(result["kinds"]) == {"dereference", "named-query", "profile", "runaway"}
    assert all(row["requests"] > 0 for row in result["kinds"].values())
    assert set(result["kinds"]["runaway"]["statuses"]) == {"503"}
    assert result["ask_after_load"]["status"] == 200
    assert result["memory_before"]["processes"] > 1 and result["memory_after"]["total_mb"] > 0
    text = doc.read_text(encoding="utf-8")
    assert "old" not in text and "| runaway |" in text and text.startswith("before") and text.endswith("after\n")


def test_profile_summary_counts_a_recursing_function_once_per_sample(tmp_path):
    from benchmarks.profile_summary import read_stacks, summarise

    stacks = tmp_path / "stacks.txt"
    stacks.write_text("main (a.py:1);walk (a.py:5);walk (a.py:5) 3\nmain (a.py:1);store (b.py:9) 1\n"
                      "main (a.py:1) 0\n", encoding="utf-8")
    text = summarise(read_stacks(stacks), top=5)
    assert text.startswith("4 samples")
    inclusive = text.split("self:")[0]
    assert " 75.0 %  walk (a.py:5)" in inclusive and "100.0 %  main (a.py:1)" in inclusive
    assert " 25.0 %  store (b.py:9)" in text.split("self:")[1]
    assert summarise(read_stacks(stacks), top=5, under="store").startswith("1 samples under 'store'")
