"""Writes: SPARQL Update (at /sparql and /update) and the Graph Store Protocol are off by default and need the
bearer token when on. Both stores; every test gets a freshly loaded store."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from api_support import BACKENDS, TOKEN, client_for, fresh_store, load_test_graph

BASE = "https://w3id.org/dge-graph/"
TEST_GRAPH = f"{BASE}graph/data/update-test.ttl"
INSERT = (f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <{BASE}id/value/autonomy> "
          "<http://www.w3.org/2004/02/skos/core#prefLabel> \"autonomie\"@nl } }")
ASK_INSERTED = f"ASK {{ <{BASE}id/value/autonomy> ?p ?o }}"


@pytest.fixture(params=BACKENDS)
def store(request):
    store = fresh_store(request.param, request)
    load_test_graph(store)
    return store


def asked(client, query: str) -> bool:
    return json.loads(client.get("/sparql", params={"query": query}).content)["boolean"]


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_updates_are_off_without_a_configured_token(store, path):
    with client_for(store) as client:
        response = client.post(path, content=INSERT, headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 403
        assert "disabled" in response.text
        assert not asked(client, ASK_INSERTED)


@pytest.mark.parametrize("path", ["/sparql", "/update"])
@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer wrong-token", 403),
                                                        ("Basic dXNlcjpwYXNz", 401)])
def test_update_without_the_right_token_is_refused(store, path, authorization, status):
    headers = {"Content-Type": "application/sparql-update"}
    if authorization:
        headers["Authorization"] = authorization
    with client_for(store, update_token=TOKEN) as client:
        response = client.post(path, content=INSERT, headers=headers)
        assert response.status_code == status
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert not asked(client, ASK_INSERTED)


@pytest.mark.parametrize("how", ["direct", "form"])
def test_update_with_the_token(store, how):
    with client_for(store, update_token=TOKEN) as client:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        if how == "direct":
            response = client.post("/sparql", content=INSERT,
                                   headers={**auth, "Content-Type": "application/sparql-update"})
        else:
            response = client.post("/update", data={"update": INSERT}, headers=auth)
        assert response.status_code == 204, response.text
        assert asked(client, ASK_INSERTED)
        bad = client.post("/sparql", content="INSERT DATA {", headers={**auth,
                                                                      "Content-Type": "application/sparql-update"})
        assert bad.status_code == 400 and "malformed update" in bad.text


def test_graph_store_protocol(store):
    turtle = f"<{BASE}id/value/autonomy> <http://www.w3.org/2000/01/rdf-schema#label> \"autonomy\"@en ."
    with client_for(store, update_token=TOKEN) as client:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert client.put("/rdf-graph-store", params={"graph": TEST_GRAPH}, content=turtle,
                          headers={"Content-Type": "text/turtle"}).status_code == 401
        created = client.put("/rdf-graph-store", params={"graph": TEST_GRAPH}, content=turtle,
                             headers={**auth, "Content-Type": "text/turtle"})
        assert created.status_code == 201
        assert asked(client, ASK_INSERTED)
        appended = client.post("/rdf-graph-store", params={"graph": TEST_GRAPH}, content=turtle.replace(
            '"autonomy"@en', '"autonomie"@nl'), headers={**auth, "Content-Type": "text/turtle"})
        assert appended.status_code == 204
        content = client.get("/rdf-graph-store", params={"graph": TEST_GRAPH},
                             headers={**auth, "Accept": "application/n-triples"})
        assert len(list(ox.parse(content.content, format=ox.RdfFormat.N_TRIPLES))) == 2
        broken = client.put("/rdf-graph-store", params={"graph": TEST_GRAPH}, content=b"<not turtle",
                            headers={**auth, "Content-Type": "text/turtle"})
        assert broken.status_code == 400
        assert asked(client, ASK_INSERTED)  # a failed load leaves the graph as it was
        assert client.put("/rdf-graph-store", params={"default": ""}, content=turtle,
                          headers={**auth, "Content-Type": "text/turtle"}).status_code == 204  # the unnamed graph
        assert client.delete("/rdf-graph-store", params={"default": ""}, headers=auth).status_code == 204
        assert client.delete("/rdf-graph-store", params={"graph": TEST_GRAPH}, headers=auth).status_code == 204
        assert not asked(client, ASK_INSERTED)
        assert client.delete("/rdf-graph-store", params={"graph": TEST_GRAPH}, headers=auth).status_code == 404
