"""One meaning per notion (issue 11, item 4): every named query that counts findings, held safeguards or high-risk
systems agrees with the shapes, run by pyshacl, on a graph built to tell the definitions apart.

The graph (``DEFINITIONS``) has deployments that separate the readings a query could drift to: a profiling AI system
in an Annex III area that claims the art. 6(3) derogation (high-risk for ``derived:HR``), the same without profiling
(not high-risk), an Annex III area of a non-AI system, a prohibited practice, safeguards present but dated after the
evaluation date, present and dated before it, absent, expired, two claims of one type of which one is held, and an
algorithm-register entry dated after the evaluation date. The reference answers come from pyshacl on the
parameter-resolved shapes; the queries read what ``validate`` stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef

from dge_graph.kernel.namespaces import DGE, ID, RDF, SH, graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.query.named import find_named_query, load_named_queries, run_named_query
from dge_graph.rules.report import claim_shape, holds_shapes
from dge_graph.rules.validate import (
    Parameters,
    load_shapes,
    pyshacl_violations,
    store_data_graph,
    store_report,
    validate_store,
)
from dge_graph.store import OxigraphStore

EVALUATION_DATE = dt.date(2026, 12, 1)
HR_SHAPE = URIRef(f"{ID}shape/derived/HR")
REGISTER = URIRef(f"{ID}safeguard-type/algorithm-register-entry")
ALGORITHM_KIND = URIRef(f"{ID}technology-kind/algorithm")

DEFINITIONS = """
@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix m: <https://w3id.org/dge-graph/id/municipality/> .
@prefix pv: <https://w3id.org/dge-graph/id/province/> .
@prefix d: <https://w3id.org/dge-graph/id/deployment/> .
@prefix tk: <https://w3id.org/dge-graph/id/technology-kind/> .
@prefix st: <https://w3id.org/dge-graph/id/deployment-status/> .
@prefix sg: <https://w3id.org/dge-graph/id/safeguard-type/> .
@prefix ss: <https://w3id.org/dge-graph/id/safeguard-status/> .
@prefix a3: <https://w3id.org/dge-graph/id/annex-iii-area/> .
@prefix pp: <https://w3id.org/dge-graph/id/prohibited-practice/> .
@prefix dtype: <https://w3id.org/dge-graph/id/deployer-type/> .

pv:PV26 a dge:Province ; dct:identifier "PV26" ; skos:prefLabel "Utrecht"@nl .
m:GM0344 a dge:Municipality ; dct:identifier "GM0344" ; skos:prefLabel "Utrecht"@nl ; dge:province pv:PV26 .
m:GM0307 a dge:Municipality ; dct:identifier "GM0307" ; skos:prefLabel "Amersfoort"@nl ; dge:province pv:PV26 .
m:GM0355 a dge:Municipality ; dct:identifier "GM0355" ; skos:prefLabel "Zeist"@nl ; dge:province pv:PV26 .

# art. 6(3) derogation claimed, but profiling: high-risk for derived:HR
d:derogation-profiling a dge:Deployment ; dge:municipality m:GM0344 ; dge:technologyKind tk:algorithm ;
    dge:deploymentStatus st:in-use ; dge:deployerType dtype:Municipality ; dge:isAISystem true ;
    dge:annexIIIArea a3:5a ; dge:art6_3Derogation true ; dge:profiling true ; dge:processesPersonalData true ;
    dge:affectsPersonsSignificantly true ;
    dge:hasSafeguard d:derogation-profiling\\/register , d:derogation-profiling\\/dpia-a , d:derogation-profiling\\/dpia-b .
d:derogation-profiling\\/register dge:safeguardType sg:algorithm-register-entry ; dge:safeguardStatus ss:present ;
    dct:date "2027-03-01"^^xsd:date .
d:derogation-profiling\\/dpia-a dge:safeguardType sg:dpia ; dge:safeguardStatus ss:present ;
    dct:date "2026-01-10"^^xsd:date .
d:derogation-profiling\\/dpia-b dge:safeguardType sg:dpia ; dge:safeguardStatus ss:absent .

# derogation without profiling: not high-risk
d:derogation a dge:Deployment ; dge:municipality m:GM0344 ; dge:technologyKind tk:algorithm ;
    dge:deploymentStatus st:in-use ; dge:deployerType dtype:Municipality ; dge:isAISystem true ;
    dge:annexIIIArea a3:5a ; dge:art6_3Derogation true ;
    dge:hasSafeguard d:derogation\\/register .
