"""The facts the rule shapes read, as columns: one row per focus node (deployment), read once and kept.

Which facts are needed is read from the shapes, never listed by hand (``ReadPlan.from_shapes``): every
``sh:path`` of every shape, followed from the focus nodes, is a *relation* from one *level* of nodes to the next.
Level ``()`` is the focus nodes (instances of the rule shapes' target classes); the values of a relation at level
``L`` form level ``L + (predicate,)`` (``(dge:hasSafeguard,)`` is the safeguard instances, whose
``dge:safeguardType``, ``dge:safeguardStatus`` and ``dct:date`` are relations of that level). A relation is stored
as a CSR column: ``indptr`` (one offset per subject row) and ``values`` (row numbers in the value level), so a
boolean fact is a column of codes into a two-term dictionary, an enum or set a column of codes into its IRIs, a
date or number a column of codes into the distinct literals. Multi-valued, absent and ill-typed values are kept
as they are: the table engine (``rules/vector_engine.py``) decides SHACL's semantics on them, not this module.

Reading: one ``SELECT ?s ?o`` per relation, serialised by the store as SPARQL TSV (in Rust for the embedded
store) and encoded with dictionaries; subjects that are not nodes of the level are dropped. Terms are kept in that
TSV form (``<iri>``, ``_:label``, ``"lexical"^^<datatype>``, ``true``, ``28``: the store's canonical forms).

Caching (``FactTableCache``): a table is keyed by the read plan and the *fingerprint* of the data graphs, made of
each graph's self-description (``dge:contentHash``, ``prov:generatedAtTime``, ``void:triples``, written by build,
import and generate), and the store's ``data_write_stamp`` (renewed by every data write through the embedded store).
A store with a data graph that does not describe itself, or without a stamp (remote), has no fingerprint and is read
every time. ``FactTableCache.beside(store)`` also saves each table next to an on-disk store and loads it in the next
process while the fingerprint is the same (``rules/fact_table_file.py``). Incremental (``FactTable.update_rows``): the rows of N changed focus nodes are read alone (one query per
level) and replace their old rows (which are masked out, not copied); evaluating only those rows re-validates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import DGE, PROV, RDF, SH, VOID, XSD, VALIDATION_GRAPH_PREFIX
from dge_graph.rules.compile import (
    NODE_PARAMETERS,
    PROPERTY_PARAMETERS,
    ShapeCompileError,
    ShapeReader,
    subclass_closure_query,
)
from dge_graph.store import SelectResult, Store

Level = tuple[URIRef, ...]
"""The predicates followed from the focus nodes to reach a set of nodes; ``()`` is the focus nodes."""
ROOT: Level = ()
_SELF_DESCRIPTION = (DGE.contentHash, PROV.generatedAtTime, VOID.triples)
WRITE_STAMP = "urn:dge-graph:data-write-stamp"
"""The fingerprint's entry for ``Store.data_write_stamp`` (not a graph)."""


# --------------------------------------------------------------------------------------------------------------
# what the shapes read


