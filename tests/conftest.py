"""Shared fixtures: stores (in-memory, on-disk, remote Oxigraph server) and the built project graph.

No environment is changed at import time; fixtures that need settings build their own ``Settings``.

Expensive set-ups are made once per session (so once per xdist worker): the in-memory project store, the on-disk
project build (``built_project_store``; tests get copies of its directory from ``copy_built_project``, because
building on disk costs ~15x the in-memory build), and the ``oxigraph serve`` process.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from local_server import ASK_PROBE, oxigraph_serve_command, running_server, venv_binary

from dge_graph.ingest.build import build, discover_sources
from dge_graph.kernel.config import Settings
from dge_graph.kernel.resources import project_root
from dge_graph.store import OxigraphStore, RemoteStore, open_store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return project_root()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (or ``$DGE_SHARED``); tests that need it are marked ``shared`` and skipped without it."""
    path = Path(os.environ.get("DGE_SHARED", REPO.parent / "shared"))
    if not path.is_dir():
        pytest.skip(f"needs the shared data folder at {path} (run `make shared-check` where it exists)")
    return path


@pytest.fixture
def memory_store() -> OxigraphStore:
    return OxigraphStore(None)


@pytest.fixture(scope="session")
def project_graph_store() -> OxigraphStore:
    """An in-memory store with the whole project built into it (ontology/ and data/). Read-only by convention."""
    store = OxigraphStore(None)
    build(store, discover_sources())
    return store


@pytest.fixture(scope="session")
def built_project_store(tmp_path_factory) -> Path:
    """The whole project (ontology/ and data/) built into an on-disk store once per session, closed again.

    A template: never opened by a test. What ``dge-graph build`` writes (the same ``build`` over the same sources);
    ``tests/test_cli.py`` and ``tests/test_build.py`` still run the build command itself."""
    location = tmp_path_factory.mktemp("built-project") / "store"
    store = OxigraphStore(location)
    build(store, discover_sources())
    store.close()
    return location


@pytest.fixture(scope="session")
def copy_built_project(built_project_store, tmp_path_factory) -> Callable[[str], str]:
    """``copy(name)``: a fresh copy of the built project store in a new temporary folder; returns its path.

    Each copy is the test's (or module's) own store to write to, as if it had run ``dge-graph build`` itself."""
    def copy(name: str = "store") -> str:
        destination = tmp_path_factory.mktemp(name) / "store"
        shutil.copytree(built_project_store, destination)
        return str(destination)

    return copy


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store=str(tmp_path / "store"))


def oxigraph_binary() -> str:
    found = venv_binary("oxigraph")
    if not Path(found).exists():
        pytest.fail("the `oxigraph` server binary is missing: install the test extras (pip install -e '.[test]')")
    return found


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real ``oxigraph serve`` on 127.0.0.1 and a free port; yields its base URL; stopped by PID at the end."""
    oxigraph_binary()
    location = tmp_path_factory.mktemp("oxigraph-server")
    with running_server(lambda port: oxigraph_serve_command(location, port), "/query", probe_params=ASK_PROBE,
                        name="oxigraph serve") as base:
        yield base


@pytest.fixture
def remote_store(oxigraph_server) -> RemoteStore:
    """A RemoteStore on the test server, emptied before each test."""
    store = open_store(oxigraph_server)
    assert isinstance(store, RemoteStore)
    store.update("DROP SILENT ALL")
    return store
