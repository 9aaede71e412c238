"""``dge-graph validate`` and ``dge-graph check`` end to end: formats, exit codes, the stored report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from dge_graph.cli import main
from dge_graph.kernel.namespaces import DGE, RDF, SH, graph_iri, id_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.check import check_file
from dge_graph.kernel.namespaces import LATEST_RESULT_GRAPH
from dge_graph.rules.validate import Parameters, load_shapes, validate_store
from dge_graph.store import OxigraphStore, graph_to_ntriples

FIXTURES = Path(__file__).parent / "golden" / "_fixtures"
GOLDEN = Path(__file__).parent / "golden"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def built_store(copy_built_project) -> str:
    """The whole project built into an on-disk store (closed, so the CLI can open it; a copy of the session's)."""
    return copy_built_project("validate-store")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_json_table_and_stored_report_agree(capsys, built_store):
    code, out, _ = run(capsys, "validate", "--store", built_store, "--date", "2026-12-01", "--format", "json")
    report = json.loads(out)
    assert code == (0 if report["conforms"] else 1)
    assert report["evaluationDate"] == "2026-12-01" and report["hrDate"] == "2027-12-02"
    assert report["findings"], "the example deployments are expected to miss something"
    for finding in report["findings"]:
        assert {"deployment", "requirement", "severity", "legalSource", "message_nl", "message_en"} <= finding.keys()
        assert finding["severity"] in ("Violation", "Warning")
    assert sum(r["violations"] + r["warnings"] for r in report["byMunicipality"]) == len(report["findings"])
    assert sum(r["deployments"] for r in report["byRule"]) == len(report["findings"])

    # the report was stored as its own named graph and answers SPARQL
    store = OxigraphStore(built_store)
    try:
        assert str(LATEST_RESULT_GRAPH) in store.named_graphs()
        counted = store.query(
            "PREFIX dge: <https://w3id.org/dge-graph/def#>\n"
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?deployment dge:missesRequirement ?requirement } }"
        )
        assert int(counted.rows[0]["n"]) == len(report["findings"])  # one fact per finding
        missed = (resource_dir("queries") / "rules-most-often-missed.rq")
        if missed.is_file():
            rows = store.query(missed.read_text(encoding="utf-8")).rows
            assert {str(r["rule"]) for r in rows} == {f["requirement"] for f in report["findings"]}
    finally:
        store.close()

    code, table, _ = run(capsys, "validate", "--store", built_store, "--date", "2026-12-01", "--no-save")
    assert code == 1
    assert "Per municipality" in table and "Per rule" in table
    for row in report["byMunicipality"][:3]:  # register records of other public bodies have no municipality: "-"
        assert (row["municipality"] or "-") in table


def test_validate_ttl_is_a_shacl_report(capsys, built_store):
    code, out, _ = run(capsys, "validate", "--store", built_store, "--date", "2028-01-01", "--hr-date", "2026-08-02",
                       "--format", "ttl", "--no-save")
    graph = Graph().parse(data=out, format="turtle")
    report = graph.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    assert graph.value(report, SH.conforms) == Literal(code == 0)
    assert graph.value(report, DGE.evaluationDate) == Literal("2028-01-01", datatype=XSD_DATE)
    assert graph.value(report, DGE.hrDate) == Literal("2026-08-02", datatype=XSD_DATE)
    for result in graph.objects(report, SH.result):
        assert graph.value(result, SH.focusNode) is not None
        assert graph.value(result, SH.resultSeverity) in (SH.Violation, SH.Warning)
        assert graph.value(result, SH.sourceShape) is not None
        assert graph.value(result, DGE.requirement) is not None
        assert {m.language for m in graph.objects(result, SH.resultMessage)} == {"nl", "en"}


def test_validate_one_municipality(capsys, built_store):
    code, out, _ = run(capsys, "validate", "--store", built_store, "--date", "2026-12-01", "--municipality", "GM0363",
                       "--format", "csv")
    lines = out.strip().splitlines()
    assert lines[0].startswith("municipality,deployment,requirement,severity")
    assert all(line.startswith("GM0363,") for line in lines[1:])
    store = OxigraphStore(built_store)
    try:
        assert str(graph_iri("validation/municipality/GM0363")) in store.named_graphs()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--municipality", "GM9999"], "no municipality with this code"),
        (["--municipality", "Amsterdam"], "expected a CBS code"),
    ],
)
def test_validate_errors_exit_2(capsys, built_store, argv, message):
    code, _, err = run(capsys, "validate", "--store", built_store, "--date", "2026-12-01", *argv)
    assert code == 2
    assert message in err


def test_validate_bad_date_exits_2(capsys, built_store):
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--store", built_store, "--date", "2026-13-01"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_validate_empty_store_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "validate", "--store", str(tmp_path / "nothing"), "--date", "2026-12-01")
    assert code == 2
    assert "dge-graph build" in err


