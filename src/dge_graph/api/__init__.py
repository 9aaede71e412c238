"""The HTTP API: an app factory; one router per area (``sparql``, ...).

``create_app(settings, store=None)`` builds a FastAPI app. The store is opened in the lifespan (once) unless one is
passed in (tests pass an in-memory or remote store) and is reached by routes through ``deps.get_store``.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..config import Settings
from ..store import Store, open_store
from . import sparql


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = store is None
        app.state.store = store if store is not None else open_store(settings.store, timeout_s=settings.timeout_s)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="dge-graph",
        summary="Digital fundamental rights and ethics of Dutch municipalities, as linked data.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(sparql.router)
    return app
