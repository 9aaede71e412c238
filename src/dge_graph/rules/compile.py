"""The fast path: compile SHACL *core* node shapes into SPARQL 1.1 and run them on any ``Store``.

pyshacl is the reference engine (``validate.py``); this compiler is *exact or refuses*: anything outside the
supported subset of SHACL core is a ``ShapeCompileError`` naming the shape and the term, so a shape that this module
cannot translate faithfully never runs with a different meaning. The W3C SHACL core suite holds it to that
(``tests/shared/test_shacl_core_shared.py``; the supported constructs and the case counts are in docs/checks.md).

Supported (SHACL 1.0 §2, §4): every target form (``focus_pattern``); IRI, sequence, inverse, alternative and
zero-or-more/one-or-more/zero-or-one paths (SPARQL property paths); ``sh:and``, ``sh:or``, ``sh:not``, ``sh:xone``,
``sh:node``, ``sh:property`` (in node shapes), ``sh:deactivated``; ``sh:class``, ``sh:datatype`` (well-formedness
by a cast where SPARQL can decide it, refused otherwise), ``sh:nodeKind``, ``sh:in``, ``sh:hasValue``, value ranges,
``sh:minLength``/``sh:maxLength``, ``sh:pattern``, ``sh:languageIn``; ``sh:minCount``/``sh:maxCount`` up to
``_MAX_COUNTED`` values; ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount 1``; ``sh:equals``, ``sh:disjoint``,
``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:uniqueLang`` on property shapes; ``sh:closed``. The table engine
(``rules/vector_engine.py``) shares ``ShapeReader`` and supports only the part the project's shapes use
(``NODE_PARAMETERS``/``PROPERTY_PARAMETERS``, IRI and sequence paths).

Each construct becomes a boolean SPARQL expression "the node in ``?v`` conforms", built from ``EXISTS`` /
``NOT EXISTS`` groups; a rule shape becomes ``SELECT ?focus WHERE { ?focus a <target> FILTER(!conforms) }``.
Value comparisons follow SHACL: a value that cannot be compared (wrong datatype) is a violation, hence
``COALESCE(?v >= L, false)``. The only terms written into the query text are IRIs and literals *of the shapes
graph* (checked and serialised by rdflib), never user input; evaluation dates reach the query as literals of the
parameter-resolved shapes graph (see ``validate.resolve_shapes``).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from dge_graph.kernel.namespaces import RDF, RDFS, SH

# Node-level and property-level constraint parameters this compiler understands; any other ``sh:`` predicate on a
# shape is refused.
_VALUE_RANGE_PARAMETERS = frozenset({SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive})
_NODE_PARAMETERS = frozenset(
    {SH["and"], SH["or"], SH["not"], SH.node, SH.property, SH["in"], SH.hasValue}
) | _VALUE_RANGE_PARAMETERS
_PROPERTY_PARAMETERS = _NODE_PARAMETERS | frozenset(
    {
        SH.path,
        SH.minCount,
        SH.maxCount,
        SH.datatype,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
    }
)
# ``sh:`` terms that carry no constraint (targets, annotations, severity).
_NON_CONSTRAINTS = frozenset(
    {
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.severity,
        SH.message,
        SH.deactivated,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
    }
)
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
NODE_PARAMETERS = _NODE_PARAMETERS
PROPERTY_PARAMETERS = _PROPERTY_PARAMETERS
VALUE_RANGE_PARAMETERS = _VALUE_RANGE_PARAMETERS
"""The constraint parameters both compilers (SPARQL here, the table engine in ``rules/vector_engine.py``) support."""

# What only the SPARQL compiler supports (the general SHACL core subset, run by the W3C suite):
# value tests of one node, at node level and for every value of a property shape,
_VALUE_TEST_PARAMETERS = frozenset(
    {SH["class"], SH.nodeKind, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.xone}
)
# and what compares the values of a property shape with each other or with another property of the focus node.
_VALUE_SET_PARAMETERS = frozenset({SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.uniqueLang})
_SPARQL_NODE_PARAMETERS = _NODE_PARAMETERS | _VALUE_TEST_PARAMETERS | {SH.datatype, SH.closed, SH.ignoredProperties}
_SPARQL_PROPERTY_PARAMETERS = _PROPERTY_PARAMETERS | _VALUE_TEST_PARAMETERS | _VALUE_SET_PARAMETERS
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_MAX_COUNTED = 8
"""``sh:minCount``/``sh:maxCount`` up to this many values compile to pairwise-distinct variables (exact, no
aggregate inside a FILTER); larger counts are refused."""
_NODE_KINDS = {
    SH.IRI: ("isIRI",),
    SH.BlankNode: ("isBlank",),
    SH.Literal: ("isLiteral",),
    SH.BlankNodeOrIRI: ("isBlank", "isIRI"),
    SH.BlankNodeOrLiteral: ("isBlank", "isLiteral"),
    SH.IRIOrLiteral: ("isIRI", "isLiteral"),
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_CASTABLE = frozenset(f"{_XSD}{t}" for t in "integer decimal double float boolean dateTime date".split())
"""Datatypes whose well-formedness a SPARQL cast decides (SHACL: an ill-formed literal violates sh:datatype)."""
_INTEGER_RANGES = {
    f"{_XSD}{name}": bounds
    for name, bounds in {
        "long": (-(2**63), 2**63 - 1), "int": (-(2**31), 2**31 - 1), "short": (-32768, 32767), "byte": (-128, 127),
        "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 65535),
        "unsignedByte": (0, 255), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
        "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    }.items()
}
"""Integer subtypes: well-formed iff the lexical form casts to ``xsd:integer`` within these bounds."""
_FREE_LEXICAL = frozenset({f"{_XSD}string", str(RDF.langString)})


class ShapeCompileError(ValueError):
    """A shape uses a SHACL feature outside the supported core subset, or is malformed."""


_Compiled = TypeVar("_Compiled")


class FrozenShapesGraph(Graph):
    """A shapes graph that no longer changes once ``freeze`` is called (adding or removing a triple is then a
    ``TypeError``), so that what is compiled from it can be kept with it: ``violation_query``, ``matching_query``
    and ``conformance_expression`` compile each (shape, target classes) once per graph. A parameter-resolved
    shapes graph is one (``validate.resolve_shapes``): every engine and every call of the same reading shares it."""

    def __init__(self) -> None:
        super().__init__(store="SimpleMemory")  # one graph, no contexts: adding and reading are cheaper
        self._frozen = False
        self._compiled: dict[tuple, object] = {}
        self._compiled_lock = threading.Lock()
        self._described: dict[Node, dict[Node, tuple[Node, ...]]] = {}

    def freeze(self) -> FrozenShapesGraph:
        """No more changes; the statements are indexed by subject (the compilers read a shape's statements many
        times: ``objects``, ``predicates`` and ``predicate_objects`` with a subject answer from the index)."""
        described: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in super().triples((None, None, None)):
            described.setdefault(s, {}).setdefault(p, []).append(o)
        self._described = {s: {p: tuple(objects) for p, objects in by_predicate.items()}
                           for s, by_predicate in described.items()}
        self._frozen = True
        return self

    def objects(self, subject=None, predicate=None, unique=False):
        if self._frozen and isinstance(subject, Node) and isinstance(predicate, URIRef):
            return iter(self._described.get(subject, {}).get(predicate, ()))
        return super().objects(subject, predicate, unique)

    def predicates(self, subject=None, object=None, unique=False):  # noqa: A002 (rdflib's name)
        if self._frozen and isinstance(subject, Node) and object is None:  # once per statement, as rdflib
            by_predicate = self._described.get(subject, {})
            if unique:
                return iter(list(by_predicate))
            return iter([p for p, objects in by_predicate.items() for _ in objects])
        return super().predicates(subject, object, unique)

    def predicate_objects(self, subject=None, unique=False):
        if self._frozen and isinstance(subject, Node):
            return iter([(p, o) for p, objects in self._described.get(subject, {}).items() for o in objects])
        return super().predicate_objects(subject, unique)

    def _refuse_when_frozen(self) -> None:
        if self._frozen:
            raise TypeError("a frozen shapes graph cannot change (it keeps the queries compiled from it)")

    def add(self, triple):
        self._refuse_when_frozen()
        return super().add(triple)

    def addN(self, quads):  # noqa: N802 (rdflib's name)
        self._refuse_when_frozen()
        return super().addN(quads)

    def remove(self, triple):
        self._refuse_when_frozen()
        return super().remove(triple)

    def compiled(self, key: tuple, compile_once: Callable[[], _Compiled]) -> _Compiled:
        """``compile_once()``, kept under ``key`` when the graph is frozen (compiled anew while it can change)."""
        if not self._frozen:
            return compile_once()
        with self._compiled_lock:
            if key in self._compiled:
                return self._compiled[key]  # type: ignore[return-value]
        found = compile_once()
        with self._compiled_lock:
            return self._compiled.setdefault(key, found)  # type: ignore[return-value]


def kept_with(shapes: Graph, key: tuple, compile_once: Callable[[], _Compiled]) -> _Compiled:
    """What ``compile_once`` compiles from ``shapes``, kept with a frozen shapes graph (compiled anew otherwise)."""
    if isinstance(shapes, FrozenShapesGraph):
        return shapes.compiled(key, compile_once)
    return compile_once()


@dataclass(frozen=True)
class CompiledShape:
    """One rule shape as SPARQL: ``query`` selects ``?focus`` for every focus node that does not conform."""

    shape: URIRef
    query: str


def _term(node: Node) -> str:
    """A shapes-graph term as SPARQL text (IRIs are checked by rdflib's ``n3``; blank nodes are refused)."""
    if isinstance(node, (URIRef, Literal)):
        return node.n3()
    raise ShapeCompileError(f"a blank node cannot be used as a constant in a constraint: {node!r}")


class ShapeReader:
    """Reads the constraint parameters of shapes, refusing what the compilers do not support (shared by the SPARQL
    compiler here and the table engine, ``rules/vector_engine.py``)."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes

    def objects(self, shape: Node, predicate: URIRef) -> list[Node]:
        return sorted(self.shapes.objects(shape, predicate), key=str)

    def single(self, shape: Node, predicate: URIRef) -> Node | None:
        values = self.objects(shape, predicate)
        if len(values) > 1:
            raise ShapeCompileError(f"shape {shape} has {len(values)} values of {predicate}; expected one")
        return values[0] if values else None

    def members(self, shape: Node, head: Node) -> list[Node]:
        if head != RDF.nil and (head, RDF.first, None) not in self.shapes:
            raise ShapeCompileError(f"shape {shape}: {head} is not an RDF list")
        return list(Collection(self.shapes, head))

    def is_deactivated(self, shape: Node) -> bool:
        return any(v == Literal(True) for v in self.shapes.objects(shape, SH.deactivated))

    def check_parameters(self, shape: Node, allowed: frozenset) -> None:
        for predicate in set(self.shapes.predicates(shape, None)):
            if str(predicate).startswith(str(SH)) and predicate not in allowed and predicate not in _NON_CONSTRAINTS:
                raise ShapeCompileError(f"shape {shape} uses {predicate}, which the SPARQL compiler does not support")

    def constraint_items(self, shape: Node) -> list[tuple[URIRef, Node]]:
        """The constraint-bearing ``sh:`` statements of a shape (no targets, annotations or severities)."""
        return [
            (p, o)
            for p, o in self.shapes.predicate_objects(shape)
            if str(p).startswith(str(SH)) and p not in _NON_CONSTRAINTS
        ]

    def path_steps(self, shape: Node) -> tuple[URIRef, ...]:
        """The predicates of a property shape's ``sh:path``: one for an IRI path, several for a sequence path."""
        path = self.single(shape, SH.path)
        if isinstance(path, URIRef):
            return (path,)
        if isinstance(path, BNode) and (path, RDF.first, None) in self.shapes:
            steps = self.members(shape, path)
            if steps and all(isinstance(s, URIRef) for s in steps):
                return tuple(steps)
        raise ShapeCompileError(f"property shape {shape}: only IRI and sequence paths are supported")


class _Compiler(ShapeReader):
    def __init__(self, shapes: Graph):
        super().__init__(shapes)
        self._counter = itertools.count()

    def fresh(self) -> str:
        return f"?v{next(self._counter)}"

    # ---- node level -------------------------------------------------------------------------------------------

    def node_expr(self, shape: Node, var: str, stack: tuple[Node, ...] = ()) -> str:
        """A SPARQL expression that is true iff the node in ``var`` conforms to ``shape``."""
        if shape in stack:
            raise ShapeCompileError(f"shape {shape} refers to itself (recursive shapes are not supported)")
        if self.is_deactivated(shape):
            return "true"
        stack = (*stack, shape)
        if (shape, SH.path, None) in self.shapes:
            raise ShapeCompileError(f"{shape} is a property shape where a node shape was expected")
        self.check_parameters(shape, _SPARQL_NODE_PARAMETERS)
        parts = self.value_constraints(shape, var, stack)
        parts += self.value_tests(shape, var) + self.node_tests(shape, var)
        parts += [f"sameTerm({var}, {_term(v)})" for v in self.objects(shape, SH.hasValue)]
        for predicate, operator in _COMPARISONS.items():  # value range on the node itself (e.g. a qualified value)
            for bound in self.objects(shape, predicate):
                if not isinstance(bound, Literal):
                    raise ShapeCompileError(f"shape {shape}: {predicate} needs a literal, found {bound}")
                parts.append(f"COALESCE({var} {operator} {_term(bound)}, false)")
        parts += [self.property_expr(p, var, stack) for p in self.objects(shape, SH.property)]
        return _conjunction(parts)

    def value_constraints(self, shape: Node, var: str, stack: tuple[Node, ...]) -> list[str]:
        """Constraints that test one value node (shared by node shapes and the per-value part of property shapes)."""
        parts = []
        for target in self.objects(shape, SH.node):
            parts.append(self.node_expr(target, var, stack))
        for head in self.objects(shape, SH["and"]):
            parts.append(_conjunction([self.node_expr(m, var, stack) for m in self.members(shape, head)]))
        for head in self.objects(shape, SH["or"]):
            parts.append(_disjunction([self.node_expr(m, var, stack) for m in self.members(shape, head)]))
        for target in self.objects(shape, SH["not"]):
            parts.append(_negation(self.node_expr(target, var, stack)))
        for head in self.objects(shape, SH["in"]):
            parts.append(_disjunction([f"sameTerm({var}, {_term(m)})" for m in self.members(shape, head)]))
        for head in self.objects(shape, SH.xone):
            counted = [f"IF({self.node_expr(m, var, stack)}, 1, 0)" for m in self.members(shape, head)]
            parts.append(f"({' + '.join(counted) or '0'}) = 1")
        return parts

    def value_tests(self, shape: Node, var: str) -> list[str]:
        """Tests of one value node that need no other triples but its type (sh:class): shared by node shapes and
        the "every value" part of property shapes."""
        parts = []
        for cls in self.objects(shape, SH["class"]):
            parts.append(f"EXISTS {{ {var} {_term(RDF.type)}/{_term(RDFS.subClassOf)}* {_term(cls)} }}")
        for kind in self.objects(shape, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise ShapeCompileError(f"shape {shape}: unknown sh:nodeKind {kind}")
            parts.append(_disjunction([f"{test}({var})" for test in _NODE_KINDS[kind]]))
        for predicate, operator in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for bound in self.objects(shape, predicate):
                if not isinstance(bound, Literal) or not isinstance(bound.toPython(), int):
                    raise ShapeCompileError(f"shape {shape}: {predicate} needs an integer, found {bound}")
                parts.append(f"COALESCE(!isBlank({var}) && STRLEN(STR({var})) {operator} {int(bound)}, false)")
        flags = self.single(shape, SH.flags)
        for pattern in self.objects(shape, SH.pattern):
            if not isinstance(pattern, Literal) or (flags is not None and not isinstance(flags, Literal)):
                raise ShapeCompileError(f"shape {shape}: sh:pattern and sh:flags need literals")
            arguments = f"STR({var}), {Literal(str(pattern)).n3()}"
            if flags is not None:
                arguments += f", {Literal(str(flags)).n3()}"
            parts.append(f"COALESCE(!isBlank({var}) && REGEX({arguments}), false)")
        for head in self.objects(shape, SH.languageIn):
            tags = [f"langMatches(lang({var}), {Literal(str(t)).n3()})" for t in self.members(shape, head)]
            parts.append(f"COALESCE({_disjunction(tags)}, false)")
        return parts

    def datatype_test(self, shape: Node, datatype: Node, var: str) -> str:
        """``var`` is a well-formed literal of ``datatype`` (SHACL §4.1.2: an ill-formed literal violates)."""
        if not isinstance(datatype, URIRef):
            raise ShapeCompileError(f"shape {shape}: sh:datatype needs an IRI, found {datatype}")
        test = f"isLiteral({var}) && sameTerm(datatype({var}), {_term(datatype)})"
        iri = str(datatype)
        if iri in _CASTABLE:
            return f"({test} && COALESCE(isLiteral({_term(datatype)}(STR({var}))), false))"
        if iri in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[iri]
            integer = f"{_term(URIRef(_XSD + 'integer'))}(STR({var}))"
            bounds = [f"{integer} >= {low}" if low is not None else None,
                      f"{integer} <= {high}" if high is not None else None]
            return f"({test} && COALESCE({' && '.join(b for b in bounds if b)}, false))"
        if iri.startswith(_XSD) or iri.startswith(str(RDF)):
            if iri not in _FREE_LEXICAL:
                raise ShapeCompileError(f"shape {shape}: the well-formedness of {datatype} literals (sh:datatype) "
                                        "cannot be decided in SPARQL")
        return f"({test})"

    def node_tests(self, shape: Node, var: str) -> list[str]:
        """Node-shape-only tests: sh:datatype of the node itself and sh:closed."""
        parts = [self.datatype_test(shape, d, var) for d in self.objects(shape, SH.datatype)]
        closed = self.single(shape, SH.closed)
        if closed is not None and closed.toPython() is True:
            allowed = []
            for prop in self.objects(shape, SH.property):
                path = self.single(prop, SH.path)
                if isinstance(path, URIRef):
                    allowed.append(path)
            for head in self.objects(shape, SH.ignoredProperties):
                allowed += self.members(shape, head)
            p, o = self.fresh(), self.fresh()
            listed = f" FILTER({p} NOT IN ({', '.join(_term(a) for a in allowed)}))" if allowed else ""
            parts.append(f"NOT EXISTS {{ {var} {p} {o}{listed} }}")
        elif (shape, SH.ignoredProperties, None) in self.shapes and closed is None:
            raise ShapeCompileError(f"shape {shape}: sh:ignoredProperties without sh:closed")
        return parts

    # ---- patterns: the parts of a conjunction that can be matched as triples ----------------------------------

    def exact_triple(self, shape: Node, focus: str) -> str | None:
        """``focus path value`` when a property shape is just ``sh:path`` + one ``sh:hasValue`` (then the triple
        pattern matches exactly the conforming focus nodes)."""
        if self.is_deactivated(shape):
            return None
        items = self.constraint_items(shape)
        predicates = sorted(p for p, _ in items)
        if predicates != sorted([SH.path, SH.hasValue]):
            return None
        return f"{focus} {self.path(shape)} {_term(self.single(shape, SH.hasValue))} ."

    def exact_membership(self, shape: Node, focus: str) -> str | None:
        """``focus path ?v . VALUES ?v { … }`` when a property shape is just "some value in this list"
        (``sh:qualifiedValueShape [ sh:in (…) ]`` with ``sh:qualifiedMinCount 1``)."""
        if self.is_deactivated(shape):
            return None
        predicates = sorted(p for p, _ in self.constraint_items(shape))
        if predicates != sorted([SH.path, SH.qualifiedValueShape, SH.qualifiedMinCount]):
            return None
        qualified = self.single(shape, SH.qualifiedValueShape)
        if self.single(shape, SH.qualifiedMinCount).toPython() != 1 or self.is_deactivated(qualified):
            return None
        inner = self.constraint_items(qualified)
        if len(inner) != 1 or inner[0][0] != SH["in"]:
            return None
        v = self.fresh()
        values = " ".join(_term(m) for m in self.members(qualified, inner[0][1]))
        return f"{focus} {self.path(shape)} {v} . VALUES {v} {{ {values} }}"

    def split(self, shape: Node, var: str, stack: tuple[Node, ...] = ()) -> tuple[list[str], str]:
        """Conformance to a node shape as (triple patterns, FILTER expression): with ``var`` bound, the node
        conforms iff the patterns match and the expression is true. The patterns let the store use its indexes
        instead of evaluating one ``EXISTS`` per candidate."""
        if shape in stack:
            raise ShapeCompileError(f"shape {shape} refers to itself (recursive shapes are not supported)")
        if self.is_deactivated(shape):
            return [], "true"
        if (shape, SH.path, None) in self.shapes:
            raise ShapeCompileError(f"{shape} is a property shape where a node shape was expected")
        self.check_parameters(shape, _SPARQL_NODE_PARAMETERS)
        stack = (*stack, shape)
        patterns: list[str] = []
        rest: list[str] = []
        members = list(self.objects(shape, SH.node))
        for head in self.objects(shape, SH["and"]):
            members += self.members(shape, head)
        for member in members:
            more, expression = self.split(member, var, stack)
            patterns += more
            rest.append(expression)
        for head in self.objects(shape, SH["or"]):
            rest.append(_disjunction([self.node_expr(m, var, stack) for m in self.members(shape, head)]))
        for target in self.objects(shape, SH["not"]):
            rest.append(_negation(self.node_expr(target, var, stack)))
        for head in self.objects(shape, SH["in"]):
            rest.append(_disjunction([f"sameTerm({var}, {_term(m)})" for m in self.members(shape, head)]))
        for head in self.objects(shape, SH.xone):
            counted = [f"IF({self.node_expr(m, var, stack)}, 1, 0)" for m in self.members(shape, head)]
            rest.append(f"({' + '.join(counted) or '0'}) = 1")
        rest += self.value_tests(shape, var) + self.node_tests(shape, var)
        rest += [f"sameTerm({var}, {_term(v)})" for v in self.objects(shape, SH.hasValue)]
        for prop in self.objects(shape, SH.property):
            triple = self.exact_triple(prop, var) or self.exact_membership(prop, var)
            if triple is not None:
                patterns.append(triple)
            else:
                rest.append(self.property_expr(prop, var, stack))
        return patterns, _conjunction(rest)

    def violation(self, shape: Node, var: str) -> tuple[list[str], str]:
        """(patterns, expression) matching exactly the nodes that do *not* conform to ``shape``.

        The rule shapes say ``sh:or ( [ sh:not C ] H )`` or ``sh:not C``; their violations are ``C and not H``
        and ``C``, so the condition C becomes triple patterns (``split``) and only the rest stays a FILTER.
        Any other shape is ``FILTER(!conforms)``.
        """
        if self.is_deactivated(shape):
            return [], "false"
        items = self.constraint_items(shape)
        if len(items) == 1 and items[0][0] == SH["not"]:
            return self.split(items[0][1], var)
        if len(items) == 1 and items[0][0] == SH["or"]:
            patterns: list[str] = []
            rest: list[str] = []
            for member in self.members(shape, items[0][1]):
                inner = self.constraint_items(member)
                if isinstance(member, BNode) and len(inner) == 1 and inner[0][0] == SH["not"] \
                        and not self.is_deactivated(member):
                    more, expression = self.split(inner[0][1], var)
                    patterns += more
                    rest.append(expression)
                else:
                    block = self.minus_block(member, var)
                    if block is not None:
                        patterns.append(block)
                    else:
                        rest.append(_negation(self.node_expr(member, var)))
            return patterns, _conjunction(rest)
        return [], _negation(self.node_expr(shape, var))

    def minus_block(self, shape: Node, var: str) -> str | None:
        """``MINUS { … }`` removing the nodes that conform to ``shape``, when ``shape`` is a single "some value of
        the path conforms to Q" (``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount 1``, e.g. a held safeguard).

        The block is evaluated once for all nodes and anti-joined on ``var`` (set-based), instead of one
        ``NOT EXISTS`` per candidate. Exact: ``var`` is the only variable shared with the rest of the query, and
        ``var`` occurs in the block, so MINUS removes exactly the candidates for which the block has a solution.
        """
        if not isinstance(shape, (URIRef, BNode)) or self.is_deactivated(shape):
            return None
        items = self.constraint_items(shape)
        if len(items) != 1 or items[0][0] != SH.property:
            return None
        prop = items[0][1]
        if self.is_deactivated(prop):
            return None
        predicates = sorted(p for p, _ in self.constraint_items(prop))
        if predicates != sorted([SH.path, SH.qualifiedValueShape, SH.qualifiedMinCount]):
            return None
        if self.single(prop, SH.qualifiedMinCount).toPython() != 1:
            return None
        v = self.fresh()
        patterns, expression = self.split(self.single(prop, SH.qualifiedValueShape), v, (shape,))
        if expression == "false":
            return None
        body = " ".join([f"{var} {self.path(prop)} {v} .", *patterns])
        if expression != "true":
            body += f" FILTER({expression})"
        return f"MINUS {{ {body} }}"

    # ---- property level ---------------------------------------------------------------------------------------

    def path(self, shape: Node) -> str:
        """The property shape's ``sh:path`` as a SPARQL property path (SHACL §2.3.1 maps each path form to one)."""
        path = self.single(shape, SH.path)
        if path is None:
            raise ShapeCompileError(f"property shape {shape} has no sh:path")
        return self.path_text(shape, path)

    def path_text(self, shape: Node, path: Node, depth: int = 0) -> str:
        if depth > 32:
            raise ShapeCompileError(f"property shape {shape}: sh:path nested too deeply (a cycle?)")
        if isinstance(path, URIRef):
            return _term(path)
        if not isinstance(path, BNode):
            raise ShapeCompileError(f"property shape {shape}: sh:path {path} is not a path")
        if (path, RDF.first, None) in self.shapes:
            steps = self.members(shape, path)
            if len(steps) < 2:
                raise ShapeCompileError(f"property shape {shape}: a sequence path needs two or more members")
            return "(" + "/".join(self.path_text(shape, s, depth + 1) for s in steps) + ")"
        forms = list(self.shapes.predicate_objects(path))
        if len(forms) != 1:
            raise ShapeCompileError(f"property shape {shape}: sh:path {path} is not one path expression")
        form, inner = forms[0]
        if form == SH.inversePath:
            return f"^{self.path_text(shape, inner, depth + 1)}"
        if form == SH.alternativePath:
            members = self.members(shape, inner)
            if len(members) < 2:
                raise ShapeCompileError(f"property shape {shape}: an alternative path needs two or more members")
            return "(" + "|".join(self.path_text(shape, m, depth + 1) for m in members) + ")"
        suffix = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}.get(form)
        if suffix is None:
            raise ShapeCompileError(f"property shape {shape}: unknown path form {form}")
        return f"({self.path_text(shape, inner, depth + 1)}){suffix}"

    def distinct_values(self, focus: str, path: str, count: int) -> str:
        """A group matching when ``focus`` has at least ``count`` distinct values of ``path``."""
        names = [self.fresh() for _ in range(count)]
        triples = " ".join(f"{focus} {path} {n} ." for n in names)
        different = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
        return triples + (f" FILTER({' && '.join(different)})" if different else "")

    def count_bound(self, shape: Node, predicate: URIRef) -> int | None:
        value = self.single(shape, predicate)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int) or value.toPython() < 0:
            raise ShapeCompileError(f"property shape {shape}: {predicate} needs a non-negative integer")
        return value.toPython()

    def value_set_tests(self, shape: Node, focus: str, path: str) -> list[str]:
        """sh:equals, sh:disjoint, sh:lessThan(OrEquals) against another property of the focus node, and
        sh:uniqueLang among the values."""
        parts = []
        for predicate in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in self.objects(shape, predicate):
                if not isinstance(other, URIRef):
                    raise ShapeCompileError(f"property shape {shape}: {predicate} needs an IRI, found {other}")
                v, w, o = self.fresh(), self.fresh(), _term(other)
                if predicate == SH.equals:
                    parts.append(f"NOT EXISTS {{ {focus} {path} {v} FILTER NOT EXISTS {{ {focus} {o} {v} }} }}")
                    parts.append(f"NOT EXISTS {{ {focus} {o} {v} FILTER NOT EXISTS {{ {focus} {path} {v} }} }}")
                elif predicate == SH.disjoint:
                    parts.append(f"NOT EXISTS {{ {focus} {path} {v} . {focus} {o} {v} }}")
                else:
                    operator = "<" if predicate == SH.lessThan else "<="
                    parts.append(f"NOT EXISTS {{ {focus} {path} {v} . {focus} {o} {w} "
                                 f"FILTER(!COALESCE({v} {operator} {w}, false)) }}")
        unique = self.single(shape, SH.uniqueLang)
        if unique is not None and unique.toPython() is True:
            a, b = self.fresh(), self.fresh()
            parts.append(f"NOT EXISTS {{ {focus} {path} {a} . {focus} {path} {b} FILTER(!sameTerm({a}, {b}) && "
                         f"lang({a}) != \"\" && LCASE(lang({a})) = LCASE(lang({b}))) }}")
        return parts

    def property_expr(self, shape: Node, focus: str, stack: tuple[Node, ...]) -> str:
        if self.is_deactivated(shape):
            return "true"
        if (shape, SH.property, None) in self.shapes:
            # its results have the *value* nodes as focus nodes (SHACL §2.3), which a "?focus does not conform"
            # query cannot report: refused rather than answered differently (it used to be ignored silently)
            raise ShapeCompileError(f"property shape {shape} has a nested sh:property, which the SPARQL compiler "
                                    "does not support (wrap it in sh:node)")
        self.check_parameters(shape, _SPARQL_PROPERTY_PARAMETERS)
        path = self.path(shape)
        parts: list[str] = []
        for value in self.objects(shape, SH.hasValue):
            parts.append(f"EXISTS {{ {focus} {path} {_term(value)} }}")
        min_count = self.count_bound(shape, SH.minCount)
        if min_count is not None and min_count > 0:
            if min_count > _MAX_COUNTED:
                raise ShapeCompileError(f"property shape {shape}: sh:minCount above {_MAX_COUNTED} is not supported")
            parts.append(f"EXISTS {{ {self.distinct_values(focus, path, min_count)} }}")
        max_count = self.count_bound(shape, SH.maxCount)
        if max_count is not None:
            if max_count >= _MAX_COUNTED:
                raise ShapeCompileError(f"property shape {shape}: sh:maxCount of {_MAX_COUNTED} or more is not "
                                        "supported")
            parts.append(f"NOT EXISTS {{ {self.distinct_values(focus, path, max_count + 1)} }}")
        parts += self.value_set_tests(shape, focus, path)
        for predicate, operator in _COMPARISONS.items():
            for bound in self.objects(shape, predicate):
                if not isinstance(bound, Literal):
                    raise ShapeCompileError(f"property shape {shape}: {predicate} needs a literal, found {bound}")
                v = self.fresh()
                parts.append(
                    f"NOT EXISTS {{ {focus} {path} {v} FILTER(!COALESCE({v} {operator} {_term(bound)}, false)) }}"
                )
        for datatype in self.objects(shape, SH.datatype):
            v = self.fresh()
            parts.append(f"NOT EXISTS {{ {focus} {path} {v} FILTER(!{self.datatype_test(shape, datatype, v)}) }}")
        per_value_var = self.fresh()
        per_value = self.value_constraints(shape, per_value_var, stack) + self.value_tests(shape, per_value_var)
        if per_value:
            parts.append(f"NOT EXISTS {{ {focus} {path} {per_value_var} FILTER(!({_conjunction(per_value)})) }}")
        qualified = self.single(shape, SH.qualifiedValueShape)
        if qualified is not None:
            minimum = self.single(shape, SH.qualifiedMinCount)
            if minimum is None or minimum.toPython() != 1:
                raise ShapeCompileError(f"property shape {shape}: only sh:qualifiedMinCount 1 is supported")
            v = self.fresh()
            parts.append(f"EXISTS {{ {focus} {path} {v} FILTER({self.node_expr(qualified, v, stack)}) }}")
        elif (shape, SH.qualifiedMinCount, None) in self.shapes:
            raise ShapeCompileError(f"property shape {shape}: sh:qualifiedMinCount without sh:qualifiedValueShape")
        return _conjunction(parts)