@dataclass(frozen=True)
class ReadPlan:
    """The target classes of the rule shapes and the relations (level, predicate) any shape reads."""

    target_classes: tuple[URIRef, ...]
    relations: tuple[tuple[Level, URIRef], ...]

    @classmethod
    def from_shapes(cls, shapes: Graph, rule_shapes: Iterable[URIRef]) -> ReadPlan:
        """Follow every shape of ``shapes`` (rule shapes from their targets, the others as they are referred to)."""
        reader = ShapeReader(shapes)
        relations: set[tuple[Level, URIRef]] = set()
        targets: set[URIRef] = set()
        seen: set[tuple[Node, Level]] = set()

        def node(shape: Node, level: Level, stack: tuple[Node, ...]) -> None:
            if (shape, level) in seen:
                return
            if shape in stack:
                raise ShapeCompileError(f"shape {shape} refers to itself (recursive shapes are not supported)")
            seen.add((shape, level))
            stack = (*stack, shape)
            if (shape, SH.path, None) in shapes:
                raise ShapeCompileError(f"{shape} is a property shape where a node shape was expected")
            reader.check_parameters(shape, NODE_PARAMETERS)
            nested(shape, level, stack)
            for prop in reader.objects(shape, SH.property):
                property_(prop, level, stack)

        def nested(shape: Node, level: Level, stack: tuple[Node, ...]) -> None:
            for target in reader.objects(shape, SH.node) + reader.objects(shape, SH["not"]):
                node(target, level, stack)
            for head in reader.objects(shape, SH["and"]) + reader.objects(shape, SH["or"]):
                for member in reader.members(shape, head):
                    node(member, level, stack)

        def property_(shape: Node, level: Level, stack: tuple[Node, ...]) -> None:
            reader.check_parameters(shape, PROPERTY_PARAMETERS)
            value_level = level
            for step in reader.path_steps(shape):
                relations.add((value_level, step))
                value_level = (*value_level, step)
            nested(shape, value_level, stack)
            for qualified in reader.objects(shape, SH.qualifiedValueShape):
                node(qualified, value_level, stack)

        for shape in sorted(set(rule_shapes), key=str):
            for target in shapes.objects(shape, SH.targetClass):
                if not isinstance(target, URIRef):
                    raise ShapeCompileError(f"shape {shape}: sh:targetClass must be an IRI")
                targets.add(target)
            for predicate in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
                if (shape, predicate, None) in shapes:
                    raise ShapeCompileError(f"shape {shape}: only sh:targetClass targets are supported")
            node(shape, ROOT, ())
        # the shapes the rules do not refer to (e.g. a derived predicate read only by reports) are read too
        for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            if isinstance(shape, URIRef):
                node(shape, ROOT, ())
        ordered = sorted(relations, key=lambda r: (len(r[0]), [str(p) for p in r[0]], str(r[1])))
        return cls(tuple(sorted(targets, key=str)), tuple(ordered))

    def levels(self) -> list[Level]:
        found = {ROOT} | {(*level, predicate) for level, predicate in self.relations}
        return sorted(found, key=lambda lv: (len(lv), [str(p) for p in lv]))


# --------------------------------------------------------------------------------------------------------------
# terms in their TSV form


def term_key(term: Node) -> str:
    """An RDF term in the form the store writes it in SPARQL TSV results (for IRIs, blank nodes and the literals
    that the store writes abbreviated: canonical booleans and integers). Other literals: ``"lexical"^^<dt>``."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    raise TypeError(f"not an RDF term: {term!r}")


def parse_key(key: str) -> Node:
    """The rdflib term of a TSV term (the inverse of the store's serialisation)."""
    if key.startswith("<"):
        return str.__new__(URIRef, key[1:-1])  # an IRI the store has checked: skip rdflib's re-validation
    if key.startswith("_:"):
        return BNode(key[2:])
    if key.startswith('"'):
        end = key.rindex('"')
        lexical = _unescape(key[1:end])
        rest = key[end + 1:]
        if rest.startswith("^^<"):
            return Literal(lexical, datatype=URIRef(rest[3:-1]))
        if rest.startswith("@"):
            return Literal(lexical, lang=rest[1:])
        return Literal(lexical)
    if key in ("true", "false"):
        return Literal(key, datatype=XSD.boolean)
    if "e" in key or "E" in key:
        return Literal(key, datatype=XSD.double)
    if "." in key:
        return Literal(key, datatype=XSD.decimal)
    return Literal(key, datatype=XSD.integer)


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = text[i + 1]
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            out.append(chr(int(text[i + 2:i + 2 + width], 16)))
            i += 2 + width
        else:
            out.append(_ESCAPES[code])
            i += 2
    return "".join(out)


def _tsv_rows(store: Store, sparql: str) -> list[list[str]]:
    """The rows of a SELECT as lists of TSV terms ('' for unbound)."""
    return [line.split("\t") for line in _tsv_text(store, sparql).split("\n")[1:] if line]


def _tsv_text(store: Store, sparql: str) -> str:
    return store.query_serialized(sparql, select_media_type="text/tab-separated-values").body.decode("utf-8")


def _tsv_pairs(store: Store, sparql: str) -> tuple[list[str], list[str]]:
    """The two columns of a two-variable SELECT (all bound), split in one pass."""
    parts = _tsv_text(store, sparql).replace("\n", "\t").split("\t")
    return parts[2:-1:2], parts[3:-1:2]


# --------------------------------------------------------------------------------------------------------------
# the table


@dataclass
class NodeLevel:
    """The nodes of one level: their TSV keys (row order) and the row of each key."""

    keys: list[str]
    index: dict[str, int]
    _terms: list[Node] | None = None
    older: dict[str, list[int]] = field(default_factory=dict)
    """Keys appended again by ``FactTable.update_rows``: their earlier rows (``index`` names the newest)."""

    def rows_of_key(self, key: str) -> list[int]:
        row = self.index.get(key)
        return [] if row is None else [*self.older.get(key, ()), row]

    @classmethod
    def of(cls, keys: Iterable[str]) -> NodeLevel:
        keys = list(dict.fromkeys(keys))
        return cls(keys, {k: i for i, k in enumerate(keys)})

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str) -> int:
        row = self.index.get(key)
        if row is None:
            row = self.index[key] = len(self.keys)
            self.keys.append(key)
        return row

    def terms(self) -> list[Node]:
        """The rdflib terms of the rows (made on first use: literal levels are small, node levels rarely asked)."""
        if self._terms is None:
            self._terms = []
        if len(self._terms) < len(self.keys):  # keys are only ever appended
            self._terms.extend(parse_key(k) for k in self.keys[len(self._terms):])
        return self._terms


