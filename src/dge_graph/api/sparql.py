"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query; update when enabled) and its service description.

* query by GET (``?query=``), POST form-encoded (``query=``) or POST direct (``application/sparql-query``), with
  ``default-graph-uri``/``named-graph-uri``; without them the default graph is the union of the named graphs
  unless the query has its own ``FROM``/``FROM NAMED``;
* update by POST form-encoded (``update=``) or direct (``application/sparql-update``), with ``using-graph-uri``/
  ``using-named-graph-uri``; needs ``Authorization: Bearer <token>`` and is off without ``--update-token``;
* results by ``Accept`` (q-values, wildcards, and the aliases Fuseki and Oxigraph accept: ``application/json``,
  ``application/xml``, ``text/plain``, ``text/n3``, ...) or ``format``/``output``/``results``/``_mediatype`` (short
  names read per query form: ``xml`` is SPARQL XML for SELECT and RDF/XML for CONSTRUCT; a repeated parameter is
  fine, the first value naming a format of the query form wins); SELECT/ASK default to SPARQL JSON,
  CONSTRUCT/DESCRIBE to Turtle; HEAD answers as GET without the body;
* failures: 400 with the parser's message for a malformed request or query, 406 for no acceptable format, 415 for
  an unsupported body type, 503 with a message past the time limit or the row limit (never a truncated 200);
* GET without a query: the SPARQL service description (RDF), or for a browser, a redirect to the query editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse

from dge_graph.api.auth import require_update_token
from dge_graph.api.caching import store_written
from dge_graph.api.deps import get_settings, get_store
from dge_graph.api.evaluation import NotAcceptable, ResultTooLarge, ServerBusy, evaluate_query, negotiated_media_type
from dge_graph.api.guard import deadline_of, guarded
from dge_graph.api.jsonld import jsonld_form
from dge_graph.api.routing import routes
from dge_graph.api.serializers import serialize_graph
from dge_graph.api.sparql_errors import QueryRefused, plain_syntax_error, refuse_service
from dge_graph.kernel import conneg
from dge_graph.kernel.config import Settings
from dge_graph.kernel.media_types import FORMATS as MEDIA_FORMATS
from dge_graph.kernel.media_types import GRAPH_MEDIA_TYPES, SELECT_MEDIA_TYPES, W3C_FORMATS
from dge_graph.kernel.namespaces import PREFIXES
from dge_graph.kernel.sparql_text import has_using_or_with
from dge_graph.kernel.terms import InvalidIRI, checked_iri
from dge_graph.store import QuerySyntaxError, QueryTimeout, Store, StoreError

router = APIRouter(tags=["sparql"])

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
FORMAT_PARAMETERS = ("format", "_mediatype", "output", "results")
"""Parameters naming the result format (``format``: Fuseki, Virtuoso; ``output``: Fuseki, sparqler; ``results``:
SPARQLWrapper sends all three)."""
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = W3C_FORMATS
RESULT_FORMAT_IRIS = tuple(f.w3c for f in MEDIA_FORMATS if f.w3c and f.media_type in (*SELECT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES))
DESCRIPTION_OFFERS = (*GRAPH_MEDIA_TYPES, "text/html")

