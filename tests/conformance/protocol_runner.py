"""Strict W3C conformance runner: SPARQL 1.1 Protocol, Graph Store Protocol and Service Description, over a socket.

Reads the manifests in ``$DGE_SHARED/conformance/sparql11`` (default ``../shared``) at run time (they are not part of
this repository): ``protocol/manifest.ttl`` (34 tests), ``graph-store-protocol/manifest-{indirect,direct}.ttl``
(13 tests) and ``service-description/manifest.ttl`` (3 tests, described in prose: checked as below).
``http-rdf-update/manifest.ttl`` is the deprecated draft of the GSP tests (prose only) and is not run.

A real ``dge-graph serve`` is started on a free 127.0.0.1 port (``--backend embedded``: an on-disk store in a
temporary folder; ``--backend remote``: ``--store`` the URL of a real ``oxigraph serve``), with an update token.
Before each test the store is emptied over the protocol itself (``DROP SILENT ALL``) and the test's
``ut:graphData`` documents are loaded as their named graphs with Graph Store Protocol PUTs. Then each request of
the test is sent as the manifest gives it (``/sparql/…`` → ``/sparql…``, ``/gsp`` → ``/rdf-graph-store``; the
bearer token added; ``$LOCATION$`` replaced by the ``Location`` of an earlier answer) and every response is checked:

* the status (``mf:expectedStatus``: a class such as 2xx, or an exact code such as 201);
* every body is parsed in the format its ``Content-Type`` claims (SPARQL JSON/XML results, CSV, TSV; Turtle,
  N-Triples, RDF/XML, JSON-LD with its context); ``text/html`` or anything unparsable fails;
* ``mf:expectedFormat`` (boolean, tabular, RDF) and ``mf:expectedBoolean``;
* a 2xx query answer of a test without updates is compared with the same query evaluated on a reference
  in-memory store holding the same data (tests with updates: by the manifest's expected booleans) (solutions as multisets with blank nodes matched by position; graphs by isomorphism);
* a GSP answer with an expected body is compared by graph isomorphism, and its expected ``Content-Type`` media type;
* service description: GET on the endpoint returns RDF; it has ``<endpoint> sd:endpoint <endpoint>`` for the URL
  requested; and it conforms to the schema (an ``sd:Service`` with ``sd:supportedLanguage``, ``sd:resultFormat``
  IRIs, a ``sd:defaultDataset`` that is an ``sd:Dataset`` with an ``sd:defaultGraph``, named graphs with
  ``sd:name``).

Prints one line per failure (``-v``: per test too) and a summary per manifest; exit status 1 on ANY failure (or a
missing manifest), else 0.

Usage: python tests/conformance/protocol_runner.py [--backend embedded|remote] [-v] [--only NAME]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: local_server, rdf_bodies
from local_server import (  # noqa: E402
    ASK_PROBE,
    ServerDidNotStart,
    dge_graph_serve_command,
    oxigraph_serve_command,
    start_server,
    venv_binary,
)
from rdf_bodies import parse_rdf  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
TOKEN = "conformance-runner-token"
SRX = "{http://www.w3.org/2005/sparql-results#}"
HTTP_STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400}
SELECT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
             "application/n-quads", "application/trig")
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


class Failure(Exception):
    """What is wrong with one response."""


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: list[str]
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_location: str | None = None
    expected_content_type: str | None = None
    expected_body: str | None = None


@dataclass
class ConformanceTest:
    suite: str
    name: str
    title: str
    exchanges: list[Exchange] = field(default_factory=list)
    graph_data: dict[str, Path] = field(default_factory=dict)

    @property
    def writes(self) -> bool:
        """Whether a request updates the store (its later answers are checked by the manifest's expectations, not
        against the reference store, which has the test's data as loaded)."""
        return any(b"update" in (e.body or b"")[:20] or "update=" in e.path or
                   "sparql-update" in e.headers.get("content-type", "") for e in self.exchanges)


# ---------------------------------------------------------------------------------------------------------------
# manifests


def shared_dir() -> Path:
    return Path(os.environ.get("DGE_SHARED", REPO.parent / "shared"))


def _headers(graph: Graph, node) -> dict[str, str]:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return headers


def _body(graph: Graph, node) -> tuple[bytes | None, str | None]:
    body_node = graph.value(node, HT.body)
    if body_node is None:
        return None, None
    text = str(graph.value(body_node, CNT.chars))
    encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
    return text.encode(encoding), text


def load_manifest(path: Path, suite: str) -> list[ConformanceTest]:
    graph = Graph()
    graph.parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        test = ConformanceTest(suite, str(entry).rsplit("#", 1)[-1], str(graph.value(entry, MF.name)))
        for data in graph.objects(entry, UT.graphData):
            test.graph_data[str(graph.value(data, RDFS_LABEL))] = path.parent / str(
                graph.value(data, UT.graph)).rsplit("/", 1)[-1]
        action = graph.value(entry, MF.action)
        if action is not None:
            for request in Collection(graph, graph.value(action, HT.requests)):
                response = graph.value(request, HT.resp)
                body, _ = _body(graph, request)
                _, expected_body = _body(graph, response)
                boolean = graph.value(response, MF.expectedBoolean)
                fmt = graph.value(response, MF.expectedFormat)
                location = graph.value(response, MF.expectedLocation)
                test.exchanges.append(Exchange(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=_headers(graph, request),
                    body=body,
                    statuses=[str(s).rsplit("#", 1)[-1].removeprefix("StatusCode")
                              for s in graph.objects(response, MF.expectedStatus)],
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
                    expected_location=str(location) if location is not None else None,
                    expected_content_type=_headers(graph, response).get("content-type"),
                    expected_body=expected_body,
                ))
        tests.append(test)
    return tests


def all_tests(folder: Path) -> list[ConformanceTest]:
    manifests = [
        (folder / "protocol" / "manifest.ttl", "protocol"),
        (folder / "graph-store-protocol" / "manifest-indirect.ttl", "graph-store-protocol"),
        (folder / "graph-store-protocol" / "manifest-direct.ttl", "graph-store-protocol"),
        (folder / "service-description" / "manifest.ttl", "service-description"),
    ]
    missing = [str(p) for p, _ in manifests if not p.is_file()]
    if missing:
        raise SystemExit(f"conformance: missing manifest(s) {', '.join(missing)} (set DGE_SHARED)")
    return [test for path, suite in manifests for test in load_manifest(path, suite)]


# ---------------------------------------------------------------------------------------------------------------
# strict parsing of bodies


def media_type_of(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def parse_results(body: bytes, media_type: str):
    """``("boolean", bool)`` or ``("tabular", variables, rows)`` (rows: tuples of N-Triples terms or None)."""
    if media_type == "application/sparql-results+json":
        document = json.loads(body)
        if "boolean" in document:
            if not isinstance(document["boolean"], bool):
                raise Failure(f"SPARQL JSON boolean is {document['boolean']!r}")
            return ("boolean", document["boolean"])
        variables = document["head"]["vars"]
        rows = [tuple(_json_term(b[v]) if v in b else None for v in variables)
                for b in document["results"]["bindings"]]
        return ("tabular", variables, rows)
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(body)
        if root.tag != f"{SRX}sparql":
            raise Failure(f"SPARQL XML root element is {root.tag}")
        boolean = root.find(f"{SRX}boolean")
        if boolean is not None:
            if boolean.text.strip() not in ("true", "false"):
                raise Failure(f"SPARQL XML boolean is {boolean.text!r}")
            return ("boolean", boolean.text.strip() == "true")
        variables = [v.get("name") for v in root.find(f"{SRX}head").findall(f"{SRX}variable")]
        rows = []
        for result in root.find(f"{SRX}results").findall(f"{SRX}result"):
            values = {b.get("name"): _xml_term(b[0]) for b in result.findall(f"{SRX}binding")}
            rows.append(tuple(values.get(v) for v in variables))
        return ("tabular", variables, rows)
    if media_type == "text/csv":
        table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        if not table:
            raise Failure("empty CSV body")
        return ("tabular", table[0], [tuple(r) for r in table[1:]])
    if media_type == "text/tab-separated-values":
        lines = body.decode("utf-8").split("\n")
        header = lines[0].split("\t") if lines[0] else []
        if any(not h.startswith("?") for h in header):
            raise Failure(f"TSV header {lines[0]!r} does not name variables as ?var")
        rows = [tuple(c or None for c in line.split("\t")) for line in lines[1:] if line]
        return ("tabular", [h[1:] for h in header], rows)
    raise Failure(f"{media_type!r} is not a SPARQL results format")


def _json_term(value: dict) -> str:
    kind = value["type"]
    if kind == "uri":
        return str(ox.NamedNode(value["value"]))
    if kind == "bnode":
        return "_:"
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return str(ox.Literal(value["value"], language=value["xml:lang"]))
        if "datatype" in value:
            return str(ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"])))
        return str(ox.Literal(value["value"]))
    raise Failure(f"unknown SPARQL JSON term type {kind!r}")


def _xml_term(element) -> str:
    tag = element.tag.removeprefix(SRX)
    if tag == "uri":
        return str(ox.NamedNode(element.text))
    if tag == "bnode":
        return "_:"
    if tag == "literal":
        lang = element.get("{http://www.w3.org/XML/1998/namespace}lang")
        datatype = element.get("datatype")
        if lang:
            return str(ox.Literal(element.text or "", language=lang))
        if datatype:
            return str(ox.Literal(element.text or "", datatype=ox.NamedNode(datatype)))
        return str(ox.Literal(element.text or ""))
    raise Failure(f"unknown SPARQL XML term <{tag}>")


def parse_graph(body: bytes, media_type: str, base: str, client: httpx.Client) -> Graph:
    """The body as an rdflib graph, parsed in its claimed RDF syntax (``text/html`` is not RDF)."""
    if media_type not in RDF_TYPES:
        raise Failure(f"{media_type!r} is not an RDF syntax")

    def fetch_context(url: str) -> dict:
        answer = client.get(url)
        if answer.status_code != 200 or media_type_of(answer) != "application/ld+json":
            raise Failure(f"the JSON-LD context {url} answers {answer.status_code} {media_type_of(answer)}")
        return answer.json()

    try:
        quads = parse_rdf(body, media_type, base_iri=base, fetch_context=fetch_context)
    except (SyntaxError, ValueError) as exc:
        raise Failure(f"the {media_type} body does not parse: {exc}") from exc
    return _rdflib_graph(quads)


def _rdflib_graph(items) -> Graph:
    graph = Graph()
    graph.parse(data=ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in items],
                                  format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    return graph


# ---------------------------------------------------------------------------------------------------------------
# the reference: the same query on an in-memory store with the same data


def reference_store(test: ConformanceTest):
    from dge_graph.store import OxigraphStore

    store = OxigraphStore(None)
    store.replace_graphs({name: path.read_bytes() for name, path in test.graph_data.items()})
    return store


def query_of(exchange: Exchange) -> tuple[str, list[str], list[str]] | None:
    """(query, default-graph-uri values, named-graph-uri values) of a query request, else ``None``."""
    params = parse_qsl(urlsplit(exchange.path).query, keep_blank_values=True)
    content_type = exchange.headers.get("content-type", "").split(";")[0].strip().lower()
    query = None
    if content_type == "application/x-www-form-urlencoded" and exchange.body:
        params += parse_qsl(exchange.body.decode("utf-8"), keep_blank_values=True)
    elif content_type == "application/sparql-query" and exchange.body:
        charset = exchange.headers["content-type"].partition("charset=")[2].strip() or "utf-8"
        query = exchange.body.decode(charset)
    queries = [v for k, v in params if k == "query"]
    query = query or (queries[0] if queries else None)
    if query is None:
        return None
    return (query, [v for k, v in params if k == "default-graph-uri"],
            [v for k, v in params if k == "named-graph-uri"])


def compare_with_reference(test: ConformanceTest, exchange: Exchange, response: httpx.Response,
                           client: httpx.Client) -> None:
    request = query_of(exchange)
    if request is None:
        return
    query, default_graphs, named_graphs = request
    from dge_graph.store import StoreError

    try:
        result = reference_store(test).evaluate(query, base_iri=str(response.url.copy_with(query=None)),
                                                default_graph_uris=default_graphs or None,
                                                named_graph_uris=named_graphs or None)
    except StoreError as exc:
        raise Failure(f"the server answered {response.status_code} but the reference store refuses: {exc}") from exc
    media_type = media_type_of(response)
    if isinstance(result, ox.QueryBoolean):
        got = parse_results(response.content, media_type)
        if got != ("boolean", bool(result)):
            raise Failure(f"answer {got}, the reference store answers {bool(result)}")
    elif isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        expected = Counter(tuple(_ref_term(s[v], media_type) for v in variables) for s in result)
        kind, got_variables, rows = parse_results(response.content, media_type)
        if kind != "tabular" or sorted(got_variables) != sorted(variables):
            raise Failure(f"variables {got_variables}, expected {variables}")
        order = [got_variables.index(v) for v in variables]
        got = Counter(tuple(_blank(row[i]) for i in order) for row in rows)
        if got != expected:
            raise Failure(f"solutions {dict(got)} differ from the reference {dict(expected)}")
    else:
        expected_graph = _rdflib_graph(list(result))
        if not isomorphic(parse_graph(response.content, media_type, str(response.url), client), expected_graph):
            raise Failure("the graph is not isomorphic to the reference store's answer")


def _ref_term(term, media_type: str):
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if media_type == "text/csv":
        return term.value
    return str(term)


def _blank(value):
    return "_:" if isinstance(value, str) and value.startswith("_:") else value


# ---------------------------------------------------------------------------------------------------------------
# checks


def check_status(exchange: Exchange, response: httpx.Response) -> None:
    if not exchange.statuses:
        return
    for status in exchange.statuses:
        if status.endswith("xx") and response.status_code // 100 == int(status[0]):
            return
        if HTTP_STATUS.get(status) == response.status_code:
            return
    raise Failure(f"status {response.status_code}, expected {' or '.join(exchange.statuses)}: "
                  f"{response.text[:300]!r}")


def check_body(test: ConformanceTest, exchange: Exchange, response: httpx.Response, client: httpx.Client) -> None:
    media_type = media_type_of(response)
    if exchange.method == "HEAD":
        if response.content:
            raise Failure(f"HEAD answered with a body of {len(response.content)} bytes")
        if exchange.expected_content_type and response.status_code == 200 and \
                media_type != exchange.expected_content_type.split(";")[0].strip().lower():
            raise Failure(f"HEAD Content-Type {media_type!r}, expected {exchange.expected_content_type!r}")
        return
    if response.status_code // 100 != 2 or not response.content:
        return
    if media_type in SELECT_TYPES:
        parsed = parse_results(response.content, media_type)
    elif media_type in RDF_TYPES:
        parsed = ("RDF", parse_graph(response.content, media_type, str(response.url), client))
    else:
        raise Failure(f"a 2xx body in {media_type or 'no media type'!r}: neither SPARQL results nor RDF")
    if exchange.expected_format:
        if exchange.expected_format != parsed[0] and not (exchange.expected_format == "tabular" and
                                                          parsed[0] == "tabular"):
            raise Failure(f"a {parsed[0]} result ({media_type}), expected {exchange.expected_format}")
    if exchange.expected_boolean is not None and parsed != ("boolean", exchange.expected_boolean):
        raise Failure(f"result {parsed}, expected boolean {exchange.expected_boolean}")
    if test.suite == "protocol" and response.status_code == 200 and not test.writes:
        compare_with_reference(test, exchange, response, client)
    if exchange.expected_content_type and media_type != exchange.expected_content_type.split(";")[0].strip():
        raise Failure(f"Content-Type {media_type!r}, expected {exchange.expected_content_type!r}")
    if exchange.expected_body is not None:
        expected = Graph().parse(data=exchange.expected_body, format="turtle")
        if not isomorphic(parsed[1], expected):
            raise Failure(f"the graph differs from the expected one:\n{response.text[:600]}")


def check_service_description(test: ConformanceTest, base: str, client: httpx.Client) -> None:
    endpoint = f"{base}/sparql"
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"):
        response = client.get(endpoint, headers={"Accept": accept})
        if response.status_code != 200:
            raise Failure(f"GET {endpoint} (Accept: {accept}) answers {response.status_code}")
        graph = parse_graph(response.content, media_type_of(response), endpoint, client)
        if test.name == "returns-rdf":
            if len(graph) == 0:
                raise Failure(f"the service description in {accept} is empty")
        elif test.name == "has-endpoint-triple":
            if (URIRef(endpoint), SD.endpoint, URIRef(endpoint)) not in graph:
                raise Failure(f"no <{endpoint}> sd:endpoint <{endpoint}> in the {accept} description")
        elif test.name == "conforms-to-schema":
            conforms_to_schema(graph, accept)
        else:
            raise Failure(f"unknown service-description test {test.name}")


def conforms_to_schema(graph: Graph, accept: str) -> None:
    services = list(graph.subjects(RDF.type, SD.Service))
    if len(services) != 1:
        raise Failure(f"{len(services)} sd:Service in the {accept} description, expected 1")
    service = services[0]
    if not isinstance(graph.value(service, SD.endpoint), URIRef):
        raise Failure("the sd:Service has no sd:endpoint IRI")
    languages = set(graph.objects(service, SD.supportedLanguage))
    if not languages or not languages <= SD_LANGUAGES:
        raise Failure(f"sd:supportedLanguage {sorted(languages)} is empty or not one of {sorted(SD_LANGUAGES)}")
    formats = list(graph.objects(service, SD.resultFormat))
    if not formats or not all(isinstance(f, URIRef) for f in formats):
        raise Failure("sd:resultFormat missing or not IRIs")
    dataset = graph.value(service, SD.defaultDataset)
    if dataset is None or (dataset, RDF.type, SD.Dataset) not in graph or graph.value(dataset, SD.defaultGraph) \
            is None:
        raise Failure("no sd:defaultDataset that is an sd:Dataset with an sd:defaultGraph")
    for named in graph.objects(dataset, SD.namedGraph):
        if not isinstance(graph.value(named, SD.name), URIRef):
            raise Failure("an sd:namedGraph without an sd:name IRI")


# ---------------------------------------------------------------------------------------------------------------
# running


def server_path(path: str) -> str:
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/"):]
    if path == "/gsp" or path.startswith(("/gsp?", "/gsp/")):
        return "/rdf-graph-store" + path[len("/gsp"):]
    return path


def reset(test: ConformanceTest, base: str, client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answer = client.post(f"{base}/update", content="DROP SILENT ALL",
                         headers={**auth, "Content-Type": "application/sparql-update"})
    if answer.status_code != 204:
        raise Failure(f"could not empty the store: {answer.status_code} {answer.text[:200]}")
    for name, path in test.graph_data.items():
        answer = client.put(f"{base}/rdf-graph-store", params={"graph": name}, content=path.read_bytes(),
                            headers={**auth, "Content-Type": "application/n-triples"})
        if answer.status_code not in (201, 204):
            raise Failure(f"could not load {path.name} as <{name}>: {answer.status_code} {answer.text[:200]}")


def run_test(test: ConformanceTest, base: str, client: httpx.Client) -> None:
    reset(test, base, client)
    if test.suite == "service-description":
        check_service_description(test, base, client)
        return
    variables: dict[str, str] = {}
    for index, exchange in enumerate(test.exchanges, start=1):
        path, body = exchange.path, exchange.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body is not None else None
        headers = {**exchange.headers, "Authorization": f"Bearer {TOKEN}"}
        try:
            response = client.request(exchange.method, base + server_path(path), headers=headers, content=body)
            check_status(exchange, response)
            if exchange.expected_location:
                location = response.headers.get("location")
                if not location:
                    raise Failure("no Location header")
                variables[exchange.expected_location] = location
            check_body(test, exchange, response, client)
        except Failure as exc:
            raise Failure(f"request {index} ({exchange.method} {server_path(path)[:80]}): {exc}") from exc


class Backend:
    """``dge-graph serve`` on a free port over an on-disk store, or over a real ``oxigraph serve``."""

    def __init__(self, name: str):
        self.name = name
        self.folder = tempfile.mkdtemp(prefix="dge-conformance-")
        self.servers = []
        try:
            if name == "remote":
                if not Path(venv_binary("oxigraph")).exists():
                    raise SystemExit("the `oxigraph` binary is missing: pip install -e '.[test]'")
                oxigraph = start_server(lambda port: oxigraph_serve_command(Path(self.folder) / "oxigraph", port),
                                        "/query", probe_params=ASK_PROBE, name="oxigraph serve")
                self.servers.append(oxigraph)
                store = oxigraph.base
            else:
                store = str(Path(self.folder) / "store")
            server = start_server(lambda port: dge_graph_serve_command(store, port, "--create", "--update-token",
                                                                       TOKEN, "--timeout-s", "30"),
                                  "/sparql", probe_params=ASK_PROBE, name="dge-graph serve")
            self.servers.append(server)
            self.base = server.base
        except ServerDidNotStart as exc:
            self.close()
            raise SystemExit(str(exc)) from exc

    def close(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("embedded", "remote"), default="embedded")
    parser.add_argument("-v", "--verbose", action="store_true", help="print passing tests too")
    parser.add_argument("--only", help="run only the tests whose name contains this")
    args = parser.parse_args(argv)
    tests = all_tests(shared_dir() / "conformance" / "sparql11")
    if args.only:
        tests = [t for t in tests if args.only in t.name]
    backend = Backend(args.backend)
    results: dict[str, Counter] = {}
    try:
        with httpx.Client(timeout=60) as client:
            for test in tests:
                tally = results.setdefault(test.suite, Counter())
                try:
                    run_test(test, backend.base, client)
                except Failure as exc:
                    tally["failed"] += 1
                    print(f"FAIL {test.suite}/{test.name}: {test.title}\n     {exc}")
                else:
                    tally["passed"] += 1
                    if args.verbose:
                        print(f"ok   {test.suite}/{test.name}")
    finally:
        backend.close()
    failed = sum(t["failed"] for t in results.values())
    for suite, tally in results.items():
        print(f"W3C {suite} ({backend.name} store): {tally['passed']} passed, {tally['failed']} failed")
    print(f"{sum(t['passed'] for t in results.values())} passed, {failed} failed")
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main())
