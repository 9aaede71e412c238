"""The stored validation result as compact data: findings, the shapes' decisions and the scorecards.

``dge-graph validate`` writes two named graphs (docs/checks.md, "The stored result"):

* ``graph/validation/latest`` (``graph/validation/municipality/<code>`` for a one-municipality run), the *result*:
  one run resource (``dge:ValidationRun``: evaluation date, HR date, engine, time, deployments checked) and per
  deployment only what varies per deployment:

  - ``<deployment> dge:missesRequirement <requirement>``: a finding (severity, legal source and messages are read
    from the requirement and its rule shape, never copied into the result);
  - ``<deployment> dge:holdsSafeguardType <type>``: the deployment holds a safeguard of that type at the evaluation
    date (it conforms to the ``holds:*`` shape of the type);
  - ``<deployment> dge:satisfiesShape <derived shape>``: a derived predicate of ``shapes/derived.ttl`` holds
    (``derived:HR`` is "high-risk");
  - ``<deployment> dge:subjectToRequirement <requirement>``: the rule is in force and its condition holds.

* ``graph/validation/measures``, the *scorecards* precomputed from that result: per municipality the measures of
  ``MEASURE_NAMES``, per province their medians over the peers, findings per requirement per municipality, per
  province and nationally, deployments per technology kind / value / right / supplier per municipality, and
  municipalities and deployments per supplier. The named queries and the analytics read these instead of
  re-deriving them.

Storing a result keeps the run it replaces (its run resource and findings only) in ``<result graph>/previous``
(``previous_result_graph_name``); ``result_changes`` compares the two (the council report's "changes since the
previous validation").

The decisions come from the shapes (``shape_decisions``: the ``holds:*``, ``derived:*`` and condition shapes compiled
by ``shacl_compile``), never from hand-written SPARQL. ``shape_decisions`` is a plain function returning sets and
dicts, so a faster engine computing the same decisions can replace it.

Storing is a bulk write: the two graphs are serialised as N-Triples straight from Python strings and bulk-loaded
(``Store.bulk_replace_graphs``), replacing the previous graphs. The full W3C ``sh:ValidationReport`` is produced on
demand from a result (``ValidationReport.to_graph``, or ``stored_report`` for a stored one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef

from dge_graph.kernel.namespaces import (
    DGE, ID, LATEST_RESULT_GRAPH, MEASURES_GRAPH, PROV, RDF, RDFS, SH, XSD, graph_iri, sparql_prefixes,
)
from dge_graph.kernel.vocabulary import SAFEGUARDS_BY_NAME
from dge_graph.rules.compile import conformance_expression, matching_query, subclass_closure_query
from dge_graph.rules.evidence import evidence_lines, stored_evidence
from dge_graph.store import Store

HOLDS_PREFIX = f"{ID}shape/holds/"
DERIVED_PREFIX = f"{ID}shape/derived/"
ANYTHING = URIRef(f"{DERIVED_PREFIX}Anything")
IN_USE = URIRef(f"{ID}deployment-status/in-use")
OUT_OF_USE = URIRef(f"{ID}deployment-status/out-of-use")
REGISTER_ENTRY = SAFEGUARDS_BY_NAME["registeredAlgorithmRegister"].iri
"""The safeguard type of an algorithm-register entry (``municipalities-with-kind-without-register-entry``)."""
QUERY_THREADS = 4

COUNT_MEASURES = ("deployments", "deploymentsInUse", "violations", "warnings", "deploymentsWithViolation",
                  "safeguardClaims", "safeguardsHeld")
RATIO_MEASURES = ("coverage", "conformingShare")
MEASURE_NAMES = COUNT_MEASURES + RATIO_MEASURES
"""The measures of a municipality (docs/analysts.md): counts, then the ratios computed from them."""

BREAKDOWN_PROPERTIES = (DGE.technologyKind, DGE.valueAtStake, DGE.engagesRight, DGE.supplier)
"""Deployment properties whose values are counted per municipality (the sections of a profile)."""


# --------------------------------------------------------------------------------------------------------------
# the decisions of the shapes


@dataclass(frozen=True)
class ShapeDecisions:
    """What the shapes decide about each deployment at one evaluation date (plain sets and dicts)."""

    held: Mapping[URIRef, frozenset[URIRef]]
    """deployment -> the safeguard types it holds (conforms to ``holds:<type>``)."""
    held_claims: frozenset[URIRef]
    """safeguard instances that are held (conform to the qualified value shape of ``holds:<their type>``)."""
    derived: Mapping[URIRef, frozenset[URIRef]]
    """derived shape (``derived:HR``, …) -> the deployments that conform to it."""
    applicable: Mapping[URIRef, frozenset[URIRef]]
    """requirement -> the deployments whose rule is in force and whose condition holds."""


def holds_shapes(resolved) -> dict[URIRef, URIRef]:
    """``holds:*`` shape -> the safeguard type it decides (its ``dge:safeguardType``)."""
    found = {}
    for shape, safeguard_type in resolved.subject_objects(DGE.safeguardType):
        if isinstance(shape, URIRef) and str(shape).startswith(HOLDS_PREFIX):
            found[shape] = safeguard_type
    return dict(sorted(found.items()))


def derived_shapes(resolved) -> list[URIRef]:
    """The named derived predicates of ``shapes/derived.ttl`` (``derived:Anything`` is not a predicate)."""
    return sorted(s for s in set(resolved.subjects(RDF.type, SH.NodeShape))
                  if isinstance(s, URIRef) and str(s).startswith(DERIVED_PREFIX) and s != ANYTHING)


def claim_shape(resolved, holds_shape: URIRef):
    """The qualified value shape of a ``holds:*`` shape: what a held safeguard instance of its type is."""
    shapes = [resolved.value(p, SH.qualifiedValueShape) for p in resolved.objects(holds_shape, SH.property)
              if resolved.value(p, SH.path) == DGE.hasSafeguard]
    shapes = [s for s in shapes if s is not None]
    if len(shapes) != 1:
        raise ValueError(f"{holds_shape}: expected one sh:property on dge:hasSafeguard with a sh:qualifiedValueShape")
    return shapes[0]


def held_through_claims(resolved, holds_shape: URIRef) -> bool:
    """True when the ``holds:*`` shape is exactly "at least one ``dge:hasSafeguard`` value conforms to its qualified
    value shape" (one property shape, ``sh:qualifiedMinCount 1``, nothing else): then a deployment conforms iff one
    of its held claims has that type, and one query over the claims decides both."""
    properties = list(resolved.objects(holds_shape, SH.property))
    if len(properties) != 1:
        return False
    constraints = {p for p, _o in resolved.predicate_objects(holds_shape)} - {RDF.type, RDFS.label, DGE.safeguardType,
                                                                              SH.property}
    members = {p for p, _o in resolved.predicate_objects(properties[0])}
    minimum = resolved.value(properties[0], SH.qualifiedMinCount)
    return (not constraints and members == {SH.path, SH.qualifiedValueShape, SH.qualifiedMinCount}
            and minimum is not None and int(minimum) == 1)


def _focus_pairs(store: Store, query: str) -> set[tuple[URIRef, URIRef | None]]:
    """(focus, deployment) of each solution (deployment None when the query has no ``?deployment``)."""
    pairs = set()
    for solution in store.evaluate(query):
        deployment = solution["deployment"] if "deployment" in query.split("WHERE", 1)[0] else None
        pairs.add((URIRef(solution["focus"].value), URIRef(deployment.value) if deployment is not None else None))
    return pairs


def shape_decisions(store: Store, resolved, rules: Sequence, parameters) -> ShapeDecisions:
    """Run the ``holds:*``, ``derived:*`` and condition shapes of the in-force rules over the deployments in ``store``.

    ``resolved``: the parameter-resolved shapes graph (``ShapeSet.resolved``); ``rules``: the ``Rule`` objects.
    """
    classes = sorted({row["class"] for row in store.query(subclass_closure_query(DGE.Deployment)).rows}
                     | {DGE.Deployment}, key=str)
    class_pattern = " UNION ".join(f"{{ ?deployment a <{c}> }}" for c in classes)
    jobs: list[tuple[str, URIRef, str]] = []
    holds = holds_shapes(resolved)
    through_claims = {}
    for shape, safeguard_type in holds.items():
        if held_through_claims(resolved, shape):
            through_claims[safeguard_type] = shape
        else:
            jobs.append(("held", safeguard_type, matching_query(resolved, shape, classes)))
        expression = conformance_expression(resolved, claim_shape(resolved, shape), "?focus")
        jobs.append(("claim", safeguard_type, (
            "SELECT DISTINCT ?focus ?deployment WHERE {\n"
            f"  ?focus <{DGE.safeguardType}> <{safeguard_type}> .\n"
            f"  ?deployment <{DGE.hasSafeguard}> ?focus .\n  {class_pattern}\n"
            f"  FILTER({expression})\n}}")))
    for shape in derived_shapes(resolved):
        jobs.append(("derived", shape, matching_query(resolved, shape, classes)))
    for rule in rules:
        if rule.active(parameters):
            jobs.append(("applicable", rule.requirement, matching_query(resolved, rule.condition, classes)))
    workers = max(1, min(len(jobs), QUERY_THREADS, (os.cpu_count() or 1) * 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dge-decide") as pool:
        answers = list(pool.map(lambda job: _focus_pairs(store, job[2]), jobs))
    held: dict[URIRef, set[URIRef]] = {}
    claims: set[URIRef] = set()
    derived: dict[URIRef, frozenset[URIRef]] = {}
    applicable: dict[URIRef, frozenset[URIRef]] = {}
    for (kind, key, _query), pairs in zip(jobs, answers):
        focus = frozenset(f for f, _d in pairs)
        if kind == "held":
            for deployment in focus:
                held.setdefault(deployment, set()).add(key)
        elif kind == "claim":
            claims |= focus
            if key in through_claims:
                for _claim, deployment in pairs:
                    held.setdefault(deployment, set()).add(key)
        elif kind == "derived":
            derived[key] = focus
        else:
            applicable[key] = focus
    return ShapeDecisions(
        held={d: frozenset(types) for d, types in held.items()}, held_claims=frozenset(claims),
        derived=derived, applicable=applicable)


# --------------------------------------------------------------------------------------------------------------
# the deployments' facts the measures count


@dataclass(frozen=True)
class DeploymentFacts:
    """Per deployment (``a dge:Deployment``) its municipality, status, claims and breakdown values."""

    municipality: Mapping[URIRef, URIRef]
    in_use: frozenset[URIRef]
    claims: Mapping[URIRef, frozenset[URIRef]]
    values: Mapping[URIRef, Mapping[URIRef, frozenset[URIRef]]]
    """property -> deployment -> its values."""
    out_of_use: frozenset[URIRef] = frozenset()
    """deployments with a ``dge:deploymentStatus`` out-of-use (whatever other status they have)."""


def deployment_facts(store: Store, deployments: Iterable[URIRef] | None = None) -> DeploymentFacts:
    """The facts of every deployment, or of the given ones (incremental re-validation)."""
    if deployments is None:
        return _all_deployment_facts(store)
    properties = (DGE.municipality, DGE.deploymentStatus, DGE.hasSafeguard) + BREAKDOWN_PROPERTIES
    listed = ", ".join(f"<{p}>" for p in properties)
    restrict = "" if deployments is None else \
        "VALUES ?deployment { " + " ".join(f"<{d}>" for d in deployments) + " } "
    result = store.evaluate(
        f"SELECT ?deployment ?p ?o WHERE {{ {restrict}?deployment a <{DGE.Deployment}> ; ?p ?o . "
        f"FILTER(?p IN ({listed})) }}")
    municipality: dict[URIRef, URIRef] = {}
    in_use: set[URIRef] = set()
    out_of_use: set[URIRef] = set()
    claims: dict[URIRef, set[URIRef]] = {}
    values: dict[URIRef, dict[URIRef, set[URIRef]]] = {p: {} for p in BREAKDOWN_PROPERTIES}
    municipality_p, status_p, claim_p = str(DGE.municipality), str(DGE.deploymentStatus), str(DGE.hasSafeguard)
    breakdown = {str(p): p for p in BREAKDOWN_PROPERTIES}
    for solution in result:
        deployment, predicate, obj = solution["deployment"], solution["p"].value, solution["o"]
        if not isinstance(obj, ox.NamedNode):
            continue
        deployment = URIRef(deployment.value)
        if predicate == municipality_p:
            municipality.setdefault(deployment, URIRef(obj.value))
        elif predicate == status_p:
            if obj.value == str(IN_USE):
                in_use.add(deployment)
            elif obj.value == str(OUT_OF_USE):
                out_of_use.add(deployment)
        elif predicate == claim_p:
            claims.setdefault(deployment, set()).add(URIRef(obj.value))
        else:
            values[breakdown[predicate]].setdefault(deployment, set()).add(URIRef(obj.value))
    return DeploymentFacts(
        municipality=municipality, in_use=frozenset(in_use),
        claims={d: frozenset(c) for d, c in claims.items()},
        values={p: {d: frozenset(v) for d, v in by_d.items()} for p, by_d in values.items()},
        out_of_use=frozenset(out_of_use))


def _tsv_columns(store: Store, sparql: str) -> list[list[str]]:
    """The columns of a SELECT whose variables are all bound, as TSV terms (serialised by the store, in Rust for
    the embedded one: at national scale much faster than building a Python term per value)."""
    body = store.query_serialized(sparql, select_media_type="text/tab-separated-values").body.decode("utf-8")
    header, _, rest = body.partition("\n")
    width = header.count("\t") + 1
    cells = rest.replace("\n", "\t").split("\t")[:-1] if rest else []
    return [cells[i::width] for i in range(width)]


def _all_deployment_facts(store: Store) -> DeploymentFacts:
    """``deployment_facts`` of every deployment, one TSV query per property (the same facts: IRI objects only,
    the first municipality of a deployment)."""
    (keys,) = _tsv_columns(store, f"SELECT ?d WHERE {{ ?d a <{DGE.Deployment}> }}")
    deployments = {k: str.__new__(URIRef, k[1:-1]) for k in keys if k.startswith("<")}

    def pairs(predicate: URIRef):
        subjects, objects = _tsv_columns(store, f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")
        for s, o in zip(subjects, objects):
            deployment = deployments.get(s)
            if deployment is not None and o.startswith("<"):
                yield deployment, str.__new__(URIRef, o[1:-1])

    municipality: dict[URIRef, URIRef] = {}
    for deployment, value in pairs(DGE.municipality):
        municipality.setdefault(deployment, value)
    statuses = list(pairs(DGE.deploymentStatus))
    in_use = frozenset(d for d, status in statuses if status == IN_USE)
    out_of_use = frozenset(d for d, status in statuses if status == OUT_OF_USE)
    claims: dict[URIRef, set[URIRef]] = {}
    for deployment, claim in pairs(DGE.hasSafeguard):
        claims.setdefault(deployment, set()).add(claim)
    values: dict[URIRef, dict[URIRef, frozenset[URIRef]]] = {}
    for prop in BREAKDOWN_PROPERTIES:
        collected: dict[URIRef, set[URIRef]] = {}
        for deployment, value in pairs(prop):
            collected.setdefault(deployment, set()).add(value)
        values[prop] = {d: frozenset(v) for d, v in collected.items()}
    return DeploymentFacts(municipality=municipality, in_use=in_use,
                           claims={d: frozenset(c) for d, c in claims.items()}, values=values,
                           out_of_use=out_of_use)


@dataclass(frozen=True)
class MunicipalityInfo:
    code: str
    province: URIRef | None


def municipality_info(store: Store, only: Iterable[URIRef] | None = None) -> dict[URIRef, MunicipalityInfo]:
    """Code and province of every municipality, or of ``only`` these (a ``VALUES`` of their IRIs)."""
    values = ""
    if only is not None:
        wanted = sorted({f"<{m}>" for m in only})
        if not wanted:
            return {}
        values = f"VALUES ?municipality {{ {' '.join(wanted)} }}"
    result = store.query(sparql_prefixes() + """
