"""Linked data: dereferencing project IRIs and ``/resource?iri=``, content negotiation, HTML views, VoID.

The conneg table (resource kind × Accept → status and media type) runs against both stores.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from api_support import TOKEN, api_store, client, client_for, triples_per_graph  # noqa: F401
from rdf_bodies import inline_context, parse_rdf

from dge_graph.store import OxigraphStore

BASE = "https://w3id.org/dge-graph/"
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ELI_ART_35 = "http://data.europa.eu/eli/reg/2016/679/art_35/oj"



def as_triples(body: bytes, rdf_format: ox.RdfFormat) -> list[ox.Triple]:
    if rdf_format == ox.RdfFormat.JSON_LD:
        body = inline_context(body)
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=rdf_format)]


RESOURCE_KINDS = {
    # kind: (path, IRI the representation must describe)
    "instance": ("/id/value/privacy", f"{BASE}id/value/privacy"),
    "deployment": ("/id/deployment/test-cameras", f"{BASE}id/deployment/test-cameras"),
    "hash-term": ("/resource?iri=" + "https%3A%2F%2Fw3id.org%2Fdge-graph%2Fdef%23Deployment", f"{BASE}def#Deployment"),
    "ontology-document": ("/def", f"{BASE}def#Deployment"),
    "ontology-module": ("/def/test", f"{BASE}def/test"),
    "named-graph": ("/graph/data/test-values.ttl", f"{BASE}id/value/safety"),
    "external-iri": ("/resource?iri=" + ELI_ART_35.replace(":", "%3A").replace("/", "%2F"), ELI_ART_35),
}

ACCEPT_TABLE = [
    # (Accept, expected status, expected media type)
    (None, 200, "text/turtle"),
    ("*/*", 200, "text/turtle"),
    (CHROME, 200, "text/html"),
    ("text/html", 200, "text/html"),
    ("text/turtle", 200, "text/turtle"),
    ("application/ld+json", 200, "application/ld+json"),
    ("application/rdf+xml", 200, "application/rdf+xml"),
    ("application/n-triples", 200, "application/n-triples"),
    ("text/turtle;q=0.4, application/ld+json;q=0.9, text/html;q=0.2", 200, "application/ld+json"),
    ("application/*", 200, "application/ld+json"),
    ("image/png", 406, None),
]


@pytest.mark.parametrize("kind", list(RESOURCE_KINDS))
@pytest.mark.parametrize(("accept", "status", "media_type"), ACCEPT_TABLE)
def test_conneg_table(client, kind, accept, status, media_type):
    path, described = RESOURCE_KINDS[kind]
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, response.text[:500]
    assert "Accept" in response.headers.get("vary", "")
    if status != 200:
        return
    assert response.headers["content-type"].split(";")[0] == media_type
    links = response.headers["link"]
    others = {m for m in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml",
                          "application/n-triples") if m != media_type}
    # the other formats of this profile (the links with profile="…" name the other profiles' representations)
    format_links = [link for link in links.split(", <") if 'rel="alternate"' in link and "profile=" not in link]
    assert {m for link in format_links for m in re.findall(r'type="([^"]+)"', link)} == others
    assert "_mediatype=" in response.headers["content-location"]
    if media_type == "text/html":
        assert "<html" in response.text
        return
    quads = parse_rdf(response.content, media_type)
    assert described in {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}


@pytest.mark.parametrize(("mediatype", "expected"), [
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml"),
    ("nt", "application/n-triples"), ("html", "text/html"), ("text/turtle", "text/turtle"),
])
def test_mediatype_parameter_overrides_accept(client, mediatype, expected):
    response = client.get("/id/value/privacy", params={"_mediatype": mediatype}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("path", ["/id/value/does-not-exist", "/resource?iri=https%3A%2F%2Fw3id.org%2Fnothing",
                                  "/graph/data/absent.ttl"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_unknown_resources_are_404(client, path, accept):
    assert client.get(path, headers={"Accept": accept}).status_code == 404


def test_resource_iri_must_be_an_iri(client):
    assert client.get("/resource", params={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource").status_code == 400  # a missing parameter is a bad request (issue 14), not 422


def test_description_is_cbd_plus_incoming_links_and_labels(client):
    response = client.get("/id/deployment/test-cameras", headers={"Accept": "application/n-triples"})
    triples = as_triples(response.content, ox.RdfFormat.N_TRIPLES)
    me = f"{BASE}id/deployment/test-cameras"
    # the blank node of dct:temporal is followed (CBD)
    period = [t.object for t in triples if t.subject.value == me and t.predicate.value.endswith("temporal")]
    assert len(period) == 1 and isinstance(period[0], ox.BlankNode)
    assert any(t.subject == period[0] and t.object == ox.Literal("pilot 2024", language="en") for t in triples)
    # its finding in the stored validation result (an outgoing link of the compact result)
    assert any(t.subject.value == me and t.predicate.value == "https://w3id.org/dge-graph/def#missesRequirement"
               for t in triples)
    # labels of what it links to
    assert ox.Triple(ox.NamedNode(f"{BASE}id/municipality/GM0344"),
                     ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                     ox.Literal("Utrecht", language="nl")) in triples


@pytest.mark.parametrize(("language", "title", "value_label", "heading"), [
    ("en-GB,en;q=0.9", "Smart cameras on the station square", "safety", "Validation findings"),
    ("nl-NL,nl;q=0.9,en;q=0.5", "Slimme camera&#39;s op het stationsplein", "veiligheid", "Validatiebevindingen"),
])
def test_deployment_page_in_the_language_asked_for(client, language, title, value_label, heading):
    response = client.get("/id/deployment/test-cameras", headers={"Accept": CHROME, "Accept-Language": language})
    html = response.text
    assert response.headers["content-language"] == language[:2]
    assert f"<h1>{title}</h1>" in html
    assert f">{value_label}</a>" in html                                # outgoing link labelled in that language
    assert 'href="http://testserver/id/value/safety"' in html           # ... and clickable on this server
    assert heading in html
    message = "A DPIA is missing." if language.startswith("en") else "Er ontbreekt een DPIA."
    assert message in html                                              # the finding, in that language
    assert 'href="http://testserver/id/requirement/GDPR-35"' in html    # ... linked to its requirement


def test_a_stored_finding_reads_back_as_a_finding_of_validate(api_store):
    """The deployment page's findings are ``rules.validate.Finding``s read from the compact stored result: rule id,
    severity, messages in both languages and legal source come from the requirement."""
    from dge_graph.query.describe import validation_findings
    from dge_graph.rules.validate import Finding

    has_report, findings = validation_findings(api_store, f"{BASE}id/deployment/test-cameras")
    assert has_report and len(findings) == 1
    (finding,) = findings
    assert isinstance(finding, Finding)
    assert str(finding.deployment) == f"{BASE}id/deployment/test-cameras"
    assert (finding.rule_id, finding.severity) == ("GDPR-35", "Violation")
    assert (finding.message_nl, finding.message_en) == ("Er ontbreekt een DPIA.", "A DPIA is missing.")
    assert str(finding.legal_source) == "http://data.europa.eu/eli/reg/2016/679/art_35/oj"
    assert finding.applies_from is None and finding.as_dict()["appliesFrom"] is None


@pytest.mark.parametrize(("language", "severity"), [("en", "Violation"), ("nl", "Overtreding")])
def test_the_severity_of_a_finding_is_shown_in_the_language_asked_for(client, language, severity):
    html = client.get("/id/deployment/test-cameras", headers={"Accept": "text/html", "Accept-Language": language}).text
    # the severity policy's badge (render/severity.py): marker, then the label in the page's language
    assert re.search(rf'<tr class="sev-Violation"><td><span class="sev sev-Violation">'
                     rf'<span class="sev-marker" aria-hidden="true">[^<]+</span> {severity}</span></td>', html)


def test_incoming_links_and_external_iris_are_clickable(client):
    html = client.get("/id/requirement/GDPR-35", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    # the ELI article is described in the graph: linked through /resource
    assert 'href="http://testserver/resource?iri=http%3A%2F%2Fdata.europa.eu%2Feli%2Freg%2F2016%2F679%2Fart_35%2Foj"' \
        in html
    assert ">GDPR Article 35</a>" in html
    # incoming: the deployment whose stored finding is about this requirement
    assert 'href="http://testserver/id/deployment/test-cameras"' in html


def test_hash_iris_link_into_the_ontology_document(client):
    html = client.get("/id/value/privacy", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    assert 'href="http://testserver/def#PublicValue"' in html
    ontology = client.get("/def", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    assert 'id="PublicValue"' in ontology and 'id="Deployment"' in ontology
    assert "One use of a technology by an organisation for a purpose." in ontology


def test_named_graph_serves_its_content(client):
    response = client.get("/graph/data/test-values.ttl", headers={"Accept": "application/n-triples"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == triples_per_graph()[f"{BASE}graph/data/test-values.ttl"]
    html = client.get("/graph/validation/latest", headers={"Accept": "text/html"}).text
    assert 'href="http://testserver/id/report/test"' in html  # the resources in the graph


def test_no_report_means_no_findings_section_claims(tmp_path):
    store = OxigraphStore(None)
    store.replace_graphs({f"{BASE}graph/data/d.ttl": (
        f"<{BASE}id/deployment/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}def#Deployment> .\n"
    ).encode()})
    with client_for(store) as plain_client:
        html = plain_client.get("/id/deployment/x", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    assert "There is no validation report yet." in html


def test_void_description(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = as_triples(response.content, ox.RdfFormat.TURTLE)
    void = "http://rdfs.org/ns/void#"
    dataset = ox.NamedNode(f"{BASE}id/dataset/dge-graph")
    subsets = {t.object.value for t in triples if t.subject == dataset and t.predicate.value == void + "subset"}
    expected = triples_per_graph()
    assert subsets == set(expected)
    for graph, count in expected.items():
        assert ox.Triple(ox.NamedNode(graph), ox.NamedNode(void + "triples"),
                         ox.Literal(str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))) \
            in triples
    predicates = {t.predicate.value for t in triples if t.subject == dataset}
    assert {void + "sparqlEndpoint", "http://purl.org/dc/terms/license", void + "uriLookupEndpoint", void + "dataDump",
            "http://www.w3.org/ns/dcat#distribution", void + "triples", void + "uriSpace"} <= predicates
    assert any(t.object.value == "http://www.w3.org/ns/dcat#Dataset" for t in triples if t.subject == dataset)


def test_pages_and_docs_need_no_cdn(client):
    for path in ("/", "/editor", "/docs", "/id/value/privacy?_mediatype=html", "/def?_mediatype=html"):
        response = client.get(path)
        assert response.status_code == 200, path
        for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', response.text):
            assert url.startswith("http://testserver/static/"), (path, url)
            assert client.get(url).status_code == 200, url
    spec = client.get("/openapi.json").json()
    assert {"get", "post"} <= set(spec["paths"]["/sparql"])
    operation_ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))  # OpenAPI: operationIds are unique


def test_head_and_malformed_accept(client):
    head = client.head("/id/value/privacy", headers={"Accept": "application/ld+json"})
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("application/ld+json")
    assert client.get("/id/value/privacy", headers={"Accept": "text/turtle;q=high"}).status_code == 400
