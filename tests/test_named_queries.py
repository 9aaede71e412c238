"""Named queries (queries/*.rq): headers parse, parameters are typed and bound (never formatted into the text), and
every example returns its expected result (tests/queries/expected/<name>[.<n>].csv) on the built project graph.

Expected files hold only the columns they name; they are compared as ordered lists when the query has ORDER BY,
as multisets otherwise. Values are lexical forms (IRIs as text, literals without language tag or datatype).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from dge_graph.kernel.namespaces import XSD
from dge_graph.query.named import (
    NamedQuery,
    NamedQueryDefinitionError,
    NamedQueryError,
    QueryParameter,
    find_named_query,
    load_named_queries,
    parse_argument_pairs,
    parse_named_query,
    run_named_query,
)
from dge_graph.store import OxigraphStore, SelectResult

EXPECTED = Path(__file__).parent / "queries" / "expected"
QUERIES = load_named_queries()
REQUIRED_QUESTIONS = (
    "requirements-protecting-right",  # which requirements protect a given right
    "requirement-legal-provisions",  # which articles a requirement rests on
    "value-conflicts",  # which values are in tension in each value conflict
    "development-lines",  # the development lines with their values and commitments
)
KNOWLEDGE_QUERIES = REQUIRED_QUESTIONS + (
    "requirements-protecting-value", "requirements-in-force", "requirements-for-safeguard")
"""Queries over the knowledge data (values, rights, law, requirements, agenda): their results are fixed by data/, so
each example must have an expected file. Queries over deployments are tested by their owners on fixtures; they get
an expected file here only when their result is fixed by the project graph."""


def expected_file(query: NamedQuery, index: int) -> Path:
    return EXPECTED / (f"{query.name}.csv" if index == 0 else f"{query.name}.{index + 1}.csv")


def example_cases(*, with_expected_file: bool):
    for query in QUERIES:
        for index, example in enumerate(query.examples):
            if with_expected_file and not expected_file(query, index).is_file():
                continue
            yield pytest.param(query, index, dict(example), id=f"{query.name}[{index + 1}]")


def lexical(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        if term.datatype == XSD.boolean:
            return "true" if term.toPython() else "false"
        return str(term)
    return str(term)


# --------------------------------------------------------------------------------------------------------------
# the query files


def test_the_required_questions_have_a_query():
    names = {q.name for q in QUERIES}
    assert set(REQUIRED_QUESTIONS) <= names


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_query_has_summaries_examples_and_described_parameters(query):
    assert query.summary["en"] and query.summary.get("nl"), "summary and summary@nl"
    assert query.examples
    for parameter in query.parameters:
        assert parameter.description, f"{query.name}: parameter {parameter.name} has no description"


@pytest.mark.parametrize("name", KNOWLEDGE_QUERIES)
def test_every_knowledge_query_example_has_an_expected_file(name):
    query = find_named_query(QUERIES, name)
    for index in range(len(query.examples)):
        assert expected_file(query, index).is_file(), f"missing {expected_file(query, index).name}"


@pytest.mark.parametrize(("query", "index", "arguments"), list(example_cases(with_expected_file=False)))
def test_every_example_runs_on_the_project_graph(project_graph_store, query, index, arguments):
    result = run_named_query(project_graph_store, query, arguments)
    assert isinstance(result, SelectResult if query.form == "SELECT" else (bool, object))


def test_no_stray_expected_files():
    known = {expected_file(q, i).name for q in QUERIES for i in range(len(q.examples))}
    assert {p.name for p in EXPECTED.glob("*.csv")} <= known


@pytest.mark.parametrize(("query", "index", "arguments"), list(example_cases(with_expected_file=True)))
def test_example_returns_expected_result(project_graph_store, query, index, arguments):
    result = run_named_query(project_graph_store, query, arguments)
    assert isinstance(result, SelectResult)
    with expected_file(query, index).open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        columns = next(reader)
        expected = [tuple(row) for row in reader]
    assert set(columns) <= set(result.variables), f"expected columns {columns} not all in {result.variables}"
    actual = [tuple(lexical(row.get(c)) for c in columns) for row in result.rows]
    if query.ordered:
        assert actual == expected
    else:
        assert Counter(actual) == Counter(expected)


# --------------------------------------------------------------------------------------------------------------
# parameters: typing, defaults, errors


def test_parameters_bind_as_typed_terms():
    query = find_named_query(QUERIES, "requirements-in-force")
    bound = query.bind({"date": "2026-09-01", "severity": "http://www.w3.org/ns/shacl#Warning"})
    assert bound == {
        "date": Literal("2026-09-01", datatype=XSD.date),
        "severity": URIRef("http://www.w3.org/ns/shacl#Warning"),
    }  # hrDate is optional without a default: left unbound


def test_default_is_bound_when_absent_and_prefixed_iris_expand():
    query = find_named_query(QUERIES, "requirements-protecting-right")
    bound = query.bind({"right": "dgeid:right/charter-8"})
    assert bound == {"right": URIRef("https://w3id.org/dge-graph/id/right/charter-8"), "lang": Literal("en")}


@pytest.mark.parametrize(
    ("type_", "value", "term"),
    [
        ("iri", "https://w3id.org/dge-graph/id/right/charter-8", URIRef("https://w3id.org/dge-graph/id/right/charter-8")),
        ("iri", "urn:nl:ak:ver:avg-13", URIRef("urn:nl:ak:ver:avg-13")),
        ("string", "it's \"quoted\"", Literal("it's \"quoted\"")),
        ("date", "2027-12-02", Literal("2027-12-02", datatype=XSD.date)),
        ("date", dt.date(2026, 8, 2), Literal("2026-08-02", datatype=XSD.date)),
        ("integer", "28", Literal(28, datatype=XSD.integer)),
        ("integer", 7, Literal(7, datatype=XSD.integer)),
        ("boolean", "true", Literal(True, datatype=XSD.boolean)),
        ("boolean", "0", Literal(False, datatype=XSD.boolean)),
        ("boolean", False, Literal(False, datatype=XSD.boolean)),
        ("municipality-code", "GM0363", Literal("GM0363")),
    ],
)
def test_parameter_types_convert(type_, value, term):
    assert QueryParameter("x", type_).convert(value) == term


@pytest.mark.parametrize(
    ("type_", "value", "message"),
    [
        ("iri", "charter-8", "absolute IRI"),
        ("iri", "x> } ; DROP ALL ; #", "absolute IRI"),
        ("iri", "https://x.test/a b", "absolute IRI"),
        ("iri", "unknownprefix:thing", None),  # parses as an absolute IRI with scheme 'unknownprefix'
        ("date", "2026-13-01", "YYYY-MM-DD"),
        ("date", "1 Aug 2026", "YYYY-MM-DD"),
        ("date", "2026-08-02T00:00:00", "YYYY-MM-DD"),
        ("integer", "4.5", "integer"),
        ("integer", True, "integer"),
        ("boolean", "yes", "true or false"),
        ("municipality-code", "0363", "GM0363"),
        ("municipality-code", "Amsterdam", "GM0363"),
    ],
)
def test_ill_typed_values_are_rejected(type_, value, message):
    parameter = QueryParameter("x", type_)
    if message is None:
        assert parameter.convert(value) == URIRef(value)
        return
    with pytest.raises(NamedQueryError, match=message) as info:
        parameter.convert(value, query="q")
    assert "q: parameter 'x'" in str(info.value)


def test_missing_required_parameter_names_it():
    query = find_named_query(QUERIES, "requirements-protecting-right")
    with pytest.raises(NamedQueryError, match=r"missing required parameter 'right' \(iri\)"):
        query.bind({})


def test_unknown_parameter_is_rejected():
    query = find_named_query(QUERIES, "value-conflicts")
    with pytest.raises(NamedQueryError, match="unknown parameter.*rigth"):
        query.bind({"rigth": "x"})


def test_value_outside_the_allowed_list_is_rejected():
    query = find_named_query(QUERIES, "value-conflicts")
    with pytest.raises(NamedQueryError, match="'de' is not one of nl, en"):
        query.bind({"lang": "de"})


def test_allowed_values_compare_as_terms():
    query = find_named_query(QUERIES, "requirements-in-force")
    warning = URIRef("http://www.w3.org/ns/shacl#Warning")
    assert query.bind({"date": "2026-01-01", "severity": "sh:Warning"})["severity"] == warning
    assert query.bind({"date": "2026-01-01", "severity": str(warning)})["severity"] == warning
    with pytest.raises(NamedQueryError, match="is not one of sh:Violation, sh:Warning"):
        query.bind({"date": "2026-01-01", "severity": "sh:Info"})


def test_unknown_query_lists_known_names():
    with pytest.raises(NamedQueryError, match="value-conflicts"):
        find_named_query(QUERIES, "no-such-query")


def test_argument_pairs():
    assert parse_argument_pairs(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(NamedQueryError, match="NAME=VALUE"):
        parse_argument_pairs(["novalue"])
    with pytest.raises(NamedQueryError, match="twice"):
        parse_argument_pairs(["a=1", "a=2"])


# --------------------------------------------------------------------------------------------------------------
# injection: a hostile value is rejected or bound as an inert literal; the store is unchanged


def test_injection_through_an_iri_parameter_is_rejected(project_graph_store):
    query = find_named_query(QUERIES, "requirements-protecting-right")
    with pytest.raises(NamedQueryError, match="absolute IRI"):
        run_named_query(project_graph_store, query, {"right": "x> } ; DROP ALL ; #"})


INJECTION_QUERY = """\
# name: requirement-by-id
# summary: A requirement by its identifier
# summary@nl: Een eis op identificatie
# param: requirement (string) — rule id
# example: requirement=GDPR-35
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?r ?requirement WHERE { ?r dct:identifier ?requirement }
"""


@pytest.mark.parametrize(
    "hostile",
    ['GDPR-35" } ; DROP ALL ; #', "GDPR-35' } DELETE WHERE { ?s ?p ?o } #", 'x"""^^<x> . }', "\\u0022 } #"],
)
def test_injection_through_a_string_parameter_is_bound_harmlessly(hostile):
    store = OxigraphStore(None)
    store.update('INSERT DATA { GRAPH <urn:x:g> { <urn:x:r> <http://purl.org/dc/terms/identifier> "GDPR-35" } }')
    query = parse_named_query(INJECTION_QUERY, "requirement-by-id.rq")
    result = run_named_query(store, query, {"requirement": hostile})
    assert result.rows == []  # bound as a literal that matches nothing
    exact = run_named_query(store, query, {"requirement": "GDPR-35"})
    assert [row["r"] for row in exact.rows] == [URIRef("urn:x:r")]  # and the data is still there


