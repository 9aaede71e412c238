"""One set of exception handlers for every route, and the request size limit.

Statuses: a bad parameter or query 400 (``RequestValidationError``, ``QuerySyntaxError``, ``QueryRefused``), an
unknown resource 404 (``AnalyticsError``: no such municipality), no acceptable format 406, a request too large 413,
the store failing 502 (``StoreError``), past the time limit, past the row limit or every slot taken 503
(``QueryTimeout``, ``ServerBusy``, ``ResultTooLarge``, with ``Retry-After``). Bodies are one line of plain text.

``RequestSizeLimit`` (ASGI middleware) answers 413 before a route runs when the query string or the body (by
``Content-Length``, or counted as it arrives) is longer than ``Settings.max_request_bytes``.
"""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse

from dge_graph.api.evaluation import NotAcceptable, ResultTooLarge
from dge_graph.api.sparql_errors import QueryRefused
from dge_graph.query.analytics import AnalyticsError
from dge_graph.query.named import NamedQueryError
from dge_graph.store import QuerySyntaxError, QueryTimeout, StoreError

RETRY_AFTER_S = 5


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


async def _store_failed(request: Request, exc: StoreError) -> PlainTextResponse:
    return _plain(502, f"store error: {exc}")


async def _too_slow(request: Request, exc: QueryTimeout) -> PlainTextResponse:
    return _plain(503, f"not answered: {exc}; try again later, or narrow the request",
                  {"Retry-After": str(RETRY_AFTER_S)})


async def _too_large(request: Request, exc: ResultTooLarge) -> PlainTextResponse:
    return _plain(503, f"not answered: {exc}")


async def _bad_query(request: Request, exc: QuerySyntaxError) -> PlainTextResponse:
    return _plain(400, f"malformed query: {exc}")


async def _not_acceptable(request: Request, exc: NotAcceptable) -> PlainTextResponse:
    return _plain(406, str(exc))


async def _bad_request(request: Request, exc: Exception) -> PlainTextResponse:
    return _plain(400, str(exc))


async def _unknown(request: Request, exc: AnalyticsError) -> PlainTextResponse:
    return _plain(404, str(exc))


async def _invalid_parameters(request: Request, exc: RequestValidationError) -> PlainTextResponse:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return _plain(400, "bad parameter: " + "; ".join(problems))


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StoreError, _store_failed)
    app.add_exception_handler(QueryTimeout, _too_slow)
    app.add_exception_handler(ResultTooLarge, _too_large)
    app.add_exception_handler(QuerySyntaxError, _bad_query)
    app.add_exception_handler(NotAcceptable, _not_acceptable)
    app.add_exception_handler(QueryRefused, _bad_request)
    app.add_exception_handler(NamedQueryError, _bad_request)
    app.add_exception_handler(AnalyticsError, _unknown)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)


class RequestSizeLimit:
    """413 for a query string or request body longer than ``max_bytes`` (``max_write_bytes`` for a request that
    carries the update token: only the holder of the token may send large writes)."""

    def __init__(self, app, max_bytes: int, update_token: str | None = None, max_write_bytes: int | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.update_token = update_token
        self.max_write_bytes = max_write_bytes or max_bytes

    def _limit(self, headers: dict) -> int:
        if self.update_token is None:
            return self.max_bytes
        given = headers.get(b"authorization", b"")
        expected = f"Bearer {self.update_token}".encode()
        return self.max_write_bytes if hmac.compare_digest(given, expected) else self.max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if len(scope.get("query_string", b"")) > self.max_bytes:
            return await self._refuse(scope, receive, send, "query string", self.max_bytes)
        headers = dict(scope.get("headers") or ())
        limit = self._limit(headers)
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await self._refuse(scope, receive, send, "request body", limit)
        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, counted_receive, send)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send, "request body", limit)

    async def _refuse(self, scope, receive, send, what: str, limit: int):
        setting = "DGE_MAX_WRITE_BYTES" if limit == self.max_write_bytes != self.max_bytes else "DGE_MAX_REQUEST_BYTES"
        response = _plain(413, f"the {what} is longer than this server's limit of {limit} bytes ({setting})",
                          {"Connection": "close"})
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
