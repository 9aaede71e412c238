"""``/sparql``: the SPARQL 1.1 Protocol over the embedded and the remote store (same tests, same graph)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from api_support import TOKEN, api_store, client, client_for, fresh_store, load_test_graph  # noqa: F401
from rdf_bodies import parse_rdf

PRIVACY_LABEL_EN = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE {
  <https://w3id.org/dge-graph/id/value/privacy> skos:prefLabel ?label FILTER(LANG(?label) = "en")
}"""
VALUES_CONSTRUCT = """PREFIX dge: <https://w3id.org/dge-graph/def#>
CONSTRUCT { ?v a dge:PublicValue } WHERE { ?v a dge:PublicValue }"""
SRX = "{http://www.w3.org/2005/sparql-results#}"


def labels_from_json(body: bytes) -> list[str]:
    return [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]


@pytest.mark.parametrize("how", ["get", "post-form", "post-direct"])
def test_select_by_every_protocol_binding(client, how):
    if how == "get":
        response = client.get("/sparql", params={"query": PRIVACY_LABEL_EN})
    elif how == "post-form":
        response = client.post("/sparql", data={"query": PRIVACY_LABEL_EN})
    else:
        response = client.post("/sparql", content=PRIVACY_LABEL_EN.encode(),
                               headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert labels_from_json(response.content) == ["privacy"]
    assert json.loads(response.content)["results"]["bindings"][0]["label"]["xml:lang"] == "en"


@pytest.mark.parametrize(("accept", "format_param", "media_type"), [
    (None, None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    ("text/tab-separated-values", None, "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.8", None, "application/sparql-results+xml"),
    ("*/*", None, "application/sparql-results+json"),
    (None, "csv", "text/csv"),
    ("application/sparql-results+xml", "tsv", "text/tab-separated-values"),  # the parameter wins
])
def test_select_result_formats(client, accept, format_param, media_type):
    params = {"query": PRIVACY_LABEL_EN}
    if format_param:
        params["format"] = format_param
    response = client.get("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    if media_type == "application/sparql-results+xml":
        literal = ET.fromstring(response.content).find(f"{SRX}results/{SRX}result/{SRX}binding/{SRX}literal")
        assert literal.text == "privacy"
        assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(response.text))) == [["label"], ["privacy"]]
    elif media_type == "text/tab-separated-values":
        assert response.text.splitlines() == ["?label", '"privacy"@en']


@pytest.mark.parametrize("media_type", [
    "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
    "application/n-quads", "application/trig",
])
def test_construct_in_every_rdf_format(client, media_type):
    response = client.get("/sparql", params={"query": VALUES_CONSTRUCT}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    quads = parse_rdf(response.content, media_type)
    assert sorted(q.subject.value for q in quads) == [
        "https://w3id.org/dge-graph/id/value/privacy", "https://w3id.org/dge-graph/id/value/safety"]


def test_construct_defaults_to_turtle_and_select_media_types_are_not_acceptable(client):
    assert client.get("/sparql", params={"query": VALUES_CONSTRUCT}).headers["content-type"].startswith("text/turtle")
    response = client.get("/sparql", params={"query": VALUES_CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


def test_ask_and_describe(client):
    ask = client.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/dge-graph/def#PublicValue> }"},
                     headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(ask.content).find(f"{SRX}boolean").text == "true"
    describe = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/dge-graph/id/value/safety>"},
                          headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(describe.content, format=ox.RdfFormat.N_TRIPLES))
    assert {t.object.value for t in triples if t.predicate.value.endswith("prefLabel")} == {"veiligheid", "safety"}


def test_union_default_graph_and_protocol_dataset(client):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/dge-graph/def#PublicValue> }"
    union = client.get("/sparql", params={"query": count})
    assert json.loads(union.content)["results"]["bindings"][0]["n"]["value"] == "2"
    only_ontology = client.get("/sparql", params={
        "query": count, "default-graph-uri": "https://w3id.org/dge-graph/graph/ontology/test.ttl"})
    assert json.loads(only_ontology.content)["results"]["bindings"][0]["n"]["value"] == "0"
    with_from = client.get("/sparql", params={
        "query": count.replace("WHERE", "FROM <https://w3id.org/dge-graph/graph/ontology/test.ttl> WHERE")})
    assert json.loads(with_from.content)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize(("request_kwargs", "status", "message"), [
    ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p }"}}, 400, "malformed query"),
    ({"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "more than one"),
    ({"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type"),
    ({"method": "POST", "content": b"ASK {}"}, 415, "Content-Type"),
    ({"method": "POST", "content": "ASK {}".encode("utf-16"),
      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415, "UTF-8"),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "POST"),
    ({"method": "GET", "params": {"query": "ASK {}", "format": "pdf"}}, 400, "unknown result format"),
    ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "IRI"),
    ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, ""),
])
def test_bad_requests_get_4xx_with_a_message(client, request_kwargs, status, message):
    kwargs = dict(request_kwargs)
    response = client.request(kwargs.pop("method"), "/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert message in response.text


def test_parser_message_names_the_position(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "line 1, column 25" in response.text


@pytest.mark.parametrize("query, words", [
    ("SELEC * {}", "a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE"),
    ("SELECT * { ?s foo:bar ?o }", "the prefix foo: is not declared"),
    ("PREFIX a: <http://a/>\nSELECT * {\n  ?s a:b ?o .\n  FILTER( }", "line 4, column"),
])
def test_syntax_errors_are_said_in_plain_words(client, query, words):
    """Issue 14: ``SELEC`` answered "expected CONSTRUCT" and an undeclared prefix dumped Unicode ranges."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert words in response.text
    assert "\\u{" not in response.text and "CONSTRUCT'" not in response.text


def test_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value == sd + "supportedLanguage" and t.object.value == sd + "SPARQL11Query"
               for t in triples)
    assert not any(t.object.value == sd + "SPARQL11Update" for t in triples)  # updates are off
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert "https://w3id.org/dge-graph/graph/validation/latest" in names
    browser = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"].endswith("/editor")


def test_cors_for_reads_without_credentials(client):
    preflight = client.options("/sparql", headers={
        "Origin": "https://analyst.vng.nl", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://analyst.vng.nl"})
    assert simple.headers["access-control-allow-origin"] == "*"


CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_query_past_the_time_limit_gets_503_with_a_message(request, backend):
    store = fresh_store(backend, request)
    load_test_graph(store)
    with client_for(store, timeout_s=0.5, max_result_rows=100_000_000) as slow_client:
        response = slow_client.get("/sparql", params={"query": CROSS_PRODUCT})
    assert response.status_code == 503
    assert "time limit" in response.text and "0.5 s" in response.text


def test_result_past_the_row_limit_gets_503_not_a_truncated_200(api_store):
    with client_for(api_store, max_result_rows=5) as limited:
        response = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        small = limited.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert response.status_code == 503
    assert "more than 5 rows" in response.text
    assert small.status_code == 200 and len(json.loads(small.content)["results"]["bindings"]) == 5


def test_queries_wait_for_a_free_slot_within_their_time_limit(api_store):
    with client_for(api_store, timeout_s=0.5) as busy_client:
        slots = busy_client.app.state.guard.slots  # a ThreadGuard (in-memory or remote store)
        held = 0
        while slots.acquire(blocking=False):  # as if every slot were taken by a runaway aggregate
            held += 1
        try:
            response = busy_client.get("/sparql", params={"query": "ASK {}"})
        finally:
            for _ in range(held):
                slots.release()
        assert response.status_code == 503 and "busy" in response.text
        assert busy_client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(("fmt", "body_check"), [
    ("json", lambda r: r.json()["results"]["bindings"] == [] and r.json()["head"]["vars"] == ["x"]),
    ("csv", lambda r: r.text.splitlines() == ["x"]),
    ("tsv", lambda r: r.text.splitlines() == ["?x"]),
])
def test_select_without_solutions_is_an_empty_200(client, fmt, body_check):
    """Regression: an empty SELECT result was a 500 (found by the benchmarks)."""
    query = "SELECT ?x WHERE { ?x <https://w3id.org/dge-graph/def#noSuchProperty> ?y }"
    response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200, response.text
    assert body_check(response)