SELECT ?municipality (MIN(STR(?c)) AS ?code) (SAMPLE(?p) AS ?province) WHERE {
  """ + values + """
  ?municipality a dge:Municipality ; dct:identifier ?c .
  OPTIONAL { ?municipality dge:province ?p }
} GROUP BY ?municipality""")
    return {row["municipality"]: MunicipalityInfo(str(row["code"]), row.get("province")) for row in result.rows}


# --------------------------------------------------------------------------------------------------------------
# writing N-Triples


def _iri(term: str) -> str:
    return f"<{term}>"


def _int(value: int) -> str:
    return f'"{int(value)}"^^<{XSD.integer}>'


def _decimal(value: float) -> str:
    text = format(value, ".12f").rstrip("0")
    return f'"{text}0"^^<{XSD.decimal}>' if text.endswith(".") else f'"{text}"^^<{XSD.decimal}>'


def _literal(term: Literal) -> str:
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string))))


def _key(term: str) -> str:
    """A short, stable IRI segment for a term (measure resources are minted from what they count)."""
    return hashlib.sha1(term.encode("utf-8")).hexdigest()[:16]


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def run_iri(generated_at: dt.datetime) -> URIRef:
    return URIRef(f"{ID}validation-report/{generated_at.strftime('%Y%m%dT%H%M%S%fZ')}")


def result_ntriples(report, decisions: ShapeDecisions | None, facts: DeploymentFacts | None = None) -> bytes:
    """The result graph of ``report`` (a ``ValidationReport``) with the decisions, as N-Triples."""
    run = _iri(run_iri(report.generated_at))
    p = report.parameters
    lines = [
        f"{run} <{RDF.type}> <{DGE.ValidationRun}> .",
        f'{run} <{DGE.evaluationDate}> "{p.evaluation_date.isoformat()}"^^<{XSD.date}> .',
        f'{run} <{DGE.hrDate}> "{p.hr_date.isoformat()}"^^<{XSD.date}> .',
        f'{run} <{PROV.generatedAtTime}> "{report.generated_at.isoformat()}"^^<{XSD.dateTime}> .',
        f"{run} <{DGE.validationEngine}> {_literal(Literal(report.engine))} .",
        f"{run} <{DGE.deploymentsChecked}> {_int(report.deployments_checked)} .",
        f"{run} <{RDFS.label}> {_literal(Literal(f'Validation run, evaluation date {p.evaluation_date}', lang='en'))} .",
        f"{run} <{RDFS.label}> {_literal(Literal(f'Validatierun, peildatum {p.evaluation_date}', lang='nl'))} .",
    ]
    if report.municipality is not None:
        lines.append(f"{run} <{DGE.municipality}> <{report.municipality}> .")
    # encoded section by section (one section's lines alive at a time): at national scale the result is ~600 MB
    chunks: list[bytes] = []

    def emit(section: list[str]) -> None:
        if section:
            chunks.append(("\n".join(section) + "\n").encode("utf-8"))

    misses = f"<{DGE.missesRequirement}>"
    lines += [f"<{f.deployment}> {misses} <{f.requirement}> ." for f in report.findings]
    emit(lines)
    emit(evidence_lines(report))
    if decisions is not None:
        # plain strings from here: rdflib terms hash and compare in Python, millions of times at national scale
        in_scope = {str(d) for d in report_scope(report, decisions, facts)}
        holds = f"<{DGE.holdsSafeguardType}>"
        emit([f"<{deployment}> {holds} <{t}> ." for deployment, types in decisions.held.items()
              if str(deployment) in in_scope for t in sorted(map(str, types))])
        satisfies = f"<{DGE.satisfiesShape}>"
        for shape, deployments in decisions.derived.items():
            emit([f"<{d}> {satisfies} <{shape}> ." for d in sorted(map(str, deployments)) if d in in_scope])
        subject = f"<{DGE.subjectToRequirement}>"
        for requirement, deployments in decisions.applicable.items():
            emit([f"<{d}> {subject} <{requirement}> ." for d in sorted(map(str, deployments)) if d in in_scope])
    return b"".join(chunks)


def report_scope(report, decisions: ShapeDecisions, facts: DeploymentFacts | None) -> set[URIRef]:
    """The deployments a report covers (every decided deployment, or those of its municipality)."""
    everyone = set(decisions.held)
    for deployments in (*decisions.derived.values(), *decisions.applicable.values()):
        everyone.update(deployments)
    if report.municipality is None:
        return everyone
    where = facts.municipality if facts is not None else {}
    return {d for d in everyone if where.get(d) == report.municipality}


# --------------------------------------------------------------------------------------------------------------
# the measures


def municipality_counts(findings, decisions: ShapeDecisions,
                        facts: DeploymentFacts) -> dict[URIRef, dict[str, int]]:
    """``MEASURE_NAMES``' counts per municipality with at least one deployment."""
    counts: dict[URIRef, dict[str, int]] = {}
    for deployment, municipality in facts.municipality.items():
        row = counts.setdefault(municipality, dict.fromkeys(COUNT_MEASURES, 0))
        row["deployments"] += 1
        row["deploymentsInUse"] += deployment in facts.in_use
        claims = facts.claims.get(deployment, frozenset())
        row["safeguardClaims"] += len(claims)
        row["safeguardsHeld"] += len(claims & decisions.held_claims)
    violating: dict[URIRef, set[URIRef]] = {}
    for finding in findings:
        municipality = facts.municipality.get(finding.deployment)
        if municipality is None:
            continue
        if finding.severity == "Violation":
            counts[municipality]["violations"] += 1
            violating.setdefault(municipality, set()).add(finding.deployment)
        elif finding.severity == "Warning":
            counts[municipality]["warnings"] += 1
    for municipality, deployments in violating.items():
        counts[municipality]["deploymentsWithViolation"] = len(deployments)
    return counts