# --------------------------------------------------------------------------------------------------------------
# header grammar errors name the file and line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no '# name:' line"),
        ("# name: bad\n# example: \nSELECT * WHERE { ?s ?p ?o }", "no '# summary:' line"),
        ("# name: bad\n# summary: s\nSELECT * WHERE { ?s ?p ?o }", "no '# example:' line"),
        ("# name: Bad_Name\n# summary: s\n# example:\nSELECT * {}", "lower-case words"),
        ("# name: bad\n# summary: s\n# param: x (uri) — y\n# example: x=1\nSELECT ?x {}", "type must be one of"),
        ("# name: bad\n# summary: s\n# param: x (iri, sometimes) — y\n# example:\nSELECT ?x {}", "unknown parameter option"),
        ("# name: bad\n# summary: s\n# param: x (iri) — y\n# example:\nSELECT ?s { ?s ?p ?o }", "not a variable of the query"),
        ("# name: bad\n# summary: s\n# param: x (date, default=soon) — y\n# example:\nSELECT ?x {}", "default does not fit"),
        ("# name: bad\n# summary: s\n# param: x (integer, values=1|two) — y\n# example:\nSELECT ?x {}", "allowed value does not fit"),
        ("# name: bad\n# summary: s\n# param: x (date) — y\n# example: x=tomorrow\nSELECT ?x {}", "example does not bind"),
        ("# name: bad\n# summary: s\n# param: x (iri) — y\n# param: x (iri) — z\n# example:\nSELECT ?x {}", "declared twice"),
    ],
)
def test_malformed_headers_are_reported_with_file(text, message):
    with pytest.raises(NamedQueryDefinitionError, match=message) as info:
        parse_named_query(text, "bad.rq")
    assert str(info.value).startswith("bad.rq")


