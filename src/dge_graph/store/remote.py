"""The remote store: any SPARQL 1.1 server over the SPARQL 1.1 Protocol and the Graph Store Protocol.

One HTTP client (httpx) and one timeout: ``timeout_s`` bounds the whole exchange of every request (connect, send,
wait, read), fractions of a second included; running past it raises ``QueryTimeout``.

Every request is a form-encoded POST (``query=``/``update=``, dataset and ``using-graph-uri`` parameters beside
them), the one encoding every server supports. The query form (SELECT/ASK/CONSTRUCT/DESCRIBE) is read from the
query text and decides what to ask for: SPARQL results for SELECT and ASK, N-Triples for graphs. Results are parsed
by pyoxigraph and, where a caller wants bytes, serialised again by pyoxigraph, so a caller sees standard results
whatever the server's own serialisations look like.

Where servers deviate from the standard a ``RemoteDialect`` says how (see docs/api.md, "Remote stores"): Oxigraph
needs none; Virtuoso is recognised by its ``Server`` header and gets its system graphs hidden, its ASK answers read
from a result set, its ``1``/``0`` booleans written ``true``/``false``, a hidden named graph standing in for the
graph of no name it lacks, and its Graph Store endpoint at ``/sparql-graph-crud``. A query any server refuses as
malformed is reported with the SPARQL 1.1 parser's message when that parser refuses it too.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pathlib import Path

import pyoxigraph as ox

from dge_graph.kernel.sparql_text import dataset_clauses, names_dataset, without_with
from dge_graph.kernel.terms import iri_ref
from dge_graph.store.protocol import (
    STAGING_PREFIX,
    Answer,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    bind_parameters,
    query_form,
    swap_update,
)

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class RemoteDialect:
    """How one kind of SPARQL server deviates from the standard, and how the store copes."""

    name: str
    hidden_graphs: tuple[str, ...] = ()
    """The server's own graphs: not listed by ``named_graphs`` and excluded from the union default graph."""
    explicit_dataset: bool = False
    """The union default graph would include ``hidden_graphs``: a query that names no dataset is sent with the
    store's own graphs as ``default-graph-uri`` and ``named-graph-uri`` (listed first, one extra request).
    (Virtuoso's ``define input:default-graph-exclude`` pragma is not used: with it, ``GRAPH <iri>`` matches
    nothing.)"""
    empty_graph_pattern_matches_graphs: bool = True
    """``GRAPH ?g { }`` lists the named graphs (SPARQL 1.1); otherwise ``GRAPH ?g { ?s ?p ?o }`` is used."""
    gsp_path: str | None = None
    """Path of the Graph Store Protocol endpoint beside the query endpoint, when the server has one."""
    ask_as_rows: bool = False
    """ASK is answered as a one-variable result set (one row with a true value: true; no row: false)."""
    blank_node_prefix: str = ""
    """Blank nodes of JSON results are written ``<prefix><label>`` (Virtuoso: ``nodeID://b10006``), which is not a
    blank node label: the prefix is removed before parsing."""
    boolean_digits: bool = False
    """``xsd:boolean`` values are written ``"1"``/``"0"`` (Virtuoso): rewritten to the canonical ``true``/``false``
    (the same values) in query results, so every store's answers serialise alike."""
    no_local_name_escapes: bool = False
    """Prefixed names with SPARQL 1.1 escapes (``dgeid:annex-iii-area\\/None``) are a syntax error: they are sent as
    full IRIs (``_without_local_name_escapes``)."""
    unnamed_graph: str | None = None
    """The server has no graph of no name (it refuses an update on it: Virtuoso's ``No plain default graph``): this
    named graph stands in for it. It is hidden from ``named_graphs``, part of the default graph (not of the named
    graphs) of every query sent with an explicit dataset, and the ``using-graph-uri`` of an update the server
    refused for want of a default graph, sent again (for such an update, a ``WHERE`` without ``GRAPH`` then sees
    that graph only)."""
    refuses_with: bool = False
    """An update with ``WITH <g>`` is refused (``oxigraph serve --union-default-graph``): it is sent with the
    ``WITH`` written out as ``GRAPH <g>`` blocks (``sparql_text.without_with``, the same meaning)."""


