"""The dge-graph command line: build, query (table/csv/json), serve, and exit codes."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from local_server import ASK_PROBE, dge_graph_serve_command, running_server

from dge_graph.cli import EXIT_ERROR, EXIT_OK, main

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def built_store(copy_built_project) -> str:
    """The project built on disk (a copy of the session's build; ``test_build_reports_graphs_and_triples`` runs
    the build command itself)."""
    return copy_built_project("cli")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_build_reports_graphs_and_triples(capsys, tmp_path):
    code, out, err = run(capsys, "build", "--store", str(tmp_path / "s"))
    assert code == EXIT_OK
    assert " graphs, " in out and " triples in " in out
    assert "parsed ontology/" in err  # progress goes to stderr


def test_query_table(capsys, built_store):
    code, out, _ = run(capsys, "query", "--store", built_store, COUNT)
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0].strip() == "n" and lines[-1] == "(1 row)"
    assert int(lines[2]) > 0


def test_query_csv_is_sparql_csv(capsys, built_store):
    code, out, _ = run(capsys, "query", "--store", built_store, "--format", "csv", COUNT)
    assert code == EXIT_OK
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["n"] and int(rows[1][0]) > 0


def test_query_json_is_sparql_json(capsys, built_store, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text(COUNT)
    code, out, _ = run(capsys, "query", "--store", built_store, "--format", "json", "--file", str(query_file))
    assert code == EXIT_OK
    document = json.loads(out)
    assert document["head"]["vars"] == ["n"]
    assert int(document["results"]["bindings"][0]["n"]["value"]) > 0


def test_query_ask_and_construct(capsys, built_store):
    assert run(capsys, "query", "--store", built_store, "ASK { ?s ?p ?o }")[1].strip() == "true"
    code, out, _ = run(capsys, "query", "--store", built_store,
                       "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2")
    assert code == EXIT_OK and out.strip()


@pytest.mark.parametrize(
    "argv,message",
    [
        (["query", "SELEC ?x"], "error"),
        (["query", "--file", "/nonexistent/q.rq"], "No such file"),
    ],
)
def test_errors_exit_2_with_a_message(capsys, built_store, argv, message):
    code, _, err = run(capsys, *argv, "--store", built_store)
    assert code == EXIT_ERROR
    assert err.startswith("dge-graph: error:") and message in err


def test_query_on_missing_store_says_to_build(capsys, tmp_path):
    code, _, err = run(capsys, "query", "--store", str(tmp_path / "none"), COUNT)
    assert code == EXIT_ERROR and "dge-graph build" in err


@pytest.mark.slow
def test_serve_answers_count_over_http(built_store):
    """What `make run` promises: a SPARQL COUNT(*) over the graph answers on /sparql with a number > 0."""
    with running_server(lambda port: dge_graph_serve_command(built_store, port), "/sparql",
                        probe_params=ASK_PROBE, name="dge-graph serve") as base:
        response = httpx.get(f"{base}/sparql", params={"query": COUNT},
                             headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert response.status_code == 200
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_serve_refuses_a_store_that_does_not_exist(capsys, tmp_path):
    """Issue 14: `serve --store` with a mistyped path created and served an empty store."""
    missing = tmp_path / "mistyped"
    code, _, err = run(capsys, "serve", "--store", str(missing), "--port", "1")
    assert code == EXIT_ERROR and "no store at" in err and "--create" in err
    assert not missing.exists()


def test_serve_refuses_a_port_in_use(capsys, built_store):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        code, _, err = run(capsys, "serve", "--store", built_store, "--port", str(taken.getsockname()[1]))
    assert code == EXIT_ERROR and "in use" in err


@pytest.mark.slow
def test_validate_on_an_empty_remote_store_is_an_error(capsys, tmp_path):
    """Issue 14: `validate` on an empty remote store exited 0 ("every deployment has the safeguards")."""
    empty = str(tmp_path / "empty")
    with running_server(lambda port: dge_graph_serve_command(empty, port, "--create"), "/sparql",
                        probe_params=ASK_PROBE, name="dge-graph serve") as base:
        code, out, err = run(capsys, "validate", "--store", f"{base}/sparql", "--no-save")
    assert code == EXIT_ERROR and "is empty" in err


def test_output_closed_early_is_quiet(built_store):
    """Issue 14: piping JSON into `head` showed a BrokenPipeError traceback."""
    import subprocess
    import sys
    from pathlib import Path

    cli = str(Path(sys.executable).parent / "dge-graph")
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    producer = subprocess.Popen([cli, "query", "--store", built_store, "--format", "json", query],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    producer.stdout.read(10)
    producer.stdout.close()  # like `| head -c 10`
    _, err = producer.communicate(timeout=60)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    assert producer.returncode == 141


# ---------------------------------------------------------------------------------------------------------------
# dates where they enter, and an intake id that is already a deployment (issue 14)


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--date", "2026-02-30", "is not a date that exists"),
    ("--hr-date", "2027-13-01", "is not a date that exists"),
    ("--date", "20261123", "is not a date written YYYY-MM-DD"),
])
def test_an_impossible_date_option_is_a_clear_error(capsys, built_store, option, value, words):
    with pytest.raises(SystemExit) as exited:  # argparse: usage and the message, exit 2
        main(["validate", "--store", built_store, "--no-save", option, value])
    err = capsys.readouterr().err
    assert exited.value.code == EXIT_ERROR
    assert f"argument {option}: '{value}' {words}" in err and "Traceback" not in err


def test_an_impossible_hr_date_in_the_environment_names_the_variable(capsys, built_store, monkeypatch):
    monkeypatch.setenv("DGE_HR_DATE", "2027-02-30")
    code, _, err = run(capsys, "validate", "--store", built_store, "--no-save")
    assert code == EXIT_ERROR
    assert err == "dge-graph: error: DGE_HR_DATE: '2027-02-30' is not a date that exists (day is out of range for month)\n"


def deployment_rows(location: str, ident: str) -> list[tuple[str, str, str]]:
    from rdflib import URIRef

    from dge_graph.store import OxigraphStore

    store = OxigraphStore(location, read_only=True)
    try:
        result = store.query(
            "SELECT ?g ?title ?m WHERE { GRAPH ?g { ?d <http://purl.org/dc/terms/title> ?title } "
            "OPTIONAL { GRAPH ?g { ?d <https://w3id.org/dge-graph/def#municipality> ?m } } } ORDER BY ?g ?title",
            substitutions={"d": URIRef(f"https://w3id.org/dge-graph/id/deployment/{ident}")})
    finally:
        store.close()
    return [(str(r["g"]).rsplit("/graph/", 1)[-1], str(r["title"]), str(r.get("m", "")).rsplit("/", 1)[-1])
            for r in result.rows]


def test_an_intake_id_that_is_already_a_deployment_is_refused_unless_replace(capsys, tmp_path, copy_built_project):
    """Issue 14: an intake id equal to an existing deployment merged into it silently (two titles, two
    municipalities). Refused, naming file, row and key; with --replace the intake's description replaces it."""
    location = copy_built_project("intake-clash")  # its own copy of what `dge-graph build` writes: it is written to
    before = deployment_rows(location, "utrecht-boa-bodycams")
    assert [(g, m) for g, _, m in before] == [("data/deployments/utrecht-boa-bodycams.ttl", "GM0344")]
    intake = tmp_path / "clash.yaml"
    intake.write_text("deployments:\n  - id: new-one\n    title: Nieuw\n    municipality: GM0363\n"
                      "  - id: utrecht-boa-bodycams\n    title: Bodycams (intake)\n    municipality: GM0363\n",
                      encoding="utf-8")
    code, _, err = run(capsys, "import", "intake", str(intake), "--store", location)
    assert code == EXIT_ERROR
    assert f"{intake}: 1 deployment id(s) already in the store, nothing imported" in err
    assert "row 2, key 'id': 'utrecht-boa-bodycams' is already a deployment in" in err and "--replace" in err
    assert deployment_rows(location, "utrecht-boa-bodycams") == before
    assert deployment_rows(location, "new-one") == []

    code, out, _ = run(capsys, "import", "intake", str(intake), "--store", location, "--replace")
    assert code == EXIT_OK and "replaced 1 deployment(s)" in out
    assert deployment_rows(location, "utrecht-boa-bodycams") == [("import/intake/clash", "Bodycams (intake)", "GM0363")]
    # importing the same file again is no clash: it is that file's own graph
    assert main(["import", "intake", str(intake), "--store", location]) == EXIT_OK
    assert "unchanged" in capsys.readouterr().out
