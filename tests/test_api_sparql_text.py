"""The lexical helpers behind protocol decisions (``dge_graph.kernel.sparql_text``): FROM detection, USING
injection, WITH written out as GRAPH blocks."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dge_graph.kernel.sparql_text import (
    dataset_clauses,
    has_using_or_with,
    names_dataset,
    tokens,
    with_using,
    without_with,
)


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * FROM <http://g/1> WHERE { ?s ?p ?o }", True),
    ("ASK FROM NAMED <http://g/1> { GRAPH ?g { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p 'FROM <x>' }", False),                           # inside a string
    ("# FROM <http://g/1>\nSELECT * WHERE { ?s ?p ?o }", False),             # inside a comment
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", False),
    ("PREFIX ex: <http://g/> SELECT * WHERE { ?s ex:FROM ?o }", False),     # a prefixed name, not the keyword
    ("select * from <http://g/1> where { ?s ?p ?o }", True),                 # keywords are case-insensitive
])
def test_names_dataset(query, expected):
    assert names_dataset(query) is expected


def test_dataset_clauses_resolve_prefixed_names():
    query = "PREFIX g: <http://g/> SELECT * FROM g:a FROM NAMED <http://g/b> FROM NAMED g:c WHERE { ?s ?p ?o }"
    assert dataset_clauses(query) == (["http://g/a"], ["http://g/b", "http://g/c"])


def test_using_goes_before_the_where_of_each_modify_operation_only():
    update = ('DELETE WHERE { ?a ?b ?c } ;\n'
              'INSERT { GRAPH <http://g/out> { ?s ?p "WHERE {" } } WHERE { ?s ?p ?o FILTER(?o < 3) }')
    out = with_using(update, ["http://g/1"], ["http://g/2"])
    assert out == ('DELETE WHERE { ?a ?b ?c } ;\n'
                   'INSERT { GRAPH <http://g/out> { ?s ?p "WHERE {" } } USING <http://g/1> USING NAMED <http://g/2> '
                   'WHERE { ?s ?p ?o FILTER(?o < 3) }')
    assert with_using(update, [], []) == update


def test_using_with_detection_and_iri_check():
    assert has_using_or_with("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert has_using_or_with("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }")
    assert not has_using_or_with("INSERT DATA { <http://a> <http://b> 'USING' }")
    with pytest.raises(ValueError, match="not a valid IRI"):
        with_using("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g> } ; DROP ALL ; #"], [])


WITH_DATA = """
<urn:dge-graph:test:s> <urn:dge-graph:test:p> "in g" <urn:dge-graph:test:g> .
<urn:dge-graph:test:s> <urn:dge-graph:test:q> "in g" <urn:dge-graph:test:g> .
<urn:dge-graph:test:s> <urn:dge-graph:test:p> "in h" <urn:dge-graph:test:h> .
<urn:dge-graph:test:s> <urn:dge-graph:test:p> "in u" <urn:dge-graph:test:u> .
"""


@pytest.mark.parametrize("update", [
    # rdflib's SPARQLUpdateStore.remove
    'WITH <urn:dge-graph:test:g> DELETE { <urn:dge-graph:test:s> <urn:dge-graph:test:p> "in g" } '
    'WHERE { <urn:dge-graph:test:s> <urn:dge-graph:test:p> "in g" }',
    # triples inside and outside GRAPH blocks of the templates, a GRAPH pattern in the WHERE
    "PREFIX t: <urn:dge-graph:test:> WITH t:g DELETE { ?s t:p ?o . GRAPH t:h { ?s t:p ?x } } "
    "INSERT { ?s t:copied ?o . GRAPH t:h { ?s t:seen true } } WHERE { ?s t:p ?o OPTIONAL { GRAPH t:h { ?s t:p ?x } } }",
    # USING wins over WITH for the WHERE; the templates still go to the WITH graph
    "WITH <urn:dge-graph:test:g> INSERT { ?s <urn:dge-graph:test:from-u> ?o } USING <urn:dge-graph:test:u> "
    "WHERE { ?s <urn:dge-graph:test:p> ?o }",
    # several operations, one with WITH
    'INSERT DATA { GRAPH <urn:dge-graph:test:h> { <urn:dge-graph:test:a> <urn:dge-graph:test:b> "c" } } ; '
    "WITH <urn:dge-graph:test:h> DELETE { ?s ?p ?o } WHERE { ?s <urn:dge-graph:test:p> ?o . ?s ?p ?o }",
], ids=["rdflib-remove", "graph-blocks", "using-wins", "two-operations"])
def test_without_with_has_the_meaning_of_with(update):
    """The rewrite for stores that refuse WITH gives the same store as pyoxigraph running the WITH itself."""
    rewritten = without_with(update)
    assert "WITH" not in [t.text.upper() for t in tokens(rewritten)]
    stores = []
    for text in (update, rewritten):
        store = ox.Store()
        store.load(WITH_DATA.encode(), format=ox.RdfFormat.N_QUADS)
        store.update(text)
        stores.append(set(store.quads_for_pattern(None, None, None, None)))
    assert stores[0] == stores[1]
    assert stores[0] != set(ox.parse(WITH_DATA.encode(), format=ox.RdfFormat.N_QUADS))  # the update did something


def test_without_with_leaves_other_updates_alone():
    update = "DELETE WHERE { GRAPH ?g { ?s ?p ?o } } ; INSERT DATA { <urn:dge-graph:test:a> <urn:dge-graph:test:b> 1 }"
    assert without_with(update) == update
