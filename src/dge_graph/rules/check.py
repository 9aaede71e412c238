"""Pre-deployment check: run the safeguard rules on an intake file without loading the full graph.

For each deployment of the file it reports which requirements *apply* (their condition holds at the evaluation
date, whether or not the safeguard is present), which safeguards those requirements demand, which requirements
*fire* (the findings: condition holds and the safeguard is missing, or a prohibition), the public values and
fundamental rights at stake (the deployment's own ``dge:valueAtStake`` / ``dge:engagesRight`` plus what the
applicable requirements protect), and, when a store is given, similar deployments elsewhere (same technology kind
or same Annex III area, another municipality).

The intake file is read by ``intake.read_intake`` (YAML or CSV) or, for ``.ttl``, parsed as Turtle; the rules run
on a private in-memory store with the same parameter-resolved shapes as ``dge-graph validate``. Requirement
metadata (legal source, protected values and rights) comes from the packaged ``data/`` files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from rdflib import Graph, URIRef

from dge_graph.kernel.namespaces import DCT, DGE, RDF, sparql_prefixes
from dge_graph.kernel.labels import graph_labels, label_in
from dge_graph.kernel.vocabulary import SAFEGUARDS
from dge_graph.rules.compile import matching_query
from dge_graph.rules.evidence import finding_bases, unknown_facts
from dge_graph.rules.report import shape_decisions
from dge_graph.rules.validate import (
    Finding,
    Parameters,
    RequirementInfo,
    ShapeSet,
    ValidationError,
    engine_violations,
    findings_from,
    load_shapes,
    municipality_code,
    requirement_info_from_graph,
)
from dge_graph.store import OxigraphStore, Store, graph_to_ntriples

INTAKE_GRAPH = "urn:dge-graph:check:intake"
SIMILAR_LIMIT = 10

# Facts that decide whether whole groups of rules apply (rules/evidence.py derives them from the derived predicates
# of shapes/derived.ttl). When an intake leaves one out, the checks read it as false or none (spec §1), which can
# hide findings: the check names them so the officer can state them.


@dataclass(frozen=True)
class SimilarDeployment:
    deployment: URIRef
    title: str | None
    municipality: URIRef | None
    shared: str  # "technologyKind" or "annexIIIArea"


@dataclass(frozen=True)
class DeploymentCheck:
    """The result of the check for one deployment of the intake file."""

    deployment_id: str
    deployment: URIRef
    title: str | None
    applicable: tuple[str, ...]
    required_safeguards: tuple[URIRef, ...]
    findings: tuple[Finding, ...]
    values_at_stake: tuple[URIRef, ...]
    rights_at_stake: tuple[URIRef, ...]
    similar: tuple[SimilarDeployment, ...] = ()
    unknown_facts: tuple[str, ...] = ()
    """Decisive facts the intake leaves out (read as false/none by the checks)."""

    def as_dict(self, labels: Mapping[URIRef, str]) -> dict:
        def named(iri: URIRef) -> dict:
            return {"iri": str(iri), "label": labels.get(iri)}

        return {
            "deployment": self.deployment_id,
            "deploymentIri": str(self.deployment),
            "title": self.title,
            "applicableRequirements": list(self.applicable),
            "requiredSafeguards": [named(s) for s in self.required_safeguards],
            "missing": [f.rule_id for f in self.findings],
            "valuesAtStake": [named(v) for v in self.values_at_stake],
            "rightsAtStake": [named(r) for r in self.rights_at_stake],
            "unknownFacts": list(self.unknown_facts),
            "similarDeployments": [
                {"iri": str(s.deployment), "title": s.title, "municipality": municipality_code(s.municipality),
                 "shared": s.shared}
                for s in self.similar
            ],
        }


@dataclass(frozen=True)
class CheckReport:
    source: Path
    parameters: Parameters
    deployments: tuple[DeploymentCheck, ...]
    labels: Mapping[URIRef, str] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for d in self.deployments for f in d.findings)

    def as_dict(self) -> dict:
        return {
            "source": str(self.source),
            "evaluationDate": self.parameters.evaluation_date.isoformat(),
            "hrDate": self.parameters.hr_date.isoformat(),
            "conforms": not self.findings,
            "findings": [f.as_dict() for f in self.findings],
            "deployments": [d.as_dict(self.labels) for d in self.deployments],
        }


def read_deployments(path: Path) -> tuple[Graph, list[tuple[str, URIRef]]]:
    """The intake file as RDF and its (id, IRI) pairs; Turtle files are taken as they are."""
    if path.suffix.lower() == ".ttl":
        if not path.is_file():
            raise ValidationError(f"{path}: no such file")
        graph = Graph()
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib's parser raises several exception types
            raise ValidationError(f"{path}: not valid Turtle: {exc}") from exc
        pairs = []
        for deployment in sorted(set(graph.subjects(RDF.type, DGE.Deployment)), key=str):
            identifier = graph.value(deployment, DCT.identifier)
            pairs.append((str(identifier) if identifier is not None else str(deployment).rsplit("/", 1)[-1],
                          deployment))
        return graph, pairs
    from dge_graph.ingest.intake import read_intake

    batch = read_intake(path)
    return batch.graph, list(batch.deployments)


def _label(graph: Graph, iri: URIRef) -> str | None:
    """The English label of ``iri`` by the ``kernel.labels`` policy; ``None`` when it has none."""
    return label_in(graph_labels(graph, iri), "en")


def similar_deployments(store: Store, graph: Graph, deployment: URIRef) -> tuple[SimilarDeployment, ...]:
    """Deployments in ``store`` in another municipality with the same technology kind or Annex III area."""
    found: dict[URIRef, SimilarDeployment] = {}
    own_municipalities = set(graph.objects(deployment, DGE.municipality))
    for predicate, shared in ((DGE.technologyKind, "technologyKind"), (DGE.annexIIIArea, "annexIIIArea")):
        for value in sorted(set(graph.objects(deployment, predicate)), key=str):
            if str(value).endswith("/None"):
                continue
            result = store.query(
                sparql_prefixes()
                + """SELECT ?other (MIN(STR(?t)) AS ?title) (MIN(STR(?m)) AS ?municipality) WHERE {
  ?other a dge:Deployment ; ?property ?value .
  OPTIONAL { ?other dct:title ?t }
  OPTIONAL { ?other dge:municipality ?m }
} GROUP BY ?other ORDER BY ?other""",
                substitutions={"property": predicate, "value": value},
            )
            for row in result.rows:
                municipality = URIRef(str(row["municipality"])) if "municipality" in row else None
                if municipality is not None and municipality in own_municipalities:
                    continue
                if row["other"] == deployment or row["other"] in found:
                    continue
                found[row["other"]] = SimilarDeployment(
                    row["other"], str(row["title"]) if "title" in row else None, municipality, shared
                )
    return tuple(list(found.values())[:SIMILAR_LIMIT])


def check_file(
    path: Path | str,
    parameters: Parameters,
    *,
    store: Store | None = None,
    engine: str = "sparql",
    shapes: ShapeSet | None = None,
) -> CheckReport:
    """Check every deployment of an intake file (see the module docstring)."""
    path = Path(path)
    graph, pairs = read_deployments(path)
    return check_deployments(graph, pairs, parameters, source=path, store=store, engine=engine, shapes=shapes)


def check_deployments(
    graph: Graph,
    pairs: list[tuple[str, URIRef]],
    parameters: Parameters,
    *,
    source: Path | str = "-",
    store: Store | None = None,
    engine: str = "sparql",
    shapes: ShapeSet | None = None,
) -> CheckReport:
    """Check the deployments ``pairs`` ((intake id, IRI)) of an intake graph: the one evaluation of the check, for
    a file (``check_file``) and for the ``/check`` questionnaire."""
    path = Path(source)
    shapes = shapes or load_shapes()
    resolved = shapes.resolved(parameters)
    knowledge = shapes.knowledge
    info = requirement_info_from_graph(knowledge)

    work = OxigraphStore(None)
    work.replace_graphs({INTAKE_GRAPH: graph_to_ntriples(graph)})
    violations = engine_violations(engine, work, resolved, shapes.rules, parameters, data=graph)
    findings = findings_from(violations, shapes, parameters, info)
    decisions = shape_decisions(work, resolved, shapes.rules, parameters)
    bases = finding_bases(work, resolved, shapes.rules, findings, decisions.held)
    findings = tuple(replace(f, basis=bases[(f.deployment, f.rule_id)]) for f in findings)
    unknown = unknown_facts(work, resolved, [d for _i, d in pairs], decisions.derived)

    applicable: dict[URIRef, list[str]] = {}
    for rule in shapes.rules:
        if not rule.active(parameters):
            continue
        result = work.query(matching_query(resolved, rule.condition, [DGE.Deployment]))
        for row in result.rows:
            applicable.setdefault(row["focus"], []).append(rule.rule_id)

    labels: dict[URIRef, str] = {s.iri: s.name for s in SAFEGUARDS}
    by_rule = {r.rule_id: r for r in shapes.rules}
    checks = []
    for identifier, deployment in pairs:
        rules = sorted(applicable.get(deployment, []))
        safeguards = sorted({s for r in rules for s in by_rule[r].safeguards}, key=str)
        requirement_infos = [info.get(by_rule[r].requirement, RequirementInfo()) for r in rules]
        values = set(graph.objects(deployment, DGE.valueAtStake))
        rights = set(graph.objects(deployment, DGE.engagesRight))
        for item in requirement_infos:
            values.update(item.protects_values)
            rights.update(item.protects_rights)
        for iri in values | rights:
            label = _label(knowledge, iri) or _label(graph, iri)
            if label:
                labels[iri] = label
        own_findings = tuple(
            replace(f, deployment_id=identifier, municipality=graph.value(deployment, DGE.municipality))
            for f in findings
            if f.deployment == deployment
        )
        checks.append(
            DeploymentCheck(
                deployment_id=identifier,
                deployment=deployment,
                title=str(graph.value(deployment, DCT.title)) if graph.value(deployment, DCT.title) else None,
                applicable=tuple(rules),
                required_safeguards=tuple(safeguards),
                findings=own_findings,
                values_at_stake=tuple(sorted(values, key=str)),
                rights_at_stake=tuple(sorted(rights, key=str)),
                similar=similar_deployments(store, graph, deployment) if store is not None else (),
                unknown_facts=tuple(sorted(str(f).rsplit("#", 1)[-1] for f in unknown.get(deployment, ()))),
            )
        )
    return CheckReport(path, parameters, tuple(checks), labels)