def ratio(measure: str, counts: Mapping[str, int]) -> float | None:
    if measure == "coverage":
        numerator, denominator = counts["safeguardsHeld"], counts["safeguardClaims"]
    elif measure == "conformingShare":
        denominator = counts["deployments"]
        numerator = denominator - counts["deploymentsWithViolation"]
    else:
        return counts[measure]
    return numerator / denominator if denominator else None


def province_medians(peers: Iterable[Mapping[str, int]]) -> dict[str, tuple[float | None, int]]:
    """measure -> (median over the peers that define it, number of peers that define it)."""
    peers = list(peers)
    medians = {}
    for measure in MEASURE_NAMES:
        values = [v for v in (ratio(measure, p) for p in peers) if v is not None]
        medians[measure] = (float(statistics.median(values)) if values else None, len(values))
    return medians


def _scorecard_labels(node: str, nl: str, en: str) -> list[str]:
    """The ``rdfs:label`` s (nl, en) of a scorecard resource, so that no page shows it as a bare IRI."""
    label = f"<{RDFS.label}>"
    return [f"{node} {label} {_literal(Literal(nl, lang='nl'))} .", f"{node} {label} {_literal(Literal(en, lang='en'))} ."]


def measures_ntriples(findings, decisions: ShapeDecisions,
                      facts: DeploymentFacts, municipalities: Mapping[URIRef, MunicipalityInfo]) -> bytes:
    lines: list[str] = []
    counts = municipality_counts(findings, decisions, facts)
    a, in_m, in_p = f"<{RDF.type}>", f"<{DGE.forMunicipality}>", f"<{DGE.forProvince}>"
    base = f"{ID}measures/"

    def node_for(municipality: URIRef) -> str:
        info = municipalities.get(municipality)
        return f"{base}municipality/{info.code if info else _key(str(municipality))}"

    by_province: dict[URIRef, list[dict[str, int]]] = {}
    for municipality, row in sorted(counts.items()):
        node = _iri(node_for(municipality))
        lines += [f"{node} {a} <{DGE.MunicipalityMeasures}> .", f"{node} {in_m} <{municipality}> ."]
        code = _local(node_for(municipality))
        lines += _scorecard_labels(node, f"maten van {code}", f"measures of {code}")
        lines += [f"{node} <{DGE[m]}> {_int(row[m])} ." for m in COUNT_MEASURES]
        for measure in RATIO_MEASURES:
            value = ratio(measure, row)
            if value is not None:
                lines.append(f"{node} <{DGE[measure]}> {_decimal(value)} .")
        info = municipalities.get(municipality)
        if info is not None and info.province is not None:
            by_province.setdefault(info.province, []).append(row)
    for province, peers in sorted(by_province.items()):
        province_key = _local(str(province))
        for measure, (median, defined) in province_medians(peers).items():
            node = _iri(f"{base}province/{province_key}/median/{measure}")
            lines += [f"{node} {a} <{DGE.ProvinceMedian}> .", f"{node} {in_p} <{province}> .",
                      f"{node} <{DGE.measure}> {_literal(Literal(measure))} .",
                      f"{node} <{DGE.peers}> {_int(defined)} ."]
            lines += _scorecard_labels(node, f"mediaan van {measure} in {province_key}",
                                       f"median of {measure} in {province_key}")
            if median is not None:
                lines.append(f"{node} <{DGE.median}> {_decimal(median)} .")
    # findings per requirement: per municipality, per province, nationally
    per_municipality: dict[tuple[URIRef, URIRef], set[URIRef]] = {}
    national: dict[URIRef, set[URIRef]] = {}
    national_municipalities: dict[URIRef, set[URIRef]] = {}
    for finding in findings:
        national.setdefault(finding.requirement, set()).add(finding.deployment)
        municipality = facts.municipality.get(finding.deployment)
        if municipality is not None:
            per_municipality.setdefault((municipality, finding.requirement), set()).add(finding.deployment)
            national_municipalities.setdefault(finding.requirement, set()).add(municipality)
    per_province: dict[tuple[URIRef, URIRef], list[int]] = {}
    for (municipality, requirement), deployments in sorted(per_municipality.items()):
        node = _iri(f"{node_for(municipality)}/requirement/{_local(str(requirement))}")
        lines += [f"{node} {a} <{DGE.RequirementMeasures}> .", f"{node} {in_m} <{municipality}> .",
                  f"{node} <{DGE.requirement}> <{requirement}> .",
                  f"{node} <{DGE.deployments}> {_int(len(deployments))} ."]
        rule, code = _local(str(requirement)), _local(node_for(municipality))
        lines += _scorecard_labels(node, f"bevindingen {rule} in {code}", f"findings {rule} in {code}")
        info = municipalities.get(municipality)
        if info is not None and info.province is not None:
            entry = per_province.setdefault((info.province, requirement), [0, 0])
            entry[0] += len(deployments)
            entry[1] += 1
    for (province, requirement), (deployments, served) in sorted(per_province.items()):
        node = _iri(f"{base}province/{_local(str(province))}/requirement/{_local(str(requirement))}")
        lines += [f"{node} {a} <{DGE.RequirementMeasures}> .", f"{node} {in_p} <{province}> .",
                  f"{node} <{DGE.requirement}> <{requirement}> .", f"{node} <{DGE.deployments}> {_int(deployments)} .",
                  f"{node} <{DGE.municipalities}> {_int(served)} ."]
        rule, province_key = _local(str(requirement)), _local(str(province))
        lines += _scorecard_labels(node, f"bevindingen {rule} in {province_key}", f"findings {rule} in {province_key}")
    for requirement, deployments in sorted(national.items()):
        node = _iri(f"{base}national/requirement/{_local(str(requirement))}")
        lines += [f"{node} {a} <{DGE.RequirementMeasures}> .", f"{node} <{DGE.requirement}> <{requirement}> .",
                  f"{node} <{DGE.deployments}> {_int(len(deployments))} .",
                  f"{node} <{DGE.municipalities}> {_int(len(national_municipalities.get(requirement, ())))} ."]
        rule = _local(str(requirement))
        lines += _scorecard_labels(node, f"bevindingen {rule} landelijk", f"findings {rule} nationally")
    # deployments per value of each breakdown property, per municipality; suppliers nationally
    for prop in BREAKDOWN_PROPERTIES:
        cells: dict[tuple[URIRef, URIRef], int] = {}
        for deployment, items in facts.values[prop].items():
            municipality = facts.municipality.get(deployment)
            if municipality is None:
                continue
            for item in items:
                cells[(municipality, item)] = cells.get((municipality, item), 0) + 1
        for (municipality, item), n in sorted(cells.items()):
            node = _iri(f"{node_for(municipality)}/{_local(str(prop))}/{_key(str(item))}")
            lines += [f"{node} {a} <{DGE.DeploymentBreakdown}> .", f"{node} {in_m} <{municipality}> .",
                      f"{node} <{DGE.breakdownProperty}> <{prop}> .", f"{node} <{DGE.breakdownValue}> <{item}> .",
                      f"{node} <{DGE.deployments}> {_int(n)} ."]
            code, kind, value = _local(node_for(municipality)), _local(str(prop)), _local(str(item))
            lines += _scorecard_labels(node, f"toepassingen met {kind} {value} in {code}",
                                       f"deployments with {kind} {value} in {code}")
    lines += kind_register_lines(decisions, facts, node_for)
    suppliers: dict[URIRef, tuple[set, set]] = {}
    for deployment, items in facts.values[DGE.supplier].items():
        municipality = facts.municipality.get(deployment)
        if municipality is None:
            continue
        for supplier in items:
            served, deployed = suppliers.setdefault(supplier, (set(), set()))
            served.add(municipality)
            deployed.add(deployment)
    for supplier, (served, deployed) in sorted(suppliers.items()):
        node = _iri(f"{base}supplier/{_key(str(supplier))}")
        lines += [f"{node} {a} <{DGE.SupplierMeasures}> .", f"{node} <{DGE.supplier}> <{supplier}> .",
                  f"{node} <{DGE.municipalities}> {_int(len(served))} .",
                  f"{node} <{DGE.deployments}> {_int(len(deployed))} ."]
        lines += _scorecard_labels(node, f"toepassingen van leverancier {_local(str(supplier))}",
                                   f"deployments of supplier {_local(str(supplier))}")
    return ("\n".join(lines) + "\n").encode("utf-8")