@dataclass
class Relation:
    """One predicate from the rows of a level to rows of the next level, as CSR (rows sorted)."""

    indptr: np.ndarray  # int64, len(subject level) + 1
    values: np.ndarray  # int32, rows of the value level
    _owners: np.ndarray | None = None

    @classmethod
    def from_pairs(cls, subjects: np.ndarray, values: np.ndarray, rows: int) -> Relation:
        order = np.argsort(subjects, kind="stable")
        counts = np.bincount(subjects, minlength=rows) if len(subjects) else np.zeros(rows, dtype=np.int64)
        indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(indptr, values[order].astype(np.int32))

    def owners(self) -> np.ndarray:
        """The subject row of every stored value (aligned with ``values``)."""
        if self._owners is None or len(self._owners) != len(self.values):
            self._owners = np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))
        return self._owners

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, value row) of every value of the given subject rows, in row order."""
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
        if not len(owner):
            return owner, np.zeros(0, dtype=np.int32)
        offsets = np.cumsum(counts) - counts
        index = np.arange(len(owner), dtype=np.int64) - np.repeat(offsets, counts) + np.repeat(starts, counts)
        return owner, self.values[index]


@dataclass
class FactTable:
    """The facts the shapes read (``plan``), one row per focus node, plus a mask of the rows in force."""

    plan: ReadPlan
    target_classes: Mapping[URIRef, tuple[URIRef, ...]]
    """Each target class of the plan with its rdfs:subClassOf* closure in the data (SHACL class targets)."""
    levels: dict[Level, NodeLevel]
    relations: dict[tuple[Level, URIRef], Relation]
    live: np.ndarray
    """False for rows replaced by a later ``update_rows`` (their new rows are appended)."""
    fingerprint: tuple | None = None
    focus_classes: dict[str, frozenset[str]] = field(default_factory=dict)
    """Focus node key -> keys of its classes among the target classes and their subclasses."""
    _target_masks: dict[frozenset, np.ndarray] = field(default_factory=dict)

    @property
    def focus(self) -> NodeLevel:
        return self.levels[ROOT]

    def __len__(self) -> int:
        return int(self.live.sum())

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(self.live)

    def rows_of(self, focus_nodes: Iterable[Node]) -> np.ndarray:
        """The live rows of the given focus nodes (nodes not in the table are left out)."""
        index = self.focus.index
        rows = [index[k] for k in (term_key(n) for n in focus_nodes) if k in index]
        rows = np.array(sorted(set(rows)), dtype=np.int64)
        return rows[self.live[rows]] if len(rows) else rows

    def focus_node(self, row: int) -> Node:
        return parse_key(self.focus.keys[row])

    def focus_nodes(self, rows: Iterable[int]) -> list[Node]:
        terms = self.focus.terms()
        return [terms[r] for r in rows]

    def target_mask(self, rows: np.ndarray, classes: Iterable[URIRef]) -> np.ndarray:
        """For each row, whether its node is an instance of one of ``classes`` (with their subclass closure)."""
        wanted = frozenset(term_key(c) for target in classes for c in self.target_classes.get(target, (target,)))
        mask = self._target_masks.get(wanted)
        keys = self.focus.keys
        if mask is None or len(mask) < len(keys):
            start = 0 if mask is None else len(mask)
            more = np.fromiter((bool(self.focus_classes.get(k, frozenset()) & wanted) for k in keys[start:]),
                               dtype=bool, count=len(keys) - start)
            mask = self._target_masks[wanted] = more if start == 0 else np.concatenate([mask, more])
        return mask[rows]

    def nbytes(self) -> int:
        return sum(r.indptr.nbytes + r.values.nbytes for r in self.relations.values()) + self.live.nbytes

    # ---- reading --------------------------------------------------------------------------------------------

    @classmethod
    def read(cls, store: Store, plan: ReadPlan, *, fingerprint: tuple | None = None) -> FactTable:
        """Read every relation of ``plan`` for all focus nodes of ``store``."""
        closure = _class_closure(store, plan.target_classes)
        focus_classes = _focus_classes(store, closure, None)
        levels = {ROOT: NodeLevel.of(sorted(focus_classes))}
        relations = {}
        for level, predicate in plan.relations:
            pairs = _tsv_pairs(store, f"SELECT ?s ?o WHERE {{ ?s {term_key(predicate)} ?o }}")
            relations[(level, predicate)] = _encode(levels, level, predicate, pairs)
        _close_relations(levels, relations, plan)
        live = np.ones(len(levels[ROOT]), dtype=bool)
        return cls(plan, closure, levels, relations, live, fingerprint, focus_classes)

    @classmethod
    def read_nodes(cls, store: Store, plan: ReadPlan, focus_nodes: Iterable[URIRef]) -> FactTable:
        """A table of only the given focus nodes (those that are instances of a target class): the few queries
        of ``update_rows`` on an empty table, whatever the size of the store (incremental re-validation)."""
        levels = {ROOT: NodeLevel([], {})}
        for level, predicate in plan.relations:
            levels.setdefault((*level, predicate), NodeLevel([], {}))
        relations = {key: Relation(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32)) for key in plan.relations}
        table = cls(plan, _class_closure(store, plan.target_classes), levels, relations, np.zeros(0, dtype=bool))
        table.update_rows(store, focus_nodes)
        return table

    def update_rows(self, store: Store, focus_nodes: Iterable[URIRef]) -> np.ndarray:
        """Read the rows of ``focus_nodes`` again from ``store``, in place: their new rows are appended and the old
        ones masked (a node no longer an instance of a target class gets no new row). Returns the new rows, the
        ones to re-evaluate (``vector_engine.table_violations(..., rows=...)``). Costs the two or three queries of
        the delta and a copy of the columns' arrays, whatever the size of the table."""
        nodes = sorted(set(focus_nodes), key=str)
        keys = [term_key(n) for n in nodes]
        fresh = _focus_classes(store, self.target_classes, nodes)
        for key in keys:
            self.focus_classes.pop(key, None)
            row = self.focus.index.get(key)
            if row is not None:
                self.live[row] = False
        self.focus_classes.update(fresh)
        delta_levels = {ROOT: NodeLevel.of(k for k in keys if k in fresh)}
        delta_pairs = _read_delta(store, self.plan, delta_levels[ROOT].keys)
        delta_relations = {}
        for level, predicate in self.plan.relations:
            delta_relations[(level, predicate)] = _encode(delta_levels, level, predicate,
                                                          delta_pairs.get((level, predicate), ([], [])))
        # append every level's delta nodes (a value node may also be an old row: it is read again with its
        # focus node and its key now names the newest row), then the relations with renumbered value rows
        renumber: dict[Level, np.ndarray] = {}
        for level, delta in delta_levels.items():
            target = self.levels.setdefault(level, NodeLevel([], {}))
            start = len(target.keys)
            target.keys.extend(delta.keys)
            for i, key in enumerate(delta.keys):
                previous = target.index.get(key)
                if previous is not None:
                    target.older.setdefault(key, []).append(previous)
                target.index[key] = start + i
            renumber[level] = np.arange(start, start + len(delta.keys), dtype=np.int32)
        for relation_key, old in self.relations.items():
            level, predicate = relation_key
            delta = delta_relations[relation_key]
            new_values = renumber[(*level, predicate)][delta.values]
            self.relations[relation_key] = Relation(
                np.concatenate([old.indptr, old.indptr[-1] + delta.indptr[1:]]),
                np.concatenate([old.values, new_values]).astype(np.int32, copy=False),
            )
        self.live = np.concatenate([self.live, np.ones(len(self.focus) - len(self.live), dtype=bool)])
        self.fingerprint = None
        return renumber[ROOT].astype(np.int64)

    def compacted(self) -> FactTable:
        """The same facts without masked rows (rows renumbered): after many incremental updates."""
        keys = [self.focus.keys[r] for r in self.live_rows()]
        levels = {ROOT: NodeLevel.of(keys)}
        relations = {}
        for level, predicate in self.plan.relations:
            old_level = self.levels[level]
            new_level = levels[level]
            relation = self.relations[(level, predicate)]
            rows = np.array([old_level.index[k] for k in new_level.keys], dtype=np.int64)
            owner, values = relation.gather(rows)
            value_level = levels.setdefault((*level, predicate), NodeLevel([], {}))
            old_values = self.levels[(*level, predicate)].keys
            codes = np.array([value_level.add(old_values[v]) for v in values], dtype=np.int32)
            relations[(level, predicate)] = Relation.from_pairs(owner, codes, len(new_level.keys))
        _close_relations(levels, relations, self.plan)
        return FactTable(self.plan, self.target_classes, levels, relations,
                         np.ones(len(keys), dtype=bool), self.fingerprint, dict(self.focus_classes))