OPENAPI_EXTRA = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "SPARQL 1.1 query (GET); without it, GET returns the service description"},
        {"name": "default-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "schema": {"type": "array", "items": {"type": "string"}}, "explode": True},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "result media type or short name (json, xml, csv, tsv, ttl, jsonld, rdfxml, nt, nq, trig)"},
    ],
    "requestBody": {
        "required": False,
        "content": {
            QUERY_TYPE: {"schema": {"type": "string"}},
            UPDATE_TYPE: {"schema": {"type": "string"}},
            FORM_TYPE: {"schema": {"type": "object", "properties": {
                "query": {"type": "string"}, "update": {"type": "string"}}}},
        },
    },
    "responses": {
        "200": {"description": "query results or the service description", "content": {
            m: {} for m in (*SELECT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES)}},
        "400": {"description": "malformed request or query (the parser's message)"},
        "401": {"description": "update without a bearer token"},
        "403": {"description": "update disabled, or a wrong token"},
        "406": {"description": "no acceptable result format"},
        "415": {"description": "unsupported request body type"},
        "503": {"description": "the query ran past the time limit, or its result past the row limit"},
    },
}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Operation:
    """One protocol request, decoded: a query or an update (or neither: the service description)."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)
    formats: tuple[str, ...] = ()


def _media_type_and_charset(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("content-type")
    if header is None:
        return None, None
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (byte {exc.start})") from exc


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter ({len(values)}); send exactly one")
    return values[0] if values else None


async def decode_operation(request: Request) -> Operation:
    """The protocol operation of a request, or ``ProtocolError`` naming what is wrong with it."""
    url_params = list(request.query_params.multi_items())
    params = url_params
    body_text: str | None = None
    body_kind: str | None = None
    if request.method == "POST":
        media_type, charset = _media_type_and_charset(request)
        body = await request.body()
        if media_type is None:
            raise ProtocolError(
                415, f"a POST needs a Content-Type: {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}"
            )
        if media_type == FORM_TYPE:
            form = parse_qsl(_decode(body, "form body"), keep_blank_values=True)
            params = url_params + form
            for name in ("query", "update"):
                if any(k == name for k, _ in url_params) and any(k == name for k, _ in form):
                    raise ProtocolError(400, f"'{name}' given both in the URL and in the form body")
        elif media_type in (QUERY_TYPE, UPDATE_TYPE):
            if charset not in (None, "utf-8", "utf8"):
                raise ProtocolError(415, f"{media_type} must be sent in UTF-8, not {charset}")
            body_text = _decode(body, "request body")
            body_kind = "query" if media_type == QUERY_TYPE else "update"
        else:
            raise ProtocolError(
                415, f"unsupported Content-Type {media_type!r}: use {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}"
            )

    def values(name: str) -> list[str]:
        return [v for k, v in params if k == name]

    op = Operation(
        default_graphs=values("default-graph-uri"),
        named_graphs=values("named-graph-uri"),
        using_graphs=values("using-graph-uri"),
        using_named_graphs=values("using-named-graph-uri"),
        formats=tuple(v for name in FORMAT_PARAMETERS for v in values(name) if v.strip()),
    )
    unknown = [v for v in op.formats if not conneg.is_known_format(v)]
    if op.formats and len(unknown) == len(op.formats):
        raise ProtocolError(400, f"unknown result format {unknown[0]!r}: use json, xml, csv, tsv, ttl, jsonld, rdfxml, "
                                 "nt, nq, trig or a media type")
    if body_kind == "query":
        if values("query") or values("update"):
            raise ProtocolError(400, f"a {QUERY_TYPE} body cannot be combined with a 'query'/'update' parameter")
        op.query = body_text
    elif body_kind == "update":
        if values("query") or values("update"):
            raise ProtocolError(400, f"a {UPDATE_TYPE} body cannot be combined with a 'query'/'update' parameter")
        op.update = body_text
    else:
        op.query = _single(values("query"), "query")
        op.update = _single(values("update"), "update")
    if op.query is not None and op.update is not None:
        raise ProtocolError(400, "a request carries either 'query' or 'update', not both")
    if op.update is not None and request.method == "GET":
        raise ProtocolError(400, "SPARQL Update must be sent by POST, not GET")
    if op.query is not None and (op.using_graphs or op.using_named_graphs):
        raise ProtocolError(400, "using-graph-uri/using-named-graph-uri apply to updates, not queries")
    if op.update is not None and (op.default_graphs or op.named_graphs):
        raise ProtocolError(400, "default-graph-uri/named-graph-uri apply to queries; updates take using-graph-uri")
    for iri in (*op.default_graphs, *op.named_graphs, *op.using_graphs, *op.using_named_graphs):
        try:
            checked_iri(iri)
        except InvalidIRI as exc:
            raise ProtocolError(400, f"graph {exc}") from exc
    return op


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def endpoint_iri(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


@routes(
    router,
    "/sparql",
    ("GET", "POST", "HEAD"),
    name="sparql_endpoint",
    summary="SPARQL 1.1 query and update endpoint (SPARQL 1.1 Protocol)",
    openapi_extra=OPENAPI_EXTRA,
    response_class=Response,
)
async def sparql_endpoint(
    request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)
) -> Response:
    try:
        op = await decode_operation(request)
        accept = request.headers.get("accept")
        if op.update is not None:
            return await _run_update(request, store, settings, op)
        if op.query is None:
            if request.method == "POST":
                raise ProtocolError(400, "missing 'query' or 'update'")
            return await _service_description(request, store, settings, accept, op.formats)
        return await _run_query(request, store, settings, op, accept)
    except ProtocolError as exc:
        return _plain(exc.status, exc.message, exc.headers)
    except QueryRefused as exc:
        return _plain(400, str(exc))
    except conneg.BadAcceptHeader as exc:
        return _plain(400, str(exc))
    except HTTPException as exc:
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))


@router.api_route("/sparql/", methods=["GET", "POST", "HEAD"], include_in_schema=False, response_class=Response)
async def sparql_endpoint_slash(
    request: Request, store: Store = Depends(get_store), settings: Settings = Depends(get_settings)
) -> Response:
    return await sparql_endpoint(request, store, settings)


async def _run_query(request: Request, store: Store, settings: Settings, op: Operation, accept: str | None):
    conneg.parse_accept(accept)  # a malformed Accept is a 400 before any work
    refuse_service(op.query or "", settings)
    deadline = deadline_of(request)
    guard = request.app.state.guard
    work = partial(
        guard.call, deadline, evaluate_query, op.query or "",
        choose_media_type=partial(negotiated_media_type, accept, op.formats), deadline=deadline,
        max_rows=settings.max_result_rows, base_iri=endpoint_iri(request),
        default_graph_uris=op.default_graphs or None, named_graph_uris=op.named_graphs or None,
        prefixes=dict(PREFIXES), jsonld=jsonld_form(request),
    )
    try:
        result = await run_in_threadpool(work)
    except ServerBusy as exc:
        return _plain(503, f"query not run: {exc}; try again later", {"Retry-After": "5"})
    except QueryTimeout:
        return _plain(503, f"query cancelled: it ran past the time limit of {settings.timeout_s:g} s "
                           "(narrow it, add a LIMIT, or run it on your own copy of the data)")
    except ResultTooLarge as exc:
        return _plain(503, f"query cancelled: {exc}")
    except QuerySyntaxError as exc:
        return _plain(400, f"malformed query: {plain_syntax_error(op.query or '', str(exc))}")
    except NotAcceptable as exc:
        return _plain(406, f"{exc}; acceptable: {', '.join((*SELECT_MEDIA_TYPES, *GRAPH_MEDIA_TYPES))}")
    except StoreError as exc:
        return _plain(502, f"store error: {exc}")
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    return Response(result.body, media_type=_with_charset(result.media_type), headers=headers)


def _with_charset(media_type: str) -> str:
    if media_type.startswith("text/") or media_type.endswith(("+json", "+xml")) or media_type in (
        "application/n-triples", "application/n-quads", "application/trig", "application/ld+json"):
        return f"{media_type}; charset=utf-8"
    return media_type


async def _run_update(request: Request, store: Store, settings: Settings, op: Operation) -> Response:
    require_update_token(request, settings)
    text = op.update or ""
    if op.using_graphs or op.using_named_graphs:
        if has_using_or_with(text):
            raise ProtocolError(
                400, "the update names its dataset (USING/WITH) and using-graph-uri/using-named-graph-uri are "
                "given too; SPARQL 1.1 Protocol §2.2.3 makes that an error"
            )
    refuse_service(text, settings)
    try:
        # the dataset stays a protocol parameter down to the store (a remote store sends it as using-graph-uri)
        await run_in_threadpool(lambda: store.update(text, base_iri=endpoint_iri(request),
                                                     using_graph_uris=op.using_graphs or None,
                                                     using_named_graph_uris=op.using_named_graphs or None))
    except QuerySyntaxError as exc:
        return _plain(400, f"malformed update: {plain_syntax_error(text, str(exc))}")
    except StoreError as exc:
        return _plain(502, f"store error: {exc}")
    finally:
        store_written(request)
    return Response(status_code=204)


async def _service_description(request: Request, store: Store, settings: Settings, accept: str | None,
                               formats: tuple[str, ...] = ()):
    conneg.parse_accept(accept)
    media_type = conneg.result_media_type(accept, formats, DESCRIPTION_OFFERS,
                                          {**conneg.GRAPH_RESULT_ALIASES, "html": "text/html",
                                           "application/xhtml+xml": "text/html"})
    if media_type is None:
        return _plain(406, f"acceptable for the service description: {', '.join(DESCRIPTION_OFFERS)}")
    if media_type == "text/html":
        return RedirectResponse(str(request.url_for("query_editor")), status_code=303)
    graphs = await guarded(request, named_graphs)
    triples = service_description(endpoint_iri(request), graphs, update_enabled=bool(settings.update_token))
    body = serialize_graph(media_type, triples, {"sd": SD, "formats": FORMATS, "void": PREFIXES["void"]},
                           jsonld_form(request))
    return Response(body, media_type=_with_charset(media_type), headers={"Vary": "Accept"})


def named_graphs(store: Store) -> list[str]:
    return store.named_graphs()


def service_description(endpoint: str, named_graphs: list[str], *, update_enabled: bool) -> list[ox.Triple]:
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = ox.NamedNode(endpoint)
    dataset = ox.BlankNode()
    default_graph = ox.BlankNode()
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, sd("Graph")),
    ]
    if update_enabled:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMAT_IRIS]
    for graph in named_graphs:
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, rdf_type, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples
