"""The table engine: the rule shapes evaluated as NumPy operations over the fact table (``rules/fact_table.py``).

The shapes are the specification; this module gives the SHACL core subset of ``shacl_compile`` (the SPARQL
engine) the same meaning over columns, and refuses anything else with ``ShapeCompileError``:

* a node shape at a level is a boolean array over that level's rows: ``sh:and`` / ``sh:or`` / ``sh:not`` /
  ``sh:node`` combine arrays, ``sh:in`` / ``sh:hasValue`` compare the node itself (RDF term equality), value
  ranges on the node compare its literal (``COALESCE``-like: a value that cannot be compared does not conform);
* a property shape follows its path (IRI or sequence) to value rows and aggregates per focus row: ``sh:hasValue``
  and ``sh:qualifiedValueShape`` / ``sh:qualifiedMinCount 1`` are "some value", value ranges, ``sh:datatype``,
  ``sh:in`` and nested node constraints are "every value", ``sh:minCount 1`` / ``sh:maxCount 0`` count values;
* deactivated shapes conform everywhere; a rule shape yields one result per focus node that does not conform.

Values are decided once per distinct term of a level (a date column of 100,000 rows has a few thousand distinct
dates), then gathered. Shapes are evaluated once per (shape, level) and shared by the rules that refer to them, so
a derived predicate (``derived:HR``) or a held safeguard (``holds:dpia``) costs one evaluation per run.

``table_violations`` is the engine's interface to ``validate.py``; ``held_safeguards`` and ``derived_decisions``
expose per deployment which safeguard types are held at the evaluation date and which derived predicates hold.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping

import numpy as np
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import DGE, ID, SH, XSD
from dge_graph.rules.compile import (
    NODE_PARAMETERS,
    PROPERTY_PARAMETERS,
    ShapeCompileError,
    ShapeReader,
    kept_with,
)
from dge_graph.rules.fact_table import ROOT, FactTable, Level, ReadPlan, term_key

_COMPARISONS = {
    SH.minInclusive: lambda a, b: a >= b,
    SH.maxInclusive: lambda a, b: a <= b,
    SH.minExclusive: lambda a, b: a > b,
    SH.maxExclusive: lambda a, b: a < b,
}
_NUMERIC = frozenset(
    XSD[t]
    for t in (
        "integer decimal float double int long short byte nonNegativeInteger nonPositiveInteger positiveInteger "
        "negativeInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
)
DERIVED_PREFIX = f"{ID}shape/derived/"


def _comparable(term: Node):
    """A key under which literals compare as SPARQL's ``<`` does for the types the shapes use, or None."""
    if not isinstance(term, Literal) or term.language is not None:
        return None
    datatype = term.datatype or XSD.string
    value = term.toPython()
    if datatype in _NUMERIC:
        if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
            return ("number", value)
        return None
    if datatype == XSD.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ("date", value)
    if datatype == XSD.dateTime and isinstance(value, dt.datetime):
        return ("dateTime", value) if value.tzinfo is not None else ("dateTime-local", value)
    if datatype == XSD.string:
        return ("string", str(term))
    if datatype == XSD.boolean and isinstance(value, bool):
        return ("boolean", value)
    return None


def compare(value: Node, bound: Literal, predicate: URIRef) -> bool:
    """``value <op> bound`` for a value range parameter; False when the two cannot be compared."""
    left, right = _comparable(value), _comparable(bound)
    if left is None or right is None or left[0] != right[0]:
        return False
    try:
        return bool(_COMPARISONS[predicate](left[1], right[1]))
    except TypeError:
        return False


class ShapeReading:
    """What evaluators read from one resolved shapes graph with rdflib, kept so that later evaluators over the same
    graph (the decisions after the findings, every incremental re-validation) do not read it again."""

    def __init__(self) -> None:
        self.objects: dict[tuple[Node, URIRef], list[Node]] = {}
        self.members: dict[tuple[Node, Node], list[Node]] = {}
        self.deactivated: dict[Node, bool] = {}
        self.checked: set[tuple[Node, frozenset]] = set()
        self.paths: dict[Node, tuple[URIRef, ...]] = {}


