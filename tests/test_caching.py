"""ETag/Last-Modified/Cache-Control derived from the store's state, and 304 (issue 15 item 2)."""

from __future__ import annotations

import pytest
from api_support import TOKEN, client_for, fresh_store, load_test_graph

RESOURCE = "/id/value/privacy"
PATHS = [(RESOURCE, "text/turtle"), ("/queries", "application/json"), ("/", "text/html"),
         ("/context.jsonld", "application/ld+json"), ("/def", "text/turtle"),
         ("/queries/municipality-measures", "text/csv")]


@pytest.fixture(params=["embedded", "remote"])
def writable_client(request):
    store = fresh_store(request.param, request)
    load_test_graph(store)
    with client_for(store, update_token=TOKEN) as client:
        yield client


@pytest.mark.parametrize(("path", "accept"), PATHS)
def test_validators_and_304_until_a_write(writable_client, path, accept):
    first = writable_client.get(path, headers={"Accept": accept})
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["last-modified"] and first.headers["cache-control"]
    again = writable_client.get(path, headers={"Accept": accept, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = writable_client.get(path, headers={"Accept": "text/plain", "If-None-Match": tag})
    assert other.status_code != 304  # another Accept, another entity
    written = writable_client.post("/update", content="INSERT DATA { GRAPH <https://w3id.org/dge-graph/graph/t> "
                                   "{ <urn:x:a> <urn:x:b> 1 } }",
                                   headers={"Authorization": f"Bearer {TOKEN}",
                                            "Content-Type": "application/sparql-update"})
    assert written.status_code == 204
    after = writable_client.get(path, headers={"Accept": accept, "If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag


def test_sparql_answers_are_not_cached(writable_client):
    response = writable_client.get("/sparql", params={"query": "SELECT (NOW() AS ?t) {}"})
    assert response.headers["cache-control"] == "no-store" and "etag" not in response.headers


def test_read_only_embedded_server_allows_caching():
    from dge_graph.store import OxigraphStore

    store = OxigraphStore(None)
    load_test_graph(store)
    with client_for(store) as client:
        assert client.get(RESOURCE).headers["cache-control"] == "public, max-age=300"
