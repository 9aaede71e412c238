"""Incremental re-validation: after an import changes N deployments, re-run the rules on those N only.

A stored result (``graph/validation/latest``, ``rules/report.py``) is kept true for the data it describes without a
full run: ``before_write(store, deployments)`` evaluates the deployments an import is about to change as they are
now (their *old contribution*: findings, the shapes' decisions, their facts), ``after_write(store, pending)``
evaluates them again once written (the *new contribution*) and replaces, in one SPARQL update:

* in the result graph, their ``dge:missesRequirement`` / ``dge:holdsSafeguardType`` / ``dge:satisfiesShape`` /
  ``dge:subjectToRequirement`` facts, and the run's ``dge:deploymentsChecked``;
* in the measures graph, every measure node either contribution touches (found by running the project's own
  ``report.measures_ntriples`` over each contribution, so node IRIs come from one place): additive counts become
  ``stored - old + new`` (a node left with no deployments is removed), a municipality's ratios are recomputed from
  its counts (``report.ratio``), the number of municipalities of a province's / the nation's per-requirement
  measure and of a supplier is a delta too (``stored - touched per-municipality nodes stored + those kept``), and
  the medians of the provinces involved are recomputed from their municipalities' stored counts
  (``report.province_medians``; one query with a ``VALUES`` of those provinces).

Only the municipalities of the changed deployments are looked up (``report.municipality_info(store, only=…)``), and
only the measure nodes the contributions name are read (a ``VALUES`` of their IRIs): nothing scans the national
measures graph.

Both evaluations read only the rows of those deployments (``FactTable.read_nodes``: a handful of queries with a
``VALUES`` of N IRIs) at the stored run's evaluation date and HR date. Without a stored full result nothing is
done (``None``): there is nothing to keep up to date, and ``dge-graph validate`` makes one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from rdflib import URIRef

from dge_graph.kernel.namespaces import DCT, DGE, RDF, XSD
from dge_graph.rules import report as results
from dge_graph.rules.evidence import finding_bases, unknown_facts
from dge_graph.rules.fact_table import FactTable
from dge_graph.rules.validate import Parameters, ShapeSet, findings_from, load_shapes
from dge_graph.rules.vector_engine import read_plan, table_decisions, table_violations
from dge_graph.store import Store

RESULT_PREDICATES = (DGE.missesRequirement, DGE.holdsSafeguardType, DGE.satisfiesShape, DGE.subjectToRequirement,
                     DGE.recordedAbsent, DGE.lacksEvidenceOf, DGE.unknownFact)
NON_ADDITIVE = frozenset({str(DGE.municipalities), str(DGE.peers)})
"""Integer measures that are not sums over deployments (recounted instead)."""
ALWAYS_WRITTEN = frozenset(f"<{p}>" for p in results.ALWAYS_WRITTEN_COUNTS)


@dataclass(frozen=True)
class Contribution:
    """What some deployments add to a stored result: result triples and measures N-Triples."""

    deployments: frozenset[URIRef]
    checked: int
    result_lines: tuple[str, ...]
    measures: bytes
    provinces: Mapping[str, str | None] = field(default_factory=dict)
    """The province (N-Triples term) of each municipality of these deployments, as they were evaluated."""


@dataclass(frozen=True)
class PendingRevalidation:
    """The state of the changed deployments before the write (``before_write``)."""

    run: URIRef
    parameters: Parameters
    deployments: frozenset[URIRef]
    before: Contribution


@dataclass(frozen=True)
class RevalidationResult:
    deployments: int
    findings_before: int
    findings_after: int
    municipalities: frozenset[URIRef]


def stored_run(store: Store) -> tuple[URIRef, Parameters] | None:
    """The full run stored in ``graph/validation/latest`` (its IRI and dates), or None."""
    rows = store.query(f"SELECT ?run ?date ?hr WHERE {{ GRAPH <{results.LATEST_RESULT_GRAPH}> {{ "
                       f"?run a <{DGE.ValidationRun}> ; <{DGE.evaluationDate}> ?date ; <{DGE.hrDate}> ?hr }} }}").rows
    if len(rows) != 1:
        return None
    row = rows[0]
    return row["run"], Parameters(evaluation_date=row["date"].toPython(), hr_date=row["hr"].toPython())


class Revalidator:
    """Re-validation of some deployments at a stored run's parameters; keeps the parsed shapes, so a long-lived
    process (the server) pays for them once (``ShapeSet.resolved`` keeps each reading and what is compiled from it)."""

    def __init__(self, shapes: ShapeSet | None = None):
        self._shapes = shapes

    @property
    def shapes(self) -> ShapeSet:
        if self._shapes is None:  # parsed only when there is a stored result to keep up to date
            self._shapes = load_shapes()
        return self._shapes

    def contribution(self, store: Store, deployments: Iterable[URIRef], parameters: Parameters) -> Contribution:
        deployments = frozenset(deployments)
        resolved = self.shapes.resolved(parameters)
        rules = self.shapes.rules
        table = FactTable.read_nodes(store, read_plan(resolved, rules), sorted(deployments, key=str))
        violations = table_violations(table, resolved, rules, parameters=parameters)
        decisions = table_decisions(table, resolved, rules, parameters)
        findings = findings_from(violations, self.shapes, parameters, {})
        # what the findings rest on and the unknown decisive facts, as a full run writes them (rules/evidence.py)
        bases = finding_bases(store, resolved, rules, findings, decisions.held)
        findings = tuple(replace(f, basis=bases[(f.deployment, f.rule_id)]) for f in findings)
        unknown = unknown_facts(store, resolved, sorted(deployments, key=str), decisions.derived) if deployments else {}
        facts = results.deployment_facts(store, sorted(deployments, key=str)) if deployments else \
            results.DeploymentFacts({}, frozenset(), {}, {p: {} for p in results.BREAKDOWN_PROPERTIES})
        report = _Findings(parameters, findings, unknown_facts=unknown)
        lines = results.result_ntriples(report, decisions, facts).decode("utf-8").splitlines()
        names = {f"<{d}>" for d in deployments}
        own = tuple(line for line in lines if line.split(" ", 1)[0] in names)
        # only the municipalities of these deployments: the measure nodes they touch are theirs and their provinces'
        municipalities = results.municipality_info(store, set(facts.municipality.values()))
        measures = results.measures_ntriples(findings, decisions, facts, municipalities) + \
            results.evidence_measures_lines(report, facts.municipality, municipalities)
        provinces = {f"<{m}>": f"<{info.province}>" if info.province is not None else None
                     for m, info in municipalities.items()}
        return Contribution(deployments, len(table), own, measures, provinces)

    def before_write(self, store: Store, deployments: Iterable[URIRef]) -> PendingRevalidation | None:
        found = stored_run(store)
        if found is None:
            return None
        run, parameters = found
        deployments = frozenset(deployments)
        return PendingRevalidation(run, parameters, deployments, self.contribution(store, deployments, parameters))

    def after_write(self, store: Store, pending: PendingRevalidation | None,
                    also: Iterable[URIRef] = ()) -> RevalidationResult | None:
        """Re-evaluate the deployments of ``pending`` (and ``also``: deployments only the write introduced) and
        replace their part of the stored result and measures."""
        if pending is None:
            return None
        current = stored_run(store)
        if current is None or current[0] != pending.run:
            return None  # another run replaced the result meanwhile: it already describes the new data
        deployments = pending.deployments | frozenset(also)
        after = self.contribution(store, deployments, pending.parameters)
        update = _update(store, pending, after)
        if update is None:
            return None  # the stored result predates measures this code keeps: only a full run can renew it
        store.update(update)
        municipalities = {URIRef(o[1:-1]) for measures in (pending.before.measures, after.measures)
                          for triples in _nodes(measures).values() for p, o in triples
                          if p == f"<{DGE.forMunicipality}>"}
        return RevalidationResult(len(deployments), _count(pending.before), _count(after), frozenset(municipalities))


def _count(contribution: Contribution) -> int:
    return sum(1 for line in contribution.result_lines if f"<{DGE.missesRequirement}>" in line)


@dataclass(frozen=True)
class _Findings:
    """The parts of a ``ValidationReport`` that ``report.result_ntriples`` reads, for a contribution."""

    parameters: Parameters
    findings: tuple
    engine: str = "table"
    deployments_checked: int = 0
    municipality: URIRef | None = None
    generated_at: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    unknown_facts: Mapping[URIRef, frozenset[URIRef]] = field(default_factory=dict)



def _split(line: str) -> tuple[str, str, str]:
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest.rsplit(" .", 1)[0]


def _nodes(ntriples: bytes) -> dict[str, list[tuple[str, str]]]:
    nodes: dict[str, list[tuple[str, str]]] = {}
    for line in ntriples.decode("utf-8").splitlines():
        if line.strip():
            s, p, o = _split(line)
            nodes.setdefault(s, []).append((p, o))
    return nodes


def _integer(term: str) -> int | None:
    suffix = f'"^^<{XSD.integer}>'
    return int(term[1:-len(suffix)]) if term.endswith(suffix) else None


def _update(store: Store, pending: PendingRevalidation, after: Contribution) -> str | None:
    """One SPARQL update replacing the deployments' result facts and the touched measure nodes; None when a stored
    measure node lacks a count this code writes (a result stored by an earlier version): a delta over it would be
    wrong, so the result is left as it is and reads as stale until ``validate`` runs again."""
    result, measures = f"<{results.LATEST_RESULT_GRAPH}>", f"<{results.MEASURES_GRAPH}>"
    deployments = " ".join(f"<{d}>" for d in sorted(pending.deployments | after.deployments, key=str))
    predicates = " ".join(f"<{p}>" for p in RESULT_PREDICATES)
    old, new = _nodes(pending.before.measures), _nodes(after.measures)
    touched = sorted(set(old) | set(new))
    stored = _stored_nodes(store, touched)
    inserts, deletes = [], []
    kept: dict[str, list[tuple[str, str]]] = {}
    for node in touched:
        if stored.get(node):  # counts written even when 0: a stored node without one predates them
            has = {p for p, _ in stored[node]}
            if any(p in ALWAYS_WRITTEN and p not in has for p, _ in (*old.get(node, []), *new.get(node, []))):
                return None
        current = stored.get(node) or new.get(node) or old.get(node, [])
        counts = {p: _integer(o) for p, o in current if _integer(o) is not None and p not in NON_ADDITIVE}
        if not stored.get(node):
            counts = dict.fromkeys(counts, 0)
        for p, o in old.get(node, []):
            if p in counts and _integer(o) is not None:
                counts[p] -= _integer(o)
        for p, o in new.get(node, []):
            if p not in NON_ADDITIVE and _integer(o) is not None:
                counts[p] = counts.get(p, 0) + _integer(o)
        deletes += [f"{node} {p} {o} ." for p, o in stored.get(node, [])]
        if counts.get(f"<{DGE.deployments}>", 1) <= 0:
            continue  # no deployment left in this cell: the node goes
        structure = [(p, o) for p, o in current if _integer(o) is None and not o.endswith(f"^^<{XSD.decimal}>")]
        kept[node] = structure + [(p, f'"{v}"^^<{XSD.integer}>') for p, v in counts.items()]
    _recount(store, kept, stored, set(touched), pending.before.provinces, after.provinces)
    for node, triples in kept.items():
        inserts += [f"{node} {p} {o} ." for p, o in triples]
    checked = pending.before.checked, after.checked
    run = f"<{pending.run}>"
    lines = [f"DELETE {{ GRAPH {result} {{ ?d ?p ?o }} }} WHERE {{ VALUES ?d {{ {deployments} }} "
             f"VALUES ?p {{ {predicates} }} GRAPH {result} {{ ?d ?p ?o }} }} ;"]
    if checked[0] != checked[1]:
        lines.append(f"DELETE {{ GRAPH {result} {{ {run} <{DGE.deploymentsChecked}> ?n }} }} "
                     f"INSERT {{ GRAPH {result} {{ {run} <{DGE.deploymentsChecked}> ?m }} }} "
                     f"WHERE {{ GRAPH {result} {{ {run} <{DGE.deploymentsChecked}> ?n }} "
                     f"BIND(?n + {checked[1] - checked[0]} AS ?m) }} ;")
    if after.result_lines:
        lines.append(f"INSERT DATA {{ GRAPH {result} {{ {' '.join(after.result_lines)} }} }} ;")
    # the result now describes the data as written (query/validation_status.py reads this stamp)
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    lines.append(f"DELETE WHERE {{ GRAPH {result} {{ {run} <{DCT.modified}> ?t }} }} ;")
    lines.append(f'INSERT DATA {{ GRAPH {result} {{ {run} <{DCT.modified}> "{now}"^^<{XSD.dateTime}> }} }} ;')
    if deletes:
        lines.append(f"DELETE DATA {{ GRAPH {measures} {{ {' '.join(deletes)} }} }} ;")
    if inserts:
        lines.append(f"INSERT DATA {{ GRAPH {measures} {{ {' '.join(inserts)} }} }} ;")
    return "\n".join(lines).rstrip(" ;")


def _stored_nodes(store: Store, nodes: list[str]) -> dict[str, list[tuple[str, str]]]:
    if not nodes:
        return {}
    text = store.query_serialized(
        f"SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {' '.join(nodes)} }} GRAPH <{results.MEASURES_GRAPH}> {{ ?n ?p ?o }} }}",
        select_media_type="text/tab-separated-values").body.decode("utf-8")
    found: dict[str, list[tuple[str, str]]] = {}
    for line in text.split("\n")[1:]:
        if line:
            n, p, o = line.split("\t")
            found.setdefault(n, []).append((p, _canonical(o)))
    return found


def _canonical(term: str) -> str:
    """A TSV term in N-Triples form (the store abbreviates integers, decimals and booleans)."""
    if term.startswith(("<", '"', "_:")):
        return term
    if term in ("true", "false"):
        return f'"{term}"^^<{XSD.boolean}>'
    if "." in term:
        return f'"{term}"^^<{XSD.decimal}>'
    return f'"{term}"^^<{XSD.integer}>'


def _recount(store: Store, kept: dict[str, list[tuple[str, str]]], stored: Mapping[str, list[tuple[str, str]]],
             touched: set[str], before: Mapping[str, str | None], after: Mapping[str, str | None]) -> None:
    """Ratios, medians and the municipality counts of the touched nodes, from the counts now in force.

    A province's / the nation's per-requirement ``dge:municipalities`` and a supplier's count the municipalities
    that have a per-municipality node for it (a requirement node, a supplier breakdown node); every such node whose
    existence can change is touched, so the count is *stored - (touched nodes stored) + (touched nodes kept)*, with
    the municipality's province before and after the write (``before`` / ``after``)."""
    a = f"<{RDF.type}>"
    municipality_nodes = {n for n, t in kept.items() if (a, f"<{DGE.MunicipalityMeasures}>") in t}
    for node in municipality_nodes:
        counts = {p[len(str(DGE)) + 1:-1]: v for p, v in ((p, _integer(o)) for p, o in kept[node]) if v is not None}
        if set(results.COUNT_MEASURES) <= set(counts):
            kept[node] = [(p, o) for p, o in kept[node]]
            for measure in results.RATIO_MEASURES:
                value = results.ratio(measure, counts)
                if value is not None:
                    kept[node].append((f"<{DGE[measure]}>", results._decimal(value)))
        if "deploymentsFactsKnown" in counts:
            value = results.evidence_ratio(counts)
            if value is not None:
                kept[node].append((f"<{DGE.dataCompleteness}>", results._decimal(value)))
    # the change in each (province or None for the nation, requirement) and supplier count of municipalities
    delta: dict[tuple[str, str | None, str], int] = {}
    for sign, nodes, provinces in ((-1, stored, {**after, **before}), (1, kept, {**before, **after})):
        for node, triples in nodes.items():
            if not triples:
                continue
            values = dict(triples)
            m = values.get(f"<{DGE.forMunicipality}>")
            if m is None:
                continue
            if values.get(a) == f"<{DGE.RequirementMeasures}>":
                requirement = values[f"<{DGE.requirement}>"]
                keys = [("requirement", None, requirement)]
                if provinces.get(m) is not None:
                    keys.append(("requirement", provinces[m], requirement))
            elif values.get(f"<{DGE.breakdownProperty}>") == f"<{DGE.supplier}>":
                keys = [("supplier", None, values[f"<{DGE.breakdownValue}>"])]
            else:
                continue
            for key in keys:
                delta[key] = delta.get(key, 0) + sign
    for node, triples in kept.items():
        values = dict(triples)
        kind = values.get(a)
        if kind == f"<{DGE.RequirementMeasures}>" and f"<{DGE.forMunicipality}>" not in values:
            key = ("requirement", values.get(f"<{DGE.forProvince}>"), values[f"<{DGE.requirement}>"])
        elif kind == f"<{DGE.SupplierMeasures}>":
            key = ("supplier", None, values[f"<{DGE.supplier}>"])
        else:
            continue
        was = next((_integer(o) for p, o in stored.get(node, []) if p == f"<{DGE.municipalities}>"), 0)
        _set(triples, f"<{DGE.municipalities}>", was + delta.get(key, 0))
    _medians(store, kept, touched, {**before, **after})