class TableEvaluator(ShapeReader):
    """Conformance of the rows of a fact table to the shapes of one parameter-resolved shapes graph.

    ``rows`` (focus rows) limits the evaluation to some deployments (incremental re-validation); every level below
    is then limited to the nodes reached from them. Results are memoised per (shape, level)."""

    def __init__(self, table: FactTable, resolved: Graph, rows: np.ndarray | None = None):
        super().__init__(resolved)
        # a frozen (parameter-resolved) shapes graph keeps one reading for every evaluator over it
        self.reading = kept_with(resolved, ("shape-reading",), ShapeReading)
        self.table = table
        self.rows = table.live_rows() if rows is None else np.asarray(rows, dtype=np.int64)
        self._scopes: dict[Level, np.ndarray] = {ROOT: self.rows}
        self._edges: dict[tuple[Level, URIRef], tuple[np.ndarray, np.ndarray]] = {}
        self._memo: dict[tuple[Node, Level], np.ndarray] = {}
        self._term_tests: dict[tuple, np.ndarray] = {}
        self._positions: dict[Level, np.ndarray] = {}
        self._objects = self.reading.objects

    # ---- scopes: the rows of each level under evaluation -----------------------------------------------------

    def scope(self, level: Level) -> np.ndarray:
        rows = self._scopes.get(level)
        if rows is None:
            parent, predicate = level[:-1], level[-1]
            _owner, values = self.edges(parent, predicate)
            rows = self._scopes[level] = np.unique(values).astype(np.int64)
        return rows

    def edges(self, level: Level, predicate: URIRef) -> tuple[np.ndarray, np.ndarray]:
        """(position in the level's scope, value row) for every value of ``predicate`` of the scope's rows."""
        key = (level, predicate)
        found = self._edges.get(key)
        if found is None:
            relation = self.table.relations.get(key)
            if relation is None:
                raise ShapeCompileError(f"the fact table has no column for {predicate} at {level or 'the focus'}")
            found = self._edges[key] = relation.gather(self.scope(level))
        return found

    def positions(self, level: Level, value_rows: np.ndarray) -> np.ndarray:
        """Positions of value rows in the scope of their level (the scope contains them)."""
        dense = self._positions.get(level)
        if dense is None:
            scope = self.scope(level)
            dense = self._positions[level] = np.full(len(self.table.levels[level]), -1, dtype=np.int64)
            dense[scope] = np.arange(len(scope), dtype=np.int64)
        return dense[value_rows]

    def objects(self, shape: Node, predicate: URIRef) -> list[Node]:
        key = (shape, predicate)
        found = self._objects.get(key)
        if found is None:
            found = self._objects[key] = super().objects(shape, predicate)
        return found

    def members(self, shape: Node, head: Node) -> list[Node]:
        key = (shape, head)
        found = self.reading.members.get(key)
        if found is None:
            found = self.reading.members[key] = super().members(shape, head)
        return found

    def is_deactivated(self, shape: Node) -> bool:
        found = self.reading.deactivated.get(shape)
        if found is None:
            found = self.reading.deactivated[shape] = super().is_deactivated(shape)
        return found

    def check_parameters(self, shape: Node, allowed: frozenset) -> None:
        if (shape, allowed) not in self.reading.checked:
            super().check_parameters(shape, allowed)
            self.reading.checked.add((shape, allowed))

    def path_steps(self, shape: Node) -> tuple[URIRef, ...]:
        found = self.reading.paths.get(shape)
        if found is None:
            found = self.reading.paths[shape] = super().path_steps(shape)
        return found

    def path_edges(self, level: Level, steps: tuple[URIRef, ...]) -> tuple[np.ndarray, np.ndarray, Level]:
        """(position in ``level``'s scope, value row, value level) along a sequence path."""
        owner, values = self.edges(level, steps[0])
        current = (*level, steps[0])
        for step in steps[1:]:
            next_owner, next_values = self.edges(current, step)
            # join: each (owner, v) with the values of v at the next step; next_owner is sorted (gather order)
            positions = self.positions(current, values)
            counts = np.bincount(next_owner, minlength=len(self.scope(current)))
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            per_edge = counts[positions]
            total = int(per_edge.sum())
            offsets = np.cumsum(per_edge) - per_edge
            index = np.arange(total, dtype=np.int64) - np.repeat(offsets, per_edge) + np.repeat(starts[positions],
                                                                                                 per_edge)
            owner, values = np.repeat(owner, per_edge), next_values[index]
            current = (*current, step)
        return owner, values, current

    # ---- tests of terms (per distinct term of a level) -------------------------------------------------------

    def term_test(self, level: Level, kind: str, argument, test) -> np.ndarray:
        """A boolean per row of the level (all its rows, not only the scope): ``test(term)``, cached."""
        key = (level, kind, argument)
        found = self._term_tests.get(key)
        nodes = self.table.levels[level]
        if found is None or len(found) != len(nodes):
            found = self._term_tests[key] = np.fromiter((test(t) for t in nodes.terms()), dtype=bool,
                                                        count=len(nodes))
        return found

    def equals(self, level: Level, constant: Node) -> np.ndarray:
        """Per row of the level: is the node the term ``constant`` (RDF term equality)?"""
        nodes = self.table.levels[level]
        if isinstance(constant, URIRef):  # IRIs have one form: no need to parse the level's terms
            out = np.zeros(len(nodes), dtype=bool)
            out[nodes.rows_of_key(term_key(constant))] = True
            return out
        if not isinstance(constant, Literal):
            raise ShapeCompileError(f"a blank node cannot be used as a constant in a constraint: {constant!r}")
        return self.term_test(level, "equals", constant, lambda t: isinstance(t, Literal) and t == constant)

    # ---- node shapes -----------------------------------------------------------------------------------------

    def conforms(self, shape: Node, level: Level = ROOT, stack: tuple[Node, ...] = ()) -> np.ndarray:
        """For each row of the level's scope: does the node conform to ``shape``?"""
        memo_key = (shape, level)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        if shape in stack:
            raise ShapeCompileError(f"shape {shape} refers to itself (recursive shapes are not supported)")
        size = len(self.scope(level))
        if self.is_deactivated(shape):
            result = np.ones(size, dtype=bool)
        else:
            if (shape, SH.path, None) in self.shapes:
                raise ShapeCompileError(f"{shape} is a property shape where a node shape was expected")
            self.check_parameters(shape, NODE_PARAMETERS)
            stack = (*stack, shape)
            result = np.ones(size, dtype=bool)
            for part in self.value_constraints(shape, level, stack):
                result &= part
            rows = self.scope(level)
            for value in self.objects(shape, SH.hasValue):
                result &= self.equals(level, value)[rows]
            for predicate in _COMPARISONS:
                for bound in self.objects(shape, predicate):
                    result &= self.range_test(shape, level, predicate, bound)[rows]
            for prop in self.objects(shape, SH.property):
                result &= self.property_conforms(prop, level, stack)
        self._memo[memo_key] = result
        return result

    def range_test(self, shape: Node, level: Level, predicate: URIRef, bound: Node) -> np.ndarray:
        if not isinstance(bound, Literal):
            raise ShapeCompileError(f"shape {shape}: {predicate} needs a literal, found {bound}")
        return self.term_test(level, predicate, bound, lambda t: compare(t, bound, predicate))

    def value_constraints(self, shape: Node, level: Level, stack: tuple[Node, ...]) -> list[np.ndarray]:
        """The constraints of ``shape`` that test one node (shared by node shapes and per-value checks)."""
        parts = [self.conforms(target, level, stack) for target in self.objects(shape, SH.node)]
        for head in self.objects(shape, SH["and"]):
            members = [self.conforms(m, level, stack) for m in self.members(shape, head)]
            parts.append(np.logical_and.reduce(members) if members else np.ones(len(self.scope(level)), bool))
        for head in self.objects(shape, SH["or"]):
            members = [self.conforms(m, level, stack) for m in self.members(shape, head)]
            parts.append(np.logical_or.reduce(members) if members else np.zeros(len(self.scope(level)), bool))
        for target in self.objects(shape, SH["not"]):
            parts.append(~self.conforms(target, level, stack))
        rows = self.scope(level)
        for head in self.objects(shape, SH["in"]):
            allowed = np.zeros(len(self.table.levels[level]), dtype=bool)
            for member in self.members(shape, head):
                allowed |= self.equals(level, member)
            parts.append(allowed[rows])
        return parts

    # ---- property shapes -------------------------------------------------------------------------------------

    def property_conforms(self, shape: Node, level: Level, stack: tuple[Node, ...]) -> np.ndarray:
        size = len(self.scope(level))
        if self.is_deactivated(shape):
            return np.ones(size, dtype=bool)
        if (shape, SH.property, None) in self.shapes:  # its focus nodes would be the values: refused, as in compile.py
            raise ShapeCompileError(f"property shape {shape} has a nested sh:property, which the table engine does "
                                    "not support (wrap it in sh:node)")
        self.check_parameters(shape, PROPERTY_PARAMETERS)
        owner, values, value_level = self.path_edges(level, self.path_steps(shape))
        result = np.ones(size, dtype=bool)

        def some(edge_ok: np.ndarray) -> np.ndarray:
            out = np.zeros(size, dtype=bool)
            out[owner[edge_ok]] = True
            return out

        def every(edge_ok: np.ndarray) -> np.ndarray:
            out = np.ones(size, dtype=bool)
            out[owner[~edge_ok]] = False
            return out

        for value in self.objects(shape, SH.hasValue):
            result &= some(self.equals(value_level, value)[values])
        min_count = self.single(shape, SH.minCount)
        if min_count is not None:
            if min_count.toPython() != 1:
                raise ShapeCompileError(f"property shape {shape}: only sh:minCount 1 is supported")
            result &= some(np.ones(len(values), dtype=bool))
        max_count = self.single(shape, SH.maxCount)
        if max_count is not None:
            if max_count.toPython() != 0:
                raise ShapeCompileError(f"property shape {shape}: only sh:maxCount 0 is supported")
            result &= every(np.zeros(len(values), dtype=bool))
        for predicate in _COMPARISONS:
            for bound in self.objects(shape, predicate):
                result &= every(self.range_test(shape, value_level, predicate, bound)[values])
        for datatype in self.objects(shape, SH.datatype):
            test = self.term_test(value_level, "datatype", datatype,
                                  lambda t: isinstance(t, Literal) and not t.ill_typed and datatype == (
                                      t.datatype or URIRef(f"{RDF_NS}langString" if t.language else XSD.string)))
            result &= every(test[values])
        per_value = self.value_constraints(shape, value_level, stack)
        if per_value:
            ok = np.logical_and.reduce(per_value) if len(per_value) > 1 else per_value[0]
            result &= every(ok[self.positions(value_level, values)])
        qualified = self.single(shape, SH.qualifiedValueShape)
        if qualified is not None:
            minimum = self.single(shape, SH.qualifiedMinCount)
            if minimum is None or minimum.toPython() != 1:
                raise ShapeCompileError(f"property shape {shape}: only sh:qualifiedMinCount 1 is supported")
            ok = self.conforms(qualified, value_level, stack)
            result &= some(ok[self.positions(value_level, values)])
        elif (shape, SH.qualifiedMinCount, None) in self.shapes:
            raise ShapeCompileError(f"property shape {shape}: sh:qualifiedMinCount without sh:qualifiedValueShape")
        return result


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


