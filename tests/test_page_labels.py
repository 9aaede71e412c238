"""Every resource on the pages is shown by a human-readable label in nl and en, never as a raw IRI or blank node
(issue 16 item 6): suppliers named as the intake importer names them, the requirement page with its affected
deployments and scorecards. On the validated analytics fixture with the packaged vocabularies, values and rights,
and a supplier written by the real importer."""

from __future__ import annotations

import re
from html import unescape

import pytest
import pyoxigraph as ox
from analytics_support import EVALUATION_DATE, NOW, load_fixture
from fastapi.testclient import TestClient
from rdflib import Graph

from dge_graph.api import create_app
from dge_graph.ingest.intake import add_organisation
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.validate import Parameters, store_report, validate_store
from dge_graph.store import OxigraphStore, graph_to_ntriples

FIXTURE_KNOWLEDGE = "https://w3id.org/dge-graph/graph/data/fixture-knowledge.ttl"
VENDOR_A = "https://w3id.org/dge-graph/id/organisation/vendor-a"


def visible_text(html: str) -> str:
    body = html[html.index("<main>"):]
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = load_fixture(OxigraphStore())
    # vendor-a as `dge-graph import intake` writes a supplier: an untagged rdfs:label only
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{VENDOR_A}> ?p ?o }} }}")
    organisation = Graph()
    assert str(add_organisation(organisation, "Vendor A")) == VENDOR_A
    store.raw.load(graph_to_ntriples(organisation), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(FIXTURE_KNOWLEDGE))
    for folder, name in (("ontology", "vocabularies.ttl"), ("data", "values.ttl"), ("data", "rights.ttl")):
        store.raw.load(path=str(resource_dir(folder) / name), format=ox.RdfFormat.TURTLE,
                       to_graph=ox.NamedNode(str(graph_iri(f"{folder}/{name}"))))
    store_report(store, validate_store(store, Parameters(evaluation_date=EVALUATION_DATE), now=NOW))
    settings = Settings(store=str(tmp_path_factory.mktemp("unused-store")))
    with TestClient(create_app(settings, store=store)) as test_client:
        yield test_client


def _municipality_of_vendor_a(client) -> str:
    for row in client.get("/municipalities", params={"format": "json"}).json():
        profile = client.get(f"/municipalities/{row['code']}", params={"format": "json"}).json()
        if any(s["iri"] == VENDOR_A for s in profile["suppliers"]):
            return row["code"]
    raise AssertionError("no municipality uses vendor-a in the fixture")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_supplier_named_by_the_importer_is_shown_by_its_name(client, lang):
    code = _municipality_of_vendor_a(client)
    profile = client.get(f"/municipalities/{code}", params={"format": "json", "lang": lang}).json()
    assert {s["label"] for s in profile["suppliers"] if s["iri"] == VENDOR_A} == {"Vendor A"}
    text = visible_text(client.get(f"/municipalities/{code}", params={"lang": lang}).text)
    assert "Vendor A" in text
    assert "dgeid:" not in text and "_:" not in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_requirement_page_lists_affected_deployments_and_no_raw_iris(client, lang):
    findings = client.get("/queries/rules-most-often-missed", params={"format": "json"}).json()
    requirement = findings["results"]["bindings"][0]["requirement"]["value"]
    response = client.get("/resource", params={"iri": requirement, "lang": lang}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    text = visible_text(response.text)
    missed = client.post("/sparql", data={"query": f"""PREFIX dge: <https://w3id.org/dge-graph/def#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT DISTINCT ?title WHERE {{ ?d dge:missesRequirement <{requirement}> ; dct:title ?title }}"""},
                         headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert missed
    for row in missed:
        assert row["title"]["value"] in text
    assert not re.search(r"\bdgeid:\S+", text), re.findall(r"\bdgeid:\S+", text)[:5]
    assert "_:" not in text


def test_scorecards_of_a_requirement_have_labels_in_both_languages(client):
    findings = client.get("/queries/rules-most-often-missed", params={"format": "json"}).json()
    row = findings["results"]["bindings"][0]
    requirement, rule = row["requirement"]["value"], row["rule"]["value"]
    for lang, words in (("nl", f"bevindingen {rule} landelijk"), ("en", f"findings {rule} nationally")):
        text = visible_text(client.get("/resource", params={"iri": requirement, "lang": lang},
                                       headers={"Accept": "text/html"}).text)
        assert words in text


def test_every_named_query_is_described_in_dutch_too():
    from dge_graph.query.named import load_named_queries

    for query in load_named_queries():
        assert "nl" in query.summary, query.name
        assert bool(query.description) == bool(query.description_nl), query.name
        for parameter in query.parameters:
            assert parameter.description_nl, (query.name, parameter.name)


def test_named_query_pages_follow_the_dutch_interface(client):
    from dge_graph.query.named import load_named_queries

    for query in load_named_queries():
        for lang, description in (("nl", query.description_nl), ("en", query.description)):
            response = client.get(f"/queries/{query.name}", headers={"Accept": "text/html", "Accept-Language": lang})
            text = visible_text(response.text)
            assert query.summary[lang] in text
            if description:
                assert description in text
            for parameter in query.parameters:
                assert parameter.description_in(lang) in text
        if query.description:  # the English text is only in the SPARQL (its header comment), not on the page
            page = client.get(f"/queries/{query.name}", params={"lang": "nl"}, headers={"Accept": "text/html"}).text
            assert query.description not in visible_text(page[:page.index("<h2>SPARQL</h2>")])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_named_query_results_show_labels_and_severities_not_iris(client, lang):
    html = client.get("/queries/rules-most-often-missed", params={"lang": lang}, headers={"Accept": "text/html"}).text
    table = html[html.index('<table class="results">'):html.index("</table>")]
    text = visible_text("<main>" + table)
    assert not re.search(r"\b(dgeid|sh):\S+", text), re.findall(r"\b(?:dgeid|sh):\S+", text)[:5]
    assert re.search(r'<span class="sev sev-(Violation|Warning)">', table)
