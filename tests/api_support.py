"""Shared set-up of the API tests: the small test graph loaded into the embedded or the remote store, and an app.

Test modules import the fixtures from here (``from api_support import api_store, client``); every API test runs
against both backends: ``embedded`` (pyoxigraph in memory) and ``remote`` (a real ``oxigraph serve``, or Virtuoso
with ``--remote-store=virtuoso``: see ``tests/conftest.py``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings
from dge_graph.store import OxigraphStore, Store

TEST_GRAPH = Path(__file__).parent / "api_data" / "graph.trig"
TOKEN = "test-update-token"
BACKENDS = ("embedded", "remote")


def graph_quads() -> list[ox.Quad]:
    return list(ox.parse(TEST_GRAPH.read_bytes(), format=ox.RdfFormat.TRIG))


def triples_per_graph() -> Counter:
    """Triples per named graph of the test graph, counted from the file (not through the server)."""
    return Counter(q.graph_name.value for q in graph_quads())


def load_test_graph(store: Store) -> None:
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in graph_quads():
        by_graph.setdefault(quad.graph_name.value, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    store.replace_graphs({g: ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES) for g, ts in by_graph.items()})


def fresh_store(backend: str, request) -> Store:
    if backend == "embedded":
        return OxigraphStore(None)
    from conftest import empty_remote_store

    return empty_remote_store(request.getfixturevalue("remote_server"))


@pytest.fixture(scope="module", params=BACKENDS)
def api_store(request) -> Store:
    """The test graph in the embedded or the remote store (read-only by convention: module scope)."""
    store = fresh_store(request.param, request)
    load_test_graph(store)
    return store


def client_for(store: Store, **settings) -> TestClient:
    values = {"store": ":memory:", "timeout_s": 10.0, "max_result_rows": 10_000}
    values.update(settings)
    return TestClient(create_app(Settings(**values), store=store))


@pytest.fixture(scope="module")
def client(api_store):
    with client_for(api_store) as test_client:
        yield test_client