def test_validate_conforming_store_exits_0(capsys, tmp_path):
    store = OxigraphStore(tmp_path / "store")
    data = Graph().parse(GOLDEN / "aia-50" / "data.ttl")
    store.replace_graphs({"urn:dge-graph:test:ok": graph_to_ntriples(data)})
    store.close()
    # before AIA-50 applies nothing fires in that case
    code, out, _ = run(capsys, "validate", "--store", str(tmp_path / "store"), "--date", "2026-08-01")
    assert code == 0
    assert "Every deployment has the safeguards" in out
    code, out, _ = run(capsys, "validate", "--store", str(tmp_path / "store"), "--date", "2026-08-02")
    assert code == 1
    assert "AIA-50" in out


@pytest.mark.parametrize("hr_date", [dt.date(2026, 8, 2), dt.date(2027, 12, 2)])
@pytest.mark.parametrize("evaluation_date", [dt.date(2026, 12, 1), dt.date(2028, 6, 1), dt.date(2030, 8, 2)])
def test_engines_agree_on_the_project_deployments(project_sample_store, evaluation_date, hr_date):
    """The three engines on every illustrative deployment and a spread of the register records
    (``project_sample_store``; pyshacl over all of the project data: ``tests/test_fact_table_engine.py``)."""
    shapes = load_shapes()
    parameters = Parameters(evaluation_date, hr_date)
    fast = validate_store(project_sample_store, parameters, engine="sparql", shapes=shapes)
    table = validate_store(project_sample_store, parameters, engine="table", shapes=shapes)
    reference = validate_store(project_sample_store, parameters, engine="pyshacl", shapes=shapes)
    assert any("/deployment/algoritmeregister-" in str(f.deployment) for f in fast.findings)
    expected = [(f.deployment, f.rule_id, f.severity) for f in reference.findings]
    assert [(f.deployment, f.rule_id, f.severity) for f in fast.findings] == expected
    assert [(f.deployment, f.rule_id, f.severity) for f in table.findings] == expected


@pytest.mark.slow
def test_fast_path_runs_on_a_remote_store(remote_store):
    data = Graph().parse(GOLDEN / "prohibitions-with-paperwork" / "data.ttl")
    remote_store.replace_graphs({"urn:dge-graph:test:golden": graph_to_ntriples(data)})
    report = validate_store(remote_store, Parameters(dt.date(2028, 3, 1)))
    assert {(f.deployment_id, f.rule_id) for f in report.findings} == {
        ("rbi", "AIA-5-1-H"), ("social-scoring", "AIA-5-1-C"), ("social-scoring", "GDPR-22"),
        ("nationality-indicator", "NL-NONDISCR")}


# ---- check ---------------------------------------------------------------------------------------------------


def test_check_json_on_an_intake_file(capsys):
    code, out, _ = run(capsys, "check", str(FIXTURES / "planned-bodycams.yaml"), "--date", "2026-09-01",
                       "--format", "json")
    assert code == 1
    report = json.loads(out)
    found = {(f["deployment"], f["requirement"], f["severity"]) for f in report["findings"]}
    assert found == {
        ("bodycams-utrecht", "GDPR-35-2", "Violation"),
        ("bodycams-utrecht", "VNG-DOELM", "Warning"),
        ("bodycams-utrecht", "VNG-PART", "Warning"),
        ("bodycams-utrecht", "VNG-RAAD", "Warning"),
        ("bodycams-utrecht", "VNG-EIA", "Warning"),
        ("chatbot-utrecht", "AIA-50", "Violation"),
    }
    for finding in report["findings"]:
        assert finding["legalSource"].startswith("http")
        assert finding["message_nl"] and finding["message_en"]
    by_id = {d["deployment"]: d for d in report["deployments"]}
    assert by_id["bodycams-utrecht"]["applicableRequirements"] == sorted([
        "GDPR-06", "GDPR-13", "GDPR-30", "GDPR-35", "GDPR-35-2", "NL-ARCH", "NL-CBW", "VNG-DOELM", "VNG-PART",
        "VNG-RAAD", "VNG-EIA"])  # on 2026-09-01 the Cyberbeveiligingswet's NL-CBW applies, NL-BIO no longer
    assert by_id["chatbot-utrecht"]["applicableRequirements"] == ["AIA-04", "AIA-50", "NL-ARCH", "NL-CBW"]
    assert str(id_iri("value", "privacy")) in {v["iri"] for v in by_id["bodycams-utrecht"]["valuesAtStake"]}
    assert str(id_iri("safeguard-type", "dpia")) in {s["iri"] for s in by_id["bodycams-utrecht"]["requiredSafeguards"]}


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_check_switches_from_nl_bio_to_nl_cbw_on_15_august_2026(capsys, engine):
    """A public-authority deployment without BIO evidence: NL-BIO on its last day, NL-CBW (not NL-BIO) the day after."""
    case = GOLDEN / "nl-cbw" / "data.ttl"
    found = {}
    for day in ("2026-08-14", "2026-08-15"):
        code, out, _ = run(capsys, "check", str(case), "--date", day, "--engine", engine, "--format", "json")
        assert code == 1
        report = json.loads(out)
        found[day] = {(f["requirement"], f["severity"]) for f in report["findings"]
                      if f["deployment"] == "cbw-municipality-missing"}
        applicable = {d["deployment"]: d["applicableRequirements"] for d in report["deployments"]}
        assert ("NL-BIO" in applicable["cbw-municipality-missing"]) == (day == "2026-08-14")
        assert ("NL-CBW" in applicable["cbw-municipality-missing"]) == (day == "2026-08-15")
    assert found == {"2026-08-14": {("NL-BIO", "Warning")}, "2026-08-15": {("NL-CBW", "Violation")}}