ALWAYS_WRITTEN_COUNTS = (DGE.deploymentsNotOutOfUse, DGE.deploymentsWithoutRegisterEntry)
"""Counts a measure node carries even when 0 (``kind_register_lines``): a stored node without them predates them."""


def kind_register_lines(decisions: ShapeDecisions, facts: DeploymentFacts, node_for) -> list[str]:
    """On each municipality's technology-kind breakdown node: its deployments of the kind that are not out of use
    (``dge:deploymentsNotOutOfUse``) and, of those, the ones not holding an algorithm-register entry at the
    evaluation date (``dge:deploymentsWithoutRegisterEntry``, as the ``holds:`` shape decides). Both are counts
    over deployments, so incremental re-validation keeps them as ``stored - old + new``; both are written even
    when 0, so a full run and an incremental one agree."""
    cells: dict[tuple[URIRef, URIRef], list[int]] = {}
    for deployment, kinds in facts.values[DGE.technologyKind].items():
        municipality = facts.municipality.get(deployment)
        if municipality is None:
            continue
        live = deployment not in facts.out_of_use
        unregistered = live and REGISTER_ENTRY not in decisions.held.get(deployment, frozenset())
        for kind in kinds:
            cell = cells.setdefault((municipality, kind), [0, 0])
            cell[0] += live
            cell[1] += unregistered
    lines = []
    for (municipality, kind), (live, unregistered) in sorted(cells.items()):
        node = _iri(f"{node_for(municipality)}/{_local(str(DGE.technologyKind))}/{_key(str(kind))}")
        lines += [f"{node} <{DGE.deploymentsNotOutOfUse}> {_int(live)} .",
                  f"{node} <{DGE.deploymentsWithoutRegisterEntry}> {_int(unregistered)} ."]
    return lines


