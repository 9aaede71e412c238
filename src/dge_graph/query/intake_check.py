"""The pre-deployment check of one planned deployment with what the ``/check`` page adds to ``rules.check``:
the Algoritmekader measures for each missing safeguard and the compliance timeline of the deployment.

The evaluation itself is ``rules.check.check_deployments``, the function ``dge-graph check`` runs; the measures come
from ``query.algoritmekader.measures_for`` over the packaged requirements and Algoritmekader data, the dates ahead
from ``query.timeline.compliance_timeline`` over a private store holding only the intake and the parameters. The
served store is never written.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from dge_graph.kernel.namespaces import graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.query.algoritmekader import Measure, measures_for
from dge_graph.query.timeline import Timeline, compliance_timeline
from dge_graph.rules.check import CheckReport, DeploymentCheck, SimilarDeployment, check_deployments, similar_deployments
from dge_graph.rules.validate import Parameters, ShapeSet, load_shapes
from dge_graph.store import OxigraphStore, Store, graph_to_ntriples

INTAKE_GRAPH = "urn:dge-graph:check:intake"


@dataclass(frozen=True)
class CheckContext:
    """What every check reads, loaded once per app: the shapes and the requirement and Algoritmekader data."""

    shapes: ShapeSet
    measures_store: OxigraphStore
    parameters_turtle: str


def check_context() -> CheckContext:
    data = resource_dir("data")
    store = OxigraphStore(None)
    graphs = {}
    for name in ("requirements.ttl", "algoritmekader.ttl"):
        graph = Graph()
        graph.parse(data / name, format="turtle")
        graphs[str(graph_iri(f"data/{name}"))] = graph_to_ntriples(graph)
    store.replace_graphs(graphs)
    parameters = Graph()
    parameters.parse(data / "parameters.ttl", format="turtle")
    return CheckContext(load_shapes(), store, graph_to_ntriples(parameters))


@dataclass(frozen=True)
class FindingMeasures:
    rule_id: str
    safeguard: URIRef | None
    measures: tuple[Measure, ...]


def measures_for_finding(context: CheckContext, check: DeploymentCheck, rule_id: str) -> tuple[FindingMeasures, ...]:
    """For each safeguard a finding's rule demands: the Algoritmekader measures that address it (through the
    rule's Algoritmekader requirement); for a rule without safeguards (a prohibition) the rule's measures."""
    rule = context.shapes.rule(rule_id)
    if not rule.safeguards:
        return (FindingMeasures(rule_id, None, tuple(measures_for(context.measures_store, requirement=rule_id))),)
    return tuple(FindingMeasures(rule_id, s, tuple(measures_for(context.measures_store, requirement=rule_id,
                                                                safeguard_type=s)))
                 for s in rule.safeguards)


def evaluate(context: CheckContext, graph: Graph, pairs: list[tuple[str, URIRef]], parameters: Parameters,
             source: str) -> CheckReport:
    return check_deployments(graph, pairs, parameters, source=source, shapes=context.shapes)


def intake_timeline(context: CheckContext, graph: Graph, deployments: list[URIRef], parameters: Parameters) -> Timeline:
    """The dates ahead for the intake's deployments, under both readings of the high-risk date."""
    store = OxigraphStore(None)
    store.replace_graphs({INTAKE_GRAPH: graph_to_ntriples(graph),
                          str(graph_iri("data/parameters.ttl")): context.parameters_turtle})
    return compliance_timeline(store, parameters.evaluation_date, deployments=deployments, shapes=context.shapes)


def similar_for(store: Store, intake_ntriples: str, deployment: str) -> tuple[SimilarDeployment, ...]:
    """Similar deployments in other municipalities, read from the served ``store`` (arguments are text so that the
    call can run in the guard's worker process)."""
    graph = Graph()
    graph.parse(data=intake_ntriples, format="nt")
    return similar_deployments(store, graph, URIRef(deployment))