def _class_closure(store: Store, targets: Sequence[URIRef]) -> dict[URIRef, tuple[URIRef, ...]]:
    closure = {}
    for target in targets:
        result = store.query(subclass_closure_query(target))
        assert isinstance(result, SelectResult)
        closure[target] = tuple(sorted({row["class"] for row in result.rows} | {target}, key=str))
    return closure


def _focus_classes(store: Store, closure: Mapping[URIRef, tuple[URIRef, ...]],
                   nodes: Sequence[URIRef] | None) -> dict[str, frozenset[str]]:
    """Focus node key -> the keys of its classes among the target classes (with subclasses)."""
    classes = sorted({c for cs in closure.values() for c in cs}, key=str)
    if not classes or (nodes is not None and not nodes):
        return {}
    values = " ".join(term_key(c) for c in classes)
    restrict = "" if nodes is None else "VALUES ?s { " + " ".join(term_key(n) for n in nodes) + " } "
    found: dict[str, set[str]] = {}
    for s, c in _tsv_rows(store, f"SELECT ?s ?c WHERE {{ {restrict}VALUES ?c {{ {values} }} ?s <{RDF.type}> ?c }}"):
        found.setdefault(s, set()).add(c)
    return {s: frozenset(cs) for s, cs in found.items()}


def _encode(levels: dict[Level, NodeLevel], level: Level, predicate: URIRef,
            pairs: tuple[Sequence[str], Sequence[str]]) -> Relation:
    """A relation from the (subjects, objects) columns of a TSV result; subjects outside ``level`` are dropped,
    objects become (or are added to) the rows of the value level."""
    subjects, objects = pairs
    subject_level = levels[level]
    values = levels.setdefault((*level, predicate), NodeLevel([], {}))
    subject_rows = np.fromiter(map(subject_level.index.get, subjects, repeat(-1)), dtype=np.int64,
                               count=len(subjects))
    kept = subject_rows >= 0
    if not kept.all():
        objects = [o for o, k in zip(objects, kept.tolist()) if k]
        subject_rows = subject_rows[kept]
    for key in dict.fromkeys(objects):
        if key not in values.index:
            values.add(key)
    value_rows = np.fromiter(map(values.index.__getitem__, objects), dtype=np.int32, count=len(objects))
    return Relation.from_pairs(subject_rows, value_rows, len(subject_level))


