"""FastAPI dependencies: the store and the settings of the running app."""

from __future__ import annotations

from fastapi import Request

from dge_graph.kernel.config import Settings
from dge_graph.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_named_queries(request: Request):
    """The named queries of ``queries/``, parsed once when the app is created (they are package resources)."""
    return request.app.state.named_queries
