"""What a finding rests on: its evidence basis, and the decisive facts the sources leave unknown (docs/checks.md).

SHACL's answer stays exactly what the shapes say (closed world: a safeguard that no source mentions is missing, a
fact that no source states is false or none). This module only *explains* that answer, from the same shapes:

* **Evidence basis** of a finding, per missing safeguard type: *recorded absent* ("ontbreekt") when the deployment
  has a claim of that type with a status that is not held (absent, expired or planned, or present but dated after
  the evaluation date: the ``holds:*`` shape of the type decides what is held), *not evidenced* ("niet aangetoond")
  when it has no claim of that type, or only claims that state no status. A prohibition rests on the recorded facts of its condition (recorded absent); an
  obligation that rests on a fact (a ``satisfied:*`` shape) is not evidenced when a fact that shape reads has no
  value. A finding is *not evidenced* when at least one of its missing safeguards (or facts) is, else *recorded
  absent*.
* **Decisive facts** (``decisive_facts``): the facts the derived predicates of ``shapes/derived.ttl`` (PA, AI, PD,
  HR, ...; every rule condition is built on them) read on the deployment itself, read from the shapes, not listed by
  hand. A fact read by a derived predicate is decisive for a deployment when the deployment conforms to the
  shapes that predicate builds on (its ``sh:node`` shapes: annexIIIArea matters for an AI system). Facts whose
  absence the shapes give a meaning (a ``sh:maxCount 0`` alternative, e.g. no dataProtectionRegime = the GDPR) are
  not decisive. A decisive fact without any value is *unknown*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from dge_graph.kernel.namespaces import DGE, ID, SH
from dge_graph.store import Store

RECORDED_ABSENT = URIRef(f"{ID}evidence-basis/recorded-absent")
NOT_EVIDENCED = URIRef(f"{ID}evidence-basis/not-evidenced")
BASIS_NAMES = {RECORDED_ABSENT: "recordedAbsent", NOT_EVIDENCED: "notEvidenced"}
DERIVED_PREFIX = f"{ID}shape/derived/"
ANYTHING = URIRef(f"{DERIVED_PREFIX}Anything")
NOT_FACTS = (DGE.hasSafeguard, DGE.municipality)
"""Read by shapes but not facts about the deployment: its evidence and where it is."""


# --------------------------------------------------------------------------------------------------------------
# the facts a shape reads


def _list(graph: Graph, head) -> list:
    return list(Collection(graph, head)) if head is not None else []


def own_facts(graph: Graph, shape) -> tuple[set[URIRef], set[URIRef]]:
    """(the deployment properties ``shape`` reads itself, those of them with a ``sh:maxCount 0`` alternative).

    Blank nested shapes are followed; named shapes (other derived predicates, gates) are not: they read their own."""
    read: set[URIRef] = set()
    meaningful_absence: set[URIRef] = set()
    todo, seen = [shape], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for prop in graph.objects(node, SH.property):
            path = graph.value(prop, SH.path)
            if isinstance(path, URIRef) and path not in NOT_FACTS:
                read.add(path)
                maximum = graph.value(prop, SH.maxCount)
                if isinstance(maximum, Literal) and int(maximum) == 0:
                    meaningful_absence.add(path)
        nested = list(graph.objects(node, SH.node)) + list(graph.objects(node, SH["not"]))
        for head in list(graph.objects(node, SH["and"])) + list(graph.objects(node, SH["or"])):
            nested += _list(graph, head)
        todo += [n for n in nested if isinstance(n, BNode)]
    return read, meaningful_absence


@dataclass(frozen=True)
class DecisiveFact:
    """A fact a derived predicate reads, and the shapes a deployment must conform to for it to matter."""

    fact: URIRef
    guards: tuple[URIRef, ...]
    read_by: URIRef


def decisive_facts(resolved: Graph) -> tuple[DecisiveFact, ...]:
    """The decisive facts of the derived predicates (see the module docstring), in a stable order."""
    found: list[DecisiveFact] = []
    derived = sorted(s for s in set(resolved.subjects(None, None))
                     if isinstance(s, URIRef) and str(s).startswith(DERIVED_PREFIX) and s != ANYTHING
                     and (s, SH.targetClass, None) not in resolved and _is_node_shape(resolved, s))
    for shape in derived:
        read, meaningful_absence = own_facts(resolved, shape)
        guards = tuple(sorted(g for g in resolved.objects(shape, SH.node) if isinstance(g, URIRef)))
        found += [DecisiveFact(fact, guards, shape) for fact in sorted(read - meaningful_absence)]
    return tuple(found)


def _is_node_shape(graph: Graph, shape: URIRef) -> bool:
    return (shape, None, None) in graph and (shape, SH.path, None) not in graph


def decisive_fact_names(resolved: Graph) -> tuple[URIRef, ...]:
    """Every property that is a decisive fact for some deployment (docs/checks.md lists them)."""
    return tuple(sorted({f.fact for f in decisive_facts(resolved)}))


def _conforms_to_guard(guard: URIRef, deployment: URIRef, derived: Mapping[URIRef, frozenset[URIRef]],
                       resolved: Graph) -> bool:
    if guard in derived:
        return deployment in derived[guard]
    if (guard, DGE.holdsFromDate, None) in resolved:  # a date gate: closed before its date (resolve_shapes)
        return (guard, SH["not"], ANYTHING) not in resolved
    return True


FEW_DEPLOYMENTS = 1000
"""Up to this many deployments, the evidence queries name them (``VALUES``) instead of scanning every deployment
of the store: incremental re-validation of an import touches a handful."""


def _restriction(deployments: Iterable[URIRef] | None) -> str:
    """A ``VALUES ?d`` block for a few deployments, else "" (the whole store)."""
    if deployments is None:
        return ""
    deployments = sorted(set(deployments), key=str)
    if len(deployments) > FEW_DEPLOYMENTS or not all(isinstance(d, URIRef) for d in deployments):
        return ""
    return "VALUES ?d { " + " ".join(f"<{d}>" for d in deployments) + " } "


def facts_with_values(store: Store, facts: Iterable[URIRef],
                      deployments: Iterable[URIRef] | None = None) -> dict[URIRef, frozenset[URIRef]]:
    """fact -> the deployments that have a value of it (in any source); only among ``deployments`` when they are
    few (the answer for them is the same, without reading the others)."""
    restrict = _restriction(deployments)
    found = {}
    for fact in sorted(set(facts)):
        rows = _tsv_rows(store, f"SELECT DISTINCT ?d WHERE {{ {restrict}?d <{fact}> ?o }}")
        found[fact] = frozenset(_node(row[0]) for row in rows)
    return found


def _node(key: str):
    """A TSV subject: an IRI the store has checked (no rdflib re-validation), or a blank node."""
    return str.__new__(URIRef, key[1:-1]) if key.startswith("<") else BNode(key[2:])


def _tsv_rows(store: Store, sparql: str) -> list[list[str]]:
    body = store.query_serialized(sparql, select_media_type="text/tab-separated-values").body.decode("utf-8")
    return [line.split("\t") for line in body.split("\n")[1:] if line]


def unknown_facts(store: Store, resolved: Graph, deployments: Iterable[URIRef],
                  derived: Mapping[URIRef, frozenset[URIRef]]) -> dict[URIRef, frozenset[URIRef]]:
    """deployment -> its unknown decisive facts (empty set: every decisive fact known).

    ``derived``: derived shape -> conforming deployments (``ShapeDecisions.derived``)."""
    deployments = list(deployments)
    facts = decisive_facts(resolved)
    known = facts_with_values(store, (f.fact for f in facts), deployments)
    unknown: dict[URIRef, frozenset[URIRef]] = {}
    for deployment in deployments:
        missing = {f.fact for f in facts if deployment not in known[f.fact]
                   and all(_conforms_to_guard(g, deployment, derived, resolved) for g in f.guards)}
        unknown[deployment] = frozenset(missing)
    return unknown


# --------------------------------------------------------------------------------------------------------------
# the evidence basis of findings


@dataclass(frozen=True)
class FindingBasis:
    """Per finding: the missing safeguard types a source records as absent, and what no source mentions."""

    recorded_absent: tuple[URIRef, ...] = ()
    not_evidenced: tuple[URIRef, ...] = ()
    """Safeguard types, or for an obligation resting on a fact, the fact's property."""

    @property
    def basis(self) -> URIRef:
        return NOT_EVIDENCED if self.not_evidenced else RECORDED_ABSENT

    @property
    def name(self) -> str:
        return BASIS_NAMES[self.basis]