d:derogation\\/register dge:safeguardType sg:algorithm-register-entry ; dge:safeguardStatus ss:present .

# high-risk without derogation, in service after the HR date
d:high-risk a dge:Deployment ; dge:municipality m:GM0307 ; dge:technologyKind tk:algorithm ;
    dge:deploymentStatus st:in-use ; dge:deployerType dtype:Municipality ; dge:isAISystem true ;
    dge:annexIIIArea a3:4 ; dge:inServiceSince "2026-09-01"^^xsd:date ;
    dge:hasSafeguard d:high-risk\\/fria .
d:high-risk\\/fria dge:safeguardType sg:fria ; dge:safeguardStatus ss:expired .

# an Annex III area without an AI system: not high-risk
d:not-ai a dge:Deployment ; dge:municipality m:GM0307 ; dge:technologyKind tk:algorithm ;
    dge:deploymentStatus st:out-of-use ; dge:deployerType dtype:Municipality ; dge:isAlgorithm true ;
    dge:annexIIIArea a3:5a .

# a prohibited practice in an Annex III area: prohibited, not listed as high-risk
d:prohibited a dge:Deployment ; dge:municipality m:GM0307 ; dge:technologyKind tk:ai-system ;
    dge:deploymentStatus st:in-use ; dge:deployerType dtype:Municipality ; dge:isAISystem true ;
    dge:annexIIIArea a3:1a ; dge:prohibitedPractice pp:5-1-f ;
    dge:hasSafeguard d:prohibited\\/dpia .
d:prohibited\\/dpia dge:safeguardType sg:dpia ; dge:safeguardStatus ss:present ; dct:date "2026-12-02"^^xsd:date .

# a camera that monitors public space, with undated present safeguards
d:camera a dge:Deployment ; dge:municipality m:GM0344 ; dge:technologyKind tk:camera ;
    dge:deploymentStatus st:in-use ; dge:deployerType dtype:Municipality ; dge:processesPersonalData true ;
    dge:systematicMonitoringPublicSpace true ;
    dge:hasSafeguard d:camera\\/dpia , d:camera\\/signage .
