"""What findings rest on (rules/evidence.py): the evidence basis of each finding, the unknown decisive facts of each
deployment, their stored form and measures, on small real graphs validated by the real engines (docs/checks.md,
"Evidence basis")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from rdflib import Graph, URIRef

from dge_graph.cli import main
from dge_graph.kernel.namespaces import DGE, ID, graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.evidence import NOT_EVIDENCED, RECORDED_ABSENT, decisive_fact_names, decisive_facts
from dge_graph.rules.report import LATEST_RESULT_GRAPH, MEASURES_GRAPH, stored_report
from dge_graph.rules.validate import Parameters, load_shapes, store_report, validate_store
from dge_graph.store import OxigraphStore, graph_to_ntriples

DAY = Parameters(evaluation_date=dt.date(2026, 11, 1))
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
D = f"{ID}deployment/"
SGT = f"{ID}safeguard-type/"

# Three municipal cameras that must have a DPIA (personal data, systematic monitoring of public space):
# one records its DPIA as absent, one records nothing about a DPIA, one has every decisive fact stated and a DPIA.
# A fourth deployment states every decisive fact that matters for it (not personal data, not an algorithm).
DATA = """
@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix d: <https://w3id.org/dge-graph/id/deployment/> .
@prefix m: <https://w3id.org/dge-graph/id/municipality/> .
@prefix sg: <https://w3id.org/dge-graph/id/safeguard-type/> .
@prefix ss: <https://w3id.org/dge-graph/id/safeguard-status/> .
@prefix dtype: <https://w3id.org/dge-graph/id/deployer-type/> .

m:GM0363 a dge:Municipality ; dct:identifier "GM0363" ; dge:province <https://w3id.org/dge-graph/id/province/PV27> .
<https://w3id.org/dge-graph/id/province/PV27> dct:identifier "PV27" .

d:cam-absent a dge:Deployment ; dct:identifier "cam-absent" ; dge:municipality m:GM0363 ;
    dge:deployerType dtype:Municipality ; dge:processesPersonalData true ; dge:systematicMonitoringPublicSpace true ;
    dge:hasSafeguard d:cam-absent\\/safeguard\\/dpia .
d:cam-absent\\/safeguard\\/dpia dge:safeguardType sg:dpia ; dge:safeguardStatus ss:absent .

d:cam-silent a dge:Deployment ; dct:identifier "cam-silent" ; dge:municipality m:GM0363 ;
    dge:deployerType dtype:Municipality ; dge:processesPersonalData true ; dge:systematicMonitoringPublicSpace true .

d:cam-stated a dge:Deployment ; dct:identifier "cam-stated" ; dge:municipality m:GM0363 ;
    dge:deployerType dtype:Municipality ; dge:processesPersonalData true ; dge:systematicMonitoringPublicSpace true ;
    dge:isAISystem false ; dge:isAlgorithm false ; dge:profiling false ; dge:affectsPersonsSignificantly false ;
    dge:largeScale false ; dge:processesSpecialCategoryData false .

d:plain a dge:Deployment ; dct:identifier "plain" ; dge:municipality m:GM0363 ;
    dge:deployerType dtype:Municipality ; dge:processesPersonalData false ; dge:systematicMonitoringPublicSpace false ;
    dge:isAISystem false ; dge:isAlgorithm false .
"""


def _store() -> OxigraphStore:
    graph = Graph().parse(data=DATA, format="turtle")
    store = OxigraphStore()
    requirements = Graph().parse(resource_dir("data") / "requirements.ttl", format="turtle")
    store.replace_graphs({str(graph_iri("data/evidence-test.ttl")): graph_to_ntriples(graph),
                          str(graph_iri("data/requirements.ttl")): graph_to_ntriples(requirements)})
    return store


@pytest.fixture(scope="module")
def validated():
    store = _store()
    report = validate_store(store, DAY, now=NOW)
    store_report(store, report)
    return store, report


def _finding(report, deployment: str, rule_id: str):
    return next(f for f in report.findings if f.deployment == URIRef(D + deployment) and f.rule_id == rule_id)


def test_decisive_facts_are_read_from_the_derived_predicates():
    shapes = load_shapes()
    names = {str(f).rsplit("#", 1)[1] for f in decisive_fact_names(shapes.resolved(DAY))}
    # the gateway facts of the rules (PA/MUNI, ALGORITHM, AI, PD, HR, HR_IN_FORCE) are among them
    assert {"deployerType", "isAlgorithm", "isAISystem", "processesPersonalData", "annexIIIArea",
            "inServiceSince"} <= names
    # absence has a meaning for the data protection regime (none stated = the GDPR, a sh:maxCount 0 alternative)
    assert "dataProtectionRegime" not in names
    assert "hasSafeguard" not in names
    # annexIIIArea matters only for an AI system: derived:HR builds on derived:AI
    guards = {f.guards for f in decisive_facts(shapes.resolved(DAY)) if f.fact == DGE.annexIIIArea}
    assert guards == {(URIRef(f"{ID}shape/derived/AI"),)}


def test_recorded_absent_and_not_evidenced_are_told_apart(validated):
    _, report = validated
    absent = _finding(report, "cam-absent", "GDPR-35")
    silent = _finding(report, "cam-silent", "GDPR-35")
    assert absent.basis.basis == RECORDED_ABSENT and absent.basis.recorded_absent == (URIRef(SGT + "dpia"),)
    assert silent.basis.basis == NOT_EVIDENCED and silent.basis.not_evidenced == (URIRef(SGT + "dpia"),)
    # GDPR-35-2 needs a DPIA and the DPO's advice: the DPIA is recorded absent, the advice not mentioned
    both = _finding(report, "cam-absent", "GDPR-35-2")
    assert both.basis.recorded_absent == (URIRef(SGT + "dpia"),)
    assert both.basis.not_evidenced == (URIRef(SGT + "dpo-consulted"),)
    assert both.basis.basis == NOT_EVIDENCED


def test_the_basis_does_not_change_what_fires():
    """SHACL semantics stay as they are: every engine, pyshacl included, finds the same (deployment, rule) pairs."""
    found = {}
    for engine in ("table", "sparql", "pyshacl"):
        report = validate_store(_store(), DAY, engine=engine, now=NOW)
        found[engine] = {(f.deployment, f.rule_id) for f in report.findings}
    assert found["table"] == found["sparql"] == found["pyshacl"]
    assert (URIRef(D + "cam-absent"), "GDPR-35") in found["pyshacl"]
    assert (URIRef(D + "cam-silent"), "GDPR-35") in found["pyshacl"]


def test_unknown_decisive_facts_per_deployment(validated):
    _, report = validated
    unknown = {str(d).rsplit("/", 1)[1]: {str(f).rsplit("#", 1)[1] for f in facts}
               for d, facts in report.unknown_facts.items()}
    assert unknown["plain"] == set()
    assert unknown["cam-stated"] == {"apDpiaListCategory"}  # a DPIA-list category is not stated
    # personal data: the DPIA_REQ facts matter; not an AI system stated: annexIIIArea does not (yet)
    assert unknown["cam-silent"] == {"isAISystem", "isAlgorithm", "profiling", "affectsPersonsSignificantly",
                                     "largeScale", "processesSpecialCategoryData", "apDpiaListCategory"}


def test_the_stored_result_carries_the_basis_and_reads_back(validated):
    store, report = validated
    rows = store.query(f"SELECT ?d ?p ?o WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ ?d ?p ?o "
                       f"FILTER (?p IN (<{DGE.recordedAbsent}>, <{DGE.lacksEvidenceOf}>)) }} }}").rows
    pairs = {(str(r["d"]).rsplit("/", 1)[1], str(r["p"]).rsplit("#", 1)[1], str(r["o"]).rsplit("/", 1)[1])
             for r in rows}
    assert ("cam-absent", "recordedAbsent", "dpia") in pairs
    assert ("cam-silent", "lacksEvidenceOf", "dpia") in pairs
    assert ("cam-absent", "lacksEvidenceOf", "dpia") not in pairs
    again = stored_report(store)
    assert {(f.deployment, f.rule_id, f.basis) for f in again.findings} == {
        (f.deployment, f.rule_id, f.basis) for f in report.findings}
    assert again.unknown_facts == {d: f for d, f in report.unknown_facts.items() if f}
    # the full report on demand carries the basis on each result
    graph = again.to_graph()
    assert set(graph.objects(None, DGE.evidenceBasis)) == {RECORDED_ABSENT, NOT_EVIDENCED}


def test_measures_count_both_bases_and_completeness(validated):
    store, report = validated
    node = URIRef(f"{ID}measures/municipality/GM0363")
    rows = store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{MEASURES_GRAPH}> {{ <{node}> ?p ?o }} }}").rows
    values = {str(r["p"]).rsplit("#", 1)[1]: r["o"].toPython() for r in rows}
    by_basis = report.by_basis()
    assert values["findingsRecordedAbsent"] == by_basis["recordedAbsent"] >= 1
    assert values["findingsNotEvidenced"] == by_basis["notEvidenced"] >= 1
    assert values["findingsRecordedAbsent"] + values["findingsNotEvidenced"] == len(report.findings)
    assert values["deploymentsFactsKnown"] == 1  # only "plain"
    assert float(values["dataCompleteness"]) == 0.25


def test_validate_output_carries_the_basis(tmp_path, capsys):
    store_dir = tmp_path / "store"
    store = OxigraphStore(str(store_dir))
    source = _store()
    store.replace_graphs({g: graph_to_ntriples(source.query(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")) for g in source.named_graphs()})
    store.close()
    assert main(["validate", "--store", str(store_dir), "--date", "2026-11-01", "--no-save", "--format", "csv"]) == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    row = next(r for r in rows if r["deployment"] == "cam-absent" and r["requirement"] == "GDPR-35-2")
    assert (row["evidenceBasis"], row["recordedAbsent"], row["notEvidenced"]) == (
        "notEvidenced", "dgeid:safeguard-type/dpia", "dgeid:safeguard-type/dpo-consulted")
    assert main(["validate", "--store", str(store_dir), "--date", "2026-11-01", "--no-save", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["byEvidenceBasis"]["recordedAbsent"] >= 1 and data["byEvidenceBasis"]["notEvidenced"] >= 1
    assert data["unknownFacts"][D + "cam-stated"] == ["dge:apDpiaListCategory"]
    assert main(["validate", "--store", str(store_dir), "--date", "2026-11-01", "--no-save"]) == 1
    table = capsys.readouterr().out
    assert "recorded absent (ontbreekt)" in table and "not evidenced" in table


def test_check_gives_each_finding_its_basis(tmp_path):
    """``dge-graph check`` on an intake file: the same basis as ``validate`` for the same deployments."""
    from dge_graph.rules.check import check_file

    intake = tmp_path / "intake.ttl"
    intake.write_text(DATA, encoding="utf-8")
    report = check_file(intake, DAY)
    bases = {(f.deployment_id, f.rule_id): f.as_dict()["evidenceBasis"] for f in report.findings}
    assert bases[("cam-absent", "GDPR-35")] == "recordedAbsent"
    assert bases[("cam-silent", "GDPR-35")] == "notEvidenced"
    unknown = {d.deployment_id: d.unknown_facts for d in report.deployments}
    assert unknown["plain"] == () and unknown["cam-stated"] == ("apDpiaListCategory",)
