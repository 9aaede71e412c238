"""``/sparql``: the SPARQL 1.1 query endpoint (GET with ``query=``, POST form-encoded or direct)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from ..store import QuerySyntaxError, Store, StoreError
from .deps import get_store

router = APIRouter(tags=["sparql"])


async def _query_from_request(request: Request) -> str | None:
    if request.method == "GET":
        return request.query_params.get("query")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/sparql-query":
        return body.decode("utf-8")
    if content_type == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("utf-8"), keep_blank_values=True).get("query")
        return values[0] if values else None
    raise HTTPException(415, f"unsupported Content-Type {content_type!r} for a SPARQL query")


@router.api_route("/sparql", methods=["GET", "POST"], summary="SPARQL 1.1 query endpoint")
async def sparql_endpoint(request: Request, store: Store = Depends(get_store)) -> Response:
    query = await _query_from_request(request)
    if not query:
        raise HTTPException(400, "missing 'query' parameter")
    try:
        result = await run_in_threadpool(store.query_serialized, query)
    except QuerySyntaxError as exc:
        raise HTTPException(400, f"malformed query: {exc}") from exc
    except StoreError as exc:
        raise HTTPException(502, str(exc)) from exc
    return Response(result.body, media_type=result.media_type)
