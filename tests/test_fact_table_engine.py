"""The table engine (``rules/fact_table.py`` + ``rules/vector_engine.py``) against the SPARQL engine and pyshacl.

Three engines, one truth: on every golden case, on the built project data at several evaluation dates and both
readings of the AI Act high-risk date, and on seeded random deployments whose facts are drawn from the constants
the shapes themselves mention (so that every rule's condition is met and missed, and every safeguard held and
not), all three give the same (deployment, rule) findings. An incremental update of one changed deployment gives
the findings of a full re-run.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from dge_graph.ingest.synthetic import generate
from dge_graph.kernel.namespaces import DCT, DGE, RDF, SH, XSD, id_iri
from dge_graph.rules.compile import ShapeCompileError, ShapeReader
from dge_graph.rules.fact_table import FactTable, FactTableCache, ReadPlan
from dge_graph.rules.validate import (
    ANYTHING,
    Parameters,
    load_shapes,
    pyshacl_violations,
    sparql_violations,
    store_data_graph,
    validate_store,
)
from dge_graph.rules.vector_engine import (
    TableEvaluator,
    derived_decisions,
    held_safeguards,
    read_plan,
    rule_results,
    table_violations,
)
from dge_graph.store import OxigraphStore, graph_to_ntriples

GOLDEN = Path(__file__).parent / "golden"
HR_READINGS = (dt.date(2026, 8, 2), dt.date(2027, 12, 2))
GRAPH = "urn:dge-graph:test:fact-table"


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def _store(graph: Graph) -> OxigraphStore:
    store = OxigraphStore(None)
    store.replace_graphs({GRAPH: graph_to_ntriples(graph)})
    return store


def _three_engines(store: OxigraphStore, shapes, parameters: Parameters, data: Graph | None = None):
    resolved = shapes.resolved(parameters)
    table = FactTable.read(store, read_plan(resolved, shapes.rules))
    found = table_violations(table, resolved, shapes.rules, parameters=parameters)
    fast = sparql_violations(store, resolved, shapes.rules)
    reference = pyshacl_violations(data if data is not None else store_data_graph(store), resolved, shapes.rules)
    return found, fast, reference


# ---- golden cases ------------------------------------------------------------------------------------------


def _golden_runs():
    for folder in sorted(p for p in GOLDEN.iterdir() if (p / "expected.yaml").is_file()):
        spec = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        for run in spec["runs"]:
            expected = frozenset(tuple(line.split()) for line in run["findings"] or ())
            for hr_date in [run["hr_date"]] if run.get("hr_date") else HR_READINGS:
                yield pytest.param(folder, run["date"], hr_date, expected,
                                   id=f"{folder.name}@{run['date']}/hr{hr_date}")


@pytest.mark.parametrize(("folder", "date", "hr_date", "expected"), list(_golden_runs()))
def test_golden_case_table_engine(shapes, folder, date, hr_date, expected):
    """The expected findings of every golden run, which pyshacl and the SPARQL engine are held to in
    ``test_shapes_golden.py`` (running pyshacl on them again here would double the suite's slowest test)."""
    graph = Graph().parse(folder / "data.ttl", format="turtle")
    report = validate_store(_store(graph), Parameters(date, hr_date), engine="table", shapes=shapes)
    assert frozenset((f.deployment_id, f.rule_id, f.severity) for f in report.findings) == expected


def test_validate_store_defaults_to_the_table_engine_on_the_embedded_store(shapes):
    graph = Graph().parse(GOLDEN / "gdpr-35-2" / "data.ttl", format="turtle")
    store = _store(graph)
    parameters = Parameters(dt.date(2026, 12, 1))
    report = validate_store(store, parameters, shapes=shapes)
    assert report.engine == "table"
    reference = validate_store(store, parameters, shapes=shapes, engine="pyshacl")
    assert report.findings and report.findings == reference.findings


# ---- project data ------------------------------------------------------------------------------------------


PROJECT_DATES = (dt.date(2018, 5, 24), dt.date(2024, 2, 17), dt.date(2026, 12, 1), dt.date(2027, 12, 2),
                 dt.date(2030, 8, 2))


@pytest.mark.parametrize("date", PROJECT_DATES)
@pytest.mark.parametrize("hr_date", HR_READINGS)
def test_project_data_table_and_sparql_agree(shapes, project_graph_store, date, hr_date):
    parameters = Parameters(date, hr_date)
    resolved = shapes.resolved(parameters)
    table = FactTable.read(project_graph_store, read_plan(resolved, shapes.rules))
    found = table_violations(table, resolved, shapes.rules, parameters=parameters)
    assert found == sparql_violations(project_graph_store, resolved, shapes.rules)


@pytest.mark.xdist_group("long-fact-table-project-pyshacl")  # minutes: a work unit apart from the rest of the module
def test_project_data_three_engines_agree(project_graph_store, shapes):
    """pyshacl over the whole project data takes minutes, so it runs there once (after the long stop, where most
    rules apply); six other readings run on every illustrative deployment and a spread of the register records
    (``tests/test_shapes_cli.py``). The table and SPARQL engines are compared on the whole project data at every
    date above."""
    found, fast, reference = _three_engines(project_graph_store, shapes, Parameters(dt.date(2030, 8, 2),
                                                                                    HR_READINGS[1]))
    assert found and found == reference
    assert fast == reference


# ---- seeded random deployments -----------------------------------------------------------------------------

DATES = (dt.date(2018, 5, 25), dt.date(2025, 2, 2), dt.date(2026, 8, 1), dt.date(2026, 8, 2), dt.date(2026, 12, 1),
         dt.date(2027, 12, 1), dt.date(2027, 12, 2), dt.date(2030, 8, 2))
RUN_PARAMETERS = (Parameters(dt.date(2026, 8, 14), HR_READINGS[0]), Parameters(dt.date(2026, 12, 1), HR_READINGS[0]),
                  Parameters(dt.date(2028, 1, 1), HR_READINGS[1]),
                  Parameters(dt.date(2030, 8, 2), HR_READINGS[0]))


def _shape_constants(shapes_graph: Graph) -> tuple[dict[URIRef, list], list[URIRef]]:
    """What the shapes compare the focus nodes' facts with: predicate -> candidate values (hasValue, sh:in
    members, value-range bounds and their neighbours), and the safeguard types of the ``holds:*`` shapes."""
    reader = ShapeReader(shapes_graph)
    candidates: dict[URIRef, set] = {}
    for prop in set(shapes_graph.subjects(SH.path, None)):
        steps = reader.path_steps(prop)
        values = candidates.setdefault(steps[0], set())
        inner = [prop, *shapes_graph.objects(prop, SH.qualifiedValueShape)]
        for node in inner:
            values.update(shapes_graph.objects(node, SH.hasValue))
            for head in shapes_graph.objects(node, SH["in"]):
                values.update(Collection(shapes_graph, head))
            for bound_predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
                for bound in shapes_graph.objects(node, bound_predicate):
                    if isinstance(bound, Literal) and isinstance(bound.toPython(), int):
                        values.update(Literal(bound.toPython() + d) for d in (-1, 0, 1))
                    else:  # a date or a parameter node (a date)
                        values.update(Literal(d) for d in DATES)
    types = sorted(set(shapes_graph.objects(None, DGE.safeguardType)), key=str)
    return {p: sorted(v, key=lambda t: (type(t).__name__, str(t))) for p, v in candidates.items()}, types


def random_deployments(shapes_graph: Graph, count: int, seed: int) -> Graph:
    """``count`` deployments with facts drawn from the shapes' own constants (plus true/false, an ill-typed
    literal, several values, and nothing at all), and safeguard instances of random type, status and date."""
    rng = random.Random(seed)
    candidates, types = _shape_constants(shapes_graph)
    # pyshacl compares a boolean with a number as Python does (True <= 28); SPARQL, and so SHACL, calls it a type
    # error (not conforming): such values are left out of facts that the shapes compare with numbers
    ranged = {p for p, values in candidates.items()
              if any(isinstance(v, Literal) and type(v.toPython()) is int for v in values)}
    statuses = [id_iri("safeguard-status", s) for s in ("present", "present", "absent", "planned")]
    generic = [Literal(True), Literal(False), Literal("yes"), Literal("2026-13-45", datatype=XSD.date)]
    graph = Graph()
    facts = sorted(p for p in candidates if p not in (DGE.hasSafeguard, DGE.safeguardType, DGE.safeguardStatus,
                                                        DCT.date))
    for number in range(count):
        deployment = id_iri("deployment", f"fact-table-random-{seed}-{number:05d}")
        graph.add((deployment, RDF.type, DGE.Deployment))
        graph.add((deployment, DCT.identifier, Literal(f"fact-table-random-{seed}-{number:05d}")))
        for predicate in facts:
            draw = rng.random()
            if draw < 0.45:
                continue  # not recorded
            pool = candidates[predicate] or generic
            if draw > 0.97:
                pool = [g for g in generic if not (predicate in ranged and g.datatype == XSD.boolean)]
            graph.add((deployment, predicate, rng.choice(pool)))
            if rng.random() < 0.08:  # a second value
                graph.add((deployment, predicate, rng.choice(candidates[predicate] or generic)))
        for index in range(rng.choice((0, 2, 5, 8, 12, 40))):
            safeguard = BNode() if rng.random() < 0.3 else URIRef(f"{deployment}/safeguard/{index}")
            graph.add((deployment, DGE.hasSafeguard, safeguard))
            graph.add((safeguard, RDF.type, DGE.SafeguardInstance))
            graph.add((safeguard, DGE.safeguardType, rng.choice(types)))
            if rng.random() < 0.95:
                graph.add((safeguard, DGE.safeguardStatus, rng.choice(statuses)))
            draw = rng.random()
            if draw < 0.5:
                graph.add((safeguard, DCT.date, Literal(rng.choice(DATES))))
            elif draw < 0.55:
                graph.add((safeguard, DCT.date, Literal("soon")))
            elif draw < 0.6:
                graph.add((safeguard, DCT.date, Literal(rng.choice(DATES))))
                graph.add((safeguard, DCT.date, Literal(rng.choice(DATES))))
    return graph


@pytest.fixture(scope="module")
def random_data(shapes):
    graph = random_deployments(shapes.graph, 1200, seed=12)
    return graph, _store(graph)


@pytest.mark.parametrize("parameters", RUN_PARAMETERS, ids=lambda p: f"{p.evaluation_date}/hr{p.hr_date}")
def test_random_deployments_table_and_sparql_agree(shapes, random_data, parameters):
    """1,200 random deployments: the table engine against the SPARQL engine (checked against pyshacl below)."""
    _graph, store = random_data
    resolved = shapes.resolved(parameters)
    table = FactTable.read(store, read_plan(resolved, shapes.rules))
    found = table_violations(table, resolved, shapes.rules, parameters=parameters)
    assert found and found == sparql_violations(store, resolved, shapes.rules)


@pytest.mark.xdist_group("long-fact-table-random-pyshacl")  # a minute or more: a work unit apart from the module
@pytest.mark.parametrize("seed", [31, 32])
def test_random_deployments_three_engines_agree(shapes, seed):
    """pyshacl takes ~0.6 s per random deployment here, so it sees seeded samples of 60."""
    graph = random_deployments(shapes.graph, 60, seed=seed)
    parameters = RUN_PARAMETERS[seed % len(RUN_PARAMETERS)]
    found, fast, reference = _three_engines(_store(graph), shapes, parameters, graph)
    assert found == reference
    assert fast == reference


def test_random_deployments_exercise_every_rule_both_ways(shapes, random_data):
    """Guard for the test above: every rule's condition holds for some deployments and not for others, every
    rule fires somewhere, and every rule that demands a safeguard also meets it being held where it applies."""
    _graph, store = random_data
    seen: dict[str, set] = {r.rule_id: set() for r in shapes.rules}
    for parameters in RUN_PARAMETERS:
        resolved = shapes.resolved(parameters)
        table = FactTable.read(store, read_plan(resolved, shapes.rules))
        evaluator = TableEvaluator(table, resolved)
        failing = rule_results(table, resolved, shapes.rules, parameters=parameters)
        for rule in shapes.rules:
            if not rule.active(parameters):
                continue
            condition = evaluator.conforms(rule.condition)
            fired = np.isin(evaluator.rows, failing[rule.shape])
            seen[rule.rule_id] |= {"condition" if c else "no condition" for c in condition.tolist()}
            if fired.any():
                seen[rule.rule_id].add("fires")
            if (condition & ~fired).any():
                seen[rule.rule_id].add("condition, safeguard held")
    for rule in shapes.rules:
        wanted = {"condition", "no condition", "fires"} | (set() if rule.prohibition else {"condition, safeguard held"})
        assert wanted <= seen[rule.rule_id], f"{rule.rule_id}: the random deployments only show {seen[rule.rule_id]}"


@pytest.mark.xdist_group("long-fact-table-synthetic-pyshacl")  # a minute or more: a work unit apart from the module
def test_synthetic_deployments_three_engines_agree(shapes, tmp_path):
    out = tmp_path / "synthetic.nt"
    generate(out, municipalities=3, per_municipality=40, seed=7)
    graph = Graph().parse(out, format="nt")
    found, fast, reference = _three_engines(_store(graph), shapes, Parameters(dt.date(2027, 12, 2), HR_READINGS[1]),
                                            graph)
    assert found and found == reference
    assert fast == reference


# ---- what the table exposes --------------------------------------------------------------------------------


def test_held_safeguards_and_derived_decisions_match_the_shapes(shapes, random_data):
    _graph, store = random_data
    parameters = RUN_PARAMETERS[0]
    resolved = shapes.resolved(parameters)
    table = FactTable.read(store, read_plan(resolved, shapes.rules))
    held = held_safeguards(table, resolved)
    derived = derived_decisions(table, resolved)
    assert set(held) == set(resolved.objects(None, DGE.safeguardType))
    assert URIRef("https://w3id.org/dge-graph/id/shape/derived/HR") in derived
    # each decision is the SPARQL engine's matching query for the same shape
    from dge_graph.rules.compile import matching_query

    rows = table.live_rows()
    for decisions, by_shape in ((held, {sgt: s for s, sgt in resolved.subject_objects(DGE.safeguardType)}),
                                (derived, {s: s for s in derived})):
        for key, column in decisions.items():
            result = store.query(matching_query(resolved, by_shape[key], [DGE.Deployment]))
            expected = {row["focus"] for row in result.rows}
            assert {table.focus_node(int(r)) for r in rows[column]} == expected, key
            if key != ANYTHING:  # the shape every node conforms to
                assert 0 < int(column.sum()) < len(rows), f"{key}: holds everywhere or nowhere in the random data"


def test_read_plan_comes_from_the_shapes(shapes):
    plan = ReadPlan.from_shapes(shapes.graph, [r.shape for r in shapes.rules])
    assert plan.target_classes == (DGE.Deployment,)
    assert ((), DGE.hasSafeguard) in plan.relations
    assert ((DGE.hasSafeguard,), DCT.date) in plan.relations
    paths = {p for s in shapes.graph.subjects(SH.path, None) for p in ShapeReader(shapes.graph).path_steps(s)}
    assert {p for _, p in plan.relations} == paths


def test_unsupported_shape_is_refused():
    shapes = Graph()
    rule = URIRef("https://w3id.org/dge-graph/id/shape/rule/TEST")
    prop = BNode()
    shapes.add((rule, RDF.type, SH.NodeShape))
    shapes.add((rule, SH.targetClass, DGE.Deployment))
    shapes.add((rule, SH.property, prop))
    shapes.add((prop, SH.path, DGE.isAISystem))
    shapes.add((prop, SH.minLength, Literal(2)))
    with pytest.raises(ShapeCompileError, match="minLength"):
        ReadPlan.from_shapes(shapes, [rule])


# ---- cache and incremental update --------------------------------------------------------------------------


def test_cache_reuses_the_table_until_the_data_changes(shapes, tmp_path):
    store = OxigraphStore(None)
    graph = random_deployments(shapes.graph, 30, seed=3)
    name = URIRef("urn:dge-graph:test:described")
    graph.add((name, DGE.contentHash, Literal("sha256:one")))
    store.replace_graphs({str(name): graph_to_ntriples(graph)})
    cache = FactTableCache()
    plan = read_plan(shapes.graph, shapes.rules)
    first = cache.table(store, plan)
    assert cache.table(store, plan) is first and cache.reads == 1
    store.update(f"DELETE DATA {{ GRAPH <{name}> {{ <{name}> <{DGE.contentHash}> 'sha256:one' }} }} ; "
                 f"INSERT DATA {{ GRAPH <{name}> {{ <{name}> <{DGE.contentHash}> 'sha256:two' }} }}")
    assert cache.table(store, plan) is not first and cache.reads == 2


def test_incremental_update_equals_a_full_rerun(shapes, random_data):
    graph, _ = random_data
    store = _store(graph)
    parameters = RUN_PARAMETERS[1]
    resolved = shapes.resolved(parameters)
    table = FactTable.read(store, read_plan(resolved, shapes.rules))
    before = table_violations(table, resolved, shapes.rules, parameters=parameters)
    # change three deployments: one loses all its facts but its type, one gets new facts and a held DPIA, one
    # stops being a deployment; and add a new one
    by_rule = {}
    for focus, shape in before:
        by_rule.setdefault(shape, []).append(focus)
    emptied, enriched, removed = sorted(by_rule[shapes.rule("GDPR-35").shape])[:3]
    added = id_iri("deployment", "fact-table-added")
    safeguard = URIRef(f"{enriched}/safeguard/new")
    store.update(
        f"DELETE {{ GRAPH ?g {{ <{emptied}> ?p ?o }} }} WHERE {{ GRAPH ?g {{ <{emptied}> ?p ?o "
        f"FILTER(?p != <{RDF.type}>) }} }} ;"
        f"DELETE WHERE {{ GRAPH ?g {{ <{removed}> <{RDF.type}> ?c }} }} ;"
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{enriched}> <{DGE.hasSafeguard}> <{safeguard}> . "
        f"<{safeguard}> <{DGE.safeguardType}> <{id_iri('safeguard-type', 'dpia')}> . "
        f"<{safeguard}> <{DGE.safeguardStatus}> <{id_iri('safeguard-status', 'present')}> . "
        f"<{enriched}> <{DGE.isAISystem}> true . <{enriched}> <{DGE.annexIIIArea}> <{id_iri('annex-iii-area', '1a')}> . "
        f"<{added}> a <{DGE.Deployment}> ; <{DGE.processesPersonalData}> true ; "
        f"<{DGE.deployerType}> <{id_iri('deployer-type', 'Municipality')}> }} }}"
    )
    changed = [emptied, enriched, removed, added]
    rows = table.update_rows(store, changed)
    delta = table_violations(table, resolved, shapes.rules, rows=rows, parameters=parameters)
    incremental = {(f, s) for f, s in before if f not in changed} | delta
    full = sparql_violations(store, resolved, shapes.rules)
    assert incremental == full
    assert incremental == table_violations(table, resolved, shapes.rules, parameters=parameters)
    assert incremental == table_violations(table.compacted(), resolved, shapes.rules, parameters=parameters)
    assert {f for f, _ in delta} >= {added, enriched} and removed not in {f for f, _ in incremental}
    assert before != incremental


# ---- the shapes' decisions: table engine against the SPARQL path ---------------------------------------------


def _decisions_of_both(store: OxigraphStore, shapes, parameters: Parameters):
    from dge_graph.rules.report import shape_decisions
    from dge_graph.rules.vector_engine import table_decisions

    resolved = shapes.resolved(parameters)
    table = FactTable.read(store, read_plan(resolved, shapes.rules))
    return (table_decisions(table, resolved, shapes.rules, parameters),
            shape_decisions(store, resolved, shapes.rules, parameters))


@pytest.mark.parametrize("parameters", RUN_PARAMETERS, ids=lambda p: f"{p.evaluation_date}/hr{p.hr_date}")
def test_random_deployments_decisions_table_and_sparql_agree(shapes, random_data, parameters):
    """Held safeguard types, held claims, derived predicates and applicable rules of 1,200 random deployments
    (blank and IRI safeguard instances) are the same from the fact table as from the SPARQL decisions."""
    _graph, store = random_data
    table, sparql = _decisions_of_both(store, shapes, parameters)
    assert table.held and table.held == sparql.held
    assert table.derived == sparql.derived
    assert table.applicable == sparql.applicable and any(table.applicable.values())
    assert table.held_claims and table.held_claims == {c for c in sparql.held_claims if "://" in str(c)}


@pytest.mark.parametrize("date", PROJECT_DATES)
def test_project_data_decisions_table_and_sparql_agree(shapes, project_graph_store, date):
    table, sparql = _decisions_of_both(project_graph_store, shapes, Parameters(date, HR_READINGS[1]))
    assert (table.held, table.derived, table.applicable) == (sparql.held, sparql.derived, sparql.applicable)
    assert table.held_claims == {c for c in sparql.held_claims if "://" in str(c)}
