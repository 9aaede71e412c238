"""The store protocol: what every graph store offers, its result types and errors, and the helpers both
implementations share (term conversion, parameter binding, the atomic graph swap).

A backend implements the abstract methods of ``Store``; everything a caller may need from a store is a method here
(a backend that cannot do something raises ``NotSupported`` saying what to do instead), so no caller branches on
the class of its store. Queries have **one entry point**, ``Store.evaluate``, which speaks **pyoxigraph terms** in
(``substitutions``) and out (lazy ``QuerySolutions``, ``QueryBoolean`` or an iterator of ``Triple``). The typed
helpers ``query`` (rdflib terms in and out, for code that builds rdflib graphs) and ``query_serialized`` (bytes in
a media type) are written once, here, on top of it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.media_types import RDF_FORMATS, RESULTS_FORMATS
from dge_graph.kernel.namespaces import GRAPH
from dge_graph.kernel.terms import iri_ref

STAGING_PREFIX = f"{GRAPH}staging/"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
"""The term currency of the protocol (``Store.evaluate``)."""

Answer = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]
"""What ``Store.evaluate`` returns: solutions (iterate to evaluate), a boolean, or triples (CONSTRUCT/DESCRIBE)."""


class StoreError(Exception):
    """A store operation failed (I/O, remote endpoint unreachable, bad response)."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse; the message is the parser's."""


class QueryTimeout(StoreError):
    """The store did not answer within the time limit (remote stores: the HTTP client gave up)."""


class NotSupported(StoreError):
    """This store cannot do what was asked (the message names the store and what to do instead)."""


@dataclass
class SelectResult:
    """Rows of a SELECT query as rdflib terms (unbound variables are absent from a row)."""

    variables: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)

    def column(self, name: str) -> list[Node | None]:
        return [row.get(name) for row in self.rows]


QueryResult = SelectResult | bool | Graph


@dataclass(frozen=True)
class SerializedResult:
    """A query result already serialised by the store, with its media type and query form."""

    body: bytes
    media_type: str
    form: str  # "SELECT" | "ASK" | "CONSTRUCT" (CONSTRUCT covers DESCRIBE)