# --------------------------------------------------------------------------------------------------------------
# storing and reading back


def result_graph_name(report) -> URIRef:
    """``graph/validation/latest`` for a full run, ``graph/validation/municipality/<code>`` for one municipality."""
    if report.municipality is None:
        return LATEST_RESULT_GRAPH
    return graph_iri(f"validation/municipality/{_local(str(report.municipality))}")


def store_result(store: Store, report, decisions: ShapeDecisions | None = None,
                 facts: DeploymentFacts | None = None) -> URIRef:
    """Write the result (and, for a full run, the measures) by bulk replacement; return the result graph's name."""
    name = result_graph_name(report)
    if decisions is not None and facts is None:
        facts = deployment_facts(store)
    graphs = {str(name): result_ntriples(report, decisions, facts)}
    previous = previous_result_ntriples(store, name)
    if previous is not None:
        graphs[str(previous_result_graph_name(name))] = previous
    if report.municipality is None and decisions is not None:
        municipalities = municipality_info(store)
        graphs[str(MEASURES_GRAPH)] = measures_ntriples(report.findings, decisions, facts, municipalities) + \
            evidence_measures_lines(report, facts.municipality, municipalities)
    elif decisions is not None:
        graphs[str(name)] += municipality_run_measures(report, decisions, facts, municipality_info(store))
    store.bulk_replace_graphs(graphs)
    return name


