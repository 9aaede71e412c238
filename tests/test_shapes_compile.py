"""The SHACL-core -> SPARQL compiler: each supported construct agrees with pyshacl; anything else is refused."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, URIRef

from dge_graph.kernel.namespaces import RDF, SH
from dge_graph.rules.compile import ShapeCompileError, violation_query
from dge_graph.store import OxigraphStore, graph_to_ntriples

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <urn:test:> .
"""

DATA = PREFIXES + """
t:a a t:C ; t:flag true ; t:n 5 ; t:d "2024-01-01"^^xsd:date ; t:kind t:x ; t:link t:b .
t:b a t:C ; t:flag false ; t:n 30 ; t:kind t:y , t:z ; t:link t:a .
t:c a t:C ; t:n "five" ; t:d "2026-01-01"^^xsd:date .
t:e a t:Sub ; t:flag true .
t:Sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> t:C .
t:notTargeted t:flag true .
"""

# constraint body of t:S (targets t:C) -> a case for each supported construct
CASES = {
    "hasValue": "sh:property [ sh:path t:flag ; sh:hasValue true ]",
    "minCount": "sh:property [ sh:path t:d ; sh:minCount 1 ]",
    "maxCount0": "sh:property [ sh:path t:d ; sh:maxCount 0 ]",
    "maxInclusive-incomparable": "sh:property [ sh:path t:n ; sh:maxInclusive 28 ]",
    "minExclusive": "sh:property [ sh:path t:n ; sh:minExclusive 5 ]",
    "maxExclusive-date": 'sh:property [ sh:path t:d ; sh:maxExclusive "2025-01-01"^^xsd:date ]',
    "minInclusive-date": 'sh:property [ sh:path t:d ; sh:minInclusive "2024-01-01"^^xsd:date ]',
    "datatype": "sh:property [ sh:path t:n ; sh:datatype xsd:integer ]",
    "in-per-value": "sh:property [ sh:path t:kind ; sh:in ( t:x t:y ) ]",
    "qualified": "sh:property [ sh:path t:kind ; sh:qualifiedValueShape [ sh:in ( t:z ) ] ; sh:qualifiedMinCount 1 ]",
    "sequence-path": "sh:property [ sh:path ( t:link t:flag ) ; sh:hasValue true ]",
    "property-node": "sh:property [ sh:path t:link ; sh:node [ sh:property [ sh:path t:n ; sh:maxInclusive 10 ] ] ]",
    "not": "sh:not [ sh:property [ sh:path t:flag ; sh:hasValue true ] ]",
    "or": "sh:or ( [ sh:property [ sh:path t:flag ; sh:hasValue false ] ] "
    "[ sh:property [ sh:path t:d ; sh:minCount 1 ] ] )",
    "and": "sh:and ( [ sh:property [ sh:path t:n ; sh:minCount 1 ] ] "
    "[ sh:not [ sh:property [ sh:path t:kind ; sh:minCount 1 ] ] ] )",
    "node-in": "sh:in ( t:a t:e )",
    "node-hasValue": "sh:hasValue t:b",
    "deactivated-node": "sh:node [ sh:deactivated true ; sh:property [ sh:path t:d ; sh:minCount 1 ] ]",
    # the two rule forms: "condition -> held" (condition as patterns, held as MINUS) and "prohibited condition"
    "rule-obligation": "sh:or ( [ sh:not [ sh:property [ sh:path t:flag ; sh:hasValue true ] ] ] "
    "[ sh:property [ sh:path t:link ; sh:qualifiedValueShape [ sh:property [ sh:path t:n ; sh:maxInclusive 10 ] , "
    "[ sh:path t:flag ; sh:hasValue true ] ] ; sh:qualifiedMinCount 1 ] ] )",
    "rule-obligation-membership": "sh:or ( [ sh:not [ sh:property [ sh:path t:kind ; sh:qualifiedValueShape "
    "[ sh:in ( t:y t:x ) ] ; sh:qualifiedMinCount 1 ] ] ] [ sh:property [ sh:path t:d ; sh:minCount 1 ] ] )",
    "rule-prohibition": "sh:not [ sh:property [ sh:path t:flag ; sh:hasValue true ] ; "
    "sh:not [ sh:property [ sh:path t:n ; sh:maxInclusive 10 ] ] ]",
}


def _shapes(body: str) -> Graph:
    return Graph().parse(data=PREFIXES + f"t:S a sh:NodeShape ; sh:targetClass t:C ; {body} .", format="turtle")


