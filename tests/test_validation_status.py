"""Answers that read the stored validation result say which result that is and whether it is missing, stale or
current (query/validation_status.py, api/validation_signal.py; docs/checks.md, "Report status"), on the analytics
fixture (tests/fixtures/analytics) served by the real app."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from analytics_support import EVALUATION_DATE, NOW, load_fixture
from conftest import VALIDATED_PROJECT_DATE
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from dge_graph.api import create_app
from dge_graph.ingest.importing import write_import
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DCT, graph_iri, id_iri
from dge_graph.query.validation_status import validation_status
from dge_graph.rules.validate import Parameters, store_report, validate_store
from dge_graph.store import OxigraphStore

PROFILE = "/municipalities/GM0363"


def _client(store, tmp_path):
    settings = Settings(store=str(tmp_path / "unused-store"))
    return TestClient(create_app(settings, store=store))


def _validated(store, municipality=None):
    report = validate_store(store, Parameters(evaluation_date=EVALUATION_DATE), now=NOW, municipality=municipality)
    store_report(store, report)
    return report


def _import_later(store):
    """An import after the validation run (its provenance time is a day after the run)."""
    graph = Graph()
    graph.add((URIRef(id_iri("deployment", "late-arrival")), DCT.title, Literal("late arrival")))
    write_import(store, graph_iri("import/late-arrival"), graph, source_file="late.ttl",
                 when=NOW + dt.timedelta(days=1))


def test_missing_report_is_said_everywhere(tmp_path):
    store = load_fixture(OxigraphStore())
    assert validation_status(store).status == "missing"
    with _client(store, tmp_path) as client:
        for lang, words in (("nl", "Er is geen validatierapport"), ("en", "No validation report is stored")):
            page = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": lang})
            assert page.status_code == 200
            assert 'data-validation-status="missing"' in page.text and words in page.text
            assert page.headers["X-Validation-Status"] == "missing"
            assert page.headers["Warning"].startswith('299 - "No validation report')
        answer = client.get(PROFILE, params={"format": "json"})
        assert answer.json()["validation"]["status"] == "missing"
        assert answer.json()["validation"]["run"] is None
        table = client.get(PROFILE, params={"format": "csv"})
        assert table.headers["X-Validation-Status"] == "missing"
        rows = list(csv.reader(io.StringIO(table.text)))
        assert ["validation", "status", "status", "missing"] in rows
        listing = client.get("/municipalities", params={"format": "json"})
        assert isinstance(listing.json(), list) and listing.headers["X-Validation-Status"] == "missing"
        named = client.get("/queries/municipalities-by-open-violations", params={"format": "csv"})
        assert named.status_code == 200 and named.headers["X-Validation-Status"] == "missing"
        assert "Warning" in named.headers
        # a named query that does not read a validation result says nothing about one
        plain = client.get("/queries/requirements-in-force", params={"format": "csv", "date": "2026-11-01"})
        assert plain.status_code == 200 and "X-Validation-Status" not in plain.headers


def test_current_report_is_named_with_its_run_and_dates(tmp_path):
    store = load_fixture(OxigraphStore())
    report = _validated(store)
    run = str(report.report_iri())
    with _client(store, tmp_path) as client:
        page = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": "en"})
        assert 'data-validation-status="current"' in page.text and run in page.text
        assert "evaluation date 1 November 2026" in page.text and f"engine {report.engine}" in page.text
        assert f">{run}<" not in page.text and f'data-validation-run="{run}"' in page.text
        assert page.headers["X-Validation-Status"].startswith(f"current; run=<{run}>")
        assert "Warning" not in page.headers
        dutch = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": "nl"})
        assert "Bevindingen uit validatierapport" in dutch.text and "peildatum 1 november 2026" in dutch.text
        data = client.get(PROFILE, params={"format": "json"}).json()
        assert data["validation"] == {"status": "current", "run": run, "generatedAt": NOW.isoformat(),
                                      "evaluationDate": "2026-11-01", "dataChangedAt": None, "scope": "all"}
        compare = client.get("/compare", params={"m": ["GM0363", "GM0344"], "format": "json"}).json()
        assert compare["validation"]["run"] == run
        compare_csv = list(csv.reader(io.StringIO(client.get(
            "/compare", params={"m": ["GM0363"], "format": "csv"}).text)))
        assert compare_csv[1][:3] == ["validation:status", "status", "current"]
        named = client.get("/queries/municipality-measures", headers={"Accept": "text/html"})
        assert 'data-validation-status="current"' in named.text and run in named.text


def test_data_newer_than_the_report_makes_it_stale(tmp_path):
    store = load_fixture(OxigraphStore())
    _validated(store)
    _import_later(store)
    status = validation_status(store)
    assert status.status == "stale" and status.data_changed_at == (NOW + dt.timedelta(days=1)).isoformat()
    with _client(store, tmp_path) as client:
        page = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": "en"})
        assert 'data-validation-status="stale"' in page.text and "older than the data" in page.text
        assert page.headers["X-Validation-Status"].startswith("stale; run=<")
        assert page.headers["Warning"].startswith('299 - "The validation report is older than the data')
        assert client.get(PROFILE, params={"format": "json"}).json()["validation"]["status"] == "stale"
    store_report(store, validate_store(store, Parameters(evaluation_date=EVALUATION_DATE),
                                       now=NOW + dt.timedelta(days=2)))
    assert validation_status(store).status == "current"


def test_a_one_municipality_run_fills_its_profile(tmp_path):
    """Only GM0363 validated: its profile shows that run's findings (6 violations, 6 warnings as a full run gives,
    tests/fixtures/analytics/expected/README.md), not zeros; another municipality says the report is missing."""
    store = load_fixture(OxigraphStore())
    _validated(store, municipality=id_iri("municipality", "GM0363"))
    assert validation_status(store).status == "missing"
    status = validation_status(store, "GM0363")
    assert status.status == "current" and status.scope == "GM0363"
    with _client(store, tmp_path) as client:
        data = client.get(PROFILE, params={"format": "json"}).json()
        assert data["validation"]["scope"] == "GM0363"
        measures = data["measures"]
        assert (measures["violations"], measures["warnings"], measures["deploymentsWithViolation"]) == (6, 6, 2)
        assert (measures["findingsRecordedAbsent"], measures["findingsNotEvidenced"]) == (1, 11)
        assert sum(d["violations"] for d in data["deployments"]) == 6
        assert {f["rule"] for f in data["findingsByRule"]} >= {"AIA-5-1-F", "GDPR-35-2"}
        other = client.get("/municipalities/GM0344", params={"format": "json"}).json()
        assert other["validation"]["status"] == "missing" and other["measures"]["violations"] == 0
    # a later full run is newer than the municipality's own run: the profile reads the full run again
    later = validate_store(store, Parameters(evaluation_date=EVALUATION_DATE), now=NOW + dt.timedelta(hours=1))
    store_report(store, later)
    assert validation_status(store, "GM0363").scope == "all"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_measure_labels_name_both_bases_and_completeness(tmp_path, lang):
    store = load_fixture(OxigraphStore())
    _validated(store)
    with _client(store, tmp_path) as client:
        page = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": lang})
    words = {"nl": ("Bevindingen: ontbreekt", "Bevindingen: niet aangetoond", "Volledigheid van de gegevens"),
             "en": ("Findings: recorded absent", "Findings: not evidenced", "Data completeness")}[lang]
    for word in words:
        assert word in page.text
    assert 'data-measure="findingsNotEvidenced" data-value="11"' in page.text
    assert 'data-measure="dataCompleteness" data-value="0.0"' in page.text


@pytest.mark.parametrize(("lang", "words"), [("nl", "Niet aangetoond"), ("en", "Not evidenced")])
def test_a_deployment_page_names_its_report_and_what_its_findings_rest_on(tmp_path, lang, words):
    store = load_fixture(OxigraphStore())
    report = _validated(store)
    with _client(store, tmp_path) as client:
        page = client.get("/id/deployment/af-cameras", headers={"Accept": "text/html", "Accept-Language": lang})
    assert page.status_code == 200
    assert page.headers["X-Validation-Status"].startswith(f"current; run=<{report.report_iri()}>")
    assert 'data-validation-status="current"' in page.text and words in page.text
    recorded = page.text.split('data-evidence="recordedAbsent">', 1)[1].split("</dd>", 1)[0]
    assert "dpia" in recorded  # Amersfoort's camera records its DPIA as absent
    unknown = page.text.split('data-evidence="unknownFacts">', 1)[1].split("</dd>", 1)[0]
    assert "isAlgorithm" in unknown


@pytest.fixture(scope="module")
def validated_project(validated_project_store):
    """The whole project built (ontology/, data/: the national register snapshot included) and validated."""
    assert VALIDATED_PROJECT_DATE == dt.date(2026, 12, 1)
    return validated_project_store


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_amsterdam_profile_on_the_project_graph(validated_project, tmp_path, lang):
    """Issue 13's done-when: Amsterdam's real register algorithms, a validation date, findings split into recorded
    absent and not evidenced, the data completeness, and which report the numbers come from."""
    store, report = validated_project
    register = {str(r["d"]) for r in store.query(
        "SELECT ?d WHERE { ?d <https://w3id.org/dge-graph/def#municipality> "
        "<https://w3id.org/dge-graph/id/municipality/GM0363> ; <https://w3id.org/dge-graph/def#recordKind> "
        "<https://w3id.org/dge-graph/id/record-kind/register-import> }").rows}
    assert len(register) > 10
    with _client(store, tmp_path) as client:
        data = client.get(PROFILE, params={"format": "json"}, headers={"Accept-Language": lang}).json()
        page = client.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": lang})
    assert register <= {d["iri"] for d in data["deployments"]}
    assert data["validation"]["status"] == "current" and data["validation"]["run"] == str(report.report_iri())
    assert data["evaluationDate"] == "2026-12-01"
    m = data["measures"]
    assert m["findingsRecordedAbsent"] + m["findingsNotEvidenced"] == m["violations"] + m["warnings"] > 0
    assert m["findingsNotEvidenced"] > 0
    amsterdam = [f for f in report.findings if f.municipality == id_iri("municipality", "GM0363")]
    assert m["findingsNotEvidenced"] == sum(1 for f in amsterdam if f.basis.not_evidenced)
    known = sum(1 for d, facts in report.unknown_facts.items() if str(d) in {x["iri"] for x in data["deployments"]}
                and not facts)
    assert m["deploymentsFactsKnown"] == known
    assert m["dataCompleteness"] == round(known / m["deployments"], 4)
    label = {"nl": "Volledigheid van de gegevens", "en": "Data completeness"}[lang]
    assert label in page.text and str(report.report_iri()) in page.text
    assert page.headers["X-Validation-Status"].startswith("current")