def previous_result_graph_name(name: URIRef) -> URIRef:
    """Where ``store_result`` keeps the run it replaces: ``<result graph>/previous`` (e.g.
    ``graph/validation/latest/previous``), so "changes since the previous validation" can be read."""
    return URIRef(f"{name}/previous")


def previous_result_ntriples(store: Store, name: URIRef) -> bytes | None:
    """The run resource and the findings (``dge:missesRequirement``) of the result stored in ``name``, as N-Triples
    for ``previous_result_graph_name(name)``; None when no run is stored there (the previous graph is then kept)."""
    run = store.query(f"SELECT ?run ?p ?o WHERE {{ GRAPH <{name}> {{ ?run a <{DGE.ValidationRun}> ; ?p ?o }} }}").rows
    if not run:
        return None
    lines = [f"<{row['run']}> <{row['p']}> {_term(row['o'])} ." for row in run]
    pairs = store.query(f"SELECT ?d ?r WHERE {{ GRAPH <{name}> {{ ?d <{DGE.missesRequirement}> ?r }} }}").rows
    lines += [f"<{row['d']}> <{DGE.missesRequirement}> <{row['r']}> ." for row in pairs]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _term(term) -> str:
    return _literal(term) if isinstance(term, Literal) else _iri(str(term))


def stored_findings(store: Store, graph: URIRef = LATEST_RESULT_GRAPH) -> tuple[dict, set[tuple[URIRef, URIRef]]]:
    """(the run's properties, the (deployment, requirement) findings) of a stored result."""
    rows = store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ ?run a <{DGE.ValidationRun}> ; ?p ?o }} }}").rows
    run = {row["p"]: row["o"] for row in rows}
    pairs = store.query(
        f"SELECT ?d ?r WHERE {{ GRAPH <{graph}> {{ ?d <{DGE.missesRequirement}> ?r }} }}").rows
    return run, {(row["d"], row["r"]) for row in pairs}