def claimed_types(store: Store, deployments: Iterable[URIRef] | None = None) -> dict[URIRef, frozenset[URIRef]]:
    """deployment -> the safeguard types it has a claim of that states a status (any status, any date). A claim
    without a status mentions the safeguard without saying whether it is there: that is no record of absence.
    Only of ``deployments`` when they are few (``facts_with_values``)."""
    rows = _tsv_rows(store, f"SELECT DISTINCT ?d ?t WHERE {{ {_restriction(deployments)}"
                            f"?d <{DGE.hasSafeguard}> ?c . ?c <{DGE.safeguardType}> ?t ; "
                            f"<{DGE.safeguardStatus}> ?status FILTER(isIRI(?t)) }}")
    found: dict[URIRef, set[URIRef]] = {}
    for d, t in rows:
        found.setdefault(_node(d), set()).add(str.__new__(URIRef, t[1:-1]))
    return {d: frozenset(t) for d, t in found.items()}


def satisfied_facts(resolved: Graph, rule) -> tuple[URIRef, ...]:
    """The facts the "safeguard held" test of an obligation without safeguard types reads (its ``satisfied:*``
    shape, the named member of the rule shape's ``sh:or``)."""
    if rule.safeguards or rule.prohibition:
        return ()
    facts: set[URIRef] = set()
    for head in resolved.objects(rule.shape, SH["or"]):
        for member in _list(resolved, head):
            if isinstance(member, URIRef):
                facts |= own_facts(resolved, member)[0]
    return tuple(sorted(facts))


