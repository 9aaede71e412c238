"""Writes: ``/update`` (SPARQL 1.1 Update; also accepted at ``/sparql``) and ``/rdf-graph-store`` (SPARQL 1.1 Graph
Store HTTP Protocol, indirect identification ``?graph=<IRI>``).

Off unless the server has an update token (``--update-token``/``DGE_UPDATE_TOKEN``); then every request here needs
``Authorization: Bearer <token>`` (401 without, 403 wrong). All data lives in named graphs (the default graph is
their union), so the Graph Store Protocol addresses named graphs only: ``?default`` answers 400.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from dge_graph.api.auth import require_update_token
from dge_graph.api.caching import store_written
from dge_graph.api.deps import get_settings, get_store
from dge_graph.api.guard import guarded
from dge_graph.api.routing import routes
from dge_graph.api.serializers import GRAPH_MEDIA_TYPES, serialize_graph
from dge_graph.api.sparql import ProtocolError, _plain, _run_update, decode_operation, named_graphs
from dge_graph.kernel import conneg
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import PREFIXES
from dge_graph.kernel.sparql_text import checked_iri
from dge_graph.store import QueryTimeout, Store, StoreError, quads_to_ntriples

router = APIRouter(tags=["update"])

GRAPH_PARAMETER = Query(None, description="IRI of the named graph (indirect identification)")


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


def _target(graph: str | None, default: str | None) -> str:
    if default is not None:
        raise ProtocolError(400, "this store keeps all data in named graphs; the default graph is their union and "
                                 "cannot be written: use ?graph=<IRI>")
    if not graph:
        raise ProtocolError(400, "missing ?graph=<IRI>")
    try:
        checked_iri(graph)
    except ValueError as exc:
        raise ProtocolError(400, str(exc)) from exc
    return graph


async def _body_as_ntriples(request: Request, graph: str) -> bytes:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rdf_format = ox.RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None or rdf_format.supports_datasets:
        raise ProtocolError(415, f"unsupported Content-Type {media_type!r}: send Turtle, N-Triples, RDF/XML or JSON-LD")
    body = await request.body()
    try:
        return quads_to_ntriples(ox.parse(body, format=rdf_format, base_iri=graph))
    except SyntaxError as exc:
        raise ProtocolError(400, f"the {media_type} body does not parse: {exc}") from exc


def _graph_content(store: Store, graph: str) -> bytes:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {checked_iri(graph)} {{ ?s ?p ?o }} }}"
    return quads_to_ntriples(store.evaluate(query))


@routes(router, "/rdf-graph-store", ("GET", "PUT", "POST", "DELETE"),
        summary="SPARQL 1.1 Graph Store Protocol (needs the bearer token; off by default)",
        response_class=Response, responses={400: {}, 401: {}, 403: {}, 404: {}, 415: {}})
async def graph_store(request: Request, graph: str | None = GRAPH_PARAMETER,
                      default: str | None = Query(None, description="the default graph (not writable here)"),
                      store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    try:
        require_update_token(request, settings)
        target = _target(graph, default)
        exists = target in await guarded(request, named_graphs)
        if request.method == "GET":
            if not exists:
                return _plain(404, f"no graph <{target}>")
            media_type = conneg.negotiate(request.headers.get("accept"), GRAPH_MEDIA_TYPES[:4])
            if media_type is None:
                return _plain(406, "acceptable: " + ", ".join(GRAPH_MEDIA_TYPES[:4]))
            data = await guarded(request, _graph_content, target)
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            return Response(serialize_graph(media_type, triples, dict(PREFIXES)), media_type=media_type)
        if request.method == "DELETE":
            if not exists:
                return _plain(404, f"no graph <{target}>")
            try:
                await run_in_threadpool(store.replace_graphs, {}, drop=[target])
            finally:
                store_written(request)
            return Response(status_code=204)
        data = await _body_as_ntriples(request, target)
        if request.method == "POST" and exists:
            data = (await guarded(request, _graph_content, target)) + data
        try:
            await run_in_threadpool(store.replace_graphs, {target: data})
        finally:
            store_written(request)
        return Response(status_code=204 if exists else 201)
    except ProtocolError as exc:
        return _plain(exc.status, exc.message, exc.headers)
    except HTTPException as exc:
        return _plain(exc.status_code, str(exc.detail), dict(exc.headers or {}))
    except QueryTimeout as exc:
        return _plain(503, f"not answered: {exc}; try again later", {"Retry-After": "5"})
    except StoreError as exc:
        return _plain(502, f"store error: {exc}")
