"""The fast path: compile SHACL *core* node shapes into SPARQL 1.1 and run them on any ``Store``.

pyshacl is the reference engine (``validate.py``); this compiler covers exactly the subset of SHACL core the
dge-graph shapes use and refuses anything else with a ``ShapeCompileError`` naming the shape and the term, so a
shape that this module cannot translate faithfully never runs with a different meaning.

Supported (SHACL 1.0 §4):

* node-level: ``sh:and``, ``sh:or``, ``sh:not``, ``sh:node``, ``sh:property``, ``sh:in``, ``sh:hasValue``,
  ``sh:deactivated`` (a deactivated shape conforms everywhere);
* property shapes with ``sh:path`` an IRI or a sequence path (RDF list of IRIs), and ``sh:hasValue``,
  ``sh:in``, ``sh:minCount 1``, ``sh:maxCount 0``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
  ``sh:maxExclusive``, ``sh:datatype``, ``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, and
  ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount 1``; value ranges also on node shapes (e.g. a qualified
  value shape ``[ sh:minInclusive … ; sh:maxInclusive … ]``).

Each construct becomes a boolean SPARQL expression "the node in ``?v`` conforms", built from ``EXISTS`` /
``NOT EXISTS`` groups; a rule shape becomes ``SELECT ?focus WHERE { ?focus a <target> FILTER(!conforms) }``.
Value comparisons follow SHACL: a value that cannot be compared (wrong datatype) is a violation, hence
``COALESCE(?v >= L, false)``. The only terms written into the query text are IRIs and literals *of the shapes
graph* (checked and serialised by rdflib), never user input; evaluation dates reach the query as literals of the
parameter-resolved shapes graph (see ``validate.resolve_shapes``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

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


class ShapeCompileError(ValueError):
    """A shape uses a SHACL feature outside the supported core subset, or is malformed."""


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
        self.check_parameters(shape, _NODE_PARAMETERS)
        parts = self.value_constraints(shape, var, stack)
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
        self.check_parameters(shape, _NODE_PARAMETERS)
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
        return "/".join(_term(step) for step in self.path_steps(shape))

    def property_expr(self, shape: Node, focus: str, stack: tuple[Node, ...]) -> str:
        if self.is_deactivated(shape):
            return "true"
        if (shape, SH.property, None) in self.shapes:
            # its results have the *value* nodes as focus nodes (SHACL §2.3), which a "?focus does not conform"
            # query cannot report: refused rather than answered differently (it used to be ignored silently)
            raise ShapeCompileError(f"property shape {shape} has a nested sh:property, which the SPARQL compiler "
                                    "does not support (wrap it in sh:node)")
        self.check_parameters(shape, _PROPERTY_PARAMETERS)
        path = self.path(shape)
        parts: list[str] = []
        for value in self.objects(shape, SH.hasValue):
            parts.append(f"EXISTS {{ {focus} {path} {_term(value)} }}")
        min_count = self.single(shape, SH.minCount)
        if min_count is not None:
            if min_count.toPython() != 1:
                raise ShapeCompileError(f"property shape {shape}: only sh:minCount 1 is supported")
            parts.append(f"EXISTS {{ {focus} {path} {self.fresh()} }}")
        max_count = self.single(shape, SH.maxCount)
        if max_count is not None:
            if max_count.toPython() != 0:
                raise ShapeCompileError(f"property shape {shape}: only sh:maxCount 0 is supported")
            parts.append(f"NOT EXISTS {{ {focus} {path} {self.fresh()} }}")
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
            parts.append(
                f"NOT EXISTS {{ {focus} {path} {v} FILTER(!(isLiteral({v}) && sameTerm(datatype({v}), "
                f"{_term(datatype)}))) }}"
            )
        per_value_var = self.fresh()
        per_value = self.value_constraints(shape, per_value_var, stack)
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
    return _Compiler(shapes).node_expr(shape, var)


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
    patterns, expression = _Compiler(shapes).violation(shape, "?focus")
    return CompiledShape(shape, _select(patterns, _target_pattern(target_classes), expression))


def matching_query(shapes: Graph, shape: Node, target_classes: Iterable[URIRef]) -> str:
    """``SELECT ?focus`` for the instances of ``target_classes`` that *do* conform to ``shape`` (e.g. a condition)."""
    patterns, expression = _Compiler(shapes).split(shape, "?focus")
    return _select(patterns, _target_pattern(target_classes), expression)


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
