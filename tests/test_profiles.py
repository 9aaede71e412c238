"""Content negotiation by profile on the linked-data resources (``api/profiles.py``, ``data/profiles.ttl``), on the
embedded and the remote store: ``_profile`` and ``Accept-Profile``, ``Content-Profile`` and ``Link``, the ``alt``
listing, and clear refusals."""

from __future__ import annotations

import pytest
from api_support import api_store, client  # noqa: F401
from rdf_bodies import parse_rdf
from rdflib import Graph, Literal, URIRef

from dge_graph.api.linked_data import PROFILE_VIEWS
from dge_graph.api.profiles import ALTERNATES_TOKEN, DESCRIBE_TOKEN, PROF, load_catalogue, profiles_file
from dge_graph.kernel.namespaces import RDFS, SKOS

BASE = "https://w3id.org/dge-graph/"
DEPLOYMENT = "/id/deployment/test-cameras"
DEPLOYMENT_IRI = f"{BASE}id/deployment/test-cameras"
REQUIREMENT_IRI = f"{BASE}id/requirement/GDPR-35"
MISSES = f"{BASE}def#missesRequirement"
PROFILE = {token: f"{BASE}id/profile/{token}" for token in ("describe", "dcat", "findings")}
ALTR = "http://www.w3.org/ns/dx/connegp/altr#"
TURTLE = {"Accept": "text/turtle"}


def triples(response) -> set[tuple[str, str, str]]:
    media_type = response.headers["content-type"].split(";")[0]
    return {(t.subject.value, t.predicate.value, t.object.value) for t in parse_rdf(response.content, media_type)}


def test_every_described_profile_is_served_and_described_in_both_languages():
    catalogue = load_catalogue()
    assert {p.token for p in catalogue.profiles} == set(PROFILE_VIEWS) | {DESCRIBE_TOKEN, ALTERNATES_TOKEN}
    graph = Graph().parse(profiles_file())
    for profile in catalogue.profiles:
        for prop in (RDFS.label, SKOS.definition):
            languages = {o.language for o in graph.objects(URIRef(profile.iri), prop) if isinstance(o, Literal)}
            assert {"nl", "en"} <= languages, (profile.token, prop)
        assert profile.formats and "text/turtle" in profile.formats
        assert (URIRef(profile.iri), PROF.hasToken, Literal(profile.token)) in graph


def test_the_default_profile_says_what_it_is_and_what_else_there_is(client):
    response = client.get(DEPLOYMENT, headers=TURTLE)
    assert response.status_code == 200
    assert response.headers["content-profile"] == f"<{PROFILE['describe']}>"
    assert "Accept-Profile" in response.headers["vary"]
    link = response.headers["link"]
    assert f'<{PROFILE["describe"]}>; rel="profile"' in link
    assert f'profile="{PROFILE["findings"]}"' in link and 'token="findings"' in link
    assert 'token="dcat"' not in link  # a deployment is no dataset
    assert (DEPLOYMENT_IRI, "http://purl.org/dc/terms/title", "Smart cameras on the station square") \
        in triples(response)


def test_the_findings_profile_by_query_string_and_by_header(client):
    by_query = client.get(DEPLOYMENT + "?_profile=findings", headers=TURTLE)
    by_header = client.get(DEPLOYMENT, headers={**TURTLE, "Accept-Profile": f"<{PROFILE['findings']}>"})
    by_iri = client.get(DEPLOYMENT, params={"_profile": PROFILE["findings"]}, headers=TURTLE)
    for response in (by_query, by_header, by_iri):
        assert response.status_code == 200
        assert response.headers["content-profile"] == f"<{PROFILE['findings']}>"
    found = triples(by_query)
    assert found == triples(by_header) == triples(by_iri)
    assert (DEPLOYMENT_IRI, MISSES, REQUIREMENT_IRI) in found
    assert any(s == REQUIREMENT_IRI and p == str(RDFS.label) for s, p, _ in found)  # labelled
    own = {p for s, p, _ in found if s == DEPLOYMENT_IRI}
    described = {p for s, p, _ in triples(client.get(DEPLOYMENT, headers=TURTLE)) if s == DEPLOYMENT_IRI}
    assert own != described and MISSES in own  # a different view, not the description again


def test_findings_as_json_ld_and_html(client):
    jsonld = client.get(DEPLOYMENT, params={"_profile": "findings", "_mediatype": "jsonld"})
    assert jsonld.status_code == 200 and jsonld.headers["content-type"].startswith("application/ld+json")
    assert "@context" in jsonld.json()
    html = client.get(DEPLOYMENT, params={"_profile": "findings"}, headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert "DPIA bij hoog risico" in html.text or "DPIA for high risk" in html.text  # the requirement, labelled
    assert 'class="profiles"' in html.text


def test_accept_profile_is_a_preference(client):
    response = client.get(DEPLOYMENT, headers={**TURTLE, "Accept-Profile":
                                               f"<urn:nothing:here>;q=1, <{PROFILE['findings']}>;q=0.5"})
    assert response.headers["content-profile"] == f"<{PROFILE['findings']}>"
    fallback = client.get(DEPLOYMENT, headers={**TURTLE, "Accept-Profile": "<urn:nothing:here>"})
    assert fallback.status_code == 200 and fallback.headers["content-profile"] == f"<{PROFILE['describe']}>"
    assert client.get(DEPLOYMENT, headers={**TURTLE, "Accept-Profile": "findings"}).status_code == 400


def test_the_alternates_listing(client):
    response = client.get(DEPLOYMENT + "?_profile=alt", headers=TURTLE)
    assert response.status_code == 200
    assert response.headers["content-profile"] == "<http://www.w3.org/ns/dx/connegp/altr>"
    found = triples(response)
    representations = {o for s, p, o in found if s == DEPLOYMENT_IRI and p == ALTR + "hasRepresentation"}
    conforms = {o for s, p, o in found if s in representations and p == "http://purl.org/dc/terms/conformsTo"}
    assert conforms == {PROFILE["describe"], PROFILE["findings"], "http://www.w3.org/ns/dx/connegp/altr"}
    assert any(p == ALTR + "hasDefaultRepresentation" for _, p, _ in found)
    for media_type in ("application/ld+json", "text/html"):
        assert client.get(DEPLOYMENT + "?_profile=alt", headers={"Accept": media_type}).status_code == 200


@pytest.mark.parametrize(("path", "named"), [
    (DEPLOYMENT + "?_profile=no-such-profile", "no-such-profile"),
    ("/id/value/privacy?_profile=findings", "findings"),
    ("/id/value/privacy?_profile=dcat", "dcat"),
])
def test_an_unavailable_profile_is_406_naming_it(client, path, named):
    response = client.get(path, headers=TURTLE)
    assert response.status_code == 406
    assert repr(named) in response.text and "available" in response.text and PROFILE["describe"] in response.text


def test_a_named_graph_has_the_dcat_profile(client):
    graph = "/graph/data/test-values.ttl"
    content = client.get(graph, headers=TURTLE)
    assert content.status_code == 200 and "content-profile" not in content.headers  # the graph's content
    described = client.get(graph + "?_profile=dcat", headers=TURTLE)
    assert described.status_code == 200
    found = triples(described)
    assert (f"{BASE}graph/data/test-values.ttl", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            "http://rdfs.org/ns/void#Dataset") in found
    assert any(p == "http://rdfs.org/ns/void#triples" for _, p, _ in found)
