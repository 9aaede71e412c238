"""The graph store: one ``Store`` protocol, an embedded pyoxigraph and a remote SPARQL 1.1 implementation.

Everything above this module speaks SPARQL 1.1 and rdflib terms. Conventions shared by both implementations:

* data lives in named graphs; the query **default graph is the union of all named graphs** (like Fuseki's
  ``unionDefaultGraph`` and ``oxigraph serve --union-default-graph``), unless a query names its dataset;
* ``replace_graphs`` is atomic: new content is first written to staging graphs, then moved into place by a single
  SPARQL Update request (one transaction), so a failure leaves the previous content as it was;
* parameters reach SPARQL as typed terms (``substitutions``), never by string formatting.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.media_types import RDF_FORMATS, RESULTS_FORMATS
from dge_graph.kernel.namespaces import GRAPH
from dge_graph.kernel.terms import iri_ref

STAGING_PREFIX = f"{GRAPH}staging/"


class StoreError(Exception):
    """A store operation failed (I/O, remote endpoint unreachable, bad response)."""


class QuerySyntaxError(StoreError):
    """The SPARQL text does not parse; the message is the parser's."""


class QueryTimeout(StoreError):
    """The store did not answer within the time limit (remote stores: the HTTP client gave up)."""


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


@runtime_checkable
class Store(Protocol):
    """What the rest of dge-graph needs from a graph store."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Node] | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> QueryResult: ...

    def query_serialized(
        self,
        sparql: str,
        *,
        select_media_type: str = "application/sparql-results+json",
        graph_media_type: str = "text/turtle",
        substitutions: Mapping[str, Node] | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
    ) -> SerializedResult: ...

    def evaluate(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        timeout_s: float | None = None,
    ):
        """Run a query and return its result as pyoxigraph objects, lazily where the store allows: ``QuerySolutions``
        (iterate to evaluate), ``QueryBoolean``, or an iterator of ``Triple``. Used by the HTTP endpoint, which
        checks its deadline and row limit between solutions and serialises itself. ``timeout_s`` bounds the wait
        for a remote store (``QueryTimeout``)."""
        ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        """Atomically set each named graph to the given N-Triples content and drop the graphs in ``drop``."""
        ...

    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph with the given N-Triples content by the store's fastest write (a bulk load)."""
        ...

    def named_graphs(self) -> list[str]: ...

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


def _graphs(uris: Sequence[str] | None) -> list[ox.NamedNode] | None:
    return [ox.NamedNode(u) for u in uris] if uris else None


# --------------------------------------------------------------------------------------------------------------
# embedded store


