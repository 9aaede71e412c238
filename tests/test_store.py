"""The Store protocol: the same behaviour from the embedded pyoxigraph store and a real remote Oxigraph server."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from dge_graph.store import (
    OxigraphStore,
    QuerySyntaxError,
    SelectResult,
    Store,
    StoreError,
    graph_to_ntriples,
    open_store,
)

G1 = "https://w3id.org/dge-graph/graph/test/one"
G2 = "https://w3id.org/dge-graph/graph/test/two"
NT1 = (
    b'<https://w3id.org/dge-graph/id/municipality/GM0363> <http://purl.org/dc/terms/identifier> "GM0363" .\n'
    b'<https://w3id.org/dge-graph/id/municipality/GM0363> <http://www.w3.org/2000/01/rdf-schema#label> "Amsterdam"@nl .\n'
)
NT2 = b'<https://w3id.org/dge-graph/id/municipality/GM0344> <http://purl.org/dc/terms/identifier> "GM0344" .\n'


@pytest.fixture(params=["embedded", "remote"])
def store(request) -> Store:
    if request.param == "embedded":
        return OxigraphStore(None)
    return request.getfixturevalue("remote_store")


def count(store: Store) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(result, SelectResult)
    return int(result.rows[0]["n"])


def test_protocol_is_implemented(store):
    assert isinstance(store, Store)


def test_replace_graphs_writes_named_graphs_and_default_graph_is_their_union(store):
    store.replace_graphs({G1: NT1, G2: NT2})
    assert store.named_graphs() == sorted([G1, G2])
    assert count(store) == 3
    result = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert [(str(r["g"]), int(r["n"])) for r in result.rows] == [(G1, 2), (G2, 1)]


def test_replace_graphs_replaces_and_drops(store):
    store.replace_graphs({G1: NT1, G2: NT2})
    store.replace_graphs({G1: NT2}, drop=[G2])
    assert store.named_graphs() == [G1]
    assert count(store) == 1


def test_failed_replace_leaves_previous_content(store):
    store.replace_graphs({G1: NT1})
    with pytest.raises(StoreError):
        store.replace_graphs({G2: NT2, G1: b"<not a triple"})
    assert store.named_graphs() == [G1]
    assert count(store) == 2


def test_substitutions_bind_typed_values(store):
    store.replace_graphs({G1: NT1, G2: NT2})
    query = "SELECT ?m WHERE { ?m <http://purl.org/dc/terms/identifier> ?code }"
    result = store.query(query, substitutions={"code": Literal("GM0344")})
    assert result.column("m") == [URIRef("https://w3id.org/dge-graph/id/municipality/GM0344")]
    # a hostile value is a literal, not SPARQL
    hostile = store.query(query, substitutions={"code": Literal('x" } ; DROP ALL ; #')})
    assert hostile.rows == []
    assert count(store) == 3


def test_dataset_can_be_narrowed_with_default_graph_uris(store):
    store.replace_graphs({G1: NT1, G2: NT2})
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph_uris=[G2])
    assert int(result.rows[0]["n"]) == 1


def test_ask_construct_and_literal_round_trip(store):
    store.replace_graphs({G1: NT1})
    assert store.query("ASK { ?s ?p \"Amsterdam\"@nl }") is True
    graph = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(graph, Graph) and len(graph) == 2
    typed = store.query('SELECT ?x WHERE { BIND("2027-12-02"^^<http://www.w3.org/2001/XMLSchema#date> AS ?x) }')
    assert typed.rows[0]["x"] == Literal("2027-12-02", datatype=XSD.date)


@pytest.mark.parametrize(
    "media_type,needle",
    [
        ("application/sparql-results+json", b'"head"'),
        ("application/sparql-results+xml", b"<sparql"),
        ("text/csv", b"n\r\n3"),
        ("text/tab-separated-values", b"?n\n3"),
    ],
)
def test_query_serialized_select_formats(store, media_type, needle):
    store.replace_graphs({G1: NT1, G2: NT2})
    result = store.query_serialized("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", select_media_type=media_type)
    assert result.form == "SELECT"
    assert result.media_type == media_type
    assert needle in result.body


def test_query_serialized_construct_is_parseable_turtle(store):
    store.replace_graphs({G1: NT1})
    result = store.query_serialized("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph_media_type="text/turtle")
    assert result.form == "CONSTRUCT"
    assert len(Graph().parse(data=result.body, format="turtle")) == 2


def test_malformed_query_raises_syntax_error_with_parser_message(store):
    with pytest.raises(QuerySyntaxError):
        store.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_graph_to_ntriples_round_trips(store):
    graph = Graph().parse(data=NT1, format="nt")
    store.replace_graphs({G1: graph_to_ntriples(graph)})
    assert count(store) == 2


def test_on_disk_store_persists_a_reader_reads_beside_the_writer_a_second_writer_is_told_to_use_the_server(tmp_path):
    location = tmp_path / "store"
    writer = open_store(str(location))
    writer.replace_graphs({G1: NT1})
    writer.flush()
    beside = open_store(str(location), read_only=True)  # e.g. `dge-graph query` while `dge-graph serve` runs
    assert beside.beside_writer and count(beside) == 2
    beside.close()
    with pytest.raises(StoreError, match=r"in use by another process.*--store http://.*--update-token"):
        open_store(str(location))  # e.g. `dge-graph build` while `dge-graph serve` runs
    writer.close()
    del writer
    reader = open_store(str(location), read_only=True)
    assert count(reader) == 2


def test_read_only_open_of_missing_store_is_an_error(tmp_path):
    with pytest.raises(StoreError, match="dge-graph build"):
        open_store(str(tmp_path / "nothing"), read_only=True)


def test_open_store_kinds(oxigraph_server):
    assert isinstance(open_store(":memory:"), OxigraphStore)
    remote = open_store(oxigraph_server)
    assert remote.query("ASK {}") is True


@pytest.mark.parametrize(
    "query",
    [
        # the bound variable is used in a FILTER and inside a UNION branch, and is not projected
        "SELECT ?m WHERE { { ?m <http://purl.org/dc/terms/identifier> ?id FILTER (?id = ?code) } "
        "UNION { ?m <http://purl.org/dc/terms/identifier> ?id2 BIND (?code AS ?c) FILTER (?c = ?id2) } }",
        # the query binds the variable itself: the substitution restricts it
        "SELECT ?m ?code WHERE { ?m <http://purl.org/dc/terms/identifier> ?id . BIND (STR(?id) AS ?code) }",
    ],
)
def test_substitution_semantics_are_the_same_on_both_stores(store, query):
    store.replace_graphs({G1: NT1, G2: NT2})
    result = store.query(query, substitutions={"code": Literal("GM0344")})
    assert sorted(set(map(str, result.column("m")))) == ["https://w3id.org/dge-graph/id/municipality/GM0344"]


def test_substitution_leaves_a_sub_select_grouping_alone(store):
    store.replace_graphs({G1: NT1, G2: NT2})
    query = (
        "SELECT ?m ?code WHERE { { SELECT ?m ?code (COUNT(*) AS ?n) WHERE { "
        "?m <http://purl.org/dc/terms/identifier> ?code } GROUP BY ?m ?code ORDER BY ?code } }"
    )
    result = store.query(query, substitutions={"code": Literal("GM0363")})
    assert list(map(str, result.column("m"))) == ["https://w3id.org/dge-graph/id/municipality/GM0363"]
