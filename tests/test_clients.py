"""Third-party SPARQL clients on their default settings against a real ``dge-graph serve`` (issue 15 item 1).

The matrix is client × operation × format: SPARQLWrapper (every return format that fits the query form, GET and
POST, with and without ``setOnlyConneg``), rdflib's ``SPARQLStore``/``SPARQLUpdateStore``, and Comunica
(``@comunica/query-sparql``, installed by ``make clients`` into ``var/clients``; skipped with the reason when Node or
the package is missing). Each runs on the embedded store and on the remote backend (``--store`` a real
``oxigraph serve``, or Virtuoso with ``--remote-store=virtuoso``). Answers are compared with what the data says, not only with "no error".
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from pathlib import Path

import httpx
import pytest
from local_server import ASK_PROBE, dge_graph_serve_command, running_server
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

REPO = Path(__file__).resolve().parents[1]
TOKEN = "client-matrix-token"
GRAPH = "https://w3id.org/dge-graph/graph/test/clients"
SUBJECT = "https://w3id.org/dge-graph/id/value/autonomy"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DATA = (f'<{SUBJECT}> <{LABEL}> "autonomie"@nl .\n<{SUBJECT}> <{LABEL}> "autonomy"@en .\n'
        f'<{SUBJECT}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
        '<https://w3id.org/dge-graph/def#Value> .\n')
SELECT = f"SELECT ?label WHERE {{ <{SUBJECT}> <{LABEL}> ?label }} ORDER BY ?label"
ASK = f"ASK {{ <{SUBJECT}> <{LABEL}> \"autonomy\"@en }}"
CONSTRUCT = f"CONSTRUCT {{ <{SUBJECT}> <{LABEL}> ?l }} WHERE {{ <{SUBJECT}> <{LABEL}> ?l }}"
DESCRIBE = f"DESCRIBE <{SUBJECT}>"
COMUNICA = REPO / "var" / "clients" / "node_modules" / ".bin" / "comunica-sparql"


@pytest.fixture(scope="module", params=["embedded", "remote"])
def server(request, tmp_path_factory):
    store = (request.getfixturevalue("remote_server") if request.param == "remote"
             else str(tmp_path_factory.mktemp("clients") / "store"))
    with running_server(lambda port: dge_graph_serve_command(store, port, "--create", "--update-token", TOKEN),
                        "/sparql", probe_params=ASK_PROBE, name="dge-graph serve") as base:
        answer = httpx.put(f"{base}/rdf-graph-store", params={"graph": GRAPH}, content=DATA,
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
        assert answer.status_code in (201, 204), answer.text
        yield base


def _wrapper(base: str, query: str, method: str, return_format: str | None, only_conneg: bool) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(query)
    sparql.setMethod(method)
    sparql.setOnlyConneg(only_conneg)
    if return_format is not None:
        sparql.setReturnFormat(return_format)
    return sparql


def _labels_from(result, return_format) -> set[str]:
    if return_format in (JSON,):
        return {b["label"]["value"] for b in result["results"]["bindings"]}
    if return_format in (None, XML):
        return {n.firstChild.data for n in result.getElementsByTagName("literal")}
    text = result.decode("utf-8")
    rows = text.strip().splitlines()[1:]
    if return_format == TSV:
        return {r.split("@")[0].strip('"') for r in rows}
    return set(rows)


SELECT_FORMATS = [None, JSON, XML, CSV, TSV]
GRAPH_FORMATS = [None, XML, RDFXML, TURTLE, N3, JSONLD]
METHODS = [GET, POST]


@pytest.mark.parametrize("only_conneg", [False, True], ids=["params", "conneg"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", SELECT_FORMATS, ids=lambda f: f or "default")
def test_sparqlwrapper_select(server, return_format, method, only_conneg):
    result = _wrapper(server, SELECT, method, return_format, only_conneg).query().convert()
    assert _labels_from(result, return_format) == {"autonomie", "autonomy"}


@pytest.mark.parametrize("only_conneg", [False, True], ids=["params", "conneg"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [None, JSON, XML], ids=lambda f: f or "default")
def test_sparqlwrapper_ask(server, return_format, method, only_conneg):
    result = _wrapper(server, ASK, method, return_format, only_conneg).query().convert()
    value = result["boolean"] if return_format == JSON else \
        result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


@pytest.mark.parametrize("only_conneg", [False, True], ids=["params", "conneg"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", GRAPH_FORMATS, ids=lambda f: f or "default")
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graph_results(server, query, return_format, method, only_conneg):
    response = _wrapper(server, query, method, return_format, only_conneg).query()
    content_type = response.info()["content-type"].split(";")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = response.convert()
    if isinstance(result, Graph):
        graph = result
    else:
        body = result.encode() if isinstance(result, str) else result
        if content_type == "application/ld+json":  # its @context is a URL on the server: rdflib fetches it
            graph = Graph().parse(data=body, format="json-ld", publicID=server)
        else:
            graph = Graph().parse(data=body, format={"text/turtle": "turtle", "application/rdf+xml": "xml"}
                                  .get(content_type, "turtle"))
    assert (URIRef(SUBJECT), URIRef(LABEL), Literal("autonomy", lang="en")) in graph


def test_rdflib_sparqlstore_reads(server):
    graph = Graph(SPARQLStore(f"{server}/sparql"))
    labels = {str(row.label) for row in graph.query(SELECT)}
    assert labels == {"autonomie", "autonomy"}
    assert graph.query(ASK).askAnswer is True
    assert (URIRef(SUBJECT), URIRef(LABEL), Literal("autonomy", lang="en")) in set(graph.query(CONSTRUCT))


def test_rdflib_sparqlupdatestore_writes(server):
    # rdflib removes with `WITH <g> DELETE … WHERE …`, which `oxigraph serve --union-default-graph` refuses: the
    # remote backend writes the WITH out as GRAPH blocks (docs/api.md, Remote stores)
    store = SPARQLUpdateStore(f"{server}/sparql", f"{server}/sparql", auth=None,
                              headers={"Authorization": f"Bearer {TOKEN}"})
    graph = Graph(store, identifier=URIRef("https://w3id.org/dge-graph/graph/test/rdflib"))
    triple = (URIRef(SUBJECT), URIRef("http://www.w3.org/2004/02/skos/core#note"), Literal("via rdflib"))
    graph.add(triple)
    assert triple in graph
    graph.remove(triple)
    assert triple not in graph


def _comunica(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: Comunica cannot run")
    if not COMUNICA.exists():
        pytest.skip(f"Comunica is not installed at {COMUNICA}: run `make clients`")
    return subprocess.run([str(COMUNICA), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("query", [SELECT, ASK, CONSTRUCT], ids=["select", "ask", "construct"])
def test_comunica(server, query):
    media_type = "application/n-triples" if query is CONSTRUCT else "application/sparql-results+json"
    run = _comunica(f"sparql@{server}/sparql", "-q", query, "-t", media_type)
    assert run.returncode == 0, run.stderr[-2000:]
    if query is SELECT:
        assert {b["label"]["value"] for b in json.loads(run.stdout)["results"]["bindings"]} == \
            {"autonomie", "autonomy"}
    elif query is ASK:
        assert json.loads(run.stdout)["boolean"] is True
    else:
        assert '"autonomy"@en' in run.stdout


YASGUI_ACCEPT = {"select": "application/sparql-results+json,*/*;q=0.9",
                 "construct": "text/turtle,*/*;q=0.9"}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("query", "accept", "expected"), [
    (SELECT, YASGUI_ACCEPT["select"], "application/sparql-results+json"),
    (CONSTRUCT, YASGUI_ACCEPT["construct"], "text/turtle"),
], ids=["select", "construct"])
def test_yasgui_requests(server, method, query, accept, expected):
    """YASGUI sends the query form-encoded (POST) or in the URL (GET), with these Accept headers."""
    headers = {"Accept": accept, "Origin": "https://yasgui.triply.cc"}
    if method == "GET":
        response = httpx.get(f"{server}/sparql", params={"query": query}, headers=headers)
    else:
        response = httpx.post(f"{server}/sparql", data={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(expected)
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("accept", "query", "expected"), [
    ("application/json", SELECT, "application/sparql-results+json"),
    ("application/xml", SELECT, "application/sparql-results+xml"),
    ("text/plain", SELECT, "text/csv"),
    ("application/json", CONSTRUCT, "application/ld+json"),
    ("application/xml", CONSTRUCT, "application/rdf+xml"),
    ("text/plain", CONSTRUCT, "application/n-triples"),
    ("text/n3", CONSTRUCT, "text/turtle"),
])
def test_accept_aliases(server, accept, query, expected):
    response = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(expected)


@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%7D", "/sparql", "/queries", "/context.jsonld",
                                  "/rdf-graph-store?graph=" + GRAPH])
def test_head_answers_as_get_without_a_body(server, path):
    get = httpx.get(server + path)
    head = httpx.head(server + path)
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values", "application/json"])
def test_named_queries_answer_in_every_results_format(server, accept):
    queries = httpx.get(f"{server}/queries", headers={"Accept": "application/json"}).json()
    name = next(q["name"] for q in queries if not any(not p["optional"] for p in q["parameters"]))
    response = httpx.get(f"{server}/queries/{name}", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    expected = "application/sparql-results+json" if accept == "application/json" else accept
    assert response.headers["content-type"].split(";")[0] == expected