class OxigraphStore:
    """The embedded store: pyoxigraph on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        """``read_only`` marks a command that only reads: the store must already exist, and nothing is flushed.

        The store is opened exclusively (RocksDB lock) when it is free. When another process holds it (a running
        ``dge-graph serve``), a ``read_only`` store is opened as a read-only view beside it (``read_only_view``; no
        lock): the store as it was when opened, enough for one command. ``beside_writer`` then says so. A store
        opened to write cannot be shared: ``StoreError`` saying to write through the server instead.
        """
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.beside_writer = False
        if self.path is None:
            self._store = ox.Store()
            return
        if read_only and not (self.path / "CURRENT").exists():
            raise StoreError(f"no store at {self.path}: run `dge-graph build --store {self.path}` first")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
            if not read_only:
                raise StoreError(
                    f"the store at {self.path} is in use by another process (a running `dge-graph serve`?): "
                    "commands that only read work beside it; to write, stop it or write through the server, e.g. "
                    "--store http://127.0.0.1:8000/sparql --update-token TOKEN"
                ) from exc
            self._store = self.read_only_view(self.path)._store
            self.beside_writer = True

    @classmethod
    def read_only_view(cls, path: str | Path) -> OxigraphStore:
        """A read-only view of an on-disk store that another process may hold open for writing (no lock taken).

        The view is the store as it was when opened: reopen it after the writer changed the store. For the server's
        query workers (``api.guard``), which reopen after every write the server makes."""
        view = cls.__new__(cls)
        view.path = Path(path)
        view.read_only = True
        view.beside_writer = True
        if not (view.path / "CURRENT").exists():
            raise StoreError(f"no store at {view.path}: run `dge-graph build --store {view.path}` first")
        view._store = _open_read_only(view.path)
        return view

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path) if self.path else ':memory:'})"

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for engines that work on it directly, e.g. validation)."""
        return self._store

    def _run(self, sparql, substitutions, default_graph_uris, named_graph_uris, base_iri=None):
        from dge_graph.kernel.sparql_text import names_dataset

        kwargs = {}
        if default_graph_uris:
            kwargs["default_graph"] = _graphs(default_graph_uris)
        elif named_graph_uris:
            kwargs["default_graph"] = []  # SPARQL 1.1 Protocol: named graphs only -> an empty default graph
        elif not names_dataset(sparql):  # a query's own FROM/FROM NAMED wins over the union default graph
            kwargs["use_default_graph_as_union"] = True
        if named_graph_uris:
            kwargs["named_graphs"] = _graphs(named_graph_uris)
        if base_iri:
            kwargs["base_iri"] = base_iri
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): to_ox(v) for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except RuntimeError as exc:
            # pyoxigraph substitutes only variables of the SELECT projection; bind the others with a trailing
            # VALUES clause of the same typed terms (slower: not pushed down, but still never string formatting).
            if substitutions and "projection" in str(exc):
                kwargs.pop("substitutions")
                return self._run_plain(_with_values(sparql, substitutions), kwargs)
            raise StoreError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def _run_plain(self, sparql, kwargs):
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(str(exc)) from exc

    def query(self, sparql, *, substitutions=None, default_graph_uris=None, named_graph_uris=None) -> QueryResult:
        result = self._run(sparql, substitutions, default_graph_uris, named_graph_uris)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                row = {}
                for v in variables:
                    value = solution[v]
                    if value is not None:
                        row[v] = from_ox(value)
                rows.append(row)
            return SelectResult(variables, rows)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        graph = Graph()
        for triple in result:
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return graph

    def query_serialized(
        self,
        sparql,
        *,
        select_media_type="application/sparql-results+json",
        graph_media_type="text/turtle",
        substitutions=None,
        default_graph_uris=None,
        named_graph_uris=None,
    ) -> SerializedResult:
        result = self._run(sparql, substitutions, default_graph_uris, named_graph_uris)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            form = "SELECT" if isinstance(result, ox.QuerySolutions) else "ASK"
            body = result.serialize(format=RESULTS_FORMATS[select_media_type])
            return SerializedResult(body, select_media_type, form)
        body = result.serialize(format=RDF_FORMATS[graph_media_type])
        return SerializedResult(body or b"", graph_media_type, "CONSTRUCT")

    def evaluate(self, sparql, *, base_iri=None, default_graph_uris=None, named_graph_uris=None, timeout_s=None):
        result = self._run(sparql, None, default_graph_uris, named_graph_uris, base_iri)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            return result
        return iter(result)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        staging = {}
        try:
            for name, ntriples in graphs.items():
                stage = f"{STAGING_PREFIX}{uuid.uuid4()}"
                staging[name] = stage
                self._store.load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(stage))
            self._store.update(_swap_update(staging, drop))
        except (OSError, SyntaxError) as exc:
            for stage in staging.values():
                node = ox.NamedNode(stage)
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
            raise StoreError(f"could not write to the store: {exc}") from exc

    def bulk_replace_graph(self, graph: str, ntriples_file: Path) -> None:
        """Replace one named graph with a large N-Triples file, streamed (RocksDB bulk load, not in memory).

        Not one transaction: the file is parsed completely first (so a malformed file changes nothing), then the
        old graph is removed and the new content bulk-loaded. For data the project generates itself (synthetic
        deployments, benchmarks), where ``replace_graphs`` would hold millions of triples in one transaction.
        """
        try:
            for _ in ox.parse(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES):
                pass
        except SyntaxError as exc:
            raise StoreError(f"{ntriples_file}:{exc.lineno}: {exc}") from exc
        node = ox.NamedNode(graph)
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)
        self._store.bulk_load(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES, to_graph=node)

    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph with the given N-Triples content by a bulk load (no staging graph, no MOVE).

        Every content is parsed first, so a malformed one changes nothing; then each old graph is removed and the
        new content bulk-loaded. Not one transaction: for results the project computes itself (validation).
        """
        for name, ntriples in graphs.items():
            try:
                for _ in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
                    pass
            except SyntaxError as exc:
                raise StoreError(f"content for graph <{name}> does not parse: {exc}") from exc
        try:
            for name, ntriples in graphs.items():
                node = ox.NamedNode(name)
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
                self._store.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"could not write to the store: {exc}") from exc

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def flush(self) -> None:
        if self.path is not None and not self.read_only and self._store is not None:
            self._store.flush()

    def close(self) -> None:
        # pyoxigraph closes the store when the object is released
        self.flush()
        self._store = None  # type: ignore[assignment]


READ_ONLY_OPEN_ATTEMPTS = 10


def _open_read_only(path: Path) -> ox.Store:
    """``pyoxigraph.Store.read_only``, tried again for a moment when the writer is replacing files as it opens.

    A read-only open reads the file list (the RocksDB MANIFEST) and then the files; a writer that flushes or compacts
    in between has deleted one of them ("Corruption: ... No such file or directory"). That is transient: the next
    attempt reads the new list. Anything else, or the same after every attempt, is a ``StoreError``."""
    for attempt in range(READ_ONLY_OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            racing = "No such file or directory" in str(exc) or "Corruption" in str(exc)
            if not racing or attempt == READ_ONLY_OPEN_ATTEMPTS - 1:
                raise StoreError(f"cannot open the store at {path} read-only: {exc}") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _swap_update(staging: Mapping[str, str], drop: Iterable[str]) -> str:
    """One SPARQL Update request that moves staging graphs into place and drops graphs that are gone."""
    ops = [f"DROP SILENT GRAPH {iri_ref(g)}" for g in drop if g not in staging]
    ops += [f"MOVE SILENT GRAPH {iri_ref(stage)} TO GRAPH {iri_ref(g)}" for g, stage in staging.items()]
    return " ;\n".join(ops) if ops else "DROP SILENT GRAPH <urn:dge-graph:nothing>"


# --------------------------------------------------------------------------------------------------------------
# remote store


class RemoteStore:
    """A remote SPARQL 1.1 store: SPARQLWrapper for query and update, the Graph Store Protocol for loading.

    ``query_endpoint`` answers SPARQL queries, ``update_endpoint`` SPARQL updates and ``gsp_endpoint`` the
    Graph Store Protocol (indirect identification, ``?graph=``). For ``oxigraph serve`` these are ``/query``,
    ``/update`` and ``/store``; start it with ``--union-default-graph`` so the default graph is the union of
    the named graphs, as in the embedded store.
    """

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None, gsp_endpoint: str | None = None,
                 *, timeout_s: float = 60.0, update_token: str | None = None):
        """``update_token``: sent as ``Authorization: Bearer <token>`` with every write (SPARQL Update, Graph Store
        Protocol), as a ``dge-graph serve --update-token`` requires; never with queries."""
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.timeout_s = timeout_s
        self.update_token = update_token

    @classmethod
    def for_oxigraph(cls, base_url: str, *, timeout_s: float = 60.0, update_token: str | None = None) -> RemoteStore:
        base = base_url.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", timeout_s=timeout_s, update_token=update_token)

    @classmethod
    def for_endpoint(cls, query_endpoint: str, *, timeout_s: float = 60.0,
                     update_token: str | None = None) -> RemoteStore:
        """A query endpoint URL ending in ``/sparql`` (``dge-graph serve``: writes go to ``/update`` and
        ``/rdf-graph-store`` beside it) or ``/query`` (``oxigraph serve``: ``/update`` and ``/store``)."""
        endpoint = query_endpoint.rstrip("/")
        base, _, last = endpoint.rpartition("/")
        gsp = {"sparql": "rdf-graph-store", "query": "store"}.get(last)
        if gsp is None:
            return cls(query_endpoint, timeout_s=timeout_s, update_token=update_token)
        return cls(query_endpoint, f"{base}/update", f"{base}/{gsp}", timeout_s=timeout_s, update_token=update_token)

    def _write_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.update_token}"} if self.update_token else {}

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_endpoint})"

    def _wrapper(self, sparql: str, accept: str, default_graph_uris, named_graph_uris):
        from SPARQLWrapper import POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.query_endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod("postdirectly")
        wrapper.setTimeout(int(self.timeout_s))
        wrapper.setQuery(sparql)
        wrapper.clearCustomHttpHeader("Accept")
        wrapper.addCustomHttpHeader("Accept", accept)
        wrapper.setOnlyConneg(True)
        for uri in default_graph_uris or ():
            wrapper.addDefaultGraph(uri)
        for uri in named_graph_uris or ():
            wrapper.addNamedGraph(uri)
        return wrapper

    def _fetch(self, sparql, accept, substitutions, default_graph_uris, named_graph_uris) -> tuple[bytes, str]:
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        text = _with_values(sparql, substitutions)
        try:
            response = self._wrapper(text, accept, default_graph_uris, named_graph_uris).query().response
            body = response.read()
            media_type = response.headers.get("Content-Type", accept).split(";")[0].strip()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote store {self.query_endpoint}: {exc}") from exc
        return body, media_type

    def query(self, sparql, *, substitutions=None, default_graph_uris=None, named_graph_uris=None) -> QueryResult:
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        body, media_type = self._fetch(sparql, accept, substitutions, default_graph_uris, named_graph_uris)
        if media_type == "application/sparql-results+json":
            return _parse_json_results(body)
        graph = Graph()
        graph.parse(data=body, format="nt" if media_type == "application/n-triples" else media_type)
        return graph

    def query_serialized(
        self,
        sparql,
        *,
        select_media_type="application/sparql-results+json",
        graph_media_type="text/turtle",
        substitutions=None,
        default_graph_uris=None,
        named_graph_uris=None,
    ) -> SerializedResult:
        accept = f"{select_media_type}, {graph_media_type};q=0.9"
        body, media_type = self._fetch(sparql, accept, substitutions, default_graph_uris, named_graph_uris)
        if media_type == select_media_type:
            form = "ASK" if _is_boolean_result(body, media_type) else "SELECT"
        else:
            form = "CONSTRUCT"
        return SerializedResult(body, media_type, form)

    def evaluate(self, sparql, *, base_iri=None, default_graph_uris=None, named_graph_uris=None, timeout_s=None):
        import httpx

        from dge_graph.kernel.sparql_text import dataset_clauses, names_dataset

        prologue = f"BASE {iri_ref(base_iri)} " if base_iri else ""  # same line: only line 1 shifts
        text = prologue + sparql
        if not default_graph_uris and not named_graph_uris and names_dataset(sparql):
            # a union-default-graph server ignores the query's FROM; the protocol parameters it does honour
            default_graph_uris, named_graph_uris = dataset_clauses(sparql)
        params = [("default-graph-uri", g) for g in default_graph_uris or ()]
        params += [("named-graph-uri", g) for g in named_graph_uris or ()]
        limit = timeout_s if timeout_s is not None else self.timeout_s
        deadline = time.monotonic() + limit
        try:
            # stream, so the time limit bounds the whole exchange (httpx timeouts are per read, not in total)
            with httpx.stream(
                "POST",
                self.query_endpoint,
                params=params,
                content=text.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query; charset=utf-8",
                    "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
                },
                timeout=limit,
            ) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise QueryTimeout(f"remote store {self.query_endpoint} did not answer in time")
                content = b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise QueryTimeout(f"remote store {self.query_endpoint} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"remote store {self.query_endpoint}: {exc}") from exc
        body_text = content.decode("utf-8", "replace")
        if response.status_code == 400:
            message = body_text.strip()[:2000]
            if prologue:  # "error at 1:57" of the sent text -> the column in the caller's query
                message = re.sub(r"\b1:(\d+)", lambda m: f"1:{max(int(m.group(1)) - len(prologue), 1)}", message,
                                 count=1)
            raise QuerySyntaxError(message)
        if response.status_code >= 300:
            raise StoreError(f"remote store {self.query_endpoint} answered {response.status_code}: {body_text[:500]}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media_type == "application/sparql-results+json":
                return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
            if media_type == "application/sparql-results+xml":
                return ox.parse_query_results(content, format=ox.QueryResultsFormat.XML)
            rdf_format = ox.RdfFormat.from_media_type(media_type)
            if rdf_format is None:
                raise StoreError(f"remote store {self.query_endpoint} answered in an unknown format {media_type!r}")
            return (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(content, format=rdf_format))
        except SyntaxError as exc:
            raise StoreError(f"remote store {self.query_endpoint} sent a result that does not parse: {exc}") from exc

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        if not self.update_endpoint:
            raise StoreError("this remote store has no update endpoint configured")
        if base_iri:
            sparql = f"BASE {iri_ref(base_iri)} {sparql}"
        wrapper = SPARQLWrapper(self.query_endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod("postdirectly")
        wrapper.setTimeout(int(self.timeout_s))
        for name, value in self._write_headers().items():
            wrapper.addCustomHttpHeader(name, value)
        wrapper.setQuery(sparql)
        try:
            wrapper.query()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote store {self.update_endpoint}: {_write_refusal(exc)}") from exc

    def _gsp_write(self, method: str, graph: str, ntriples: bytes) -> None:
        """One Graph Store Protocol write (``POST`` adds to, ``PUT`` replaces the graph), with the update token."""
        import httpx

        if not self.gsp_endpoint:
            raise StoreError("this remote store has no Graph Store Protocol endpoint configured")
        try:
            response = httpx.request(
                method,
                self.gsp_endpoint,
                params={"graph": graph},
                content=ntriples,
                headers={"Content-Type": "application/n-triples", **self._write_headers()},
                timeout=self.timeout_s,
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"remote store {self.gsp_endpoint}: {exc}") from exc
        if response.status_code in (401, 403):
            raise StoreError(f"remote store {self.gsp_endpoint} refused the write ({response.status_code}: "
                             f"{response.text[:300].strip()}): give the server's token with --update-token or "
                             "DGE_UPDATE_TOKEN")
        if response.status_code >= 300:
            raise StoreError(f"remote store {self.gsp_endpoint} answered {response.status_code}: {response.text[:500]}")

    def _gsp_post(self, graph: str, ntriples: bytes) -> None:
        self._gsp_write("POST", graph, ntriples)

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        staging = {}
        try:
            for name, ntriples in graphs.items():
                stage = f"{STAGING_PREFIX}{uuid.uuid4()}"
                staging[name] = stage
                self._gsp_post(stage, ntriples)
            self.update(_swap_update(staging, drop))
        except StoreError:
            if staging:
                try:
                    self.update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staging.values()))
                except StoreError:
                    pass
            raise

    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph with the given N-Triples content (Graph Store Protocol PUT, one per graph)."""
        for name, ntriples in graphs.items():
            self._gsp_write("PUT", name, ntriples)

    def named_graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        assert isinstance(result, SelectResult)
        return sorted(str(row["g"]) for row in result.rows if isinstance(row.get("g"), URIRef))

    def close(self) -> None:
        return None