def _close_relations(levels: dict[Level, NodeLevel], relations: dict, plan: ReadPlan) -> None:
    """Relations are read level by level; a level that grew after one of its relations was read (cannot happen
    for a tree of levels, but kept exact) gets empty rows at the end."""
    for level, predicate in plan.relations:
        levels.setdefault((*level, predicate), NodeLevel([], {}))
        relation = relations[(level, predicate)]
        rows = len(levels[level])
        if len(relation.indptr) < rows + 1:
            pad = np.full(rows + 1 - len(relation.indptr), relation.indptr[-1], dtype=np.int64)
            relation.indptr = np.concatenate([relation.indptr, pad])


def _read_delta(store: Store, plan: ReadPlan, focus_keys: Sequence[str]) -> dict[tuple[Level, URIRef], tuple]:
    """The (subject, object) rows of every relation for the given focus nodes: one query per level."""
    out: dict[tuple[Level, URIRef], tuple] = {}
    if not focus_keys:
        return out
    by_level: dict[Level, list[URIRef]] = {}
    for level, predicate in plan.relations:
        by_level.setdefault(level, []).append(predicate)
    focus_values = "VALUES ?f { " + " ".join(focus_keys) + " }"
    for level, predicates in by_level.items():
        chain, subject = [], "?f"
        for depth, step in enumerate(level):
            chain.append(f"{subject} {term_key(step)} ?x{depth} .")
            subject = f"?x{depth}"
        # the subject's own variable in the last pattern (a BIND before it would make the store scan every
        # subject of the predicates: seconds at national scale instead of milliseconds)
        sparql = (f"SELECT ({subject} AS ?s) ?p ?o WHERE {{ {focus_values} {' '.join(chain)} "
                  f"VALUES ?p {{ {' '.join(term_key(p) for p in predicates)} }} {subject} ?p ?o }}")
        for s, p, o in dict.fromkeys(map(tuple, _tsv_rows(store, sparql))):  # distinct
            columns = out.setdefault((level, URIRef(p[1:-1])), ([], []))
            columns[0].append(s)
            columns[1].append(o)
    return out