# --------------------------------------------------------------------------------------------------------------
# the engine's interface


def read_plan(shapes: Graph, rules: Iterable) -> ReadPlan:
    """What the fact table must hold for these shapes (the parameter-resolved or the written shapes graph)."""
    rule_shapes = tuple(r.shape for r in rules)
    return kept_with(shapes, ("read-plan", rule_shapes), lambda: ReadPlan.from_shapes(shapes, rule_shapes))


def rule_results(table: FactTable, resolved: Graph, rules: Iterable, rows: np.ndarray | None = None,
                 parameters=None) -> dict[URIRef, np.ndarray]:
    """For each active rule shape: the focus rows (of ``rows``, default all live rows) that do not conform."""
    evaluator = TableEvaluator(table, resolved, rows)
    found = {}
    for rule in rules:
        active = rule.active(parameters) if parameters is not None else \
            (rule.shape, SH.deactivated, Literal(True)) not in resolved
        if not active or evaluator.is_deactivated(rule.shape):
            continue
        targets = list(evaluator.shapes.objects(rule.shape, SH.targetClass))
        in_target = table.target_mask(evaluator.rows, targets)
        failing = in_target & ~evaluator.conforms(rule.shape)
        found[rule.shape] = evaluator.rows[failing]
    return found


def table_violations(table: FactTable, resolved: Graph, rules: Iterable, rows: np.ndarray | None = None,
                     parameters=None) -> set[tuple[Node, URIRef]]:
    """(focus node, rule shape) for every active rule a focus node does not conform to (as ``sparql_violations``)."""
    out = set()
    for shape, failing in rule_results(table, resolved, rules, rows, parameters).items():
        out.update((node, shape) for node in table.focus_nodes(failing.tolist()))
    return out