def _write_refusal(exc: Exception) -> str:
    """SPARQLWrapper's error for a refused update, with what to do about a missing or wrong token."""
    text = str(exc)
    if any(code in text for code in ("401", "403", "Unauthorized", "Forbidden")):
        return f"{text.strip()[:300]}: the write was refused; give the server's token with --update-token or " \
               "DGE_UPDATE_TOKEN"
    return text


def _with_values(sparql: str, substitutions: Mapping[str, Node] | None) -> str:
    """Bind variables in SPARQL text for engines without substitution support (a remote store).

    The same semantics as pyoxigraph's ``substitutions`` (SEP-0007), done lexically on tokens (never by formatting
    user text into the query): inside the top-level WHERE group every occurrence of a bound variable is replaced by
    its typed term in N-Triples syntax (so FILTERs, BINDs and UNION branches see the value), and a
    ``VALUES (?v …) { (term …) }`` block at the end of that group keeps the variable bound for the projection and
    the solution modifiers (and restricts a variable the query binds itself with ``BIND (… AS ?v)``, whose target is
    left as it is). Projections of sub-SELECTs keep the variable. Terms are serialised by pyoxigraph, so a hostile
    string stays a literal.
    """
    if not substitutions:
        return sparql
    from dge_graph.kernel.sparql_text import tokens

    if not all(name.isidentifier() for name in substitutions):
        raise ValueError("substitution names must be plain SPARQL variable names")
    terms = {name: str(to_ox(term)) for name, term in substitutions.items()}
    values = f" VALUES ({' '.join('?' + n for n in terms)}) {{ ({' '.join(terms.values())}) }} "
    all_tokens = list(tokens(sparql))
    start = _where_group_start(all_tokens)
    if start is None:  # no group pattern (e.g. DESCRIBE <iri>): a trailing VALUES clause is all there is
        return f"{sparql}\n{values}"
    group_depth = all_tokens[start].depth
    end = next((i for i in range(start + 1, len(all_tokens))
                if all_tokens[i].kind == "close" and all_tokens[i].depth == group_depth), None)
    if end is None:  # unbalanced: let the endpoint's parser report it
        return sparql
    pieces, cursor, in_projection, in_modifier, previous = [], 0, False, False, None
    for token in all_tokens[start + 1:end]:
        word = token.text.upper() if token.kind == "word" else None
        if word == "SELECT":
            in_projection = True
        elif word == "WHERE" or token.kind == "open":
            in_projection = False
        # a sub-SELECT's GROUP BY / ORDER BY take variables, not constants: leave them as they are
        if word == "BY" and previous is not None and previous.text.upper() in ("GROUP", "ORDER"):
            in_modifier = True
        elif word in ("HAVING", "LIMIT", "OFFSET", "VALUES") or token.kind in ("open", "close"):
            in_modifier = False
        is_bind_target = previous is not None and previous.kind == "word" and previous.text.upper() == "AS"
        if (token.kind == "var" and token.text[1:] in terms and not in_projection and not in_modifier
                and not is_bind_target):
            pieces += [sparql[cursor:token.start], terms[token.text[1:]]]
            cursor = token.start + len(token.text)
        previous = token
    close = all_tokens[end].start
    pieces += [sparql[cursor:close], values, sparql[close:]]
    return "".join(pieces)


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