def _set(triples: list[tuple[str, str]], predicate: str, value: int) -> None:
    triples[:] = [(p, o) for p, o in triples if p != predicate] + [(predicate, f'"{value}"^^<{XSD.integer}>')]


def _medians(store: Store, kept: dict[str, list[tuple[str, str]]], touched: set[str],
             provinces_now: Mapping[str, str | None]) -> None:
    """The medians of the touched provinces, from their municipalities' measure nodes: the stored ones (read with a
    ``VALUES`` of those provinces) except the touched, which are taken as they are about to be written, in the
    province ``provinces_now`` gives (after the write, or before it for a municipality the changed deployments
    left)."""
    a = f"<{RDF.type}>"
    provinces = sorted({dict(t)[f"<{DGE.forProvince}>"] for t in kept.values()
                        if (a, f"<{DGE.ProvinceMedian}>") in t})
    if not provinces:
        return
    peers: dict[str, dict[str, dict[str, int]]] = {province: {} for province in provinces}
    wanted = {f"<{DGE}{measure}>": measure for measure in results.COUNT_MEASURES + results.EVIDENCE_COUNT_MEASURES}
    text = store.query_serialized(
        f"SELECT ?province ?n ?p ?o WHERE {{ VALUES ?province {{ {' '.join(provinces)} }} "
        f"?m <{DGE.province}> ?province . GRAPH <{results.MEASURES_GRAPH}> {{ ?n <{DGE.forMunicipality}> ?m . "
        f"?n a <{DGE.MunicipalityMeasures}> . VALUES ?p {{ {' '.join(wanted)} }} ?n ?p ?o }} }}",
        select_media_type="text/tab-separated-values").body.decode("utf-8")
    for line in text.split("\n")[1:]:
        if not line:
            continue
        province, node, predicate, term = line.split("\t")
        value = _integer(_canonical(term))
        if node not in touched and value is not None:
            peers[province].setdefault(node, {})[wanted[predicate]] = value
    for node, triples in kept.items():
        if (a, f"<{DGE.MunicipalityMeasures}>") in triples:
            province = provinces_now.get(dict(triples)[f"<{DGE.forMunicipality}>"])
            if province in peers:
                peers[province][node] = {p[len(str(DGE)) + 1:-1]: _integer(o) for p, o in triples
                                         if _integer(o) is not None}
    for province, municipality_peers in peers.items():
        values = list(municipality_peers.values())
        medians = results.province_medians([p for p in values if set(results.COUNT_MEASURES) <= set(p)])
        medians.update(results.evidence_medians(values))
        for node, triples in kept.items():
            described = dict(triples)
            if described.get(a) != f"<{DGE.ProvinceMedian}>" or described.get(f"<{DGE.forProvince}>") != province:
                continue
            median, defined = medians[described[f"<{DGE.measure}>"].split('"')[1]]
            triples[:] = [(p, o) for p, o in triples if p not in (f"<{DGE.median}>", f"<{DGE.peers}>")]
            triples.append((f"<{DGE.peers}>", f'"{defined}"^^<{XSD.integer}>'))
            if median is not None:
                triples.append((f"<{DGE.median}>", results._decimal(median)))


def graph_deployments(store: Store, graph: URIRef | str) -> set[URIRef]:
    """The deployments a named graph declares (``a dge:Deployment``): what replacing the graph may change."""
    rows = store.query(f"SELECT DISTINCT ?d WHERE {{ GRAPH <{graph}> {{ ?d a <{DGE.Deployment}> }} }}").rows
    return {row["d"] for row in rows if isinstance(row["d"], URIRef)}