def held_safeguards(table: FactTable, resolved: Graph, rows: np.ndarray | None = None) -> Mapping[URIRef, np.ndarray]:
    """Safeguard type -> for each focus row of ``rows``: is a safeguard of that type held at the evaluation date
    (the ``holds:*`` shapes, those with ``dge:safeguardType``)?"""
    evaluator = TableEvaluator(table, resolved, rows)
    return {
        sgt: evaluator.conforms(shape)
        for shape, sgt in sorted(resolved.subject_objects(DGE.safeguardType), key=lambda so: str(so[1]))
        if isinstance(shape, URIRef)
    }


def derived_decisions(table: FactTable, resolved: Graph, rows: np.ndarray | None = None) -> Mapping[URIRef, np.ndarray]:
    """Derived predicate shape (``derived:HR``, ``derived:DPIA_REQ``, ...) -> does it hold, per focus row?"""
    evaluator = TableEvaluator(table, resolved, rows)
    shapes = sorted({s for s in resolved.subjects(None, None) if isinstance(s, URIRef)
                     and str(s).startswith(DERIVED_PREFIX)}, key=str)
    return {shape: evaluator.conforms(shape) for shape in shapes}


def table_decisions(table: FactTable, resolved: Graph, rules: Iterable, parameters,
                    rows: np.ndarray | None = None):
    """The shapes' decisions (``rules.report.ShapeDecisions``) from the fact table: what ``report.shape_decisions``
    computes with SPARQL, from the same ``holds:*``, ``derived:*`` and condition shapes, for the focus rows ``rows``
    (default: all live rows). Held claims are the safeguard instances (IRIs) of a deployment that have the type of
    a ``holds:*`` shape and conform to its qualified value shape."""
    from dge_graph.rules.report import ShapeDecisions, claim_shape, derived_shapes, holds_shapes

    evaluator = TableEvaluator(table, resolved, rows)
    deployments = table.target_mask(evaluator.rows, [DGE.Deployment])
    focus = table.focus.keys
    scope = evaluator.rows

    def nodes(mask: np.ndarray) -> frozenset[URIRef]:
        return frozenset(str.__new__(URIRef, focus[r][1:-1]) for r in scope[mask & deployments].tolist()
                         if focus[r].startswith("<"))

    held: dict[URIRef, set[URIRef]] = {}
    claims: set[URIRef] = set()
    claim_level: Level = (DGE.hasSafeguard,)
    for shape, safeguard_type in holds_shapes(resolved).items():
        for deployment in nodes(evaluator.conforms(shape)):
            held.setdefault(deployment, set()).add(safeguard_type)
        if (claim_level, DGE.safeguardType) not in table.relations:
            continue
        conforming = evaluator.conforms(claim_shape(resolved, shape), claim_level)
        owner, values = evaluator.edges(claim_level, DGE.safeguardType)
        typed = np.zeros(len(conforming), dtype=bool)
        typed[owner[evaluator.equals((*claim_level, DGE.safeguardType), safeguard_type)[values]]] = True
        # a claim counts when a deployment (not only some other focus node) has it
        owner_of_claim, claim_rows = evaluator.edges(ROOT, DGE.hasSafeguard)
        reached = np.zeros(len(conforming), dtype=bool)
        reached[evaluator.positions(claim_level, claim_rows[deployments[owner_of_claim]])] = True
        keys = table.levels[claim_level].keys
        claim_scope = evaluator.scope(claim_level)
        claims.update(str.__new__(URIRef, keys[r][1:-1]) for r in claim_scope[conforming & typed & reached].tolist()
                      if keys[r].startswith("<"))
    derived = {shape: nodes(evaluator.conforms(shape)) for shape in derived_shapes(resolved)}
    applicable = {rule.requirement: nodes(evaluator.conforms(rule.condition))
                  for rule in rules if rule.active(parameters)}
    return ShapeDecisions(held={d: frozenset(t) for d, t in held.items()}, held_claims=frozenset(claims),
                          derived=derived, applicable=applicable)