def test_header_error_names_the_line():
    text = "# name: bad\n# summary: s\n# param: x (date) — y\n# example: x=tomorrow\nSELECT ?x {}"
    with pytest.raises(NamedQueryDefinitionError) as info:
        parse_named_query(text, "bad.rq")
    assert info.value.line == 4


def test_name_must_match_the_file_name():
    with pytest.raises(NamedQueryDefinitionError, match="does not match the file name"):
        parse_named_query("# name: one\n# summary: s\n# example:\nSELECT * {}", "other.rq")


# --------------------------------------------------------------------------------------------------------------
# the same answers from a remote store (a real `oxigraph serve`, or Virtuoso with --remote-store=virtuoso)


NOT_PORTABLE: dict[str, str] = {}  # named queries that a remote store cannot answer like the embedded one


def knowledge_example_cases():
    for case in example_cases(with_expected_file=True):
        query = case.values[0]
        if query.name in NOT_PORTABLE:
            yield pytest.param(*case.values, id=case.id, marks=pytest.mark.xfail(reason=NOT_PORTABLE[query.name]))
        else:
            yield case


@pytest.mark.parametrize(("query", "index", "arguments"), list(knowledge_example_cases()))
def test_example_returns_expected_result_from_a_remote_store(remote_project_store, query, index, arguments):
    test_example_returns_expected_result(remote_project_store, query, index, arguments)