def test_check_day_before_a_rule_applies(capsys):
    code, out, _ = run(capsys, "check", str(FIXTURES / "planned-bodycams.yaml"), "--date", "2026-08-01",
                       "--format", "json")
    found = {(f["deployment"], f["requirement"]) for f in json.loads(out)["findings"]}
    assert ("chatbot-utrecht", "AIA-50") not in found
    assert ("bodycams-utrecht", "GDPR-35-2") in found


def test_check_table_names_article_and_severity(capsys):
    code, out, _ = run(capsys, "check", str(FIXTURES / "planned-bodycams.yaml"), "--date", "2026-09-01")
    assert code == 1
    assert "GDPR-35-2  Violation  since 2018-05-25" in out
    assert "art_35" in out
    assert "AIA-50  Violation  since 2026-08-02" in out


def test_check_with_store_lists_similar_deployments(built_store):
    store = OxigraphStore(built_store, read_only=True)
    try:
        report = check_file(FIXTURES / "planned-bodycams.yaml", Parameters(dt.date(2026, 9, 1)), store=store)
    finally:
        store.close()
    bodycams = next(d for d in report.deployments if d.deployment_id == "bodycams-utrecht")
    # the store's bodycam deployments (if any) in other municipalities; never the intake deployment itself
    assert all(s.municipality != id_iri("municipality", "GM0344") for s in bodycams.similar)
    assert all(s.shared in ("technologyKind", "annexIIIArea") for s in bodycams.similar)


def test_check_bad_intake_exits_2_naming_row_and_key(capsys):
    code, out, err = run(capsys, "check", str(FIXTURES / "bad-intake.yaml"))
    assert code == 2
    assert "row 1" in err and "processesPersonalData" in err
    assert out == ""


def test_check_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "no such file" in err


def test_check_turtle_file(capsys):
    code, out, _ = run(capsys, "check", str(GOLDEN / "nl-nondiscr" / "data.ttl"), "--date", "1983-02-17",
                       "--format", "json")
    assert code == 1
    assert {(f["deployment"], f["requirement"]) for f in json.loads(out)["findings"]} == {
        ("nd", "NL-NONDISCR"), ("nd-paperwork", "NL-NONDISCR")}



@pytest.mark.parametrize(
    "facts,unknown",
    [
        # the facts every deployment's rules read (derived:PA/MUNI, ALGORITHM, AI, PD, PUBLIC_IMPACT)
        ({}, ["deployerType", "isAISystem", "isAlgorithm", "processesPersonalData", "systematicMonitoringPublicSpace"]),
        # personal data: the facts that make a DPIA mandatory matter too (derived:DPIA_REQ builds on derived:PD)
        ({"deployerType": "Municipality", "isAlgorithm": False, "processesPersonalData": True},
         ["affectsPersonsSignificantly", "apDpiaListCategory", "isAISystem", "largeScale",
          "processesSpecialCategoryData", "profiling", "systematicMonitoringPublicSpace"]),
        # an AI system: the Annex III facts (derived:HR builds on derived:AI) and, an algorithm, the impact facts;
        # inServiceSince does not matter before the high-risk duties apply (2027-12-02, gate:hr-date-reached)
        ({"deployerType": "Municipality", "isAlgorithm": True, "isAISystem": True, "processesPersonalData": False},
         ["affectsPersonsSignificantly", "annexIIIArea", "art6_3Derogation", "profiling", "selfAssessedImpactful",
          "systematicMonitoringPublicSpace"]),
        ({"deployerType": "Municipality", "isAlgorithm": True, "isAISystem": True, "processesPersonalData": False,
          "annexIIIArea": "None", "art6_3Derogation": False, "profiling": False, "affectsPersonsSignificantly": False,
          "selfAssessedImpactful": False, "systematicMonitoringPublicSpace": False}, []),
    ],
)
def test_check_names_decisive_facts_the_intake_leaves_out(capsys, tmp_path, facts, unknown):
    """An unknown deployerType silently switches off every public-authority rule: the officer is told."""
    import yaml

    intake = tmp_path / "planned.yaml"
    record = {"id": "planned", "title": "Planned deployment", **facts}
    intake.write_text(yaml.safe_dump({"deployments": [record]}, sort_keys=False), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(intake), "--date", "2026-11-23", "--format", "json")
    assert code in (0, 1)
    assert json.loads(out)["deployments"][0]["unknownFacts"] == unknown
    code, out, _ = run(capsys, "check", str(intake), "--date", "2026-11-23")
    assert ("unknown, read as false/none" in out) == bool(unknown)
