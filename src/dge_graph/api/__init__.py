"""The HTTP API: an app factory; one router per area (``sparql``, ...).

``create_app(settings, store=None)`` builds a FastAPI app. The store is opened in the lifespan (once) unless one is
passed in (tests pass an in-memory or remote store) and is reached by routes through ``deps.get_store``; every
store call of a route goes through the app's guard (``api.guard``: a slot, a deadline, a worker process that is
killed past it for an on-disk store), and one set of exception handlers (``api.errors``) maps failures to statuses.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from dge_graph.api import (
    caching,
    check,
    compare,
    council_report,
    dump,
    jsonld,
    linked_data,
    municipalities,
    named_queries,
    profiles,
    query_page,
    sparql,
    update,
    void,
)
from dge_graph.api.errors import RequestSizeLimit, install_exception_handlers
from dge_graph.api.evaluation import MAX_CONCURRENT_QUERIES
from dge_graph.api.guard import guard_for
from dge_graph.api.pages import template_environment
from dge_graph.kernel.config import Settings
from dge_graph.kernel.conneg import BadAcceptHeader
from dge_graph.query.named import load_named_queries
from dge_graph.store import Store, open_store


async def _bad_accept_header(request, exc: BadAcceptHeader) -> PlainTextResponse:
    return PlainTextResponse(f"{exc}\n", status_code=400)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = store is None
        app.state.store = store if store is not None else open_store(settings.store, timeout_s=settings.timeout_s)
        app.state.guard = guard_for(app.state.store, MAX_CONCURRENT_QUERIES)
        app.state.store_state = caching.StoreState(
            writable_elsewhere=bool(settings.update_token) or not app.state.store.written_only_through_this_handle)
        try:
            yield
        finally:
            app.state.guard.close()
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="dge-graph",
        summary="Digital fundamental rights and ethics of Dutch municipalities, as linked data.",
        lifespan=lifespan,
        docs_url=None,  # served by query_page from vendored Swagger UI (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = template_environment()
    app.state.named_queries = load_named_queries()
    app.state.profiles = profiles.load_catalogue()
    # CORS for reads from any origin, without credentials (no cookies; the update token is not sent cross-site)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "Accept-Profile", "Content-Type", "If-None-Match"],
        expose_headers=["Content-Location", "Link", "Vary", "Content-Language", "Content-Profile", "ETag",
                        "Last-Modified", "Location"],
    )
    app.add_middleware(caching.ConditionalGet)
    app.add_middleware(caching.HeadAsGet)
    app.add_exception_handler(BadAcceptHeader, _bad_accept_header)
    install_exception_handlers(app)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes, update_token=settings.update_token,
                       max_write_bytes=settings.max_write_bytes)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(sparql.router)
    app.include_router(jsonld.router)
    app.include_router(update.router)
    app.include_router(linked_data.router)
    app.include_router(void.router)
    app.include_router(dump.router)
    app.include_router(query_page.router)
    app.include_router(named_queries.router)
    app.include_router(council_report.router)
    app.include_router(municipalities.router)
    app.include_router(compare.router)
    app.include_router(check.router)
    return app
