"""Safeguard checks: run the rule shapes (``shapes/*.ttl``) over deployments and report what is missing.

One truth, two engines. The shapes are SHACL core; ``pyshacl`` is the reference engine and
``shacl_compile`` (SPARQL on the store) the fast path. Both read the same *parameter-resolved* shapes graph, made
for one evaluation date and one AI Act high-risk date (``resolve_shapes``):

* parameter nodes (``id/parameter/evaluation-date``, ``id/parameter/hr-date``) become ``xsd:date`` literals;
* a date gate (a shape with ``dge:holdsFromDate D``) gets ``sh:not derived:Anything`` when evaluationDate < D,
  so nothing conforms to it (every node conforms otherwise);
* a rule shape whose start (``dge:appliesFrom`` or ``dge:appliesFromParameter``) is after the evaluation date, or
  whose end (``dge:appliesUntil``) is before it, is deactivated (``sh:deactivated true``). ``Rule.active`` is the one
  place that decides this date window; every engine reads it through ``resolve_shapes``.

A ``ValidationReport`` holds the findings (one per rule per deployment) and the shapes' decisions, knows how to
summarise them per municipality and per rule, and how to become an RDF ``sh:ValidationReport`` (on demand).
``store_report`` writes it as compact data (``rules/report.py``): one fact per finding, the decisions, and the
precomputed measures.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from dge_graph.kernel.config import DEFAULT_HR_DATE
from dge_graph.kernel.namespaces import (
    DCT,
    DGE,
    VALIDATION_GRAPH_PREFIX,
    ID,
    PROV,
    RDF,
    RDFS,
    SH,
    XSD,
    id_iri,
    sparql_prefixes,
)
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.terms import compact
from dge_graph.rules.compile import FrozenShapesGraph, subclass_closure_query, target_classes, violation_query
from dge_graph.rules.fact_table import parse_key
from dge_graph.store import SelectResult, Store

ENGINES: tuple[str, ...] = ("table", "sparql", "pyshacl")
"""``table``: shapes compiled to NumPy predicates over the fact table (``rules/vector_engine.py``; default on the
embedded store); ``sparql``: shapes compiled to SPARQL (``shacl_compile``; default on a remote store);
``pyshacl``: the reference engine."""
QUERY_THREADS = 4
"""At most this many rule queries run at the same time on the fast path (``sparql_violations``)."""

EVALUATION_DATE = id_iri("parameter", "evaluation-date")
HR_DATE = id_iri("parameter", "hr-date")
ANYTHING = URIRef(f"{ID}shape/derived/Anything")
SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class ValidationError(ValueError):
    """The checks could not run: bad shapes, an unresolved parameter, a bad municipality code, ..."""


@dataclass(frozen=True)
class Parameters:
    """The dates a validation run depends on."""

    evaluation_date: dt.date
    hr_date: dt.date = DEFAULT_HR_DATE

    def values(self) -> Mapping[URIRef, Literal]:
        return {
            EVALUATION_DATE: Literal(self.evaluation_date.isoformat(), datatype=XSD.date),
            HR_DATE: Literal(self.hr_date.isoformat(), datatype=XSD.date),
        }


@dataclass(frozen=True)
class Rule:
    """A rule shape of ``shapes/rules.ttl`` (generated from data/requirements.ttl) with its annotations."""

    shape: URIRef
    rule_id: str
    requirement: URIRef
    severity: URIRef
    condition: URIRef
    message_nl: str
    message_en: str
    applies_from: dt.date | None = None
    applies_from_parameter: URIRef | None = None
    safeguards: tuple[URIRef, ...] = ()
    prohibition: bool = False
    """Missing := true: the shape is ``sh:not <condition>``, so no safeguard can make a deployment conform."""
    applies_until: dt.date | None = None
    """The last day the rule applies (``dge:appliesUntil``); None: indefinitely."""

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES[self.severity]

    @property
    def constraint_component(self) -> URIRef:
        return SH.NotConstraintComponent if self.prohibition else SH.OrConstraintComponent

    def start(self, parameters: Parameters) -> dt.date:
        if self.applies_from_parameter == HR_DATE:
            return parameters.hr_date
        if self.applies_from is None:
            raise ValidationError(f"rule shape {self.shape} has no dge:appliesFrom")
        return self.applies_from

    def active(self, parameters: Parameters) -> bool:
        """Whether the rule applies at the evaluation date: start <= evaluation date <= applies_until (both included)."""
        day = parameters.evaluation_date
        return self.start(parameters) <= day and (self.applies_until is None or day <= self.applies_until)


@dataclass(frozen=True)
class RequirementInfo:
    """What the requirement resource (data/requirements.ttl) adds to a finding."""

    legal_sources: tuple[URIRef, ...] = ()
    protects_values: tuple[URIRef, ...] = ()
    protects_rights: tuple[URIRef, ...] = ()

    @property
    def legal_source(self) -> URIRef | None:
        return self.legal_sources[0] if self.legal_sources else None


KEPT_READINGS = 32
"""A ``ShapeSet`` keeps the resolved shapes graphs (and so the compiled queries) of this many recent readings."""


@dataclass(frozen=True)
class ShapeSet:
    """The shapes graph as written (with parameter nodes) and its rule shapes, in rule-id order.

    ``resolved`` keeps the frozen shapes graph of the last ``KEPT_READINGS`` readings, and with it the queries
    compiled from it: a server or a test that evaluates the same reading again compiles nothing."""

    graph: Graph
    rules: tuple[Rule, ...]
    _readings: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _readings_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.rule_id == rule_id:
                return rule
        raise KeyError(rule_id)

    @cached_property
    def knowledge(self) -> Graph:
        """The packaged requirement, value and right resources the rules cite (``data/*.ttl`` except the
        municipalities), parsed on first use. Read-only by convention."""
        return packaged_knowledge()

    def resolved(self, parameters: Parameters) -> FrozenShapesGraph:
        """The shapes graph of one reading (``resolve_shapes``), read-only; the same object for the same reading."""
        with self._readings_lock:
            if parameters in self._readings:
                self._readings.move_to_end(parameters)
                return self._readings[parameters]
        resolved = resolve_shapes(self.graph, self.rules, parameters)
        with self._readings_lock:
            resolved = self._readings.setdefault(parameters, resolved)
            while len(self._readings) > KEPT_READINGS:
                self._readings.popitem(last=False)
        return resolved


@dataclass(frozen=True, order=True)
class Finding:
    """One rule that fires for one deployment: found by an engine, or read back from the stored result
    (``query.describe.validation_findings``, which knows no ``applies_from``: that depends on the run's parameters)."""

    deployment: URIRef
    rule_id: str
    requirement: URIRef = field(compare=False)
    severity: str = field(compare=False)
    message_nl: str = field(compare=False)
    message_en: str = field(compare=False)
    applies_from: dt.date | None = field(default=None, compare=False)
    legal_source: URIRef | None = field(default=None, compare=False)
    deployment_id: str | None = field(default=None, compare=False)
    municipality: URIRef | None = field(default=None, compare=False)
    shape: URIRef | None = field(default=None, compare=False)
    constraint_component: URIRef = field(default=SH.OrConstraintComponent, compare=False)
    basis: object | None = field(default=None, compare=False)
    """What the finding rests on (``rules.evidence.FindingBasis``), when computed."""

    def message(self, lang: str) -> str:
        """The rule's message in ``lang`` (``nl`` or ``en``)."""
        return self.message_nl if lang == "nl" else self.message_en

    def basis_dict(self) -> dict:
        """``evidenceBasis`` (recordedAbsent / notEvidenced) and the safeguard types (or facts) of each kind."""
        if self.basis is None:
            return {"evidenceBasis": None, "recordedAbsent": [], "notEvidenced": []}
        return {"evidenceBasis": self.basis.name, "recordedAbsent": [compact(t) for t in self.basis.recorded_absent],
                "notEvidenced": [compact(t) for t in self.basis.not_evidenced]}

    def as_dict(self) -> dict:
        return {
            "deployment": self.deployment_id or str(self.deployment),
            "deploymentIri": str(self.deployment),
            "municipality": municipality_code(self.municipality),
            "requirement": self.rule_id,
            "requirementIri": str(self.requirement),
            "severity": self.severity,
            "legalSource": str(self.legal_source) if self.legal_source else None,
            "appliesFrom": self.applies_from.isoformat() if self.applies_from else None,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
            **self.basis_dict(),
        }


@dataclass(frozen=True)
class ValidationReport:
    parameters: Parameters
    findings: tuple[Finding, ...]
    deployments_checked: int
    active_rules: tuple[str, ...]
    engine: str
    generated_at: dt.datetime
    municipality: URIRef | None = None
    municipality_labels: Mapping[URIRef, str] = field(default_factory=dict)
    decisions: object | None = field(default=None, compare=False, repr=False)
    """The shapes' decisions (``rules.report.ShapeDecisions``) stored with the result, when computed."""
    unknown_facts: Mapping[URIRef, frozenset[URIRef]] = field(default_factory=dict, compare=False, repr=False)
    """deployment -> its unknown decisive facts (``rules.evidence.unknown_facts``; empty set: all known)."""

    def by_basis(self) -> Counter:
        """Findings per evidence basis (``recordedAbsent`` / ``notEvidenced``)."""
        return Counter(f.basis.name for f in self.findings if f.basis is not None)

    @property
    def conforms(self) -> bool:
        return not self.findings

    def by_municipality(self) -> list[tuple[URIRef | None, Counter]]:
        """Per municipality (None: deployments without one): counts of Violation and Warning, most first."""
        counts: dict[URIRef | None, Counter] = {}
        for finding in self.findings:
            counts.setdefault(finding.municipality, Counter())[finding.severity] += 1
        return sorted(counts.items(), key=lambda kv: (-kv[1]["Violation"], -kv[1]["Warning"], str(kv[0])))

    def by_rule(self) -> list[tuple[str, str, int]]:
        """(rule id, severity, number of deployments) for every rule that fires, most first."""
        counts = Counter((f.rule_id, f.severity) for f in self.findings)
        return sorted(((r, s, n) for (r, s), n in counts.items()), key=lambda t: (-t[2], t[0]))

    def report_iri(self) -> URIRef:
        return id_iri("validation-report", self.generated_at.strftime("%Y%m%dT%H%M%S%fZ"))

    def to_graph(self) -> Graph:
        """The report as a ``sh:ValidationReport`` with dge: extensions (docs/modelling.md, Validation reports)."""
        graph = Graph()
        report = self.report_iri()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        graph.add((report, DGE.evaluationDate, Literal(self.parameters.evaluation_date.isoformat(), datatype=XSD.date)))
        graph.add((report, DGE.hrDate, Literal(self.parameters.hr_date.isoformat(), datatype=XSD.date)))
        graph.add((report, PROV.generatedAtTime, Literal(self.generated_at.isoformat(), datatype=XSD.dateTime)))
        graph.add((report, DGE.validationEngine, Literal(self.engine)))
        graph.add((report, DGE.deploymentsChecked, Literal(self.deployments_checked)))
        day = self.parameters.evaluation_date
        graph.add((report, RDFS.label, Literal(f"Validation report, evaluation date {day}", lang="en")))
        graph.add((report, RDFS.label, Literal(f"Validatierapport, peildatum {day}", lang="nl")))
        if self.municipality is not None:
            graph.add((report, DGE.municipality, self.municipality))
        for finding in self.findings:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, finding.deployment))
            graph.add((result, SH.resultSeverity, SH[finding.severity]))
            if finding.shape is not None:
                graph.add((result, SH.sourceShape, finding.shape))
            graph.add((result, SH.sourceConstraintComponent, finding.constraint_component))
            graph.add((result, SH.resultMessage, Literal(finding.message_nl, lang="nl")))
            graph.add((result, SH.resultMessage, Literal(finding.message_en, lang="en")))
            graph.add((result, DGE.requirement, finding.requirement))
            graph.add((result, DCT.identifier, Literal(finding.rule_id)))
            if finding.applies_from is not None:
                graph.add((result, DGE.appliesFrom, Literal(finding.applies_from.isoformat(), datatype=XSD.date)))
            if finding.legal_source is not None:
                graph.add((result, DGE.legalSource, finding.legal_source))
            if finding.municipality is not None:
                graph.add((result, DGE.municipality, finding.municipality))
            if finding.basis is not None:
                graph.add((result, DGE.evidenceBasis, finding.basis.basis))
        return graph


def municipality_code(iri: URIRef | None) -> str | None:
    if iri is None:
        return None
    text = str(iri)
    prefix = f"{ID}municipality/"
    return text[len(prefix):] if text.startswith(prefix) else text


# --------------------------------------------------------------------------------------------------------------
# shapes


def packaged_knowledge() -> Graph:
    """The packaged requirement, value and right resources (``data/*.ttl`` except the municipalities)."""
    graph = Graph()
    data = resource_dir("data")
    for name in ("requirements.ttl", "values.ttl", "rights.ttl"):
        path = data / name
        if path.is_file():
            graph.parse(path, format="turtle")
    return graph


def load_shapes() -> ShapeSet:
    """Parse every ``shapes/*.ttl`` except the ontology metadata shapes, and read the rule shapes."""
    graph = Graph()
    for path in sorted(resource_dir("shapes").glob("*.ttl")):
        if path.name == "ontology-metadata.ttl":
            continue
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise ValidationError(f"{path}: cannot parse the shapes file: {exc}") from exc
    return ShapeSet(graph, read_rules(graph))


def _one(graph: Graph, subject: Node, predicate: URIRef, *, required: bool = True) -> Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise ValidationError(f"rule shape {subject} has {len(values)} values of {predicate}; expected one")
    if not values and required:
        raise ValidationError(f"rule shape {subject} lacks {predicate}")
    return values[0] if values else None


def _message(graph: Graph, shape: Node, lang: str) -> str:
    for message in graph.objects(shape, SH.message):
        if isinstance(message, Literal) and message.language == lang:
            return str(message)
    raise ValidationError(f"rule shape {shape} has no sh:message in @{lang}")


def read_rules(graph: Graph) -> tuple[Rule, ...]:
    """The rule shapes (node shapes with ``dge:requirement``) of a shapes graph, sorted by rule id."""
    rules = []
    for shape in set(graph.subjects(DGE.requirement, None)):
        if not isinstance(shape, URIRef):
            raise ValidationError(f"rule shapes must be IRIs, found {shape!r}")
        applies_from = _one(graph, shape, DGE.appliesFrom, required=False)
        parameter = _one(graph, shape, DGE.appliesFromParameter, required=False)
        if (applies_from is None) == (parameter is None):
            raise ValidationError(f"rule shape {shape} needs exactly one of dge:appliesFrom, dge:appliesFromParameter")
        until = _one(graph, shape, DGE.appliesUntil, required=False)
        if until is not None and not (isinstance(until, Literal) and isinstance(until.toPython(), dt.date)):
            raise ValidationError(f"rule shape {shape}: dge:appliesUntil must be an xsd:date, found {until!r}")
        severity = _one(graph, shape, SH.severity)
        if severity not in SEVERITY_NAMES:
            raise ValidationError(f"rule shape {shape} has an unknown severity {severity}")
        rules.append(
            Rule(
                shape=shape,
                rule_id=str(_one(graph, shape, DCT.identifier)),
                requirement=_one(graph, shape, DGE.requirement),
                severity=severity,
                condition=_one(graph, shape, DGE.conditionShape),
                message_nl=_message(graph, shape, "nl"),
                message_en=_message(graph, shape, "en"),
                applies_from=applies_from.toPython() if applies_from is not None else None,
                applies_from_parameter=parameter,
                safeguards=tuple(sorted(graph.objects(shape, DGE.requiresSafeguard), key=str)),
                prohibition=(shape, SH["not"], _one(graph, shape, DGE.conditionShape)) in graph,
                applies_until=until.toPython() if until is not None else None,
            )
        )
    return tuple(sorted(rules, key=lambda r: r.rule_id))


def resolve_shapes(shapes: Graph, rules: Iterable[Rule], parameters: Parameters) -> FrozenShapesGraph:
    """An in-memory copy of ``shapes`` for one evaluation date and HR date (see the module docstring), frozen: the
    queries compiled from it are kept with it (``rules.compile.FrozenShapesGraph``)."""
    values = parameters.values()
    resolved = FrozenShapesGraph()
    for prefix, namespace in shapes.namespaces():
        resolved.bind(prefix, namespace)
    parameter_prefix = f"{ID}parameter/"

    def resolved_object(o: Node) -> Node:
        if isinstance(o, URIRef) and o.startswith(parameter_prefix):
            if o not in values:
                raise ValidationError(f"the shapes refer to the parameter {o}, which has no value")
            return values[o]
        return o

    resolved.addN((s, p, resolved_object(o), resolved) for s, p, o in shapes)
    for gate, start in list(resolved.subject_objects(DGE.holdsFromDate)):
        if not (isinstance(start, Literal) and isinstance(start.toPython(), dt.date)):
            raise ValidationError(f"date gate {gate}: dge:holdsFromDate must be an xsd:date, found {start!r}")
        if parameters.evaluation_date < start.toPython():
            resolved.add((gate, SH["not"], ANYTHING))
    for rule in rules:
        if not rule.active(parameters):
            resolved.add((rule.shape, SH.deactivated, Literal(True)))
    return resolved.freeze()


# --------------------------------------------------------------------------------------------------------------
# engines


class _RememberingNamespaceManager(NamespaceManager):
    """A namespace manager that writes each IRI as text once (``normalizeUri``) and does not re-bind a prefix that
    is bound already. pyshacl writes a message for every result of every nested shape, most of which it throws away
    (a failing value inside ``sh:or``/``sh:not``), and binds ``sh:`` again each time: about a fifth of its time."""

    def __init__(self, graph: Graph):
        super().__init__(graph, bind_namespaces="none")
        self._written: dict[str, str] = {}
        self._bound: set[tuple[str, str]] = set()

    def bind(self, prefix, namespace, override=True, replace=False) -> None:
        key = (prefix, str(namespace))
        if key in self._bound:
            return
        if prefix is not None and self.store.namespace(prefix) == URIRef(key[1]):
            self._bound.add(key)
            return  # bound already: rdflib would change nothing
        self._written.clear()
        self._bound.clear()
        super().bind(prefix, namespace, override=override, replace=replace)

    def normalizeUri(self, rdfTerm: str) -> str:  # noqa: N802, N803 (rdflib's names)
        if rdfTerm not in self._written:
            self._written[rdfTerm] = super().normalizeUri(rdfTerm)
        return self._written[rdfTerm]


def pyshacl_violations(data: Graph, resolved: Graph, rules: Iterable[Rule]) -> set[tuple[URIRef, URIRef]]:
    """The reference engine: (focus node, rule shape) for every result of pyshacl on the rule shapes.

    pyshacl gets a copy of the shapes graph (it adds triples of its own to the one it is given) and, for the time of
    the run, a ``_RememberingNamespaceManager`` on the data graph: the same results, sooner. Not for a data graph
    that another thread validates at the same time (each caller here passes a graph of its own)."""
    import pyshacl

    rule_shapes = {r.shape for r in rules}
    shapes = Graph()
    shapes.namespace_manager = _RememberingNamespaceManager(shapes)
    for triple in resolved:
        shapes.add(triple)
    own_namespaces = data.namespace_manager
    data.namespace_manager = _RememberingNamespaceManager(data)
    try:
        _conforms, results, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=False,
            abort_on_first=False,
            allow_warnings=True,
            allow_infos=True,
        )
    finally:
        data.namespace_manager = own_namespaces
    found = set()
    report = results.value(predicate=RDF.type, object=SH.ValidationReport, any=False)
    for result in results.objects(report, SH.result):  # top-level results, not sh:detail
        shape = results.value(result, SH.sourceShape)
        if shape in rule_shapes:
            found.add((results.value(result, SH.focusNode), shape))
    return found


def sparql_violations(store: Store, resolved: Graph, rules: Iterable[Rule]) -> set[tuple[URIRef, URIRef]]:
    """The fast path: each active rule shape compiled to one SELECT run on ``store``.

    The queries are compiled first (rdflib, one thread), then run concurrently on a small thread pool: the
    embedded store evaluates a query without holding the GIL, and a remote store answers requests in parallel.
    Each query is the same as when run alone, so the findings do not depend on the number of threads.
    """
    compiled = []
    class_cache: dict[URIRef, list[URIRef]] = {}
    for rule in rules:
        if (rule.shape, SH.deactivated, Literal(True)) in resolved:
            continue
        classes = []
        for target in target_classes(resolved, rule.shape):
            if target not in class_cache:
                result = store.query(subclass_closure_query(target))
                class_cache[target] = sorted({row["class"] for row in result.rows} | {target}, key=str)
            classes += class_cache[target]
        compiled.append(violation_query(resolved, rule.shape, classes))
    found = set()
    if not compiled:
        return found
    workers = max(1, min(len(compiled), QUERY_THREADS, (os.cpu_count() or 1) * 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dge-validate") as pool:
        results = pool.map(lambda c: store.query(c.query), compiled)
        for query, result in zip(compiled, results):
            found.update((row["focus"], query.shape) for row in result.rows)
    return found


def table_violations(
    store: Store, resolved: Graph, rules: Iterable[Rule], *, parameters: Parameters | None = None, cache=None
) -> set[tuple[URIRef, URIRef]]:
    """The table engine: the rule shapes as NumPy predicates over the fact table of ``store``
    (``rules/fact_table.py``, ``rules/vector_engine.py``); ``cache`` (a ``FactTableCache``) keeps the table
    between runs while the data graphs do not change."""
    from dge_graph.rules.vector_engine import table_violations as evaluate

    rules = tuple(rules)
    return evaluate(fact_table(store, resolved, rules, cache), resolved, rules, parameters=parameters)


def fact_table(store: Store, resolved: Graph, rules: Iterable[Rule], cache=None):
    """The fact table of ``store`` for these shapes: from ``cache`` (a ``FactTableCache``) when given, else from
    the table saved beside an on-disk store while its data is unchanged (``rules/fact_table_file.py``)."""
    from dge_graph.rules.fact_table import FactTableCache
    from dge_graph.rules.vector_engine import read_plan

    plan = read_plan(resolved, tuple(rules))
    return (cache if cache is not None else FactTableCache.beside(store)).table(store, plan)


def default_engine(store: Store) -> str:
    """``table`` where the store answers in this process (the embedded store), ``sparql`` on a remote one (the fact
    table would be read over HTTP)."""
    return "table" if store.answers_in_process else "sparql"


def engine_violations(
    engine: str, store: Store, resolved: Graph, rules: Iterable[Rule], parameters: Parameters, *, data=None,
    cache=None,
) -> set[tuple[URIRef, URIRef]]:
    """Dispatch to one engine; ``data`` is the rdflib graph for pyshacl (default: read from ``store``)."""
    if engine == "pyshacl":
        return pyshacl_violations(data if data is not None else store_data_graph(store), resolved, rules)
    if engine == "sparql":
        return sparql_violations(store, resolved, rules)
    if engine == "table":
        return table_violations(store, resolved, rules, parameters=parameters, cache=cache)
    raise ValidationError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")


def store_data_graph(store: Store) -> Graph:
    """Everything in the store except validation reports, as an rdflib graph (for the reference engine)."""
    # the prefix is a constant of this module (pyoxigraph does not substitute variables used only in FILTERs)
    result = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(!STRSTARTS(STR(?g), {Literal(VALIDATION_GRAPH_PREFIX).n3()})) }}"
    )
    assert isinstance(result, Graph)
    return result


# --------------------------------------------------------------------------------------------------------------
# metadata from the graph


def requirement_info(store: Store) -> dict[URIRef, RequirementInfo]:
    """Legal sources and protected values/rights of every requirement in ``store``."""
    result = store.query(
        sparql_prefixes()
        + """SELECT ?requirement ?property ?object WHERE {
  VALUES ?property { dge:legalSource dge:protectsValue dge:protectsRight }
  ?requirement ?property ?object .
  ?requirement dct:identifier ?id .
}"""
    )
    return _requirement_info_from_rows(result)


def _requirement_info_from_rows(result: SelectResult) -> dict[URIRef, RequirementInfo]:
    collected: dict[URIRef, dict[URIRef, set]] = {}
    for row in result.rows:
        collected.setdefault(row["requirement"], {}).setdefault(row["property"], set()).add(row["object"])
    info = {}
    for requirement, props in collected.items():
        info[requirement] = RequirementInfo(
            legal_sources=tuple(sorted(props.get(DGE.legalSource, ()), key=str)),
            protects_values=tuple(sorted(props.get(DGE.protectsValue, ()), key=str)),
            protects_rights=tuple(sorted(props.get(DGE.protectsRight, ()), key=str)),
        )
    return info


def requirement_info_from_graph(graph: Graph) -> dict[URIRef, RequirementInfo]:
    """As ``requirement_info`` for an rdflib graph (``dge-graph check`` reads the packaged data file)."""
    rows = []
    for prop in (DGE.legalSource, DGE.protectsValue, DGE.protectsRight):
        for s, o in graph.subject_objects(prop):
            rows.append({"requirement": s, "property": prop, "object": o})
    return _requirement_info_from_rows(SelectResult(["requirement", "property", "object"], rows))


@dataclass(frozen=True)
class DeploymentIndex:
    """Identifier and municipality of every deployment, and labels of the municipalities."""

    identifiers: Mapping[URIRef, str | None]
    municipalities: Mapping[URIRef, URIRef | None]
    municipality_labels: Mapping[URIRef, str]


def _plain(cell: str) -> str:
    """The string of a TSV cell holding a plain literal (``STR(…)``)."""
    if cell.startswith('"') and cell.endswith('"') and "\\" not in cell:
        return cell[1:-1]
    return str(parse_key(cell))


def _tsv_rows(store: Store, sparql: str) -> list[list[str]]:
    """The rows of a SELECT as TSV cells ('' for unbound), serialised by the store (in Rust for the embedded one):
    at national scale much cheaper than an rdflib term per value."""
    body = store.query_serialized(sparql, select_media_type="text/tab-separated-values").body.decode("utf-8")
    return [line.split("\t") for line in body.split("\n")[1:] if line]


def deployment_index(store: Store) -> DeploymentIndex:
    query = (
        sparql_prefixes()
        + """SELECT ?deployment (MIN(STR(?identifier)) AS ?id) (MIN(STR(?m)) AS ?municipality) WHERE {
  ?deployment a dge:Deployment .
  OPTIONAL { ?deployment dct:identifier ?identifier }
  OPTIONAL { ?deployment dge:municipality ?m }
} GROUP BY ?deployment"""
    )
    identifiers, municipalities = {}, {}
    for deployment, identifier, municipality in _tsv_rows(store, query):
        node = parse_key(deployment)
        identifiers[node] = _plain(identifier) if identifier else None
        municipalities[node] = str.__new__(URIRef, _plain(municipality)) if municipality else None
    labels_result = store.query(
        sparql_prefixes()
        + """SELECT ?m (COALESCE(MIN(STR(?pref)), MIN(STR(?label))) AS ?name) WHERE {
  { SELECT DISTINCT ?m WHERE { ?d dge:municipality ?m } }
  OPTIONAL { ?m skos:prefLabel ?pref FILTER(LANG(?pref) IN ("nl", "")) }
  OPTIONAL { ?m rdfs:label ?label FILTER(LANG(?label) IN ("nl", "")) }
} GROUP BY ?m"""
    )
    labels = {row["m"]: str(row["name"]) for row in labels_result.rows if "name" in row}
    return DeploymentIndex(identifiers, municipalities, labels)


def check_municipality_code(store: Store, code: str) -> URIRef:
    """The IRI of a municipality given its CBS code (``GM0363``); raises ``ValidationError`` if unknown."""
    import re

    if not re.fullmatch(r"GM\d{4}", code):
        raise ValidationError(f"--municipality {code!r}: expected a CBS code like GM0363")
    iri = id_iri("municipality", code)
    known = store.query(
        "ASK { { ?m ?p ?o } UNION { ?s ?q ?m } }", substitutions={"m": iri}
    )
    if not known:
        raise ValidationError(f"--municipality {code}: no municipality with this code in the store")
    return iri


# --------------------------------------------------------------------------------------------------------------
# the whole run


def findings_from(
    violations: Iterable[tuple[URIRef, URIRef]],
    shapes: ShapeSet,
    parameters: Parameters,
    info: Mapping[URIRef, RequirementInfo],
    index: DeploymentIndex | None = None,
) -> tuple[Finding, ...]:
    by_shape = {r.shape: r for r in shapes.rules}
    findings = []
    for focus, shape in violations:
        rule = by_shape[shape]
        findings.append(
            Finding(
                deployment=focus,
                rule_id=rule.rule_id,
                requirement=rule.requirement,
                severity=rule.severity_name,
                message_nl=rule.message_nl,
                message_en=rule.message_en,
                applies_from=rule.start(parameters),
                legal_source=info.get(rule.requirement, RequirementInfo()).legal_source,
                deployment_id=index.identifiers.get(focus) if index else None,
                municipality=index.municipalities.get(focus) if index else None,
                shape=shape,
                constraint_component=rule.constraint_component,
            )
        )
    # The order of ``sorted(findings)`` (deployment, then rule id), with each distinct deployment compared once
    # instead of once per finding comparison.
    deployments = {f.deployment for f in findings}
    # IRIs sort as their strings; sorting plain strings spares rdflib's Python-level comparisons
    order = sorted(deployments, key=str) if all(type(d) is URIRef for d in deployments) else sorted(deployments)
    rank = {d: i for i, d in enumerate(order)}
    return tuple(sorted(findings, key=lambda f: (rank[f.deployment], f.rule_id)))


def validate_store(
    store: Store,
    parameters: Parameters,
    *,
    engine: str | None = None,
    municipality: URIRef | None = None,
    shapes: ShapeSet | None = None,
    now: dt.datetime | None = None,
    table_cache=None,
    decide: bool = False,
    explain: bool = True,
) -> ValidationReport:
    """Run every rule shape over the deployments in ``store`` (optionally those of one municipality).

    ``engine`` None: ``default_engine(store)``; ``table_cache``: a ``FactTableCache`` for the table engine.
    The shapes' decisions (held safeguards, derived predicates, applicable rules) are always computed: from the
    fact table with the table engine (``vector_engine.table_decisions``), else by SPARQL
    (``rules.report.shape_decisions``). They give each finding its evidence basis and each deployment its unknown
    decisive facts (``rules.evidence``), and ``store_report`` writes them with the findings. ``decide`` is kept for
    callers. ``explain`` False: findings only (no evidence basis, no unknown facts, and no decisions where they would
    cost a SPARQL pass), for callers that only compare findings across dates (``query.timeline``)."""
    from dge_graph.rules.evidence import finding_bases, unknown_facts
    from dge_graph.rules.report import shape_decisions

    engine = engine or default_engine(store)
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    shapes = shapes or load_shapes()
    resolved = shapes.resolved(parameters)
    if engine == "table":  # one table read serves the findings and the decisions
        from dge_graph.rules.vector_engine import table_decisions
        from dge_graph.rules.vector_engine import table_violations as evaluate

        table = fact_table(store, resolved, shapes.rules, table_cache)
        violations = evaluate(table, resolved, shapes.rules, parameters=parameters)
        decisions = table_decisions(table, resolved, shapes.rules, parameters)
    else:
        violations = engine_violations(engine, store, resolved, shapes.rules, parameters, cache=table_cache)
        decisions = shape_decisions(store, resolved, shapes.rules, parameters) if explain or decide else None
    index = deployment_index(store)
    findings = findings_from(violations, shapes, parameters, requirement_info(store), index)
    in_scope = [d for d, m in index.municipalities.items() if municipality is None or m == municipality]
    if municipality is not None:
        findings = tuple(f for f in findings if f.municipality == municipality)
    # the decisions also explain the findings (evidence basis, unknown facts)
    if explain:
        bases = finding_bases(store, resolved, shapes.rules, findings, decisions.held)
        findings = tuple(replace(f, basis=bases[(f.deployment, f.rule_id)]) for f in findings)
    return ValidationReport(
        parameters=parameters,
        findings=findings,
        deployments_checked=len(in_scope),
        active_rules=tuple(r.rule_id for r in shapes.rules if r.active(parameters)),
        engine=engine,
        generated_at=now or dt.datetime.now(dt.timezone.utc),
        municipality=municipality,
        municipality_labels=dict(index.municipality_labels),
        decisions=decisions,
        unknown_facts=unknown_facts(store, resolved, in_scope, decisions.derived) if explain else {},
    )


def report_graph_name(report: ValidationReport) -> URIRef:
    """``graph/validation/latest`` for a full run, ``graph/validation/municipality/<code>`` for one municipality."""
    from dge_graph.rules.report import result_graph_name

    return result_graph_name(report)


def store_report(store: Store, report: ValidationReport, shapes: ShapeSet | None = None) -> URIRef:
    """Write the compact result (findings, decisions) and, for a full run, the measures; return the result graph.

    A bulk replacement of ``graph/validation/latest`` (or the municipality's graph) and ``graph/validation/measures``
    (``rules.report.store_result``); the full ``sh:ValidationReport`` is ``report.to_graph()``, on demand."""
    from dge_graph.rules.report import shape_decisions, store_result

    decisions = report.decisions
    if decisions is None:
        shapes = shapes or load_shapes()
        decisions = shape_decisions(store, shapes.resolved(report.parameters), shapes.rules, report.parameters)
    return store_result(store, report, decisions)