STANDARD = RemoteDialect("SPARQL 1.1")
OXIGRAPH = RemoteDialect("Oxigraph", gsp_path="/store", refuses_with=True)
VIRTUOSO = RemoteDialect(
    "Virtuoso",
    hidden_graphs=(
        "http://www.openlinksw.com/schemas/virtrdf#",  # Virtuoso's quad-map metadata (cannot be dropped)
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
        "http://www.w3.org/2002/07/owl#",
    ),
    explicit_dataset=True,
    empty_graph_pattern_matches_graphs=False,
    gsp_path="/sparql-graph-crud",
    ask_as_rows=True,
    blank_node_prefix="nodeID://",
    boolean_digits=True,
    no_local_name_escapes=True,
    unnamed_graph="urn:dge-graph:unnamed-graph",
)


def dialect_for_server_header(server: str | None) -> RemoteDialect:
    """The dialect of a server named by its HTTP ``Server`` header (standard when not recognised)."""
    if server and server.lower().startswith("virtuoso"):
        return VIRTUOSO
    if server and server.lower().startswith("oxigraph"):
        return RemoteDialect("Oxigraph", refuses_with=True)  # given by its query URL: Graph Store path unknown
    return STANDARD


WRITE_REFUSED = "the write was refused: give the server's token with --update-token or DGE_UPDATE_TOKEN"