def _negation(expression: str) -> str:
    return {"true": "false", "false": "true"}.get(expression, f"!({expression})")


def _conjunction(parts: list[str]) -> str:
    """``&&`` of the parts, with the constants ``true``/``false`` folded away."""
    if "false" in parts:
        return "false"
    parts = [p for p in parts if p != "true"]
    if not parts:
        return "true"
    return parts[0] if len(parts) == 1 else "(" + " && ".join(parts) + ")"


def _disjunction(parts: list[str]) -> str:
    """``||`` of the parts, with the constants ``true``/``false`` folded away."""
    if "true" in parts:
        return "true"
    parts = [p for p in parts if p != "false"]
    if not parts:
        return "false"
    return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


def conformance_expression(shapes: Graph, shape: Node, var: str = "?focus") -> str:
    """A SPARQL expression, true iff the node bound to ``var`` conforms to ``shape``."""
    return kept_with(shapes, ("conforms", shape, var), lambda: _Compiler(shapes).node_expr(shape, var))


def _target_pattern(target_classes: Iterable[URIRef]) -> str:
    """``?focus rdf:type <C>`` (a UNION for several classes). Constant IRIs, not ``VALUES``: pyoxigraph does not
    push a ``VALUES`` binding into the index lookup."""
    classes = sorted(set(target_classes), key=str)
    if not classes:
        raise ShapeCompileError("a shape without target classes cannot be compiled")
    triples = [f"{{ ?focus {_term(RDF.type)} {_term(c)} }}" for c in classes]
    return triples[0][2:-2] + " ." if len(triples) == 1 else " UNION ".join(triples)