# --------------------------------------------------------------------------------------------------------------
# command line: dge-graph queries [show NAME | run NAME NAME=VALUE ...]


@pytest.fixture(scope="module")
def built_store_path(copy_built_project) -> str:
    return copy_built_project("named-queries")  # the project built on disk (tests/conftest.py)


def test_cli_lists_queries_in_both_languages(capsys):
    from dge_graph.cli import main

    assert main(["queries"]) == 0
    assert "value-conflicts" in capsys.readouterr().out
    assert main(["queries", "--lang", "nl"]) == 0
    assert "De waardenconflicten van de VNG-agenda" in capsys.readouterr().out


def test_cli_runs_a_query_with_arguments_as_csv(built_store_path, capsys):
    from dge_graph.cli import main

    code = main(["queries", "run", "requirements-protecting-right", "right=dgeid:right/grondwet-1",
                 "--format", "csv", "--store", built_store_path])
    out = capsys.readouterr().out
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert [r["id"] for r in rows] == ["AIA-5-1-C", "NL-NONDISCR"]


def test_cli_runs_an_example(built_store_path, capsys):
    from dge_graph.cli import main

    assert main(["queries", "run", "value-conflicts", "--example", "2", "--format", "csv",
                 "--store", built_store_path]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {r["valueLabel"] for r in rows} == {"autonomie", "bescherming"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["requirements-in-force"], "missing required parameter 'date'"),
        (["requirements-in-force", "date=soon"], "expected a date YYYY-MM-DD"),
        (["requirements-protecting-right", "right=x> } ; DROP ALL ; #"], "expected an absolute IRI"),
        (["value-conflicts", "--example", "9"], "has 2 example"),
        (["no-such-query"], "no named query 'no-such-query'"),
        (["value-conflicts", "lang"], "expected NAME=VALUE"),
    ],
)
def test_cli_reports_bad_arguments_with_exit_2(built_store_path, capsys, argv, message):
    from dge_graph.cli import main

    assert main(["queries", "run", *argv, "--store", built_store_path]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "hostile",
    ['GDPR-35" } ; DROP ALL ; #', "GDPR-35' } DELETE WHERE { ?s ?p ?o } #", 'x"""^^<x> . }', "GDPR-35\"\n} #\nDROP ALL"],
)
def test_injection_through_a_string_parameter_is_harmless_on_a_remote_store(remote_project_store, hostile):
    query = parse_named_query(INJECTION_QUERY, "requirement-by-id.rq")
    assert run_named_query(remote_project_store, query, {"requirement": hostile}).rows == []
    exact = run_named_query(remote_project_store, query, {"requirement": "GDPR-35"})
    assert [str(row["r"]) for row in exact.rows] == ["https://w3id.org/dge-graph/id/requirement/GDPR-35"]


def test_order_and_form_are_read_from_tokens_not_comments_or_strings():
    header = "# name: q\n# summary: s\n# example:\n"
    unordered = parse_named_query(header + 'SELECT ?s { ?s ?p "ORDER BY" } # ORDER BY ?s\n', "q.rq")
    assert not unordered.ordered and unordered.form == "SELECT"
    nested = parse_named_query(header + "SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }", "q.rq")
    assert not nested.ordered
    ordered = parse_named_query(header + "# ASK in a comment\nSELECT ?s { ?s ?p ?o } ORDER BY ?s", "q.rq")
    assert ordered.ordered and ordered.form == "SELECT"
    assert parse_named_query(header + "ASK { ?s ?p ?o }", "q.rq").form == "ASK"


@pytest.mark.parametrize("store_fixture", ["project_graph_store", "remote_project_store"])
def test_a_province_keeps_only_its_own_municipalities(request, store_fixture):
    """municipalities-by-register-records with province=PV27 lists exactly Noord-Holland's municipalities (the
    province sat in an OPTIONAL, so every municipality came back labelled with the province asked for)."""
    store = request.getfixturevalue(store_fixture)
    province = "https://w3id.org/dge-graph/id/province/PV27"
    in_province = {str(row["m"]) for row in store.query(
        "SELECT ?m WHERE { ?m a <https://w3id.org/dge-graph/def#Municipality> ; "
        f"<https://w3id.org/dge-graph/def#province> <{province}> }}").rows}
    result = run_named_query(store, find_named_query(QUERIES, "municipalities-by-register-records"),
                             {"province": province})
    listed = [str(row["municipality"]) for row in result.rows]
    assert len(in_province) > 20 and len(listed) == len(set(listed))
    assert set(listed) == in_province
    everywhere = run_named_query(store, find_named_query(QUERIES, "municipalities-by-register-records"), {})
    assert len(everywhere.rows) > len(listed)
