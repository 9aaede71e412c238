"""HTTP caching and HEAD: validators derived from the store's state, ``304 Not Modified``, HEAD wherever GET is.

``StoreState`` is the server's view of the store's version: a random id of this server run and a generation bumped
on every write the server makes (``store_written``, called by SPARQL Update and the Graph Store Protocol beside the
guard's ``store_changed``), with the time of that write (``Last-Modified``; the server's start before any write).

``ConditionalGet`` (ASGI middleware) gives every ``GET``/``HEAD`` answer ``200`` of the linked-data resources, named
queries, pages, the Graph Store Protocol and the JSON-LD context an ``ETag``, ``Last-Modified`` and
``Cache-Control``. The ETag is weak (``W/"…"``): a hash of the store's version and of everything the answer depends
on (path and query string, ``Accept``, ``Accept-Language``, ``Accept-Profile``, ``Cookie``), so it is known *before*
the route runs: a request whose ``If-None-Match`` names it gets ``304`` without any store work. ``If-Modified-Since``
is honoured when there is no ``If-None-Match``. ``/sparql`` keeps ``Cache-Control: no-store`` (a query may use
``NOW()`` or ``RAND()``), as does any answer that sets its own ``Cache-Control``.

Without an update token (nothing can write through this server) on an embedded store, answers may be cached for
``MAX_AGE_READ_ONLY_S``; otherwise ``no-cache`` (store, but revalidate every time: cheap with the ETag). A remote
store written by others behind the server's back is not seen by the generation; ``no-cache`` plus a restart or
any write through the server bring caches up to date.

``HeadAsGet`` (ASGI middleware) answers ``HEAD`` as ``GET`` without the body (RFC 9110 §9.3.2), with the headers
(``Content-Type``, ``Content-Length``, ``ETag``, ...) the ``GET`` would have.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request

MAX_AGE_READ_ONLY_S = 300
"""``max-age`` of answers when nothing can change the store while the server runs (embedded, no update token)."""

UNCACHED_PATHS = ("/sparql", "/update", "/static", "/healthz")
"""Paths (prefixes) whose answers get no validators from here."""

VARYING_HEADERS = (b"accept", b"accept-language", b"accept-profile", b"cookie")


class StoreState:
    """This server run's version of the store: ``generation`` bumped by every write through the server."""

    def __init__(self, *, writable_elsewhere: bool):
        self.run_id = secrets.token_hex(8)
        self.generation = 0
        self.last_modified = time.time()
        self.writable_elsewhere = writable_elsewhere
        self._lock = threading.Lock()

    def changed(self) -> None:
        with self._lock:
            self.generation += 1
            self.last_modified = time.time()

    @property
    def version(self) -> str:
        return f"{self.run_id}-{self.generation}"


def store_written(request: Request) -> None:
    """The server wrote to the store: workers reopen their view, validators change."""
    request.app.state.guard.store_changed()
    state = getattr(request.app.state, "store_state", None)
    if state is not None:
        state.changed()


def entity_tag(state: StoreState, scope: dict) -> str:
    digest = hashlib.sha256(state.version.encode())
    digest.update(scope.get("path", "").encode("utf-8", "surrogateescape"))
    digest.update(b"?" + scope.get("query_string", b""))
    headers = dict((k.lower(), v) for k, v in scope.get("headers", []))
    for name in VARYING_HEADERS:
        digest.update(b"\0" + name + b"=" + headers.get(name, b""))
    return f'W/"{digest.hexdigest()[:32]}"'


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}


def _not_modified_since(header: str, last_modified: float) -> bool:
    try:
        since = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(last_modified) <= since


class ConditionalGet:
    """ASGI middleware: ``ETag``/``Last-Modified``/``Cache-Control`` on ``GET``/``HEAD`` 200s, ``304`` when fresh."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or \
                scope.get("path", "").startswith(UNCACHED_PATHS):
            await self.app(scope, receive, send)
            return
        state: StoreState | None = getattr(scope["app"].state, "store_state", None) if "app" in scope else None
        if state is None:
            await self.app(scope, receive, send)
            return
        tag = entity_tag(state, scope)
        last_modified = formatdate(state.last_modified, usegmt=True)
        cache_control = ("public, no-cache" if state.writable_elsewhere
                         else f"public, max-age={MAX_AGE_READ_ONLY_S}")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        validators = [(b"etag", tag.encode()), (b"last-modified", last_modified.encode()),
                      (b"cache-control", cache_control.encode())]
        match = headers.get("if-none-match")
        fresh = (("*" in _tags(match) or tag.removeprefix("W/") in _tags(match)) if match is not None
                 else "if-modified-since" in headers and _not_modified_since(headers["if-modified-since"],
                                                                              state.last_modified))
        if fresh:
            await send({"type": "http.response.start", "status": 304,
                        "headers": [*validators, (b"vary", b"Accept, Accept-Language, Accept-Profile")]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_validators(message):
            if message["type"] == "http.response.start" and message["status"] == 200:
                names = {k.lower() for k, _ in message.get("headers", [])}
                if b"cache-control" not in names:
                    message = {**message, "headers": [*message.get("headers", []), *validators]}
            await send(message)

        await self.app(scope, receive, send_with_validators)


class HeadAsGet:
    """ASGI middleware: ``HEAD`` is served by the ``GET`` route, and its body dropped."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message):
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
