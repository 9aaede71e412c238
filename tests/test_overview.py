"""The national overview on the home page, on the project graph validated as ``dge-graph validate`` does: its numbers
agree with the validation run and the graph, each links to a page or named query that answers, in nl and en."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from conftest import VALIDATED_PROJECT_DATE, copy_memory_store
from fastapi.testclient import TestClient

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import sparql_prefixes
from dge_graph.query.overview import national_overview

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def validated(validated_project_store):
    assert VALIDATED_PROJECT_DATE == TODAY
    return validated_project_store


@pytest.fixture(scope="module")
def client(validated):
    with TestClient(create_app(Settings(store=":memory:"), store=validated[0])) as test_client:
        yield test_client


def _count(store, body: str) -> int:
    return int(store.query(sparql_prefixes() + body).rows[0]["n"].toPython())


def test_the_counts_agree_with_the_run_and_the_graph(validated):
    store, report = validated
    overview = national_overview(store)
    at_municipalities = [f for f in report.findings if f.municipality is not None]
    severities = Counter(f.severity for f in at_municipalities)
    assert (overview.violations, overview.warnings) == (severities["Violation"], severities["Warning"])
    assert overview.municipalities == _count(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a dge:Municipality }")
    assert overview.deployments == _count(
        store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dge:Deployment ; dge:municipality ?m }")
    assert overview.register_records == _count(store, """SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {
        ?d dge:municipality ?m ; dge:recordKind <https://w3id.org/dge-graph/id/record-kind/register-import> }""")
    assert 0 < overview.register_records < overview.deployments
    # the rules most often missed, nationally (deployments of every organisation)
    by_rule = Counter(f.rule_id for f in report.findings)
    assert [(r.rule_id, r.deployments) for r in overview.rules] == sorted(
        by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:len(overview.rules)]
    # the provinces add up to the national counts
    assert sum(p.deployments for p in overview.provinces) == overview.deployments
    assert sum(p.violations for p in overview.provinces) == overview.violations
    # municipalities by findings: most violations first
    most = Counter(f.municipality for f in at_municipalities if f.severity == "Violation").most_common(1)[0]
    assert overview.by_findings[0].iri == str(most[0])


def test_the_home_page_links_every_number_to_an_answer(client, validated):
    overview = national_overview(validated[0])
    page = client.get("/", headers={"Accept-Language": "nl"})
    assert page.status_code == 200
    counts = dict(re.findall(r'data-count="(\w+)"><strong>(\d+)</strong>', page.text))
    assert counts == {"municipalities": str(overview.municipalities),
                      "municipalitiesWithDeployments": str(overview.municipalities_with_deployments),
                      "deployments": str(overview.deployments), "registerRecords": str(overview.register_records),
                      "findings": str(overview.findings), "violations": str(overview.violations),
                      "warnings": str(overview.warnings)}
    section = page.text.split('<section class="overview"', 1)[1].split("</section>", 1)[0]
    targets = sorted(set(re.findall(r'href="http://testserver(/[^"]*)"', section)))
    assert any("/report" in t for t in targets) and any("province=" in t for t in targets)
    for target in targets:
        if target.startswith("/resource") or target.endswith("/report"):
            continue  # resource pages: test_api_linked_data; council reports: test_council_report
        assert client.get(target.replace("&amp;", "&")).status_code == 200, target
    assert "gesloten-wereldtoets" in page.text and "Algoritmeregister" in page.text


def test_english_home_page_explains_what_the_graph_is_not(client):
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.headers["content-language"] == "en"
    assert "National overview" in page.text and "closed-world check" in page.text
    assert "Rules most often missed" in page.text and "By province" in page.text


def test_without_a_validation_the_page_says_so(project_graph_store):
    with TestClient(create_app(Settings(store=":memory:"), store=project_graph_store)) as client:
        page = client.get("/?lang=en")
    assert page.status_code == 200
    assert "No validation is stored yet" in page.text
    assert 'data-count="findings"' not in page.text


def test_municipalities_by_data_completeness_once_validation_stores_it(validated):
    """With ``dge:dataCompleteness`` on the municipalities' measures (issue 13 item 4) the overview ranks by it,
    lowest first; without it, by safeguard coverage (``by_completeness`` None)."""
    store = copy_memory_store(validated[0])
    assert national_overview(store).by_completeness is not None  # validation stores it (rules/report.py)
    store.update("""DELETE WHERE { GRAPH <https://w3id.org/dge-graph/graph/validation/measures> {
        ?m <https://w3id.org/dge-graph/def#dataCompleteness> ?c } }""")
    assert national_overview(store).by_completeness is None
    store.update("""INSERT DATA { GRAPH <https://w3id.org/dge-graph/graph/validation/measures> {
        <https://w3id.org/dge-graph/id/measures/municipality/GM0363> <https://w3id.org/dge-graph/def#dataCompleteness> 0.5 .
        <https://w3id.org/dge-graph/id/measures/municipality/GM0344> <https://w3id.org/dge-graph/def#dataCompleteness> 0.25 .
    } }""")
    ranked = national_overview(store).by_completeness
    assert [(m.code, value) for m, value in ranked] == [("GM0344", 0.25), ("GM0363", 0.5)]
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as client:
        page = client.get("/?lang=nl")
    assert '<table class="by-completeness">' in page.text and "25,0 %" in page.text