def finding_bases(store: Store, resolved: Graph, rules: Sequence, findings: Iterable,
                  held: Mapping[URIRef, frozenset[URIRef]]) -> dict[tuple[URIRef, str], FindingBasis]:
    """(deployment, rule id) -> the ``FindingBasis`` of each finding; ``held``: ``ShapeDecisions.held``."""
    findings = list(findings)
    if not findings:
        return {}
    by_id = {r.rule_id: r for r in rules}
    deployments = {f.deployment for f in findings}
    claims = claimed_types(store, deployments)
    fact_rules = {r.rule_id: satisfied_facts(resolved, r) for r in rules}
    facts = {f for names in fact_rules.values() for f in names}
    with_values = facts_with_values(store, facts, deployments) if facts else {}
    bases = {}
    for finding in findings:
        rule = by_id[finding.rule_id]
        deployment = finding.deployment
        missing = [t for t in rule.safeguards if t not in held.get(deployment, frozenset())]
        claimed = claims.get(deployment, frozenset())
        recorded = tuple(t for t in missing if t in claimed)
        absent = tuple(t for t in missing if t not in claimed)
        absent += tuple(f for f in fact_rules[rule.rule_id] if deployment not in with_values[f])
        bases[(deployment, finding.rule_id)] = FindingBasis(recorded, absent)
    return bases


def evidence_lines(report) -> list[str]:
    """The evidence basis and the unknown facts of a ``ValidationReport``, as N-Triples lines of its result graph:
    ``<deployment> dge:recordedAbsent <type>``, ``<deployment> dge:lacksEvidenceOf <type or fact>`` (for the
    missing safeguards of its findings) and ``<deployment> dge:unknownFact <fact>``."""
    # as plain strings (the same order as the IRIs'): rdflib terms hash and compare in Python
    pairs: set[tuple[str, str, str]] = set()
    recorded, lacking, unknown = str(DGE.recordedAbsent), str(DGE.lacksEvidenceOf), str(DGE.unknownFact)
    for finding in report.findings:
        if finding.basis is None:
            continue
        deployment = str(finding.deployment)
        pairs.update((deployment, recorded, str(t)) for t in finding.basis.recorded_absent)
        pairs.update((deployment, lacking, str(t)) for t in finding.basis.not_evidenced)
    for deployment, facts in report.unknown_facts.items():
        deployment = str(deployment)
        pairs.update((deployment, unknown, str(f)) for f in facts)
    return [f"<{s}> <{p}> <{o}> ." for s, p, o in sorted(pairs)]


def stored_evidence(store: Store, graph: URIRef, findings: Sequence, rules: Sequence,
                    resolved: Graph) -> tuple[tuple, dict[URIRef, frozenset[URIRef]]]:
    """(the findings with their basis, deployment -> unknown facts) read back from a stored result graph."""
    from dataclasses import replace

    result = store.evaluate(
        f"SELECT ?d ?p ?o WHERE {{ GRAPH <{graph}> {{ ?d ?p ?o "
        f"FILTER (?p IN (<{DGE.recordedAbsent}>, <{DGE.lacksEvidenceOf}>, <{DGE.unknownFact}>)) }} }}")
    found: dict[str, dict[URIRef, set[URIRef]]] = {str(DGE.recordedAbsent): {}, str(DGE.lacksEvidenceOf): {},
                                                   str(DGE.unknownFact): {}}
    for solution in result:
        found[solution["p"].value].setdefault(URIRef(solution["d"].value), set()).add(URIRef(solution["o"].value))
    recorded, lacking = found[str(DGE.recordedAbsent)], found[str(DGE.lacksEvidenceOf)]
    by_id = {r.rule_id: r for r in rules}
    out = []
    for finding in findings:
        rule = by_id[finding.rule_id]
        d = finding.deployment
        wanted = tuple(rule.safeguards) + satisfied_facts(resolved, rule)
        out.append(replace(finding, basis=FindingBasis(
            tuple(t for t in wanted if t in recorded.get(d, ())), tuple(t for t in wanted if t in lacking.get(d, ())))))
    unknown = {d: frozenset(f) for d, f in found[str(DGE.unknownFact)].items()}
    return tuple(out), unknown
