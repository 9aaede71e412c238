"""``/queries`` and ``/queries/{name}``: every named query listed with its header, run with typed parameters as
JSON, CSV and HTML; bad, missing, unknown and hostile parameters are 400s that change nothing."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings
from dge_graph.query.named import load_named_queries
from dge_graph.store import OxigraphStore

from analytics_support import validated_fixture_store



@pytest.fixture(scope="module")
def fixture_store() -> OxigraphStore:
    return validated_fixture_store()  # the analytics fixture with the result of validate (tests/analytics_support.py)


@pytest.fixture(scope="module")
def client(fixture_store, tmp_path_factory):
    settings = Settings(store=str(tmp_path_factory.mktemp("unused-store")))
    with TestClient(create_app(settings, store=fixture_store)) as test_client:
        yield test_client


def test_list_has_every_query_with_its_header(client):
    listed = {q["name"]: q for q in client.get("/queries", params={"format": "json"}).json()}
    for query in load_named_queries():
        entry = listed[query.name]
        assert entry["summary"]["en"] == query.summary["en"]
        assert [p["name"] for p in entry["parameters"]] == [p.name for p in query.parameters]
        assert entry["examples"] == [dict(e) for e in query.examples]
        assert entry["url"].endswith(f"/queries/{query.name}")
    html = client.get("/queries", headers={"Accept": "text/html"}).text
    assert all(f"/queries/{q.name}" in html for q in load_named_queries())


def test_run_as_json_csv_and_html(client):
    url = "/queries/municipalities-by-open-violations"
    params = {"province": "https://w3id.org/dge-graph/id/province/PV27"}
    body = client.get(url, params={**params, "format": "json"}).json()
    codes = [b["code"]["value"] for b in body["results"]["bindings"]]
    assert codes == ["GM0363", "GM0392"]
    response = client.get(url, params=params, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # the counts of tests/fixtures/analytics/expected/municipalities-by-open-violations__PV27.csv (README there)
    assert [(r["code"], r["violations"], r["warnings"]) for r in rows] == [("GM0363", "6", "6"), ("GM0392", "0", "0")]
    html = client.get(url, params=params, headers={"Accept": "text/html"}).text
    assert "<table class=\"results\">" in html and "GM0392" in html and "GM0344" not in html.split("<h2>SPARQL")[0]


def test_municipality_code_parameter(client):
    body = client.get("/queries/municipality-vs-province-median", params={"code": "GM0363", "format": "json"}).json()
    medians = {b["measure"]["value"]: float(b["provinceMedian"]["value"]) for b in body["results"]["bindings"]}
    assert medians == {"coverage": 0.25, "deployments": 2.0, "violations": 3.0, "warnings": 3.0}


def test_html_without_required_parameters_documents_the_query(client):
    response = client.get("/queries/municipality-vs-province-median", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "code" in response.text and "GM0363" in response.text and "<pre class=\"sparql\">" in response.text


@pytest.mark.parametrize(("url", "params", "status", "message"), [
    ("/queries/no-such-query", {}, 404, "no named query"),
    ("/queries/municipality-vs-province-median", {"format": "json"}, 400, "missing required parameter 'code'"),
    ("/queries/municipality-vs-province-median", {"code": "0363", "format": "json"}, 400, "GM0363"),
    ("/queries/municipality-vs-province-median", {"code": "GM0363", "city": "x", "format": "json"}, 400,
     "unknown parameter"),
    ("/queries/high-risk-ai-deployments", {"municipality": "not an iri", "format": "csv"}, 400,
     "expected an absolute IRI"),
])
def test_bad_requests(client, url, params, status, message):
    response = client.get(url, params=params)
    assert response.status_code == status
    assert message in response.json()["detail"]


@pytest.mark.parametrize(("name", "parameter", "hostile"), [
    ("municipalities-by-open-violations", "province", "x> } ; DROP ALL ; #"),
    ("deployments-touching-right-or-value", "concept", "https://w3id.org/dge-graph/id/value/privacy> } UNION { ?s ?p ?o"),
    ("municipality-vs-province-median", "code", 'GM0363" } #'),
    ("requirements-protecting-right", "lang", "en\") } DROP ALL #"),
])
def test_injection_is_refused_and_changes_nothing(client, fixture_store, name, parameter, hostile):
    before = len(fixture_store.raw)
    params = {parameter: hostile, "format": "json"}
    example = next(iter(q for q in load_named_queries() if q.name == name)).examples[0]
    params = {**example, **params}
    response = client.get(f"/queries/{name}", params=params)
    if response.status_code == 200:
        assert response.json()["results"]["bindings"] == []
    else:
        assert response.status_code == 400
    assert len(fixture_store.raw) == before