def _parse_json_results(body: bytes) -> SelectResult | bool:
    import json

    data = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    variables = data["head"].get("vars", [])
    rows = []
    for binding in data["results"]["bindings"]:
        row = {}
        for name, value in binding.items():
            kind = value["type"]
            if kind == "uri":
                row[name] = URIRef(value["value"])
            elif kind == "bnode":
                row[name] = BNode(value["value"])
            else:
                row[name] = Literal(
                    value["value"],
                    lang=value.get("xml:lang"),
                    datatype=URIRef(value["datatype"]) if "datatype" in value else None,
                )
        rows.append(row)
    return SelectResult(variables, rows)


def _is_boolean_result(body: bytes, media_type: str) -> bool:
    head = body[:400].decode("utf-8", "replace")
    if media_type == "application/sparql-results+json":
        return '"boolean"' in head
    if media_type == "application/sparql-results+xml":
        return "<boolean>" in body.decode("utf-8", "replace")
    return head.strip().lower() in ("true", "false")


# --------------------------------------------------------------------------------------------------------------
# factory


def open_store(location: str | None, *, timeout_s: float = 60.0, read_only: bool = False,
               update_token: str | None = None) -> Store:
    """Open the store a ``--store`` value names: a directory path, ``:memory:``, or an ``http(s)://`` base URL.

    An ``http(s)://`` URL is an Oxigraph-style server (``/query``, ``/update``, ``/store``); a URL that already
    ends in ``/query`` or ``/sparql`` is used as the query endpoint as it is (``RemoteStore.for_endpoint``: for
    ``/sparql``, a running ``dge-graph serve``, writes go to its ``/update`` and ``/rdf-graph-store``), and writes
    send ``update_token`` as a bearer token. ``read_only`` is for commands that only read: a missing store
    directory is then an error, not a new store, and a directory another process holds (a running server) is read
    beside it (``OxigraphStore``).
    """
    if location is None or location == ":memory:":
        return OxigraphStore(None)
    if location.startswith(("http://", "https://")):
        if location.rstrip("/").endswith(("/query", "/sparql")):
            return RemoteStore.for_endpoint(location, timeout_s=timeout_s, update_token=update_token)
        return RemoteStore.for_oxigraph(location, timeout_s=timeout_s, update_token=update_token)
    return OxigraphStore(location, read_only=read_only)


def graph_to_ntriples(graph: Graph) -> bytes:
    """Serialise an rdflib graph as N-Triples bytes (the exchange format of ``replace_graphs``)."""
    buffer = io.BytesIO()
    graph.serialize(buffer, format="nt", encoding="utf-8")
    return buffer.getvalue()


def quads_to_ntriples(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """Serialise pyoxigraph triples (or quads, ignoring their graph) as N-Triples bytes."""
    return ox.serialize(
        (ox.Triple(t.subject, t.predicate, t.object) for t in triples), format=ox.RdfFormat.N_TRIPLES
    ) or b""