def _select(patterns: list[str], target: str, expression: str) -> str:
    # Selective triple patterns first, the target triple after them: pyoxigraph evaluates a union default graph
    # largely in the order written, and starting from the target class scans every deployment.
    # A pattern written twice (e.g. two derived shapes that both require ``processesPersonalData true``) is a
    # self-join that matches the same nodes: keep its first occurrence only.
    patterns = list(dict.fromkeys(patterns))
    lines = ["SELECT DISTINCT ?focus WHERE {", *(f"  {p}" for p in patterns), f"  {target}"]
    if expression != "true":
        lines.append(f"  FILTER({expression})")
    lines.append("}")
    return "\n".join(lines)


def violation_query(shapes: Graph, shape: URIRef, target_classes: Iterable[URIRef]) -> CompiledShape:
    """``SELECT ?focus`` for the instances of ``target_classes`` that do not conform to ``shape``."""
    classes = tuple(sorted(set(target_classes), key=str))

    def compile_once() -> CompiledShape:
        patterns, expression = _Compiler(shapes).violation(shape, "?focus")
        return CompiledShape(shape, _select(patterns, _target_pattern(classes), expression))

    return kept_with(shapes, ("violation", shape, classes), compile_once)


def matching_query(shapes: Graph, shape: Node, target_classes: Iterable[URIRef]) -> str:
    """``SELECT ?focus`` for the instances of ``target_classes`` that *do* conform to ``shape`` (e.g. a condition)."""
    classes = tuple(sorted(set(target_classes), key=str))

    def compile_once() -> str:
        patterns, expression = _Compiler(shapes).split(shape, "?focus")
        return _select(patterns, _target_pattern(classes), expression)

    return kept_with(shapes, ("matching", shape, classes), compile_once)


