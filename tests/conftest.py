"""Shared fixtures: stores (in-memory, on-disk, two real remote SPARQL servers) and the built project graph.

The remote backend of the tests ("remote" in parametrised fixtures) is ``oxigraph serve`` by default, or OpenLink
Virtuoso with ``--remote-store=virtuoso`` (or ``DGE_REMOTE_STORE=virtuoso``; Debian package
``virtuoso-opensource-7-bin``, ``make virtuoso``). Each server is started on a free loopback port with a private
database in a temporary folder, and stopped by PID at the end of the session.

No environment is changed at import time; fixtures that need settings build their own ``Settings``.

Expensive set-ups are made once per session (so once per xdist worker): the in-memory project store, the project
validated (``validated_project_store``; writers take ``copy_memory_store`` of it), the project sample small enough
for pyshacl (``project_sample_store``), the on-disk project build (``built_project_store``; tests get copies of its
directory from ``copy_built_project``, because building on disk costs ~15x the in-memory build), the ``oxigraph
serve`` process, and the project built into a second remote server (``remote_project_store``). Each test module is
one xdist work unit (``pytest_collection_modifyitems``), so module-scoped set-ups are made once as well.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from local_server import ASK_PROBE, LOOPBACK, free_port, oxigraph_serve_command, running_server, venv_binary
from rdflib import Graph

from dge_graph.ingest.build import build, discover_sources
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DGE, RDF
from dge_graph.kernel.resources import project_root
from dge_graph.rules.validate import Parameters, ValidationReport, store_report, validate_store
from dge_graph.store import OxigraphStore, RemoteStore, graph_to_ntriples, open_store

REPO = Path(__file__).resolve().parents[1]
REMOTE_STORES = ("oxigraph", "virtuoso")
VALIDATED_PROJECT_DATE = dt.date(2026, 12, 1)


def pytest_addoption(parser):
    parser.addoption("--remote-store", choices=REMOTE_STORES, default=os.environ.get("DGE_REMOTE_STORE", "oxigraph"),
                     help="the real server behind the 'remote' backend of the tests (default: $DGE_REMOTE_STORE or "
                          "oxigraph)")


GC_THRESHOLDS = (50_000, 20, 20)
"""The cyclic garbage collector's thresholds in a test process (Python's default is (700, 10, 10)). pyshacl and
rdflib allocate millions of short-lived objects next to the session's large graphs; with the default a collection
ran every 700 allocations and took ~8 % of a pyshacl run. Memory stays bounded (24 GB here, a worker uses <1 GB)."""


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)


LONG_UNIT = "long-"
"""Prefix of an ``xdist_group`` name for a test of a minute or more: a work unit of its own, started first."""


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (--dist loadgroup, `make test`)
def pytest_collection_modifyitems(config, items):
    """Each test module runs on one xdist worker, so that its module-scoped set-ups (a project build, a server
    process, a pyshacl run) are made once, not once per worker. A test with an ``xdist_group`` of its own keeps it:
    the readings of a golden case (``tests/test_shapes_golden.py``), or a long test (``LONG_UNIT``); the long ones
    go first, so that a worker does not start one when the other has little left to do."""
    def group(item) -> str:
        mark = item.get_closest_marker("xdist_group")
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))

    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(f"module-{item.nodeid.split('::', 1)[0]}"))
    items.sort(key=lambda item: not group(item).startswith(LONG_UNIT))


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


def copy_memory_store(store: OxigraphStore) -> OxigraphStore:
    """A new in-memory store holding every quad of ``store``: a copy a test may write to."""
    copy = OxigraphStore(None)
    copy.raw.extend(store.quads())
    return copy


@pytest.fixture(scope="session")
def project_graph_store() -> OxigraphStore:
    """An in-memory store with the whole project built into it (ontology/ and data/). Read-only by convention."""
    store = OxigraphStore(None)
    build(store, discover_sources())
    return store


@pytest.fixture(scope="session")
def validated_project_store(project_graph_store) -> tuple[OxigraphStore, ValidationReport]:
    """(store, report): the whole project built and validated on 2026-12-01 with the result stored, as
    ``dge-graph build`` and ``dge-graph validate --date 2026-12-01`` leave it. In memory, read-only by convention:
    tests that write take ``copy_memory_store`` of it."""
    store = copy_memory_store(project_graph_store)
    report = validate_store(store, Parameters(VALIDATED_PROJECT_DATE))
    store_report(store, report)
    return store, report


REGISTER_SAMPLE_STEP = 100
"""Every 100th register deployment in ``project_sample_store``: pyshacl over all ~1,540 takes many minutes."""


@pytest.fixture(scope="session")
def project_sample_store() -> OxigraphStore:
    """The project built without the shipped register snapshot, plus every ``REGISTER_SAMPLE_STEP``-th of its
    deployments (sorted by IRI) with their safeguards and organisations: every illustrative deployment and a spread
    of real register records, small enough for pyshacl. In memory, read-only by convention."""
    from dge_graph.ingest.algoritmeregister import SHIPPED_SNAPSHOT, SHIPPED_SNAPSHOT_GRAPH

    sources = discover_sources()
    snapshot = next(s for s in sources if s.relative == SHIPPED_SNAPSHOT)
    store = OxigraphStore(None)
    build(store, [s for s in sources if s is not snapshot])
    register = Graph().parse(snapshot.path, format="turtle", publicID=str(SHIPPED_SNAPSHOT_GRAPH))
    chosen = sorted(register.subjects(RDF.type, DGE.Deployment))[::REGISTER_SAMPLE_STEP]
    sample = Graph()
    for deployment in chosen:
        related = {deployment, *register.objects(deployment, DGE.hasSafeguard),
                   *(o for p in (DGE.deployer, DGE.supplier) for o in register.objects(deployment, p))}
        for subject in related:
            for triple in register.triples((subject, None, None)):
                sample.add(triple)
    assert len(chosen) >= 15
    store.replace_graphs({str(SHIPPED_SNAPSHOT_GRAPH): graph_to_ntriples(sample)})
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


@contextmanager
def oxigraph_serving(tmp_path_factory, name: str = "oxigraph-server") -> Iterator[str]:
    """A real ``oxigraph serve`` on 127.0.0.1 and a free port with a database of its own; yields its base URL."""
    oxigraph_binary()
    location = tmp_path_factory.mktemp(name)
    with running_server(lambda port: oxigraph_serve_command(location, port), "/query", probe_params=ASK_PROBE,
                        name="oxigraph serve") as base:
        yield base


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A real ``oxigraph serve`` on 127.0.0.1 and a free port; yields its base URL; stopped by PID at the end."""
    with oxigraph_serving(tmp_path_factory) as base:
        yield base


VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {loopback}:{sql_port}
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {db}
ThreadCleanupInterval = 0

[HTTPServer]
ServerPort = {loopback}:{http_port}
ServerRoot = {db}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if found is None or shutil.which("isql-vt") is None:
        pytest.fail("the Virtuoso server is missing: `make virtuoso` (apt-get install virtuoso-opensource-7-bin)")
    return found


@contextmanager
def virtuoso_serving(tmp_path_factory, name: str = "virtuoso") -> Iterator[str]:
    """A real OpenLink Virtuoso on 127.0.0.1 with a private database; yields its SPARQL endpoint URL.

    Anonymous SPARQL Update and Graph Store writes are granted to Virtuoso's ``SPARQL`` user (loopback only).
    """
    binary = virtuoso_binary()
    db = tmp_path_factory.mktemp(name)
    sql_port = free_port()

    def command(http_port: int) -> list[str]:
        (db / "virtuoso.ini").write_text(VIRTUOSO_INI.format(db=db, loopback=LOOPBACK, sql_port=sql_port,
                                                              http_port=http_port))
        return [binary, "+foreground", "+configfile", str(db / "virtuoso.ini")]

    with running_server(command, "/sparql", probe_params=ASK_PROBE, ready_timeout_s=120,
                        name="virtuoso-t") as base:
        grant = subprocess.run(
            ["isql-vt", f"{LOOPBACK}:{sql_port}", "dba", "dba",
             'exec=GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL"; '
             'GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO "SPARQL";'],
            capture_output=True, text=True, timeout=60, check=False)
        if grant.returncode != 0:
            pytest.fail(f"could not grant SPARQL updates on the test Virtuoso: {grant.stdout} {grant.stderr}")
        yield f"{base}/sparql"


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A real OpenLink Virtuoso (``virtuoso_serving``); yields its SPARQL endpoint URL; stopped by PID at the end."""
    with virtuoso_serving(tmp_path_factory) as url:
        yield url


REMOTE_SERVING = {"oxigraph": oxigraph_serving, "virtuoso": virtuoso_serving}


@pytest.fixture(scope="session")
def remote_kind(request) -> str:
    """``oxigraph`` or ``virtuoso``: the server behind the remote backend (``--remote-store``)."""
    return request.config.getoption("--remote-store")


@pytest.fixture(scope="session")
def remote_server(request, remote_kind) -> str:
    """The ``--store`` URL of the remote backend's real server (``--remote-store``)."""
    return request.getfixturevalue(f"{remote_kind}_server")


def empty_remote_store(url: str, **options) -> RemoteStore:
    """The remote store at ``url`` with every graph of ours dropped (a server's own graphs stay)."""
    store = open_store(url, **options)
    assert isinstance(store, RemoteStore)
    if store.dialect().name == "Oxigraph":
        store.update("DROP SILENT ALL")
        return store
    graphs = store.named_graphs()  # Virtuoso: DROP ALL would drop its system graphs
    store.update(" ;\n".join([*(f"DROP SILENT GRAPH <{g}>" for g in graphs), "DROP SILENT DEFAULT"]))
    return store


@pytest.fixture(scope="session")
def remote_project_store(tmp_path_factory, remote_kind) -> Iterator[RemoteStore]:
    """The whole project built into a second server of the remote backend (``build``, as ``dge-graph build --store
    URL`` does), once per session: ``remote_store`` empties the first server, not this one. Read-only by convention."""
    with REMOTE_SERVING[remote_kind](tmp_path_factory, "remote-project") as url:
        store = open_store(url)
        assert isinstance(store, RemoteStore)
        build(store, discover_sources())
        yield store


@pytest.fixture
def remote_store(remote_server) -> RemoteStore:
    """A RemoteStore on the remote backend's server, emptied before each test."""
    return empty_remote_store(remote_server)