# --------------------------------------------------------------------------------------------------------------
# fingerprint and cache


def data_fingerprint(store: Store) -> tuple | None:
    """The self-descriptions of the data graphs (every named graph but validation reports) and the store's
    ``data_write_stamp``, or None when a data graph does not describe itself or the store keeps no stamp (a remote
    store): then nothing can say whether the data changed."""
    names = sorted(g for g in store.named_graphs() if not g.startswith(VALIDATION_GRAPH_PREFIX))
    if not names:
        return None
    values = " ".join(term_key(p) for p in _SELF_DESCRIPTION)
    rows = _tsv_rows(store, f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ ?g ?p ?o }} VALUES ?p {{ {values} }} }}")
    described: dict[str, list] = {}
    for g, p, o in rows:
        described.setdefault(g[1:-1], []).append((p, o))
    if any(name not in described for name in names):
        return None
    stamp = store.data_write_stamp  # writes that bypass the self-descriptions (a SPARQL UPDATE of a data graph)
    if stamp is None:
        return None
    return (*((name, tuple(sorted(described[name]))) for name in names), (WRITE_STAMP, (("stamp", stamp),)))


class FactTableCache:
    """The last table read per read plan, reused while the data graphs' fingerprint is the same.

    ``directory`` (``fact_table_file.directory_for(store directory)``): tables are also saved there and loaded
    from there when this cache does not hold them, so that the next process does not read them again either."""

    def __init__(self, directory: Path | None = None) -> None:
        self._tables: dict[ReadPlan, FactTable] = {}
        self.directory = directory
        self.reads = 0
        """Tables read from the store (not from memory or from ``directory``)."""
        self.loads = 0
        """Tables loaded from ``directory``."""

    @classmethod
    def beside(cls, store: Store) -> FactTableCache:
        """A cache saving next to ``store``'s directory (only in memory for a store without one)."""
        from dge_graph.rules.fact_table_file import directory_for

        local = store.local_directory
        return cls(directory_for(local) if local is not None else None)

    def table(self, store: Store, plan: ReadPlan) -> FactTable:
        fingerprint = data_fingerprint(store)
        cached = self._tables.get(plan)
        if fingerprint is not None and cached is not None and cached.fingerprint == fingerprint:
            return cached
        if self.directory is not None and fingerprint is not None:
            from dge_graph.rules import fact_table_file

            saved = fact_table_file.load(self.directory, plan, fingerprint)
            if saved is not None:
                self.loads += 1
                self._tables[plan] = saved
                return saved
        self.reads += 1
        table = FactTable.read(store, plan, fingerprint=fingerprint)
        if self.directory is not None and fingerprint is not None:
            from dge_graph.rules import fact_table_file

            fact_table_file.save(self.directory, table)
        self._tables[plan] = table
        return table

    def update(self, store: Store, plan: ReadPlan, focus_nodes: Iterable[URIRef]) -> tuple[FactTable, np.ndarray]:
        """Re-read the rows of ``focus_nodes`` into the cached table (reading all of it if there is none): the
        table and the rows to re-evaluate."""
        cached = self._tables.get(plan)
        if cached is None:
            table = self.table(store, plan)
            return table, table.live_rows()
        rows = cached.update_rows(store, focus_nodes)
        cached.fingerprint = data_fingerprint(store)
        return cached, rows
