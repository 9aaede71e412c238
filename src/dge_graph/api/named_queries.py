"""Named queries over HTTP: ``/queries`` lists ``queries/*.rq`` with their header; ``/queries/{name}`` documents a
query (from its header) and runs it with typed parameters (``?param=value``) in every SPARQL results format (SPARQL
JSON and XML, CSV, TSV, by ``Accept``, its aliases, or ``format``/``output``/``results``) or as an HTML table.

Parameters are validated and converted by ``queries.NamedQuery.bind`` and reach the store as ``substitutions``,
never by string formatting; a bad value is a 400 naming the parameter.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from rdflib import URIRef

from dge_graph.api.analytics_common import choose_format
from dge_graph.api.deps import get_named_queries, get_store
from dge_graph.api.evaluation import ResultTooLarge
from dge_graph.api.guard import guarded
from dge_graph.api.pages import render, request_language
from dge_graph.api.serializers import serialize_boolean, serialize_solutions
from dge_graph.kernel.media_types import SELECT_MEDIA_TYPES
from dge_graph.api.validation_signal import banner_context, validation_headers
from dge_graph.kernel import conneg
from dge_graph.kernel.terms import compact
from dge_graph.query.analytics import resource_labels
from dge_graph.query.named import NamedQuery, NamedQueryError, find_named_query
from dge_graph.query.validation_status import reads_validation, validation_status
from dge_graph.render.severity import SHACL, severity
from dge_graph.store import SelectResult, Store, to_ox

router = APIRouter(tags=["named queries"])

RESERVED = frozenset({"format", "_mediatype", "output", "results"})
RESULT_OFFERS = ("text/html", *SELECT_MEDIA_TYPES)
"""What ``/queries/{name}`` answers in: the HTML page (the default for browsers) and every SPARQL results format."""


def _result_media_type(request: Request) -> str:
    """The negotiated media type (``text/html`` or a SPARQL results format); 400 for an unknown ``format``, 406."""
    aliases = {**conneg.SELECT_RESULT_ALIASES, "html": "text/html", "application/xhtml+xml": "text/html"}
    formats = [v for name in RESERVED for v in request.query_params.getlist(name) if v.strip()]
    if formats and not any(conneg.named_format(v, RESULT_OFFERS, aliases) for v in formats):
        raise HTTPException(400, f"format {formats[0]!r} is not one of html, json, xml, csv, tsv")
    try:
        chosen = conneg.result_media_type(request.headers.get("accept"), formats, RESULT_OFFERS, aliases)
    except conneg.BadAcceptHeader as exc:
        raise HTTPException(400, f"bad Accept header: {exc}") from exc
    if chosen is None:
        raise HTTPException(406, f"acceptable: {', '.join(RESULT_OFFERS)} (or application/json, text/plain)")
    return chosen


def _describe(query: NamedQuery, request: Request) -> dict:
    return {
        "name": query.name,
        "summary": dict(query.summary),
        "description": query.description,
        "description_nl": query.description_nl,
        "parameters": [{"name": p.name, "type": p.type, "optional": p.optional, "default": p.default,
                        "values": list(p.allowed), "description": p.description, "description_nl": p.description_nl}
                       for p in query.parameters],
        "examples": [dict(e) for e in query.examples],
        "url": str(request.url_for("named_query", name=query.name)),
    }


@router.get("/queries", name="named_queries", summary="The named queries with their descriptions and parameters",
            responses={200: {"content": {"text/html": {}, "application/json": {}}}})
async def list_named_queries(request: Request) -> Response:
    fmt = choose_format(request, ("text/html", "application/json"))
    queries = get_named_queries(request)
    if fmt == "json":
        return JSONResponse([_describe(q, request) for q in queries])
    return render(request, "named_queries.html", queries=queries)


def _arguments(request: Request, query: NamedQuery) -> dict[str, str]:
    arguments: dict[str, str] = {}
    declared = {p.name for p in query.parameters}
    for key, value in request.query_params.multi_items():
        if key in RESERVED or (key == "lang" and "lang" not in declared):
            continue
        if key in arguments:
            raise NamedQueryError(f"{query.name}: parameter {key!r} given twice")
        arguments[key] = value
    return arguments


@router.get("/queries/{name}", name="named_query",
            summary="Run a named query with typed parameters (?param=value); SPARQL JSON/XML, CSV, TSV or HTML",
            responses={200: {"content": {m: {} for m in RESULT_OFFERS}},
                       400: {}, 404: {}})
async def run_named_query_endpoint(name: str, request: Request, store: Store = Depends(get_store)) -> Response:
    queries = get_named_queries(request)
    try:
        query = find_named_query(queries, name)
    except NamedQueryError as exc:
        raise HTTPException(404, str(exc)) from exc
    media_type = _result_media_type(request)
    fmt = "html" if media_type == "text/html" else media_type
    try:
        arguments = _arguments(request, query)
        if fmt == "html" and not arguments and any(p.required for p in query.parameters):
            return render(request, "named_query.html", query=query, arguments={}, result=None, error=None,
                          summary=_summary(query, request))
        substitutions = query.bind(arguments)
    except NamedQueryError as exc:
        if fmt == "html":
            return render(request, "named_query.html", status_code=400, query=query, arguments={}, result=None,
                          error=str(exc), summary=_summary(query, request))
        raise HTTPException(400, str(exc)) from exc
    max_rows = request.app.state.settings.max_result_rows
    status = await guarded(request, validation_status) if reads_validation(query.sparql) else None
    signal = validation_headers(status) if status is not None else {}
    if fmt != "html":
        body, media_type = await guarded(request, serialized_result, query.sparql, substitutions, fmt, max_rows)
        if (media_type.startswith("text/") or media_type.endswith(("+json", "+xml"))) and "charset" not in media_type:
            media_type += "; charset=utf-8"
        return Response(body, media_type=media_type, headers={"Vary": "Accept", **signal})
    result = await guarded(request, capped_result, query.sparql, substitutions, max_rows)
    table, labels = None, {}
    if isinstance(result, SelectResult):
        table = {"variables": result.variables,
                 "rows": [[_cell(row.get(v)) for v in result.variables] for row in result.rows]}
        iris = {row.get(v) for row in result.rows for v in result.variables if isinstance(row.get(v), URIRef)}
        labels = await guarded(request, resource_labels, iris)  # the page shows labels, in its language
    banner = banner_context(status, request_language(request)) if status is not None else {}
    return render(request, "named_query.html", headers=signal, query=query, arguments=arguments, result=table,
                  error=None, summary=_summary(query, request), labels=labels, **banner)


def capped_result(store: Store, sparql: str, substitutions, max_rows: int):
    """The query's result (through the app's guard), ``ResultTooLarge`` past ``max_rows`` rows or triples."""
    result = store.query(sparql, substitutions=substitutions)
    size = len(result.rows) if isinstance(result, SelectResult) else 1 if isinstance(result, bool) else len(result)
    if size > max_rows:
        raise ResultTooLarge(f"the result has more than {max_rows} rows, the limit of this server")
    return result


def serialized_result(store: Store, sparql: str, substitutions, media_type: str, max_rows: int) -> tuple[bytes, str]:
    """``(body, media type)`` of a SELECT/ASK result as SPARQL JSON or CSV (other forms: as the store serialises)."""
    result = capped_result(store, sparql, substitutions, max_rows)
    if isinstance(result, SelectResult):
        rows = [tuple(to_ox(row[v]) if v in row else None for v in result.variables) for row in result.rows]
        return serialize_solutions(media_type, result.variables, rows), media_type
    if isinstance(result, bool):
        return serialize_boolean(media_type, result), media_type
    serialized = store.query_serialized(sparql, select_media_type=media_type, substitutions=substitutions)
    return serialized.body, serialized.media_type


def _summary(query: NamedQuery, request: Request) -> str:
    lang = request_language(request)
    return query.summary.get(lang) or query.summary["en"]


def _cell(term) -> dict:
    if term is None:
        return {"text": "", "iri": None}
    text = compact(term)
    if isinstance(term, URIRef):
        return {"text": text[1:-1] if text.startswith("<") else text, "iri": str(term),
                "severity": str(term) if str(term).startswith(SHACL) and severity(term) is not None else None}
    return {"text": text, "iri": None}
