"""Writes: ``/update`` (SPARQL 1.1 Update; also accepted at ``/sparql``) and ``/rdf-graph-store`` (SPARQL 1.1 Graph
Store HTTP Protocol, complete).

Graph Store Protocol: indirect identification (``/rdf-graph-store?graph=<IRI>``, ``?default``) and direct
identification (``/rdf-graph-store/<path>``: the graph whose IRI is that request URL); ``GET``/``HEAD`` (public),
``PUT`` (replace), ``POST`` (merge; ``multipart/form-data`` with one RDF document per part; ``POST`` to
``/rdf-graph-store`` itself creates a new graph and answers ``201`` with its IRI in ``Location``), ``DELETE``. Bodies
in Turtle, N-Triples, RDF/XML or JSON-LD. ``?default`` is the store's own default graph (the graph of no name: empty
in the project's build, which keeps everything in named graphs); SPARQL queries see the union of it and every named
graph as their default graph.

Writes are off unless the server has an update token (``--update-token``/``DGE_UPDATE_TOKEN``); then they need
``Authorization: Bearer <token>`` (401 without, 403 wrong). Reads need no token: the same data is public at /sparql.
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from rdflib import URIRef

from dge_graph.api.auth import require_update_token
from dge_graph.api.caching import store_written
from dge_graph.api.deps import get_settings, get_store
from dge_graph.api.guard import guarded
from dge_graph.api.jsonld import jsonld_form
from dge_graph.api.routing import routes
from dge_graph.api.serializers import serialize_graph
from dge_graph.kernel.media_types import TRIPLE_MEDIA_TYPES, rdf_format
from dge_graph.api.sparql import ProtocolError, _plain, _run_update, decode_operation, named_graphs
from dge_graph.kernel import conneg
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DGE, PREFIXES, RDF
from dge_graph.kernel.terms import InvalidIRI, checked_iri, iri_ref
from dge_graph.store import QueryTimeout, Store, StoreError, quads_to_ntriples

router = APIRouter(tags=["update"])

@router.post("/update", summary="SPARQL 1.1 Update (needs the bearer token; off by default)",
             response_class=Response, status_code=204,
             openapi_extra={"requestBody": {"content": {"application/sparql-update": {"schema": {"type": "string"}},
                            "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                                "update": {"type": "string"}}}}}},
                            "responses": {"400": {}, "401": {}, "403": {}, "415": {}}})
async def sparql_update(request: Request, store: Store = Depends(get_store),
                        settings: Settings = Depends(get_settings)) -> Response:
    try:
        require_update_token(request, settings)
        op = await decode_operation(request)
        if op.update is None:
            raise ProtocolError(400, "missing 'update' (queries go to /sparql)")
        return await _run_update(request, store, settings, op)
    except ProtocolError as exc:
        return _plain(exc.status, exc.message, exc.headers)
    except HTTPException as exc:
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))


GSP_READ_TYPES = TRIPLE_MEDIA_TYPES
"""What a graph is served as: Turtle (the default), JSON-LD, RDF/XML, N-Triples."""
BODY_FORMATS = "Turtle, N-Triples, RDF/XML, JSON-LD (or multipart/form-data of them, for POST)"
DEFAULT_GRAPH = None
"""The target ``?default``: the store's graph of no name."""
GSP_RESPONSES = {200: {"content": {m: {} for m in GSP_READ_TYPES}}, 201: {}, 204: {}, 400: {}, 401: {}, 403: {},
                 404: {}, 406: {}, 415: {}}
GSP_PARAMETERS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "IRI of the named graph (indirect identification)"},
    {"name": "default", "in": "query", "required": False, "schema": {"type": "string"}, "allowEmptyValue": True,
     "description": "the default graph (the store's graph of no name)"},
]


def _checked(iri: str) -> str:
    try:
        return checked_iri(iri)
    except InvalidIRI as exc:
        raise ProtocolError(400, str(exc)) from exc


