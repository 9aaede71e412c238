"""Expected results of the analysts' named queries on the fixture graph (tests/fixtures/analytics), validated by
``validate`` (tests/analytics_support.py).

Every case names a query, its arguments and an expected CSV under ``tests/fixtures/analytics/expected/`` whose
numbers are derived by reading the fixture (see expected/README.md). Rows are compared in the query's order.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from analytics_support import validated_fixture_store
from rdflib import Literal

from dge_graph.kernel.terms import compact
from dge_graph.query.named import NamedQueryError, find_named_query, load_named_queries, run_named_query
from dge_graph.store import OxigraphStore, quads_to_ntriples

FIXTURE = Path(__file__).parent / "fixtures" / "analytics"
PV26 = "https://w3id.org/dge-graph/id/province/PV26"
PV27 = "https://w3id.org/dge-graph/id/province/PV27"

CASES = (
    ("deployments-by-technology-kind", {}, "deployments-by-technology-kind"),
    ("deployments-by-technology-kind", {"province": PV26}, "deployments-by-technology-kind__PV26"),
    ("municipalities-by-open-violations", {}, "municipalities-by-open-violations"),
    ("municipalities-by-open-violations", {"province": PV27}, "municipalities-by-open-violations__PV27"),
    ("municipalities-by-safeguard-coverage", {}, "municipalities-by-safeguard-coverage"),
    ("rules-most-often-missed", {}, "rules-most-often-missed"),
    ("rules-most-often-missed", {"severity": "http://www.w3.org/ns/shacl#Violation"},
     "rules-most-often-missed__violations"),
    ("rules-most-often-missed-by-province", {}, "rules-most-often-missed-by-province"),
    ("suppliers-by-municipalities-served", {}, "suppliers-by-municipalities-served"),
    ("high-risk-ai-deployments", {}, "high-risk-ai-deployments"),
    ("deployments-touching-right-or-value", {"concept": "dgeid:right/charter-21"},
     "deployments-touching-right-or-value__charter-21"),
    ("deployments-touching-right-or-value", {"concept": "https://w3id.org/dge-graph/id/value/privacy"},
     "deployments-touching-right-or-value__privacy"),
    ("municipalities-with-kind-without-register-entry", {"technologyKind": "dgeid:technology-kind/camera"},
     "municipalities-with-kind-without-register-entry__camera"),
    ("municipalities-with-kind-without-register-entry", {"technologyKind": "dgeid:technology-kind/algorithm"},
     "municipalities-with-kind-without-register-entry__algorithm"),
    ("municipality-measures", {}, "municipality-measures"),
    ("municipality-vs-province-median", {"code": "GM0363"}, "municipality-vs-province-median__GM0363"),
    ("municipality-vs-province-median", {"code": "GM0344"}, "municipality-vs-province-median__GM0344"),
)

ANALYST_QUERIES = frozenset(case[0] for case in CASES)


@pytest.fixture(scope="module")
def analytics_store() -> OxigraphStore:
    return validated_fixture_store()


def _cell(term) -> str:
    if isinstance(term, Literal) and isinstance(term.toPython(), (int, float, Decimal)) and not isinstance(
            term.toPython(), bool):
        return _number(str(term))
    return compact(term)


def _number(text: str) -> str:
    value = Decimal(text).quantize(Decimal("0.0001"))
    return format(value.normalize(), "f") if value != 0 else "0"


def _expected(name: str) -> tuple[list[str], list[list[str]]]:
    with (FIXTURE / "expected" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    body = [[_number(cell) if _is_number(cell) else cell for cell in row] for row in rows[1:]]
    return header, body


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize(("query_name", "arguments", "expected"), CASES, ids=[c[2] for c in CASES])
def test_named_query_expected_result(analytics_store, query_name, arguments, expected):
    query = find_named_query(load_named_queries(), query_name)
    result = run_named_query(analytics_store, query, arguments)
    header, rows = _expected(expected)
    assert set(header) <= set(result.variables), f"{query_name} lacks columns {set(header) - set(result.variables)}"
    actual = [[_cell(row.get(column)) for column in header] for row in result.rows]
    assert actual == rows


def test_every_analyst_query_has_a_case():
    """Each query this module covers is a real file with a summary in English and Dutch and an example."""
    by_name = {q.name: q for q in load_named_queries()}
    for name in ANALYST_QUERIES:
        assert name in by_name, name
        assert by_name[name].summary.get("nl"), f"{name} has no Dutch summary"
        assert by_name[name].examples


@pytest.mark.parametrize("hostile", [
    "x> } ; DROP ALL ; #",
    "https://w3id.org/dge-graph/id/province/PV26> } UNION { ?s ?p ?o",
    'GM0363" } #',
])
def test_injection_is_rejected_or_inert(analytics_store, hostile):
    """A hostile value either fails the type check or is bound as an inert term: the data is untouched."""
    before = len(analytics_store.raw)
    for name, parameter in (("municipalities-by-open-violations", "province"),
                            ("municipality-vs-province-median", "code"),
                            ("deployments-touching-right-or-value", "concept")):
        query = find_named_query(load_named_queries(), name)
        try:
            result = run_named_query(analytics_store, query, {parameter: hostile})
        except NamedQueryError:
            continue
        assert result.rows == [], f"{name} matched something for {hostile!r}"
    assert len(analytics_store.raw) == before


@pytest.fixture(scope="module")
def remote_analytics_store(remote_server):
    """The validated fixture on the remote backend's real server (``--remote-store``)."""
    from conftest import empty_remote_store

    store = empty_remote_store(remote_server)
    local = validated_fixture_store()
    graphs = {}
    for quad in local.raw.quads_for_pattern(None, None, None, None):
        graphs.setdefault(quad.graph_name.value, []).append(quad)
    store.replace_graphs({name: quads_to_ntriples(quads) for name, quads in graphs.items()})
    yield store
    empty_remote_store(remote_server)


@pytest.mark.slow
@pytest.mark.parametrize(("query_name", "arguments", "expected"), CASES, ids=[c[2] for c in CASES])
def test_named_query_expected_result_on_a_remote_store(remote_analytics_store, query_name, arguments, expected):
    test_named_query_expected_result(remote_analytics_store, query_name, arguments, expected)