@dataclass(frozen=True)
class ResultChanges:
    """The findings of a stored result compared with the run it replaced (``previous_result_graph_name``)."""

    previous_run: Mapping
    """The previous run's properties (predicate -> value); empty when no previous run is kept."""
    added: frozenset[tuple[URIRef, URIRef]]
    """(deployment, requirement) findings in the latest run that the previous run did not have."""
    resolved: frozenset[tuple[URIRef, URIRef]]
    """Findings of the previous run that the latest run no longer has."""


def result_changes(store: Store, graph: URIRef = LATEST_RESULT_GRAPH) -> ResultChanges:
    """What changed between the previous stored run and the latest one in ``graph`` (empty without a previous run)."""
    previous_run, before = stored_findings(store, previous_result_graph_name(graph))
    if not previous_run:
        return ResultChanges({}, frozenset(), frozenset())
    _run, now = stored_findings(store, graph)
    return ResultChanges(previous_run, frozenset(now - before), frozenset(before - now))


def stored_report(store: Store, graph: URIRef = LATEST_RESULT_GRAPH, shapes=None):
    """The ``ValidationReport`` of a stored result (``to_graph`` makes it the W3C ``sh:ValidationReport``)."""
    from dge_graph.rules.validate import (
        Parameters,
        ValidationReport,
        deployment_index,
        findings_from,
        load_shapes,
        requirement_info,
    )

    run, pairs = stored_findings(store, graph)
    if not run:
        return None
    shapes = shapes or load_shapes()
    parameters = Parameters(evaluation_date=run[DGE.evaluationDate].toPython(), hr_date=run[DGE.hrDate].toPython())
    by_requirement = {rule.requirement: rule for rule in shapes.rules}
    index = deployment_index(store)
    violations = [(d, by_requirement[r].shape) for d, r in pairs if r in by_requirement]
    findings = findings_from(violations, shapes, parameters, requirement_info(store), index)
    findings, unknown = stored_evidence(store, graph, findings, shapes.rules, shapes.resolved(parameters))
    municipality = run.get(DGE.municipality)
    generated = run[PROV.generatedAtTime].toPython()
    return ValidationReport(
        parameters=parameters, findings=findings, deployments_checked=int(run[DGE.deploymentsChecked].toPython()),
        active_rules=tuple(r.rule_id for r in shapes.rules if r.active(parameters)),
        engine=str(run.get(DGE.validationEngine, "")), generated_at=generated, municipality=municipality,
        municipality_labels=dict(index.municipality_labels), unknown_facts=unknown)


