"""JSON-LD people can use: the published @context, compacted by default, expanded on request (issue 15 item 2)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from api_support import api_store, client  # noqa: F401
from rdf_bodies import parse_rdf

from dge_graph.kernel.namespaces import PREFIXES

EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
PATHS = ["/id/value/privacy", "/def", "/.well-known/void", "/sparql"]


def test_context_is_generated_from_the_prefixes(client):
    context = client.get("/context.jsonld").json()["@context"]
    declared = {k: (v if isinstance(v, str) else v["@id"]) for k, v in context.items() if not k.startswith("@")}
    assert declared == dict(PREFIXES)


@pytest.mark.parametrize("path", PATHS)
def test_compacted_by_default_and_same_graph_as_expanded(client, path):
    compacted = client.get(path, headers={"Accept": "application/ld+json"})
    assert compacted.status_code == 200, compacted.text
    document = compacted.json()
    assert document["@context"] == str(client.base_url.join("/context.jsonld"))
    expanded = client.get(path, headers={"Accept": EXPANDED})
    assert isinstance(expanded.json(), list) and "@context" not in expanded.text
    turtle = client.get(path, headers={"Accept": "text/turtle"})

    def canonical(quads):
        return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads
                if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    from_compacted = canonical(parse_rdf(compacted.content, "application/ld+json"))
    assert from_compacted == canonical(parse_rdf(expanded.content, "application/ld+json"))
    if path != "/sparql":  # the service description's blank nodes differ per answer
        assert from_compacted == canonical(parse_rdf(turtle.content, "text/turtle"))
    assert from_compacted


def test_compact_iris_use_the_project_prefixes(client):
    document = client.get("/id/value/privacy", headers={"Accept": "application/ld+json"}).json()
    ids = {node["@id"] for node in document["@graph"]}
    assert "dgeid:value/privacy" in ids
    assert json.dumps(document).count("https://w3id.org/dge-graph/def#") == 0
