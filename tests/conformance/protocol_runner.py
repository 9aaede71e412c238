"""W3C SPARQL 1.1 Protocol conformance runner for the dge-graph endpoint.

Reads ``conformance/sparql11/protocol/manifest.ttl`` from ``$DGE_SHARED`` (default ``../shared``) at run time (the
manifest and its data are not part of this repository), and for each ``mf:ProtocolTest``:

* starts the app in process (httpx over ASGI) on a fresh in-memory store, with an update token configured so the
  update tests exercise the protocol, and the data documents ``dataN.nt`` preloaded as the named graphs
  ``http://kasei.us/2009/09/sparql/data/dataN.rdf`` the tests name (``ut:graphData``);
* sends its HTTP requests in order (``/sparql/…`` rewritten to ``/sparql…``), each with the bearer token;
* checks every response: status class (``mf:expectedStatus``), result format (``mf:expectedFormat``: boolean,
  tabular or RDF, by media type) and boolean value (``mf:expectedBoolean``).

Prints one line per test and ``N passed, M failed``. Exit status 1 when a query test fails (or the manifest is
missing), else 0; update-test failures are reported too. ``--backend remote`` runs the same tests with the app over
a real ``oxigraph serve`` on a free 127.0.0.1 port (stopped by PID at the end).

Usage: python tests/conformance/protocol_runner.py [--backend embedded|remote] [-v]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the local_server helper
from local_server import ASK_PROBE, ServerDidNotStart, oxigraph_serve_command, start_server, venv_binary

REPO = Path(__file__).resolve().parents[2]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
TOKEN = "conformance-runner-token"
DATA_GRAPH = "http://kasei.us/2009/09/sparql/data/data{}.rdf"

FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml", "text/html"),
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    iri: str
    name: str
    title: str
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def is_update_test(self) -> bool:
        return "update" in self.name


def shared_dir() -> Path:
    return Path(os.environ.get("DGE_SHARED", REPO.parent / "shared"))


def load_manifest(path: Path) -> list[ProtocolTest]:
    graph = Graph()
    graph.parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        iri = str(entry)
        test = ProtocolTest(iri, iri.rsplit("#", 1)[-1], str(graph.value(entry, MF.name)))
        action = graph.value(entry, MF.action)
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            expected_boolean = graph.value(response, MF.expectedBoolean)
            expected_format = graph.value(response, MF.expectedFormat)
            test.exchanges.append(Exchange(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=headers,
                body=body,
                statuses=[str(s).rsplit("StatusCode", 1)[-1] for s in graph.objects(response, MF.expectedStatus)],
                expected_format=str(expected_format) if expected_format is not None else None,
                expected_boolean=expected_boolean.toPython() if expected_boolean is not None else None,
            ))
        tests.append(test)
    return tests


def rewrite_path(path: str) -> str:
    """The manifest's ``/sparql/…`` paths on this server (``/sparql``; ``/sparql/`` is served too)."""
    return "/sparql" + path[len("/sparql/"):] if path.startswith("/sparql/") else path


def boolean_of(body: bytes, media_type: str) -> bool | None:
    if media_type == "application/sparql-results+json":
        value = json.loads(body).get("boolean")
        return value if isinstance(value, bool) else None
    if media_type == "application/sparql-results+xml":
        element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        return None if element is None else element.text.strip() == "true"
    return None


def check(exchange: Exchange, response: httpx.Response) -> str | None:
    """``None`` when the response meets the expectations, else what is wrong."""
    status_class = f"{response.status_code // 100}xx"
    if exchange.statuses and status_class not in exchange.statuses:
        return f"status {response.status_code}, expected {' or '.join(exchange.statuses)}: {response.text[:300]!r}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if exchange.expected_format:
        allowed = FORMATS[exchange.expected_format]
        if media_type not in allowed:
            return f"media type {media_type!r}, expected one of {', '.join(allowed)}"
    if exchange.expected_boolean is not None:
        value = boolean_of(response.content, media_type)
        if value is not exchange.expected_boolean:
            return f"boolean {value}, expected {exchange.expected_boolean}: {response.text[:300]!r}"
    return None


def data_documents(folder: Path) -> dict[str, bytes]:
    return {DATA_GRAPH.format(n): (folder / f"data{n}.nt").read_bytes() for n in (1, 2, 3)}


class EmbeddedBackend:
    name = "embedded"

    def store(self):
        from dge_graph.store import OxigraphStore

        return OxigraphStore(None)

    def close(self) -> None:
        pass


class RemoteBackend:
    """``oxigraph serve`` on 127.0.0.1 and a free port, emptied before every test."""

    name = "remote"

    def __init__(self):
        if not Path(venv_binary("oxigraph")).exists():
            raise SystemExit("the `oxigraph` binary is missing: pip install -e '.[test]'")
        self.location = tempfile.mkdtemp(prefix="dge-conformance-")
        try:
            self.server = start_server(lambda port: oxigraph_serve_command(self.location, port), "/query",
                                       probe_params=ASK_PROBE, name="oxigraph serve")
        except ServerDidNotStart as exc:
            shutil.rmtree(self.location, ignore_errors=True)
            raise SystemExit(str(exc)) from exc
        self.base = self.server.base

    def store(self):
        from dge_graph.store import open_store

        store = open_store(self.base)
        store.update("DROP SILENT ALL")
        return store

    def close(self) -> None:
        self.server.stop()
        shutil.rmtree(self.location, ignore_errors=True)


def run_test(test: ProtocolTest, backend, documents: dict[str, bytes]) -> str | None:
    from fastapi.testclient import TestClient

    from dge_graph.api import create_app
    from dge_graph.kernel.config import Settings

    store = backend.store()
    store.replace_graphs(documents)
    app = create_app(Settings(store=":memory:", update_token=TOKEN, timeout_s=30), store=store)
    with TestClient(app, base_url="http://www.example") as client:
        for index, exchange in enumerate(test.exchanges, start=1):
            headers = dict(exchange.headers)
            headers["Authorization"] = f"Bearer {TOKEN}"
            response = client.request(exchange.method, rewrite_path(exchange.path), headers=headers,
                                      content=exchange.body)
            problem = check(exchange, response)
            if problem:
                return f"request {index} ({exchange.method}): {problem}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("embedded", "remote"), default="embedded")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passing tests too")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    folder = shared_dir() / "conformance" / "sparql11" / "protocol"
    manifest = folder / "manifest.ttl"
    if not manifest.is_file():
        print(f"conformance: no manifest at {manifest} (set DGE_SHARED)", file=sys.stderr)
        return 1
    tests = load_manifest(manifest)
    documents = data_documents(folder)
    backend = RemoteBackend() if args.backend == "remote" else EmbeddedBackend()
    failures: list[tuple[ProtocolTest, str]] = []
    try:
        for test in tests:
            problem = run_test(test, backend, documents)
            if problem:
                failures.append((test, problem))
                print(f"FAIL {test.name}: {test.title}\n     {problem}")
            elif args.verbose:
                print(f"ok   {test.name}")
    finally:
        backend.close()
    query_failures = [t for t, _ in failures if not t.is_update_test]
    print(f"W3C SPARQL 1.1 Protocol ({backend.name} store): {len(tests)} tests, "
          f"{len(query_failures)} query and {len(failures) - len(query_failures)} update failures")
    print(f"{len(tests) - len(failures)} passed, {len(failures)} failed")
    return 1 if query_failures else 0


if __name__ == "__main__":
    sys.exit(main())
