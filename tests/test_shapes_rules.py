"""The rule shapes against the requirement resources, and the parameter resolution of the shapes graph."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from dge_graph.kernel.namespaces import DCT, DGE, RDF, SH, id_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.compile import matching_query, violation_query
from dge_graph.rules.validate import (
    ANYTHING,
    EVALUATION_DATE,
    HR_DATE,
    KEPT_READINGS,
    Parameters,
    ValidationError,
    load_shapes,
    pyshacl_violations,
    read_rules,
    resolve_shapes,
)


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


@pytest.fixture(scope="module")
def requirements() -> Graph:
    return Graph().parse(resource_dir("data") / "requirements.ttl")


def test_one_rule_shape_per_requirement(shapes, requirements):
    ids = {str(i) for r in requirements.subjects(RDF.type, DGE.Requirement)
           for i in requirements.objects(r, DCT.identifier)}
    assert len(shapes.rules) == len(ids)
    assert {r.rule_id for r in shapes.rules} == ids
    for rule in shapes.rules:
        assert rule.requirement == id_iri("requirement", rule.rule_id)
        assert rule.shape == URIRef(f"https://w3id.org/dge-graph/id/shape/rule/{rule.rule_id}")


@pytest.mark.parametrize("rule_id", [r.rule_id for r in load_shapes().rules])
def test_rule_shape_matches_its_requirement(shapes, requirements, rule_id):
    rule = shapes.rule(rule_id)
    requirement = rule.requirement
    assert requirements.value(requirement, DGE.severity) == rule.severity
    applies_from = requirements.value(requirement, DGE.appliesFrom)
    assert (applies_from.toPython() if applies_from is not None else None) == rule.applies_from
    assert requirements.value(requirement, DGE.appliesFromParameter) == rule.applies_from_parameter
    applies_until = requirements.value(requirement, DGE.appliesUntil)
    assert (applies_until.toPython() if applies_until is not None else None) == rule.applies_until
    assert ((requirement, RDF.type, DGE.Prohibition) in requirements) == rule.prohibition
    demanded = set(requirements.objects(requirement, DGE.requiresSafeguard))
    assert set(rule.safeguards) == demanded


def test_rule_shapes_are_well_formed(shapes):
    graph = shapes.graph
    for rule in shapes.rules:
        assert (rule.shape, SH.targetClass, DGE.Deployment) in graph
        assert rule.message_nl and rule.message_en and rule.message_nl != rule.message_en
        assert (rule.condition, RDF.type, SH.NodeShape) in graph
        # exactly one constraint on the rule shape: one result per rule per deployment
        constraints = [p for p in graph.predicates(rule.shape, None)
                       if p in (SH["or"], SH["not"], SH.property, SH.node)]
        assert len(constraints) == 1, rule.rule_id
    # the derived predicates and safeguard shapes have no targets: only the rule shapes are validated
    targeted = set(graph.subjects(SH.targetClass, None)) | set(graph.subjects(SH.targetNode, None))
    assert targeted == {r.shape for r in shapes.rules}


def test_resolve_replaces_every_parameter(shapes):
    resolved = shapes.resolved(Parameters(dt.date(2028, 1, 1), dt.date(2027, 12, 2)))
    assert not [o for o in resolved.objects() if str(o).startswith(str(id_iri("parameter", "")))]
    assert Literal("2028-01-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")) in set(resolved.objects())


@pytest.mark.parametrize(
    ("evaluation_date", "hr_date", "hr_gate_closed", "long_stop_closed"),
    [
        (dt.date(2027, 12, 1), dt.date(2027, 12, 2), True, True),
        (dt.date(2027, 12, 2), dt.date(2027, 12, 2), False, True),
        (dt.date(2026, 8, 2), dt.date(2026, 8, 2), False, True),
        (dt.date(2030, 8, 1), dt.date(2027, 12, 2), False, True),
        (dt.date(2030, 8, 2), dt.date(2027, 12, 2), False, False),
    ],
)
def test_date_gates(shapes, evaluation_date, hr_date, hr_gate_closed, long_stop_closed):
    resolved = shapes.resolved(Parameters(evaluation_date, hr_date))
    gate = "https://w3id.org/dge-graph/id/shape/gate/"
    assert ((URIRef(gate + "hr-date-reached"), SH["not"], ANYTHING) in resolved) == hr_gate_closed
    assert ((URIRef(gate + "public-authority-long-stop"), SH["not"], ANYTHING) in resolved) == long_stop_closed


@pytest.mark.parametrize(
    ("evaluation_date", "active"),
    [(dt.date(2025, 2, 1), {"NL-ARCH", "GDPR-06", "NL-NONDISCR"}), (dt.date(2025, 2, 2), {"AIA-04", "AIA-5-1-H"})],
)
def test_rules_deactivated_before_they_apply(shapes, evaluation_date, active):
    parameters = Parameters(evaluation_date, dt.date(2027, 12, 2))
    resolved = shapes.resolved(parameters)
    deactivated = {r.rule_id for r in shapes.rules if (r.shape, SH.deactivated, Literal(True)) in resolved}
    assert not (deactivated & active)
    assert {r.rule_id for r in shapes.rules if not r.active(parameters)} == deactivated
    if evaluation_date < dt.date(2025, 2, 2):
        assert "AIA-5-1-H" in deactivated and "AIA-26-2" in deactivated


@pytest.mark.parametrize(
    ("evaluation_date", "active", "inactive"),
    [(dt.date(2026, 8, 14), "NL-BIO", "NL-CBW"), (dt.date(2026, 8, 15), "NL-CBW", "NL-BIO")],
)
def test_a_rule_is_deactivated_after_its_last_day(shapes, evaluation_date, active, inactive):
    parameters = Parameters(evaluation_date)
    resolved = shapes.resolved(parameters)
    assert (shapes.rule(inactive).shape, SH.deactivated, Literal(True)) in resolved
    assert (shapes.rule(active).shape, SH.deactivated, Literal(True)) not in resolved
    assert shapes.rule(active).active(parameters) and not shapes.rule(inactive).active(parameters)


def test_bad_end_date_is_an_error(shapes):
    graph = Graph()
    for triple in shapes.graph:
        graph.add(triple)
    graph.add((shapes.rule("NL-ARCH").shape, DGE.appliesUntil, Literal("soon")))
    with pytest.raises(ValidationError, match="NL-ARCH.*appliesUntil"):
        read_rules(graph)


def test_unknown_parameter_is_an_error(shapes):
    graph = Graph()
    for triple in shapes.graph:
        graph.add(triple)
    graph.add((ANYTHING, DGE.holdsFromDate, id_iri("parameter", "no-such-parameter")))
    with pytest.raises(ValidationError, match="no-such-parameter"):
        resolve_shapes(graph, shapes.rules, Parameters(dt.date(2028, 1, 1)))


def test_rule_without_start_date_is_an_error(shapes):
    graph = Graph()
    for triple in shapes.graph:
        if triple[1] != DGE.appliesFrom or "AIA-04" not in str(triple[0]):
            graph.add(triple)
    with pytest.raises(ValidationError, match="AIA-04"):
        read_rules(graph)


def test_parameters_default_to_the_omnibus_reading():
    assert Parameters(dt.date(2028, 1, 1)).values()[HR_DATE] == Literal("2027-12-02", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert EVALUATION_DATE in Parameters(dt.date(2028, 1, 1)).values()


@pytest.mark.parametrize("day", ["2026-08-14", "2026-08-15", "2026-12-01", "2027-12-02"])
def test_named_query_requirements_in_force_agrees_with_the_rules(shapes, project_graph_store, day):
    """``requirements-in-force`` (queries/) and ``Rule.active`` decide the same date window, end dates included."""
    from dge_graph.query.named import find_named_query, load_named_queries, run_named_query

    query = find_named_query(load_named_queries(), "requirements-in-force")
    result = run_named_query(project_graph_store, query, {"date": day})
    in_force = {str(row["id"]) for row in result.rows}
    parameters = Parameters(dt.date.fromisoformat(day))
    assert in_force == {r.rule_id for r in shapes.rules if r.active(parameters)}


# ---- a reading's shapes graph is made once and kept with what is compiled from it --------------------------


def test_a_reading_is_resolved_once_frozen_and_compiled_once(shapes):
    parameters = Parameters(dt.date(2028, 1, 1), dt.date(2027, 12, 2))
    resolved = shapes.resolved(parameters)
    assert shapes.resolved(Parameters(dt.date(2028, 1, 1), dt.date(2027, 12, 2))) is resolved
    assert shapes.resolved(Parameters(dt.date(2028, 1, 2), dt.date(2027, 12, 2))) is not resolved
    triple = (shapes.rules[0].shape, SH.deactivated, Literal(True))
    for change in (lambda: resolved.add(triple), lambda: resolved.remove((None, None, None)),
                   lambda: resolved.addN([(*triple, resolved)])):
        with pytest.raises(TypeError, match="frozen shapes graph"):
            change()
    loose = Graph()  # the same triples, not frozen: compiled anew each time
    for t in resolved:
        loose.add(t)
    for subject in set(loose.subjects()):  # the subject index answers as rdflib does
        assert sorted(resolved.predicate_objects(subject)) == sorted(loose.predicate_objects(subject))
        assert sorted(resolved.predicates(subject)) == sorted(loose.predicates(subject))
        for predicate in set(loose.predicates(subject)):
            assert sorted(resolved.objects(subject, predicate)) == sorted(loose.objects(subject, predicate))
    for rule in shapes.rules:
        kept = violation_query(resolved, rule.shape, [DGE.Deployment])
        assert violation_query(resolved, rule.shape, [DGE.Deployment]) is kept
        assert kept == violation_query(loose, rule.shape, [DGE.Deployment])
        assert violation_query(loose, rule.shape, [DGE.Deployment]) is not violation_query(loose, rule.shape,
                                                                                            [DGE.Deployment])
        assert matching_query(resolved, rule.condition, [DGE.Deployment]) == \
            matching_query(loose, rule.condition, [DGE.Deployment])


def test_a_shape_set_keeps_a_bounded_number_of_readings(shapes):
    """A server resolves the readings its requests ask for: the recent ones are kept, not all of them."""
    fresh = load_shapes()
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(KEPT_READINGS + 1)]
    first = fresh.resolved(Parameters(days[0]))
    for day in days[1:]:
        fresh.resolved(Parameters(day))
    assert fresh.resolved(Parameters(days[-1])) is fresh.resolved(Parameters(days[-1]))
    assert fresh.resolved(Parameters(days[0])) is not first  # the oldest was let go
    assert set(fresh.resolved(Parameters(days[0]))) == set(first)


def test_pyshacl_leaves_the_graphs_it_is_given_as_they_were(shapes):
    data = Graph().parse(Path(__file__).parent / "golden" / "prohibitions-with-paperwork" / "data.ttl")
    namespaces = data.namespace_manager
    bound = sorted(data.namespaces())
    resolved = shapes.resolved(Parameters(dt.date(2028, 1, 1)))
    triples = set(resolved)
    assert pyshacl_violations(data, resolved, shapes.rules)
    assert data.namespace_manager is namespaces and sorted(data.namespaces()) == bound
    assert set(resolved) == triples