@dataclass
class _Exchange:
    status: int
    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class RemoteStore(Store):
    """A remote SPARQL 1.1 store.

    ``query_endpoint`` answers SPARQL queries, ``update_endpoint`` SPARQL updates (``None``: read-only) and
    ``gsp_endpoint`` the Graph Store Protocol (indirect identification, ``?graph=``; ``None``: graphs are loaded
    with ``INSERT DATA``). For ``oxigraph serve`` these are ``/query``, ``/update`` and ``/store``; start it with
    ``--union-default-graph`` so the default graph is the union of the named graphs, as in the embedded store.
    ``dialect=None`` recognises the server by its ``Server`` header on first use. ``update_token`` is sent as
    ``Authorization: Bearer <token>`` with every write (SPARQL Update, Graph Store Protocol), as a
    ``dge-graph serve --update-token`` requires; never with queries.
    """

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None, gsp_endpoint: str | None = None,
                 *, timeout_s: float = 60.0, dialect: RemoteDialect | None = None, update_token: str | None = None):
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, not {timeout_s}")
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint
        self.gsp_endpoint = gsp_endpoint
        self.timeout_s = timeout_s
        self.update_token = update_token
        self._dialect = dialect
        self._client = None
        self._client_lock = threading.Lock()

    def _http(self):
        """The store's one ``httpx.Client`` (made on first use, closed by ``close``): its connections are kept
        alive between requests, and its TLS context is made once (a client per request made one each time, ~30 ms
        of CPU)."""
        import httpx

        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(timeout=httpx.Timeout(self.timeout_s))
            return self._client

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_client"], state["_client_lock"] = None, None  # a copy makes its own
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._client_lock = threading.Lock()

    @classmethod
    def for_oxigraph(cls, base_url: str, *, timeout_s: float = 60.0, update_token: str | None = None) -> RemoteStore:
        base = base_url.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", timeout_s=timeout_s, dialect=OXIGRAPH,
                   update_token=update_token)

    @classmethod
    def for_endpoint(cls, endpoint: str, *, timeout_s: float = 60.0, update_token: str | None = None) -> RemoteStore:
        """A SPARQL 1.1 endpoint URL. Ending in ``/query``: an ``oxigraph serve`` (``/update`` and ``/store`` beside
        it). Otherwise queries and updates go to that URL (Virtuoso's ``/sparql``, a ``dge-graph serve``'s
        ``/sparql``), and its Graph Store endpoint follows from the dialect found on first use (Virtuoso:
        ``/sparql-graph-crud``; a ``/sparql`` of any other server: ``/rdf-graph-store`` beside it, as
        ``dge-graph serve`` has it)."""
        url = endpoint.rstrip("/")
        base, _, last = url.rpartition("/")
        if last == "query":
            return cls(endpoint, f"{base}/update", f"{base}/store", timeout_s=timeout_s, update_token=update_token)
        return cls(endpoint, endpoint, None, timeout_s=timeout_s, dialect=None, update_token=update_token)

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_endpoint})"

    def _write_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.update_token}"} if self.update_token else {}

    # ---- HTTP -------------------------------------------------------------------------------------------------

    def _post(self, url: str, data: Sequence[tuple[str, str]] | None = None, *, content: bytes | None = None,
              headers: Mapping[str, str], timeout_s: float | None = None, params=None) -> _Exchange:
        return self._send("POST", url, data, content=content, headers=headers, timeout_s=timeout_s, params=params)

    def _send(self, method: str, url: str, data: Sequence[tuple[str, str]] | None = None, *, content=None,
              headers: Mapping[str, str], timeout_s: float | None = None, params=None) -> _Exchange:
        """One request, bounded as a whole by the time limit (httpx's own timeouts are per phase, not in total)."""
        import httpx

        limit = timeout_s if timeout_s is not None else self.timeout_s
        deadline = time.monotonic() + limit
        try:
            with self._http().stream(method, url, data=_form(data) if data is not None else None, content=content,
                                     params=params, headers=dict(headers), timeout=httpx.Timeout(limit)) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise QueryTimeout(f"remote store {url} did not answer within {limit:g} s")
                if time.monotonic() > deadline:
                    raise QueryTimeout(f"remote store {url} did not answer within {limit:g} s")
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return _Exchange(response.status_code, media_type, b"".join(chunks), dict(response.headers))
        except httpx.TimeoutException as exc:
            raise QueryTimeout(f"remote store {url} did not answer within {limit:g} s") from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"remote store {url}: {exc}") from exc
        except RuntimeError as exc:  # httpx: the client was closed (``close``) while this request was under way
            raise StoreError(f"remote store {url}: the store was closed during the request ({exc})") from exc

    def dialect(self) -> RemoteDialect:
        """The server's dialect (recognised by its ``Server`` header on first use when not given)."""
        if self._dialect is None:
            import httpx

            try:
                response = self._http().get(self.query_endpoint, params={"query": "ASK {}"},
                                            headers={"Accept": _RESULTS_JSON})
            except httpx.TimeoutException as exc:
                raise QueryTimeout(f"remote store {self.query_endpoint} did not answer in time") from exc
            except httpx.HTTPError as exc:
                raise StoreError(f"remote store {self.query_endpoint}: {exc}") from exc
            self._dialect = dialect_for_server_header(response.headers.get("server"))
            if self.gsp_endpoint is None and self.update_endpoint:
                base = re.sub(r"/[^/]*$", "", self.query_endpoint.rstrip("/"))
                if self._dialect.gsp_path:
                    self.gsp_endpoint = base + self._dialect.gsp_path
                elif self.query_endpoint.rstrip("/").endswith("/sparql"):
                    self.gsp_endpoint = base + "/rdf-graph-store"
        return self._dialect

    def _prologue(self, base_iri: str | None) -> str:
        """Text put before the query on its first line (so line numbers of errors stay the caller's)."""
        return f"BASE {iri_ref(base_iri)} " if base_iri else ""

    def _query(self, sparql: str, accept: str, *, substitutions=None, default_graph_uris=None,
               named_graph_uris=None, base_iri=None, timeout_s=None, list_graphs=False) -> tuple[str, _Exchange]:
        form = query_form(sparql)
        text = bind_parameters(sparql, substitutions)
        if self.dialect().no_local_name_escapes:
            text = _without_local_name_escapes(text)
        if not default_graph_uris and not named_graph_uris and names_dataset(text):
            # a union-default-graph server ignores the query's FROM; the protocol parameters it does honour
            default_graph_uris, named_graph_uris = dataset_clauses(text)
        if not default_graph_uris and not named_graph_uris and not list_graphs and self.dialect().explicit_dataset:
            graphs = self.named_graphs()
            # no graph of ours: an empty dataset, not the server's own graphs
            named_graph_uris = graphs or ["urn:dge-graph:no-graph"]
            unnamed = self.dialect().unnamed_graph
            default_graph_uris = [*named_graph_uris, unnamed] if unnamed else named_graph_uris
        prologue = self._prologue(base_iri)
        data = [("query", prologue + text)]
        data += [("default-graph-uri", g) for g in default_graph_uris or ()]
        data += [("named-graph-uri", g) for g in named_graph_uris or ()]
        exchange = self._post(self.query_endpoint, data, headers={"Accept": accept}, timeout_s=timeout_s)
        if exchange.status == 400:
            _raise_standard_syntax_error(sparql, base_iri)
        self._raise_for(exchange, self.query_endpoint, prologue)
        if exchange.headers.get("x-sql-state", "").upper() == "S1TAT":
            # Virtuoso's "anytime query": the server's own time limit cut the result short
            raise QueryTimeout(f"remote store {self.query_endpoint} cut the result short at its own time limit")
        return form, exchange

    def _raise_for(self, exchange: _Exchange, url: str, prologue: str = "") -> None:
        text = exchange.body.decode("utf-8", "replace").strip()
        if exchange.status == 400:
            message = text[:2000]
            if prologue:  # "error at 1:57" of the sent text -> the column in the caller's query
                message = re.sub(r"\b1:(\d+)", lambda m: f"1:{max(int(m.group(1)) - len(prologue), 1)}", message,
                                 count=1)
                message = message.replace(prologue, "")
            raise QuerySyntaxError(message)
        if exchange.status in (401, 403):
            raise StoreError(f"remote store {url} answered {exchange.status} ({text[:300]}): {WRITE_REFUSED}")
        if exchange.status >= 300:
            raise StoreError(f"remote store {url} answered {exchange.status}: {text[:500]}")

    # ---- parsing ----------------------------------------------------------------------------------------------

    def _results(self, form: str, exchange: _Exchange):
        """The answer as pyoxigraph objects: ``QuerySolutions``, ``QueryBoolean`` or a list of triples."""
        try:
            if form in ("SELECT", "ASK"):
                formats = {_RESULTS_JSON: ox.QueryResultsFormat.JSON,
                           "application/json": ox.QueryResultsFormat.JSON,
                           "application/sparql-results+xml": ox.QueryResultsFormat.XML}
                if exchange.media_type not in formats:
                    raise StoreError(f"remote store {self.query_endpoint} answered a {form} query with "
                                     f"{exchange.media_type or 'no media type'}")
                body = exchange.body
                if formats[exchange.media_type] == ox.QueryResultsFormat.JSON:
                    body = _standard_json_results(body, self.dialect())
                result = ox.parse_query_results(body, format=formats[exchange.media_type])
                if form == "ASK" and isinstance(result, ox.QuerySolutions):
                    result = _boolean(_rows_mean_true(result))
                return result
            rdf_format = ox.RdfFormat.from_media_type(exchange.media_type) if exchange.media_type else None
            if rdf_format is None:
                raise StoreError(f"remote store {self.query_endpoint} answered a {form} query with "
                                 f"{exchange.media_type or 'no media type'}")
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(exchange.body, format=rdf_format)]
            if self.dialect().boolean_digits:
                triples = [ox.Triple(t.subject, t.predicate, _canonical_boolean(t.object)) for t in triples]
            return triples
        except SyntaxError as exc:
            raise StoreError(f"remote store {self.query_endpoint} sent a result that does not parse: {exc}") from exc

    # ---- Store protocol ---------------------------------------------------------------------------------------

    def evaluate(self, sparql, *, substitutions=None, base_iri=None, default_graph_uris=None,
                 named_graph_uris=None, timeout_s=None) -> Answer:
        form = query_form(sparql)
        accept = _RESULTS_JSON if form in ("SELECT", "ASK") else _N_TRIPLES
        form, exchange = self._query(sparql, accept, substitutions=substitutions,
                                     default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris,
                                     base_iri=base_iri, timeout_s=timeout_s)
        result = self._results(form, exchange)
        return iter(result) if isinstance(result, list) else result

    def update(self, sparql: str, *, base_iri: str | None = None, using_graph_uris: Sequence[str] | None = None,
               using_named_graph_uris: Sequence[str] | None = None) -> None:
        if not self.update_endpoint:
            raise StoreError("this remote store has no update endpoint configured")
        if self.dialect().refuses_with:
            sparql = without_with(sparql)
        prologue = f"BASE {iri_ref(base_iri)} " if base_iri else ""
        data = [("update", prologue + sparql)]
        data += [("using-graph-uri", g) for g in using_graph_uris or ()]
        data += [("using-named-graph-uri", g) for g in using_named_graph_uris or ()]
        exchange = self._post(self.update_endpoint, data, headers={"Accept": "*/*", **self._write_headers()})
        unnamed = self.dialect().unnamed_graph
        if (exchange.status >= 300 and unnamed and not using_graph_uris and not using_named_graph_uris
                and b"plain default graph" in exchange.body):
            # Virtuoso: "No plain default graph specified" (INSERT DATA without GRAPH, DROP/CLEAR DEFAULT)
            exchange = self._post(self.update_endpoint, [*data, ("using-graph-uri", unnamed)],
                                  headers={"Accept": "*/*", **self._write_headers()})
        self._raise_for(exchange, self.update_endpoint, prologue)

    def _load_graph(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to a graph: Graph Store Protocol POST where the server has it, else ``INSERT DATA``
        (one request per graph, so blank nodes keep their identity)."""
        if self.gsp_endpoint:
            exchange = self._post(self.gsp_endpoint, content=ntriples, params={"graph": graph},
                                  headers={"Content-Type": _N_TRIPLES, **self._write_headers()})
            self._raise_for(exchange, self.gsp_endpoint)
            return
        try:
            body = b"".join(str(t).encode("utf-8") + b" .\n"
                            for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise StoreError(f"not N-Triples: {exc}") from exc
        self.update(f"INSERT DATA {{ GRAPH {iri_ref(graph)} {{\n{body.decode('utf-8')}}} }}")

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        self.dialect()
        staging = {}
        try:
            for name, ntriples in graphs.items():
                stage = f"{STAGING_PREFIX}{uuid.uuid4()}"
                staging[name] = stage
                self._load_graph(stage, ntriples)
            self.update(swap_update(staging, drop))
        except StoreError:
            if staging:
                try:
                    self.update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staging.values()))
                except StoreError:
                    pass
            raise

    def named_graphs(self) -> list[str]:
        dialect = self.dialect()
        # Virtuoso: GRAPH ?g { } matches nothing, and SELECT DISTINCT ?g over GRAPH ?g { ?s ?p ?o } takes minutes
        # (the GROUP BY form: a tenth of a second)
        listing = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }" if dialect.empty_graph_pattern_matches_graphs
                   else "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        _, exchange = self._query(listing, _RESULTS_JSON,
                                  named_graph_uris=None, default_graph_uris=None, list_graphs=True)
        result = self._results("SELECT", exchange)
        hidden = set(dialect.hidden_graphs) | ({dialect.unnamed_graph} if dialect.unnamed_graph else set())
        graphs = sorted({solution["g"].value for solution in result if isinstance(solution["g"], ox.NamedNode)})
        return [g for g in graphs if g not in hidden]

    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Graph Store Protocol ``PUT``, one per graph (each replaces its graph; not one transaction)."""
        self.dialect()
        if not self.gsp_endpoint:
            self.replace_graphs(graphs)
            return
        for name, ntriples in graphs.items():
            exchange = self._send("PUT", self.gsp_endpoint, content=ntriples, params={"graph": name},
                                  headers={"Content-Type": _N_TRIPLES, **self._write_headers()})
            self._raise_for(exchange, self.gsp_endpoint)

    def bulk_replace_graph(self, graph: str, ntriples_file: Path, *, progress=None) -> None:
        """The file checked first (a malformed one changes nothing), then streamed in one Graph Store Protocol
        ``PUT`` (no Graph Store endpoint: ``replace_graphs``, in memory). ``progress`` is reported once the file
        is sent (a remote server's load has no progress to read)."""
        try:
            for _ in ox.parse(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES):
                pass
        except SyntaxError as exc:
            raise StoreError(f"{ntriples_file}:{exc.lineno}: {exc}") from exc
        self.dialect()
        if not self.gsp_endpoint:
            self.replace_graphs({graph: ntriples_file.read_bytes()})
            return
        with ntriples_file.open("rb") as stream:
            # a Content-Length, not chunked transfer encoding, which not every server reads (Virtuoso does not)
            exchange = self._send("PUT", self.gsp_endpoint, content=_chunks(stream), params={"graph": graph},
                                  headers={"Content-Type": _N_TRIPLES, **self._write_headers(),
                                           "Content-Length": str(ntriples_file.stat().st_size)})
        self._raise_for(exchange, self.gsp_endpoint)
        if progress is not None:
            size = ntriples_file.stat().st_size
            progress(size, size)

    def unnamed_graph_triples(self) -> list[ox.Triple]:
        """Read as the triples of the default graph in no named graph (with a union default graph, a triple that
        is in both reads as in the named graph only)."""
        return list(self.evaluate(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"))

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


def _raise_standard_syntax_error(sparql: str, base_iri: str | None) -> None:
    """A query the server refused as malformed: ``QuerySyntaxError`` with the SPARQL 1.1 parser's message (line
    and column in the caller's text, the same words on every store: Virtuoso's own say ``SP030 … line 1`` of its
    rewritten text), when that parser refuses it too; otherwise nothing (the server's message is reported).

    First parsed and translated only (rdflib's SPARQL 1.1 parser and algebra): a query it accepts is not evaluated anywhere here, so a
    well-formed query the server refused costs no CPU of ours. Only a query that parser refuses too goes to
    pyoxigraph for its message (pyoxigraph has no parse-only call; a malformed query fails while parsing, before
    any evaluation), and never a query with ``SERVICE``, which would fetch its endpoint."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    from dge_graph.kernel.sparql_text import tokens

    if any(t.kind == "word" and t.text.upper() == "SERVICE" for t in tokens(sparql)):
        return
    try:
        translateQuery(parseQuery(sparql), base=base_iri)  # the grammar, then prefixes and scoping: no evaluation
        return
    except Exception:  # noqa: BLE001 - pyparsing's ParseException and the like: refused, ask pyoxigraph for words
        pass
    try:
        ox.Store().query(sparql, base_iri=base_iri)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    except (OSError, ValueError, RuntimeError):
        return


def _form(data: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields for httpx, repeated names kept (``default-graph-uri`` may occur several times)."""
    fields: dict[str, list[str]] = {}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    return fields


def _boolean(value: bool) -> ox.QueryBoolean:
    document = b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)


def _rows_mean_true(solutions: ox.QuerySolutions) -> bool:
    """An ASK answered as rows (Virtuoso: one row ``?__ASK_RETVAL 1`` for true, no row for false)."""
    for solution in solutions:
        values = [solution[v] for v in solutions.variables]
        return any(v is not None and not (isinstance(v, ox.Literal) and v.value in ("0", "false")) for v in values)
    return False


def _chunks(stream, size: int = 1 << 20) -> Iterator[bytes]:
    """A file as an iterator of blocks (an httpx streamed request body)."""
    while block := stream.read(size):
        yield block


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN_DIGITS = {"1": "true", "0": "false"}


def _canonical_boolean(term):
    """``"1"^^xsd:boolean`` as ``"true"^^xsd:boolean`` (and 0 as false); any other term as it is."""
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD_BOOLEAN and term.value in _BOOLEAN_DIGITS:
        return ox.Literal(_BOOLEAN_DIGITS[term.value], datatype=term.datatype)
    return term


def _standard_json_results(body: bytes, dialect: RemoteDialect) -> bytes:
    """SPARQL JSON results with the dialect's deviations undone: the blank node prefix removed from blank node
    values, ``xsd:boolean`` digits written as ``true``/``false`` (the body is parsed only when one may occur)."""
    prefix = dialect.blank_node_prefix
    has_prefix = bool(prefix) and prefix.encode() in body
    has_booleans = dialect.boolean_digits and _XSD_BOOLEAN.encode() in body
    if not has_prefix and not has_booleans:
        return body
    import json

    document = json.loads(body)
    for binding in document.get("results", {}).get("bindings", ()):
        for value in binding.values():
            if has_prefix and value.get("type") == "bnode" and value.get("value", "").startswith(prefix):
                value["value"] = value["value"][len(prefix):]
            elif (has_booleans and value.get("datatype") == _XSD_BOOLEAN
                  and value.get("value") in _BOOLEAN_DIGITS):
                value["value"] = _BOOLEAN_DIGITS[value["value"]]
    return json.dumps(document).encode("utf-8")


_ESCAPED_NAME = re.compile(r"[^\W\d]?[\w.\-]*:(?:[\w.\-:%]|\\[_~.\-!$&'()*+,;=/?#@%])*")


def _without_local_name_escapes(sparql: str) -> str:
    """The query with every prefixed name that has a ``\\`` escape in its local part written as a full IRI
    (its prefix resolved against the query's ``PREFIX`` declarations; names of unknown prefixes are left alone)."""
    if "\\" not in sparql:
        return sparql
    from dge_graph.kernel.sparql_text import tokens

    items = list(tokens(sparql))
    prefixes: dict[str, str] = {}
    edits = []
    for index, token in enumerate(items):
        if token.kind == "word" and token.text.upper() == "PREFIX" and index + 2 < len(items):
            name, iri = items[index + 1], items[index + 2]
            if name.text.endswith(":") and iri.kind == "iri":
                prefixes[name.text[:-1]] = iri.text[1:-1]
        elif token.kind == "word" and ":" in token.text and token.text.endswith("\\"):
            # the lexer stops at the escaped character: read the whole name from the text
            name = _ESCAPED_NAME.match(sparql, token.start)
            prefix, _, local = name.group().partition(":")
            if prefix in prefixes:
                local = re.sub(r"\\(.)", r"\1", local)
                edits.append((token.start, len(name.group()), iri_ref(prefixes[prefix] + local)))
    out = sparql
    for start, length, text in reversed(edits):
        out = out[:start] + text + out[start + length:]
    return out