def _indirect_target(request: Request) -> str | None:
    """The graph of ``?graph=``/``?default`` (``DEFAULT_GRAPH`` for the latter); 400 for both, or neither but on
    POST (which creates a graph)."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise ProtocolError(400, "give either ?graph=<IRI> or ?default, not both")
    if len(graphs) > 1:
        raise ProtocolError(400, f"more than one 'graph' parameter ({len(graphs)}); send exactly one")
    if "default" in params:
        return DEFAULT_GRAPH
    if graphs and graphs[0]:
        return _checked(graphs[0])
    raise ProtocolError(400, "missing ?graph=<IRI> or ?default (POST without them creates a new graph)")


def _rdf_format(media_type: str, filename: str | None = None) -> ox.RdfFormat:
    suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else None
    found = rdf_format(media_type, suffix)
    if found is None or found.supports_datasets:
        raise ProtocolError(415, f"unsupported Content-Type {media_type or '(none)'!r}: send {BODY_FORMATS}")
    return found


def _parse(data: bytes, rdf_format: ox.RdfFormat, base_iri: str, what: str) -> bytes:
    try:
        return quads_to_ntriples(ox.parse(data, format=rdf_format, base_iri=base_iri))
    except SyntaxError as exc:
        raise ProtocolError(400, f"{what} does not parse as {rdf_format.name}: {exc}") from exc


async def _body_as_ntriples(request: Request, base_iri: str) -> bytes:
    header = request.headers.get("content-type", "")
    media_type = header.split(";")[0].strip().lower()
    body = await request.body()
    if media_type == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + header.encode("latin-1") + b"\r\n\r\n" + body)
        if not message.is_multipart():
            raise ProtocolError(400, "the multipart/form-data body has no parts (is the boundary right?)")
        documents = []
        for index, part in enumerate(message.iter_parts(), start=1):
            name = part.get_filename() or part.get_param("name", header="content-disposition") or f"part {index}"
            rdf_format = _rdf_format(part.get_content_type() if part.get("content-type") else "", part.get_filename())
            documents.append(_parse(part.get_payload(decode=True) or b"", rdf_format, base_iri, f"part {name!r}"))
        return b"".join(documents)
    return _parse(body, _rdf_format(media_type), base_iri, f"the {media_type} body")


def graph_content(store: Store, graph: str | None) -> list[ox.Triple]:
    """The triples of a named graph, or (``None``) of the store's graph of no name.

    A remote store's graph of no name is read as the triples of the default graph in no named graph (with a union
    default graph, a triple that is in both reads as in the named graph only)."""
    if graph is not None:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"
        return list(store.evaluate(query))
    return store.unnamed_graph_triples()


async def _write(request: Request, store: Store, update: str, *, graph: str | None = None,
                 data: str = "") -> None:
    """Run ``update``; when it replaces, merges or drops the named graph ``graph`` (new content ``data``), a
    stored validation result is kept true for the deployments it changes (``_revalidating``)."""
    try:
        await run_in_threadpool(_revalidating, request, store, graph, data, lambda: store.update(update))
    finally:
        store_written(request)


def _revalidating(request: Request, store: Store, graph: str | None, data: str, write) -> None:
    """``write()``, re-validating the deployments of ``graph`` (as it was) and of ``data`` (N-Triples) alone
    (``rules.incremental``: findings, decisions and measures of the stored result; nothing when none is stored).
    The app keeps one ``Revalidator`` (shapes parsed once per app)."""
    if graph is None:
        write()
        return
    from dge_graph.rules.incremental import Revalidator, graph_deployments

    revalidator = getattr(request.app.state, "revalidator", None)
    if revalidator is None:
        revalidator = request.app.state.revalidator = Revalidator()
    deployment_type = f"<{RDF.type}> <{DGE.Deployment}>"
    affected = graph_deployments(store, graph) | {
        URIRef(line.split(" ", 1)[0][1:-1]) for line in data.splitlines()
        if line.startswith("<") and f" {deployment_type} " in line}
    pending = revalidator.before_write(store, affected) if affected else None
    write()
    revalidator.after_write(store, pending)


async def serve_graph(request: Request, store: Store, settings: Settings, target: str | None,
                      *, create: bool = False) -> Response:
    """One Graph Store Protocol operation on ``target`` (a graph IRI, or ``DEFAULT_GRAPH``)."""
    method = request.method
    if method in ("PUT", "POST", "DELETE"):
        require_update_token(request, settings)
    exists = target is DEFAULT_GRAPH or (not create and target in await guarded(request, named_graphs))
    if method == "GET":
        if not exists:
            return _plain(404, f"no graph <{target}>")
        media_type = conneg.negotiate_aliased(request.headers.get("accept"), GSP_READ_TYPES,
                                              conneg.GRAPH_RESULT_ALIASES)
        if media_type is None:
            return _plain(406, "acceptable: " + ", ".join(GSP_READ_TYPES))
        triples = await guarded(request, graph_content, target)
        body = serialize_graph(media_type, triples, dict(PREFIXES), jsonld_form(request))
        return Response(body, media_type=f"{media_type}; charset=utf-8", headers={"Vary": "Accept"})
    if method == "DELETE":
        if not exists:
            return _plain(404, f"no graph <{target}>")
        await _write(request, store, "DROP SILENT DEFAULT" if target is DEFAULT_GRAPH
                     else f"DROP SILENT GRAPH {iri_ref(target)}",
                     graph=None if target is DEFAULT_GRAPH else target)
        return Response(status_code=204)
    data = (await _body_as_ntriples(request, target or str(request.url))).decode("utf-8")
    if method == "PUT":
        if target is DEFAULT_GRAPH:
            await _write(request, store, f"DROP SILENT DEFAULT ;\nINSERT DATA {{\n{data}}}")
        else:
            try:
                await run_in_threadpool(_revalidating, request, store, target, data,
                                        lambda: store.replace_graphs({target: data.encode("utf-8")}))
            finally:
                store_written(request)
        return Response(status_code=204 if exists else 201)
    # POST: merge into the graph (creating it if need be)
    inner = data if target is DEFAULT_GRAPH else f"GRAPH {iri_ref(target)} {{\n{data}}}"
    await _write(request, store, f"INSERT DATA {{\n{inner}}}", graph=None if target is DEFAULT_GRAPH else target,
                 data=data)
    if create:
        return Response(status_code=201, headers={"Location": target})
    return Response(status_code=204 if exists else 201)


async def _answer(request: Request, operation) -> Response:
    try:
        return await operation
    except ProtocolError as exc:
        return _plain(exc.status, exc.message, exc.headers)
    except HTTPException as exc:
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    except QueryTimeout as exc:
        return _plain(503, f"not answered: {exc}; try again later", {"Retry-After": "5"})
    except StoreError as exc:
        return _plain(502, f"store error: {exc}")


@routes(router, "/rdf-graph-store", ("GET", "PUT", "POST", "DELETE"),
        summary="SPARQL 1.1 Graph Store Protocol, indirect identification (?graph=<IRI>, ?default); writes need "
                "the bearer token", response_class=Response, responses=GSP_RESPONSES,
        openapi_extra={"parameters": GSP_PARAMETERS})
async def graph_store(request: Request, store: Store = Depends(get_store),
                      settings: Settings = Depends(get_settings)) -> Response:
    async def operation() -> Response:
        params = request.query_params
        if request.method == "POST" and "default" not in params and not params.getlist("graph"):
            require_update_token(request, settings)
            new_graph = f"{str(request.url_for('graph_store')).rstrip('/')}/{uuid.uuid4()}"
            return await serve_graph(request, store, settings, new_graph, create=True)
        return await serve_graph(request, store, settings, _indirect_target(request))

    return await _answer(request, operation())


@routes(router, "/rdf-graph-store/{path:path}", ("GET", "PUT", "POST", "DELETE"),
        summary="SPARQL 1.1 Graph Store Protocol, direct identification (the graph named by this URL)",
        response_class=Response, responses=GSP_RESPONSES)
async def graph_store_direct(request: Request, path: str, store: Store = Depends(get_store),
                             settings: Settings = Depends(get_settings)) -> Response:
    async def operation() -> Response:
        if request.query_params.getlist("graph") or "default" in request.query_params:
            raise ProtocolError(400, "a graph named by its URL (direct identification) takes no ?graph/?default")
        return await serve_graph(request, store, settings, _checked(str(request.url.replace(query="", fragment=""))))

    return await _answer(request, operation())
