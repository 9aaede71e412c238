"""The report contract (issue 11, item 6): each golden case holds the W3C ``sh:ValidationReport`` that ``validate``
produces for its last run (``tests/golden/<case>/expected-report.ttl``), compared by graph isomorphism after
normalising the run's time (its IRI and ``prov:generatedAtTime``).

The report is checked twice: as ``validate`` returns it, and as it is rebuilt on demand from the compact result
``store_report`` wrote (``rules.report.stored_report``), so the stored form loses nothing the report says. The
findings in each file are those of ``expected.yaml`` (worked out by hand); the test checks that too.

Regenerate after a deliberate change of the shapes or requirements: ``python tests/test_report_contract.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from dge_graph.kernel.config import DEFAULT_HR_DATE
from dge_graph.kernel.namespaces import DCT, ID, PROV, RDF, SH, graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.report import stored_report
from dge_graph.rules.validate import Parameters, load_shapes, store_report, validate_store
from dge_graph.store import OxigraphStore

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "expected.yaml").is_file())
REPORT = URIRef(f"{ID}validation-report/expected")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)


def last_run(folder: Path) -> tuple[Parameters, frozenset]:
    run = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))["runs"][-1]
    hr_date = run.get("hr_date") or DEFAULT_HR_DATE
    findings = frozenset(tuple(line.split()) for line in run["findings"] or ())
    return Parameters(evaluation_date=run["date"], hr_date=hr_date), findings


def case_store(folder: Path) -> OxigraphStore:
    store = OxigraphStore(None)
    store.raw.load(path=str(folder / "data.ttl"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode("urn:dge-graph:test:golden"))
    store.raw.load(path=str(resource_dir("data") / "requirements.ttl"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(graph_iri("data/requirements.ttl"))))
    return store


def normalised(graph: Graph) -> Graph:
    """The report with its time taken out: one fixed report IRI, no ``prov:generatedAtTime``."""
    reports = set(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    (report,) = reports
    out = Graph()
    for s, p, o in graph:
        if p == PROV.generatedAtTime:
            continue
        out.add((REPORT if s == report else s, p, REPORT if o == report else o))
    return out


def report_graphs(folder: Path, shapes) -> tuple[Graph, Graph, object]:
    parameters, _ = last_run(folder)
    store = case_store(folder)
    report = validate_store(store, parameters, shapes=shapes, now=NOW)
    store_report(store, report, shapes)
    return normalised(report.to_graph()), normalised(stored_report(store, shapes=shapes).to_graph()), report


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
def test_report_is_the_expected_validation_report(folder, shapes):
    direct, rebuilt, report = report_graphs(folder, shapes)
    _, expected_findings = last_run(folder)
    assert {(f.deployment_id, f.rule_id, f.severity) for f in report.findings} == expected_findings
    expected = Graph().parse(folder / "expected-report.ttl", format="turtle")
    assert isomorphic(direct, expected), f"{folder.name}: the report differs from expected-report.ttl"
    assert isomorphic(rebuilt, expected), f"{folder.name}: the report rebuilt from the stored result differs"


def test_every_golden_case_has_an_expected_report():
    missing = [p.name for p in CASES if not (p / "expected-report.ttl").is_file()]
    assert not missing, f"golden cases without expected-report.ttl: {missing}"


def write_expected_reports() -> None:
    shapes = load_shapes()
    for folder in CASES:
        direct, _rebuilt, _report = report_graphs(folder, shapes)
        canonical = Graph()
        for triple in to_isomorphic(direct):
            canonical.add(triple)
        for prefix, namespace in (("sh", SH), ("dge", "https://w3id.org/dge-graph/def#"), ("dct", DCT)):
            canonical.bind(prefix, namespace)
        header = ("# The sh:ValidationReport `validate` produces for the last run of expected.yaml (normalised: fixed\n"
                  "# report IRI, no generation time). Checked by tests/test_report_contract.py, which regenerates it.\n")
        (folder / "expected-report.ttl").write_text(header + canonical.serialize(format="turtle"), encoding="utf-8")


if __name__ == "__main__":
    write_expected_reports()