@pytest.fixture(scope="module")
def data_store():
    data = Graph().parse(data=DATA, format="turtle")
    store = OxigraphStore(None)
    store.replace_graphs({"urn:test:data": graph_to_ntriples(data)})
    return data, store


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_shape_agrees_with_pyshacl(data_store, name):
    data, store = data_store
    shapes = _shapes(CASES[name])
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    report = results.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    expected = {results.value(r, SH.focusNode) for r in results.objects(report, SH.result)}  # top level only
    query = violation_query(shapes, URIRef("urn:test:S"), [URIRef("urn:test:C"), URIRef("urn:test:Sub")]).query
    found = {row["focus"] for row in store.query(query).rows}
    assert found == expected
    if name.startswith("rule-obligation") and name != "rule-obligation-membership":
        assert "MINUS" in query  # the held part runs set-based
    # the cases are meant to discriminate: not everything, not nothing (except where the data cannot)
    assert URIRef("urn:test:notTargeted") not in found


def test_the_cases_discriminate(data_store):
    data, _ = data_store
    outcomes = set()
    for body in CASES.values():
        _, results, _ = pyshacl.validate(data, shacl_graph=_shapes(body), inference="none", advanced=False)
        report = results.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
        outcomes.add(frozenset(results.value(r, SH.focusNode) for r in results.objects(report, SH.result)))
    assert len(outcomes) > 8


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("sh:xone ( [ sh:hasValue true ] )", "xone"),
        ("sh:property [ sh:path t:n ; sh:minCount 2 ]", "minCount 1"),
        ("sh:property [ sh:path t:n ; sh:maxCount 1 ]", "maxCount 0"),
        ("sh:property [ sh:path [ sh:inversePath t:n ] ; sh:minCount 1 ]", "sequence paths"),
        ("sh:property [ sh:path t:n ; sh:pattern \"^a\" ]", "pattern"),
        ("sh:class t:C", "class"),
        # W3C SHACL core property/property-001: its results name the value nodes; it used to be ignored silently
        ("sh:property [ sh:path t:link ; sh:property [ sh:path t:n ; sh:maxInclusive 10 ] ]", "nested sh:property"),
        ("sh:sparql [ sh:select \"SELECT $this WHERE {}\" ]", "sparql"),
        ("sh:property [ sh:path t:kind ; sh:qualifiedValueShape [ sh:in ( t:z ) ] ; sh:qualifiedMinCount 2 ]",
         "qualifiedMinCount 1"),
    ],
)
def test_unsupported_constructs_are_refused(body, complaint):
    with pytest.raises(ShapeCompileError, match=complaint):
        violation_query(_shapes(body), URIRef("urn:test:S"), [URIRef("urn:test:C")])


def test_recursive_shapes_are_refused():
    shapes = Graph().parse(data=PREFIXES + "t:S a sh:NodeShape ; sh:targetClass t:C ; sh:node t:S .", format="turtle")
    with pytest.raises(ShapeCompileError, match="itself"):
        violation_query(shapes, URIRef("urn:test:S"), [URIRef("urn:test:C")])


def test_a_pattern_written_twice_is_matched_once(data_store):
    """Two conjuncts with the same triple pattern (as when two derived shapes share a fact) become one pattern."""
    data, store = data_store
    flag = "[ sh:property [ sh:path t:flag ; sh:hasValue true ] ]"
    shapes = _shapes(f"sh:not [ sh:and ( {flag} {flag} [ sh:node {flag} ] ) ]")
    query = violation_query(shapes, URIRef("urn:test:S"), [URIRef("urn:test:C"), URIRef("urn:test:Sub")]).query
    assert query.count("<urn:test:flag>") == 1
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    report = results.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    expected = {results.value(r, SH.focusNode) for r in results.objects(report, SH.result)}
    assert {row["focus"] for row in store.query(query).rows} == expected == {URIRef("urn:test:a"), URIRef("urn:test:e")}


def test_rule_queries_in_parallel_find_what_one_thread_finds(monkeypatch):
    """The fast path runs the rule queries on a thread pool; the findings do not depend on the number of threads."""
    import datetime as dt
    from pathlib import Path

    from dge_graph.rules import validate

    store = OxigraphStore(None)
    golden = Path(__file__).parent / "golden"
    data = Graph()
    for folder in sorted(golden.iterdir()):
        if (folder / "data.ttl").is_file():
            data.parse(folder / "data.ttl", format="turtle")
    store.replace_graphs({"urn:test:golden": graph_to_ntriples(data)})
    shapes = validate.load_shapes()
    for date in (dt.date(2026, 8, 2), dt.date(2030, 8, 2)):
        resolved = shapes.resolved(validate.Parameters(date, dt.date(2026, 8, 2)))
        parallel = validate.sparql_violations(store, resolved, shapes.rules)
        monkeypatch.setattr(validate, "QUERY_THREADS", 1)
        sequential = validate.sparql_violations(store, resolved, shapes.rules)
        monkeypatch.undo()
        assert parallel == sequential
        assert len({shape for _, shape in parallel}) > 10