def subclass_closure_query(target: URIRef) -> str:
    """The classes whose instances ``sh:targetClass target`` selects (SHACL uses rdfs:subClassOf* of the data)."""
    return f"SELECT DISTINCT ?class WHERE {{ ?class {_term(RDFS.subClassOf)}* {_term(target)} }}"


def target_classes(shapes: Graph, shape: URIRef) -> Iterator[URIRef]:
    for target in shapes.objects(shape, SH.targetClass):
        if not isinstance(target, URIRef):
            raise ShapeCompileError(f"shape {shape}: sh:targetClass must be an IRI")
        yield target
    for predicate in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        if (shape, predicate, None) in shapes:
            raise ShapeCompileError(f"shape {shape}: only sh:targetClass targets are supported")


def focus_pattern(shapes: Graph, shape: Node) -> str:
    """The focus nodes of ``shape`` as a SPARQL group binding ``?focus`` (SHACL §2.1.3): every target form, and the
    implicit class target of a shape that is itself an ``rdfs:Class``. Class targets follow ``rdfs:subClassOf*`` of
    the data graph, as SHACL does."""
    reader = ShapeReader(shapes)
    groups = []
    classes = list(reader.objects(shape, SH.targetClass))
    if (shape, RDF.type, RDFS.Class) in shapes:
        classes.append(shape)
    for cls in classes:
        groups.append(f"?focus {_term(RDF.type)}/{_term(RDFS.subClassOf)}* {_term(cls)} .")
    nodes = reader.objects(shape, SH.targetNode)
    if nodes:
        groups.append(f"VALUES ?focus {{ {' '.join(_term(n) for n in nodes)} }}")
    for predicate in reader.objects(shape, SH.targetSubjectsOf):
        groups.append(f"?focus {_term(predicate)} [] .")
    for predicate in reader.objects(shape, SH.targetObjectsOf):
        groups.append(f"[] {_term(predicate)} ?focus .")
    if not groups:
        raise ShapeCompileError(f"shape {shape} has no target")
    return groups[0] if len(groups) == 1 else " UNION ".join(f"{{ {g} }}" for g in groups)


def targeted_shapes(shapes: Graph) -> list[Node]:
    """The shapes of a shapes graph that have targets (explicit, or implicit as an ``rdfs:Class``)."""
    found = {s for t in _TARGETS for s in shapes.subjects(t, None)}
    for candidate in shapes.subjects(RDF.type, RDFS.Class):
        if (candidate, RDF.type, SH.NodeShape) in shapes or (candidate, RDF.type, SH.PropertyShape) in shapes:
            found.add(candidate)
    return sorted(found, key=str)


def shapes_graph_queries(shapes: Graph) -> list[CompiledShape]:
    """Every targeted shape of an arbitrary shapes graph as one ``SELECT ?focus`` of its non-conforming focus
    nodes; ``ShapeCompileError`` when any shape is outside the supported subset (the graph is then not run on the
    fast path at all)."""
    compiled = []
    for shape in targeted_shapes(shapes):
        compiler = _Compiler(shapes)
        if (shape, SH.path, None) in shapes:
            patterns, expression = [], _negation(compiler.property_expr(shape, "?focus", ()))
        else:
            patterns, expression = compiler.violation(shape, "?focus")
        compiled.append(CompiledShape(shape, _select(patterns, focus_pattern(shapes, shape), expression)))
    return compiled