d:camera\\/dpia dge:safeguardType sg:dpia ; dge:safeguardStatus ss:present .
d:camera\\/signage dge:safeguardType sg:camera-signage ; dge:safeguardStatus ss:planned .
"""


@pytest.fixture(scope="module")
def world():
    """(store validated by ``validate``, pyshacl's answers) for the definitions graph."""
    store = OxigraphStore()
    store.raw.load(DEFINITIONS.encode("utf-8"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(graph_iri("data/definitions.ttl"))))
    store.raw.load(path=str(resource_dir("data") / "requirements.ttl"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(graph_iri("data/requirements.ttl"))))
    parameters = Parameters(evaluation_date=EVALUATION_DATE, hr_date=dt.date(2026, 8, 2))
    shapes = load_shapes()
    store_report(store, validate_store(store, parameters, shapes=shapes), shapes)
    return store, reference_answers(store_data_graph(store), shapes, parameters)


def _conforming(data: Graph, resolved: Graph, targets: dict[URIRef, list]) -> set:
    """(shape, focus) pairs where pyshacl finds that focus conforms to shape (each tested by a targeted wrapper)."""
    import pyshacl

    shapes = Graph()
    for triple in resolved:
        shapes.add(triple)
    wrappers = {}
    for shape, focus_nodes in targets.items():
        for focus in focus_nodes:
            wrapper = BNode()
            wrappers[wrapper] = (shape, focus)
            shapes.add((wrapper, RDF.type, SH.NodeShape))
            shapes.add((wrapper, SH.targetNode, focus))
            shapes.add((wrapper, SH.node, shape))
    _conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    failing = {wrappers[results.value(r, SH.sourceShape)] for r in results.subjects(RDF.type, SH.ValidationResult)
               if results.value(r, SH.sourceShape) in wrappers}
    return set(wrappers.values()) - failing


def reference_answers(data: Graph, shapes, parameters) -> dict:
    resolved = shapes.resolved(parameters)
    deployments = sorted(data.subjects(RDF.type, DGE.Deployment))
    holds = holds_shapes(resolved)
    claims = {claim: data.value(claim, DGE.safeguardType) for d in deployments for claim in data.objects(d, DGE.hasSafeguard)}
    targets = {HR_SHAPE: deployments, **{shape: deployments for shape in holds}}
    by_type = {t: s for s, t in holds.items()}
    for claim, safeguard_type in claims.items():
        targets.setdefault(claim_shape(resolved, by_type[safeguard_type]), []).append(claim)
    conforming = _conforming(data, resolved, targets)
    by_shape = {r.shape: r for r in shapes.rules}
    findings = [(focus, by_shape[shape]) for focus, shape in pyshacl_violations(data, resolved, shapes.rules)]
    municipality = {d: data.value(d, DGE.municipality) for d in deployments}
    return {
        "high_risk": {d for d in deployments if (HR_SHAPE, d) in conforming},
        "held": {(d, t) for d in deployments for s, t in holds.items() if (s, d) in conforming},
        "held_claims": {c for c, t in claims.items() if (claim_shape(resolved, by_type[t]), c) in conforming},
        "claims": claims,
        "findings": findings,
        "municipality": municipality,
        "data": data,
    }


def _code(municipality: URIRef) -> str:
    return str(municipality).rsplit("/", 1)[-1]


def _run(store, name: str, arguments: dict | None = None):
    return run_named_query(store, find_named_query(load_named_queries(), name), arguments or {}).rows


def _severity_counts(ref) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for deployment, rule in ref["findings"]:
        counts.setdefault(_code(ref["municipality"][deployment]), Counter())[rule.severity_name] += 1
    return counts


def _held_per_municipality(ref) -> Counter:
    data = ref["data"]
    return Counter(_code(ref["municipality"][d]) for d in ref["municipality"]
                   for c in data.objects(d, DGE.hasSafeguard) if c in ref["held_claims"])


def check_high_risk(store, ref):
    rows = _run(store, "high-risk-ai-deployments")
    listed = {row["deployment"] for row in rows if str(row["riskClass"]) == "high-risk"}
    prohibited = {d for d in ref["municipality"] if (d, DGE.prohibitedPractice, None) in ref["data"]}
    assert listed == ref["high_risk"] - prohibited
    assert URIRef(f"{ID}deployment/derogation-profiling") in listed  # the art. 6(3) + profiling case
    violations = Counter(d for d, rule in ref["findings"] if rule.severity_name == "Violation")
    assert {row["deployment"]: int(row["openViolations"]) for row in rows} == {
        row["deployment"]: violations[row["deployment"]] for row in rows}


def check_measures(store, ref):
    rows = {str(row["code"]): row for row in _run(store, "municipality-measures")}
    counts = _severity_counts(ref)
    held = _held_per_municipality(ref)
    assert set(rows) == {_code(m) for m in ref["municipality"].values()}
    for code, row in rows.items():
        assert int(row["violations"]) == counts.get(code, Counter())["Violation"]
        assert int(row["warnings"]) == counts.get(code, Counter())["Warning"]
        assert int(row["safeguardsHeld"]) == held[code]


def check_coverage(store, ref):
    held = _held_per_municipality(ref)
    for row in _run(store, "municipalities-by-safeguard-coverage"):
        assert int(row["safeguardsHeld"]) == held[str(row["code"])]


def check_open_violations(store, ref):
    counts = _severity_counts(ref)
    for row in _run(store, "municipalities-by-open-violations"):
        code = str(row["code"])
        assert (int(row["violations"]), int(row["warnings"])) == (
            counts.get(code, Counter())["Violation"], counts.get(code, Counter())["Warning"])
        violating = {d for d, rule in ref["findings"]
                     if rule.severity_name == "Violation" and _code(ref["municipality"][d]) == code}
        assert int(row["deploymentsWithViolation"]) == len(violating)


def check_median(store, ref):
    counts = _severity_counts(ref)
    held = _held_per_municipality(ref)
    claims = Counter(_code(ref["municipality"][d]) for d in ref["municipality"]
                     for _c in ref["data"].objects(d, DGE.hasSafeguard))
    for code in ("GM0344", "GM0307"):
        values = {str(r["measure"]): float(r["value"].toPython()) for r in _run(store, "municipality-vs-province-median",
                                                                                 {"code": code})}
        assert values["violations"] == counts[code]["Violation"]
        assert values["warnings"] == counts[code]["Warning"]
        assert values["coverage"] == pytest.approx(held[code] / claims[code])


def check_rules_missed(store, ref):
    expected = Counter(rule.rule_id for _d, rule in ref["findings"])
    rows = _run(store, "rules-most-often-missed")
    assert {str(r["rule"]): int(r["deployments"]) for r in rows} == dict(expected)


def check_rules_missed_by_province(store, ref):
    expected = Counter(rule.rule_id for _d, rule in ref["findings"])
    rows = _run(store, "rules-most-often-missed-by-province")
    assert {str(r["rule"]): int(r["deployments"]) for r in rows} == dict(expected)  # one province


def check_without_register_entry(store, ref):
    data = ref["data"]
    out_of_use = URIRef(f"{ID}deployment-status/out-of-use")
    expected = Counter(
        _code(ref["municipality"][d]) for d in ref["municipality"]
        if (d, DGE.technologyKind, ALGORITHM_KIND) in data and (d, DGE.deploymentStatus, out_of_use) not in data
        and (d, REGISTER) not in ref["held"])
    rows = _run(store, "municipalities-with-kind-without-register-entry", {"technologyKind": str(ALGORITHM_KIND)})
    assert {str(r["code"]): int(r["withoutRegisterEntry"]) for r in rows} == dict(expected)
    assert expected["GM0344"] == 1  # the entry dated after the evaluation date is not held


CHECKS = {
    "high-risk-ai-deployments": check_high_risk,
    "municipality-measures": check_measures,
    "municipalities-by-safeguard-coverage": check_coverage,
    "municipalities-by-open-violations": check_open_violations,
    "municipality-vs-province-median": check_median,
    "rules-most-often-missed": check_rules_missed,
    "rules-most-often-missed-by-province": check_rules_missed_by_province,
    "municipalities-with-kind-without-register-entry": check_without_register_entry,
}


@pytest.mark.parametrize("query_name", sorted(CHECKS))
def test_query_agrees_with_the_shapes(world, query_name):
    store, reference = world
    assert reference["findings"], "the definitions graph is built to have findings"
    CHECKS[query_name](store, reference)


def test_the_graph_tells_the_definitions_apart(world):
    """Guard: the cases the graph is built for are there (a query with a drifted definition would fail above)."""
    _store, ref = world
    deployment = lambda name: URIRef(f"{ID}deployment/{name}")  # noqa: E731
    assert deployment("derogation-profiling") in ref["high_risk"]
    assert deployment("derogation") not in ref["high_risk"] and deployment("not-ai") not in ref["high_risk"]
    present = {c for c in ref["claims"] if (c, DGE.safeguardStatus, URIRef(f"{ID}safeguard-status/present"))
               in ref["data"]}
    assert present - ref["held_claims"], "a present claim dated after the evaluation date"
    dpia = URIRef(f"{ID}safeguard-type/dpia")
    assert (deployment("derogation-profiling"), dpia) in ref["held"]  # one of its two DPIA claims is held


def test_every_query_that_counts_findings_or_safeguards_is_checked():
    """A named query that reads the findings, held safeguards or high-risk decisions has a check here."""
    reading = {q.name for q in load_named_queries()
               if any(term in q.sparql for term in ("validation/latest", "validation/measures"))
               and any(term in q.sparql for term in ("missesRequirement", "holdsSafeguardType", "satisfiesShape",
                                                   "dge:violations", "dge:safeguardsHeld", "RequirementMeasures"))}
    assert reading <= set(CHECKS), sorted(reading - set(CHECKS))


def test_decisions_equal_pyshacl(world):
    """The decisions ``validate`` wrote (compiled shapes) are pyshacl's."""
    store, ref = world
    graph = "<https://w3id.org/dge-graph/graph/validation/latest>"
    rows = store.query(f"SELECT ?d ?t WHERE {{ GRAPH {graph} {{ ?d <{DGE.holdsSafeguardType}> ?t }} }}").rows
    assert {(r["d"], r["t"]) for r in rows} == ref["held"]
    rows = store.query(f"SELECT ?d WHERE {{ GRAPH {graph} {{ ?d <{DGE.satisfiesShape}> <{HR_SHAPE}> }} }}").rows
    assert {r["d"] for r in rows} == ref["high_risk"]
    rows = store.query(f"SELECT ?d ?r WHERE {{ GRAPH {graph} {{ ?d <{DGE.missesRequirement}> ?r }} }}").rows
    assert {(r["d"], r["r"]) for r in rows} == {(d, rule.requirement) for d, rule in ref["findings"]}