# --------------------------------------------------------------------------------------------------------------
# the measures of the evidence basis and of data completeness (rules/evidence.py)

EVIDENCE_COUNT_MEASURES = ("findingsRecordedAbsent", "findingsNotEvidenced", "deploymentsFactsKnown")
EVIDENCE_RATIO_MEASURES = ("dataCompleteness",)
EVIDENCE_MEASURE_NAMES = EVIDENCE_COUNT_MEASURES + EVIDENCE_RATIO_MEASURES
"""Measures of a municipality beside ``MEASURE_NAMES``: findings per evidence basis, deployments whose decisive
facts are all known, and their share (docs/analysts.md)."""


def evidence_counts(report, municipality_of: Mapping[URIRef, URIRef]) -> dict[URIRef, dict[str, int]]:
    """``EVIDENCE_COUNT_MEASURES`` (and ``deployments``) per municipality with at least one deployment."""
    counts: dict[URIRef, dict[str, int]] = {}
    for deployment, municipality in municipality_of.items():
        row = counts.setdefault(municipality, dict.fromkeys(("deployments",) + EVIDENCE_COUNT_MEASURES, 0))
        row["deployments"] += 1
        row["deploymentsFactsKnown"] += report.unknown_facts.get(deployment) == frozenset()
    for finding in report.findings:
        municipality = municipality_of.get(finding.deployment)
        if municipality is None or finding.basis is None:
            continue
        counts[municipality]["findingsNotEvidenced" if finding.basis.not_evidenced else "findingsRecordedAbsent"] += 1
    return counts


def evidence_measures_lines(report, municipality_of: Mapping[URIRef, URIRef],
                            municipalities: Mapping[URIRef, MunicipalityInfo]) -> bytes:
    """N-Triples of ``EVIDENCE_MEASURE_NAMES`` on the municipalities' measure nodes, and their province medians."""
    base = f"{ID}measures/"
    lines: list[str] = []
    counts = evidence_counts(report, municipality_of)
    per_province: dict[URIRef, list[dict[str, int]]] = {}
    for municipality, row in sorted(counts.items()):
        info = municipalities.get(municipality)
        node = _iri(f"{base}municipality/{info.code if info else _key(str(municipality))}")
        lines += [f"{node} <{DGE[m]}> {_int(row[m])} ." for m in EVIDENCE_COUNT_MEASURES]
        lines.append(f"{node} <{DGE.dataCompleteness}> {_decimal(evidence_ratio(row))} .")
        if info is not None and info.province is not None:
            per_province.setdefault(info.province, []).append(row)
    for province, peers in sorted(per_province.items()):
        for measure, (median, defined) in evidence_medians(peers).items():
            node = _iri(f"{base}province/{_local(str(province))}/median/{measure}")
            lines += [f"{node} <{RDF.type}> <{DGE.ProvinceMedian}> .", f"{node} <{DGE.forProvince}> <{province}> .",
                      f"{node} <{DGE.measure}> {_literal(Literal(measure))} .",
                      f"{node} <{DGE.peers}> {_int(defined)} ."]
            if median is not None:
                lines.append(f"{node} <{DGE.median}> {_decimal(median)} .")
    return ("\n".join(lines) + "\n").encode("utf-8")


def evidence_ratio(counts: Mapping[str, int]) -> float | None:
    """``dataCompleteness``: deployments whose decisive facts are all known / deployments."""
    return counts["deploymentsFactsKnown"] / counts["deployments"] if counts.get("deployments") else None


def evidence_medians(peers: Iterable[Mapping[str, int]]) -> dict[str, tuple[float | None, int]]:
    """measure of ``EVIDENCE_MEASURE_NAMES`` -> (median over the peers that define it, number of such peers)."""
    peers = [p for p in peers if set(EVIDENCE_COUNT_MEASURES) <= set(p)]
    medians = {}
    for measure in EVIDENCE_MEASURE_NAMES:
        values = [v for v in ((evidence_ratio(p) if measure == "dataCompleteness" else p[measure]) for p in peers)
                  if v is not None]
        medians[measure] = (float(statistics.median(values)) if values else None, len(values))
    return medians


def municipality_run_measures(report, decisions: ShapeDecisions, facts: DeploymentFacts,
                              municipalities: Mapping[URIRef, MunicipalityInfo]) -> bytes:
    """The measures of the one municipality of a one-municipality run (its ``MunicipalityMeasures``, findings per
    requirement and breakdowns, as a full run writes them into ``graph/validation/measures``), for its result graph:
    a profile reads them when that run is newer than the full one (``query/analytics.py``). Province medians and
    national figures are not recomputed by a one-municipality run."""
    own = {d: m for d, m in facts.municipality.items() if m == report.municipality}
    scoped = DeploymentFacts(municipality=own, in_use=facts.in_use, claims=facts.claims,
                             values={p: {d: v for d, v in by_d.items() if d in own} for p, by_d in facts.values.items()})
    info = municipalities.get(report.municipality)
    node = f"<{ID}measures/municipality/{info.code if info else _key(str(report.municipality))}"
    text = (measures_ntriples(report.findings, decisions, scoped, municipalities)
            + evidence_measures_lines(report, own, municipalities)).decode("utf-8")
    kept = [line for line in text.splitlines() if line.startswith(node)]
    return ("\n".join(kept) + "\n").encode("utf-8")
