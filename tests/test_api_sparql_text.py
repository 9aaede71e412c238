"""The lexical helpers behind protocol decisions (``dge_graph.kernel.sparql_text``): FROM detection, USING injection."""

from __future__ import annotations

import pytest

from dge_graph.kernel.sparql_text import dataset_clauses, has_using_or_with, names_dataset, with_using


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