class Store(ABC):
    """What the rest of dge-graph needs from a graph store: every capability is a method.

    Conventions every backend keeps: data lives in named graphs and the query default graph is the union of the
    named graphs (unless a query or the protocol names its dataset); ``replace_graphs`` is atomic; parameters are
    bound as typed terms by ``bind_parameters`` (never by string formatting), the same text on every store.
    """

    # ---- the one query entry point ----------------------------------------------------------------------------

    @abstractmethod
    def evaluate(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, OxTerm] | None = None,
        base_iri: str | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        timeout_s: float | None = None,
    ) -> Answer:
        """Run a query; its result as pyoxigraph objects, lazily where the store allows: ``QuerySolutions``
        (iterate to evaluate), ``QueryBoolean``, or an iterator of ``Triple``. ``substitutions`` bind variables to
        pyoxigraph terms (``bind_parameters``). ``timeout_s`` bounds the wait for a remote store (``QueryTimeout``);
        the embedded store is bounded by its caller (``api.guard``)."""

    # ---- typed helpers on top of it ---------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Node] | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> QueryResult:
        """``evaluate`` with rdflib terms in (``substitutions``) and out: ``SelectResult``, ``bool`` or ``Graph``."""
        result = self.evaluate(sparql, substitutions=ox_substitutions(substitutions),
                               default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                rows.append({v: from_ox(solution[v]) for v in variables if solution[v] is not None})
            return SelectResult(variables, rows)
        graph = Graph()
        for triple in result:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return graph

    def query_serialized(
        self,
        sparql: str,
        *,
        select_media_type: str = "application/sparql-results+json",
        graph_media_type: str = "text/turtle",
        substitutions: Mapping[str, Node] | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> SerializedResult:
        """``evaluate``, serialised by pyoxigraph: SELECT/ASK in ``select_media_type``, graphs in
        ``graph_media_type`` (standard results whatever a remote server sent)."""
        result = self.evaluate(sparql, substitutions=ox_substitutions(substitutions),
                               default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            form = "SELECT" if isinstance(result, ox.QuerySolutions) else "ASK"
            return SerializedResult(result.serialize(format=RESULTS_FORMATS[select_media_type]),
                                    select_media_type, form)
        body = ox.serialize(result, format=RDF_FORMATS[graph_media_type]) or b""
        return SerializedResult(body, graph_media_type, "CONSTRUCT")

    # ---- writes -------------------------------------------------------------------------------------------------

    @abstractmethod
    def update(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        using_graph_uris: Sequence[str] | None = None,
        using_named_graph_uris: Sequence[str] | None = None,
    ) -> None:
        """Run a SPARQL Update. ``using_graph_uris``/``using_named_graph_uris`` are the Protocol's ``using-graph-uri``
        and ``using-named-graph-uri`` parameters (the dataset of every ``DELETE/INSERT … WHERE``)."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        """Atomically set each named graph to the given N-Triples content and drop the graphs in ``drop``."""

    @abstractmethod
    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph with the given N-Triples content by the store's fastest write (a bulk load;
        not one transaction: for results the project computes itself)."""

    @abstractmethod
    def bulk_replace_graph(self, graph: str, ntriples_file: Path, *,
                           progress: Callable[[int, int], None] | None = None) -> None:
        """Replace one named graph with a (large) N-Triples file, streamed rather than held in memory; a malformed
        file changes nothing. Not one transaction: for data the project generates itself. ``progress``, when
        given, is called with (bytes read, file size) while the file is read."""

    # ---- reads beyond queries -----------------------------------------------------------------------------------

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs of the data (a server's own system graphs left out), sorted."""

    @abstractmethod
    def unnamed_graph_triples(self) -> list[ox.Triple]:
        """The triples of the store's graph of no name (the Graph Store Protocol's ``?default``), which the union
        default graph of queries hides."""

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the data's named graphs, streamed (the dump); a backend may do it faster."""
        for graph in self.named_graphs():
            name = ox.NamedNode(graph)
            for triple in self.evaluate(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, name)

    # ---- what kind of store it is -------------------------------------------------------------------------------

    @property
    def data_write_stamp(self) -> str | None:
        """A mark that changes whenever data (anything but validation results, ``VALIDATION_GRAPH_PREFIX``) is
        written through this store class, also by another process on the same directory: ``""`` when nothing has
        been written that way yet; ``None`` where the store cannot tell (a remote store, written by others)."""
        return None

    @property
    def local_directory(self) -> Path | None:
        """The directory of an on-disk embedded store, which other processes may open read-only beside this one
        (``open_read_only_view``); ``None`` for any other store."""
        return None

    def open_read_only_view(self) -> Store:
        """A read-only view of this store for another thread or process (no lock taken): the store as it was when
        opened. ``NotSupported`` where there is no such thing (a remote or in-memory store: share it as it is)."""
        raise NotSupported(f"{self!r} has no read-only view: use the store itself")

    @property
    def written_only_through_this_handle(self) -> bool:
        """True when no one else can write to the store while this handle is open (an embedded store holds its
        lock), so its content changes only through this object. False for a remote store."""
        return False

    @property
    def answers_in_process(self) -> bool:
        """True when queries are answered in this process (no network between caller and data), so reading the
        whole of a large result is cheap (the table engine of the rules reads its fact table that way)."""
        return False

    def flush(self) -> None:
        """Make what was written durable (a no-op where the store does it itself)."""
        return None

    @abstractmethod
    def close(self) -> None: ...


# --------------------------------------------------------------------------------------------------------------
# term conversion


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def from_ox(term) -> Node:
    """pyoxigraph term -> rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def ox_substitutions(substitutions: Mapping[str, Node] | None) -> dict[str, OxTerm] | None:
    """rdflib substitutions (of the typed helpers) in the protocol's currency."""
    return {name: to_ox(term) for name, term in substitutions.items()} if substitutions else None


def swap_update(staging: Mapping[str, str], drop: Iterable[str]) -> str:
    """One SPARQL Update request that moves staging graphs into place and drops graphs that are gone."""
    ops = [f"DROP SILENT GRAPH {iri_ref(g)}" for g in drop if g not in staging]
    ops += [f"MOVE SILENT GRAPH {iri_ref(stage)} TO GRAPH {iri_ref(g)}" for g, stage in staging.items()]
    return " ;\n".join(ops) if ops else "DROP SILENT GRAPH <urn:dge-graph:nothing>"




# --------------------------------------------------------------------------------------------------------------
# parameter binding


class ParameterBindingError(ValueError):
    """A parameter cannot be bound in this query (the query assigns the variable in a projection), or the term
    cannot be a parameter at all (a blank node)."""


def bind_parameters(sparql: str, substitutions: Mapping[str, OxTerm] | None) -> str:
    """The query with each variable of ``substitutions`` bound to its typed term, the same text for every store.

    A parameter is a constant of the whole query, sub-SELECTs included (the meaning of SEP-0007 "query with
    substitution"), written in SPARQL 1.1 only:

    * inside every WHERE group (the top-level one and those of sub-SELECTs, EXISTS, OPTIONAL, UNION, MINUS)
      each occurrence of the variable in an expression or triple pattern is replaced by the term, so a FILTER in a
      nested group sees the value;
    * where the grammar needs a variable (a projected ``?v``, the target of ``AS``, a ``VALUES`` variable list, a
      bare ``GROUP BY ?v``/``ORDER BY ?v``, ``BOUND(?v)``) the variable stays, and a ``VALUES ?v { term }`` block at
      the end of the WHERE group of the top-level query and of every sub-SELECT binds it there (so the projection,
      grouping and ordering see the value, and a variable the query binds itself with ``BIND (… AS ?v)`` is
      restricted to it);
    * a variable the query assigns in a SELECT expression ``(… AS ?v)`` cannot also be a constant: refused with
      ``ParameterBindingError``;
    * a blank node is refused with ``ParameterBindingError``: written into a query, ``_:b`` is a variable that
      matches anything (and is a syntax error in ``VALUES``), and a blank node label names nothing outside the
      answer it came in, on any store (the embedded one, Oxigraph, Virtuoso's ``nodeID://``).

    Terms are serialised by pyoxigraph (a hostile string stays one literal); nothing else of the text changes.
    """
    if not substitutions:
        return sparql
    from dge_graph.kernel.sparql_text import tokens

    if not all(name.isidentifier() for name in substitutions):
        raise ValueError("substitution names must be plain SPARQL variable names")
    if not all(isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) for term in substitutions.values()):
        raise TypeError("substitutions are pyoxigraph terms (rdflib terms: Store.query, or to_ox)")
    blank = sorted(name for name, term in substitutions.items() if isinstance(term, ox.BlankNode))
    if blank:
        raise ParameterBindingError(
            f"parameter ?{blank[0]} is a blank node: a blank node cannot be a parameter (its label names nothing "
            "in the store; bind an IRI or a literal)")
    terms = {name: str(term) for name, term in substitutions.items()}
    values = f" VALUES ({' '.join('?' + n for n in terms)}) {{ ({' '.join(terms.values())}) }} "
    items = list(tokens(sparql))

    def matching_close(open_index: int) -> int | None:
        depth = items[open_index].depth
        return next((i for i in range(open_index + 1, len(items))
                     if items[i].kind == "close" and items[i].depth == depth), None)

    top = _where_group_start(items)
    if top is None:  # no group pattern (e.g. DESCRIBE <iri>): a trailing VALUES clause is all there is
        return f"{sparql}\n{values}"
    top_end = matching_close(top)
    if top_end is None:  # unbalanced: let the store's parser report it
        return sparql
    # the WHERE groups that get a VALUES block: the top-level one and each sub-SELECT's
    inserts = [top_end]
    for index in range(top + 1, top_end):
        if items[index].kind == "word" and items[index].text.upper() == "SELECT":
            group = next((i for i in range(index + 1, top_end) if items[i].kind == "open"), None)
            end = matching_close(group) if group is not None else None
            if end is None:
                return sparql
            assigned = _projection_assignments(items[index + 1:group])
            if assigned & set(terms):
                raise ParameterBindingError(
                    f"parameter ?{sorted(assigned & set(terms))[0]} is assigned by a SELECT expression of the query")
            inserts.append(end)
    assigned = _projection_assignments(items[:top])
    if assigned & set(terms):
        raise ParameterBindingError(
            f"parameter ?{sorted(assigned & set(terms))[0]} is assigned by a SELECT expression of the query")

    replace: list[int] = []
    clause = None  # "projection" | "modifier" | "values" | None (a group pattern)
    parens = 0
    previous = None
    for index in range(top + 1, top_end):
        token = items[index]
        word = token.text.upper() if token.kind == "word" else None
        if word == "SELECT":
            clause, parens = "projection", 0
        elif word in ("GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET"):
            clause, parens = "modifier", 0
        elif word == "VALUES":
            clause = "values"
        elif word == "WHERE" or token.kind in ("open", "close"):
            clause, parens = None, 0
        if token.kind == "other" and token.text == "(":
            parens += 1
        elif token.kind == "other" and token.text == ")":
            parens = max(parens - 1, 0)
        if token.kind == "var" and token.text[1:] in terms:
            is_target = previous is not None and previous.kind == "word" and previous.text.upper() == "AS"
            is_bound_test = (index >= 2 and items[index - 2].kind == "word"
                             and items[index - 2].text.upper() == "BOUND")  # BOUND takes a variable
            keep = (is_target or is_bound_test or clause == "values"
                    or (clause in ("projection", "modifier") and parens == 0))
            if not keep:
                replace.append(index)
        previous = token

    edits = [(items[i].start, len(items[i].text), terms[items[i].text[1:]]) for i in replace]
    edits += [(items[i].start, 0, values) for i in inserts]
    out = sparql
    for start, length, text in sorted(edits, key=lambda e: e[0], reverse=True):
        out = out[:start] + text + out[start + length:]
    return out


def _projection_assignments(projection) -> set[str]:
    """Variables a SELECT projection assigns with ``(… AS ?v)``."""
    return {
        token.text[1:]
        for before, token in zip(projection, projection[1:])
        if token.kind == "var" and before.kind == "word" and before.text.upper() == "AS"
    }


def _where_group_start(all_tokens) -> int | None:
    """Index of the ``{`` that opens the query's top-level WHERE group."""
    for index, token in enumerate(all_tokens):
        if token.depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            for follower in range(index + 1, len(all_tokens)):
                if all_tokens[follower].kind == "open":
                    return follower
            return None
    for index, token in enumerate(all_tokens):
        if token.depth == 0 and token.kind == "open":
            return index
    return None


def query_form(sparql: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first query-form keyword at the top level (the form
    decides the result format to ask a remote store for; its answer is never used to guess the form)."""
    from dge_graph.kernel.sparql_text import tokens

    for token in tokens(sparql):
        if token.depth == 0 and token.kind == "word" and token.text.upper() in ("SELECT", "ASK", "CONSTRUCT",
                                                                               "DESCRIBE"):
            return token.text.upper()
    return "SELECT"  # not a query the lexer recognises: the store's parser reports it
