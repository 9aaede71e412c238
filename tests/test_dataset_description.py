"""A dataset that describes itself (issue 15 item 7), against a real ``dge-graph serve`` on the built project graph:
the dataset IRI dereferences (HTML, Turtle, JSON-LD), its VoID + DCAT-AP description passes a DCAT-AP 3 subset
(``tests/fixtures/dcat-ap/``) with pyshacl and with the project's own SHACL fast path, the dump it lists is streamed
N-Quads holding every named graph, and its example resources and lookup endpoint answer."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pyshacl
import pytest
from api_support import api_store, client, graph_quads  # noqa: F401
from local_server import ASK_PROBE, dge_graph_serve_command, running_server
from rdf_bodies import parse_rdf
from rdflib import Graph, URIRef

from dge_graph.cli import EXIT_OK, main
from dge_graph.kernel import namespaces as ns
from dge_graph.rules.compile import shapes_graph_queries
from dge_graph.store import OxigraphStore

pytestmark = pytest.mark.slow

DATASET = "https://w3id.org/dge-graph/id/dataset/dge-graph"
DCAT_PROFILE = "https://w3id.org/dge-graph/id/profile/dcat"
DCAT_AP_SUBSET = Path(__file__).parent / "fixtures" / "dcat-ap" / "dcat-ap-3-subset.ttl"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    location = str(tmp_path_factory.mktemp("dataset") / "store")
    assert main(["build", "--store", location, "--quiet"]) == EXIT_OK
    with running_server(lambda port: dge_graph_serve_command(location, port), "/sparql", probe_params=ASK_PROBE,
                        ready_timeout_s=120, name="dge-graph serve") as base:
        yield base


@pytest.fixture(scope="module")
def description(server) -> Graph:
    response = httpx.get(f"{server}/id/dataset/dge-graph", headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-profile"] == f"<{DCAT_PROFILE}>"
    return Graph().parse(data=response.text, format="turtle")


def test_the_dataset_iri_dereferences_in_every_format(server, description):
    for media_type in ("text/html", "application/ld+json", "application/n-triples"):
        response = httpx.get(f"{server}/id/dataset/dge-graph", headers={"Accept": media_type}, timeout=60)
        assert response.status_code == 200, media_type
        assert response.headers["content-type"].startswith(media_type)
        if media_type != "text/html":
            quads = parse_rdf(response.content, media_type, fetch_context=lambda url: httpx.get(url).json())
            assert len(quads) == len(description)
    html = httpx.get(f"{server}/id/dataset/dge-graph", headers={"Accept": "text/html"}, timeout=60).text
    assert "Digital fundamental rights and ethics of municipalities" in html or "Digitale grondrechten" in html
    void = httpx.get(f"{server}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60)
    well_known = Graph().parse(data=void.text, format="turtle")
    assert all(t in description for t in well_known)  # one description (the IRI adds the labels of what it names)


def test_the_description_passes_dcat_ap_with_pyshacl_and_the_fast_path(description):
    shapes = Graph().parse(DCAT_AP_SUBSET, format="turtle")
    conforms, report, text = pyshacl.validate(description, shacl_graph=shapes, inference="none", advanced=False)
    assert conforms, text
    store = OxigraphStore(None)
    store.raw.extend(ox.Quad(*(_ox(t) for t in triple), ox.DefaultGraph()) for triple in description)
    compiled = shapes_graph_queries(shapes)
    assert [row for query in compiled for row in store.query(query.query).rows] == []
    # and the check can fail: without its publisher the dataset violates both
    broken = Graph()
    for triple in description.triples((None, None, None)):
        if triple[1] != ns.DCT.publisher:
            broken.add(triple)
    assert not pyshacl.validate(broken, shacl_graph=shapes, inference="none", advanced=False)[0]


def _ox(term):
    from dge_graph.store import to_ox

    return to_ox(term)


def test_distribution_endpoints_examples_and_lookup(server, description):
    dataset = URIRef(DATASET)
    dump_urls = set(description.objects(dataset, ns.VOID.dataDump))
    (dump,) = dump_urls
    distributions = set(description.objects(dataset, ns.DCAT.distribution))
    assert dump in {description.value(d, ns.DCAT.downloadURL) for d in distributions}
    assert description.value(dataset, ns.VOID.sparqlEndpoint) == URIRef(f"{server}/sparql")
    lookup = str(description.value(dataset, ns.VOID.uriLookupEndpoint))
    examples = sorted(description.objects(dataset, ns.VOID.exampleResource))
    assert len(examples) == 3
    for example in examples:
        assert httpx.get(lookup + quote(str(example), safe=""), timeout=60).status_code == 200
        path = str(example).removeprefix("https://w3id.org/dge-graph/")
        assert httpx.get(f"{server}/{path}", headers={"Accept": "text/turtle"}, timeout=60).status_code == 200
    assert description.value(dataset, ns.DCT.modified) is not None


def test_the_dump_is_streamed_n_quads_with_every_named_graph(server, description):
    dump = str(description.value(URIRef(DATASET), ns.VOID.dataDump))
    with httpx.stream("GET", dump, timeout=120) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/n-quads")
        assert "content-length" not in response.headers  # written as it is read (chunked)
        body = b"".join(response.iter_bytes())
    per_graph = Counter(q.graph_name.value for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)
                        if not isinstance(q.graph_name, ox.DefaultGraph))
    expected = {str(g): int(description.value(g, ns.VOID.triples)) for g in description.objects(URIRef(DATASET),
                                                                                             ns.VOID.subset)}
    assert dict(per_graph) == expected
    # each named graph's licences are those it declares (read back from the dump itself)
    declared: dict[str, set[str]] = {}
    for q in ox.parse(body, format=ox.RdfFormat.N_QUADS):
        if q.predicate.value == str(ns.DCT.license) and isinstance(q.object, ox.NamedNode) \
                and not isinstance(q.graph_name, ox.DefaultGraph):
            declared.setdefault(q.graph_name.value, set()).add(q.object.value)
    described = {}
    for graph in description.objects(URIRef(DATASET), ns.VOID.subset):
        licences = {str(o) for o in description.objects(graph, ns.DCT.license)}
        if licences:
            described[str(graph)] = licences
    assert described == declared and len(set().union(*declared.values())) >= 2
    # and its sources are the sites its dct:source / prov:wasDerivedFrom links point to
    linked: dict[str, set[str]] = {}
    for q in ox.parse(body, format=ox.RdfFormat.N_QUADS):
        if q.predicate.value in (str(ns.DCT.source), str(ns.PROV.wasDerivedFrom)) \
                and isinstance(q.object, ox.NamedNode) and not isinstance(q.graph_name, ox.DefaultGraph):
            site = re.match(r"^https?://[^/?#]+/", q.object.value)
            if site and not site.group(0).startswith("https://w3id.org/dge-graph/"):
                linked.setdefault(q.graph_name.value, set()).add(site.group(0))
    sources = {}
    for graph in description.objects(URIRef(DATASET), ns.VOID.subset):
        sites = {str(o) for o in description.objects(graph, ns.DCT.source)}
        if sites:
            sources[str(graph)] = sites
    assert sources == linked and len(sources) > 10
    every_site = {URIRef(site) for sites in linked.values() for site in sites}
    assert set(description.objects(URIRef(DATASET), ns.DCT.source)) == every_site


def test_the_dump_holds_every_quad_of_the_store_on_both_backends(client):
    """Embedded: one iterator over the store; remote (a real ``oxigraph serve``): one CONSTRUCT per named graph."""
    response = client.get("/dataset/dump.nq")
    assert response.status_code == 200
    dumped = Counter(_without_blank_labels(q) for q in ox.parse(response.content, format=ox.RdfFormat.N_QUADS))
    assert dumped == Counter(_without_blank_labels(q) for q in graph_quads())


def _without_blank_labels(quad: ox.Quad) -> tuple:
    # a store relabels blank nodes: compare them as "a blank node" (the test graph has one)
    return tuple("_:b" if isinstance(t, ox.BlankNode) else t for t in (quad.subject, quad.predicate, quad.object,
                                                                       quad.graph_name))
