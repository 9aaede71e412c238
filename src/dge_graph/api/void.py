"""``/.well-known/void``: a VoID + DCAT description of the dataset, computed from the store on each request.

The dataset (``<base>id/dataset/dge-graph``) is a ``void:Dataset`` and ``dcat:Dataset`` with its SPARQL endpoint,
URI space, licences (those the graph itself declares with ``dct:license``), source sites, total and per-graph triple
counts (each named graph is a ``void:subset`` with ``void:triples``), and the distinct classes and properties.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse

from dge_graph.api.deps import get_settings, get_store
from dge_graph.api.guard import guarded
from dge_graph.api.jsonld import jsonld_form
from dge_graph.api.serializers import serialize_graph
from dge_graph.kernel.media_types import TRIPLE_MEDIA_TYPES
from dge_graph.kernel import conneg
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DCAT, DCT, FOAF, PREFIXES, RDF, VOID, XSD
from dge_graph.store import SelectResult, Store

router = APIRouter(tags=["linked data"])

DEFAULT_LICENSE = "http://spdx.org/licenses/EUPL-1.2"
SOURCE_SITES = (
    "https://wetten.overheid.nl/",
    "https://eur-lex.europa.eu/",
    "https://algoritmes.overheid.nl/",
    "https://www.cbs.nl/",
    "https://vng.nl/",
)
"""Publishers the graph's facts are taken from (laws, EU acts, the Dutch algorithm register, CBS codes, VNG)."""

VOID_TYPES = TRIPLE_MEDIA_TYPES


def _rows(store: Store, sparql: str):
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result.rows


def void_triples(store: Store, settings: Settings, endpoint: str):
    import pyoxigraph as ox

    def n(iri) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    def integer(value) -> ox.Literal:
        return ox.Literal(str(int(value)), datatype=n(XSD.integer))

    dataset = n(f"{settings.public_base}id/dataset/dge-graph")
    per_graph = _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    counts = _rows(store, "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                          "(COUNT(DISTINCT ?p) AS ?properties) WHERE { ?s ?p ?o }")[0]
    classes = _rows(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")[0]
    licenses = [r["l"] for r in _rows(store, f"SELECT DISTINCT ?l WHERE {{ ?x <{DCT.license}> ?l FILTER(isIRI(?l)) }}")]
    triples = [
        ox.Triple(dataset, n(RDF.type), n(VOID.Dataset)),
        ox.Triple(dataset, n(RDF.type), n(DCAT.Dataset)),
        ox.Triple(dataset, n(DCT.title), ox.Literal("Digitale grondrechten en ethiek van gemeenten", language="nl")),
        ox.Triple(dataset, n(DCT.title),
                  ox.Literal("Digital fundamental rights and ethics of municipalities", language="en")),
        ox.Triple(dataset, n(DCT.description), ox.Literal(
            "Publieke waarden, grondrechten, wetten tot op het artikel, eisen en toepassingen van algoritmen, AI, "
            "camera's en sensoren door Nederlandse gemeenten (naar de VNG Agenda Digitale Grondrechten en Ethiek "
            "2022-2026).", language="nl")),
        ox.Triple(dataset, n(DCT.description), ox.Literal(
            "Public values, fundamental rights, laws to the article, requirements, and deployments of algorithms, "
            "AI, cameras and sensors by Dutch municipalities (after the VNG Agenda for Digital Fundamental Rights "
            "and Ethics 2022-2026).", language="en")),
        ox.Triple(dataset, n(VOID.sparqlEndpoint), n(endpoint)),
        ox.Triple(dataset, n(VOID.uriSpace), ox.Literal(settings.public_base)),
        ox.Triple(dataset, n(VOID.triples), integer(counts["triples"])),
        ox.Triple(dataset, n(VOID.distinctSubjects), integer(counts["subjects"])),
        ox.Triple(dataset, n(VOID.properties), integer(counts["properties"])),
        ox.Triple(dataset, n(VOID.classes), integer(classes["n"])),
        ox.Triple(dataset, n(FOAF.homepage), n(endpoint.rsplit("/", 1)[0] + "/")),
    ]
    for media_type in VOID_TYPES:
        feature = n(f"http://www.w3.org/ns/formats/{_format_name(media_type)}")
        triples.append(ox.Triple(dataset, n(VOID.feature), feature))
    for license_iri in licenses or [DEFAULT_LICENSE]:
        triples.append(ox.Triple(dataset, n(DCT.license), n(license_iri)))
    triples += [ox.Triple(dataset, n(DCT.source), n(site)) for site in SOURCE_SITES]
    for row in per_graph:
        graph = n(row["g"])
        triples += [
            ox.Triple(dataset, n(VOID.subset), graph),
            ox.Triple(graph, n(RDF.type), n(VOID.Dataset)),
            ox.Triple(graph, n(VOID.triples), integer(row["n"])),
        ]
    return triples


def _format_name(media_type: str) -> str:
    return {"text/turtle": "Turtle", "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML",
            "application/n-triples": "N-Triples"}[media_type]


@router.get("/.well-known/void", summary="VoID/DCAT description of the dataset", response_class=Response,
            responses={200: {"content": {m: {} for m in VOID_TYPES}}, 406: {}})
async def void_description(
    request: Request,
    mediatype: str | None = Query(None, alias="_mediatype", description="ttl, jsonld, rdfxml, nt"),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    try:
        media_type = (conneg.format_override(mediatype) if mediatype
                      else conneg.negotiate(request.headers.get("accept"), VOID_TYPES))
    except conneg.BadAcceptHeader as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    if media_type not in VOID_TYPES:
        # browsers (text/html) get Turtle too: it is readable, and VoID has no HTML view
        media_type = "text/turtle" if mediatype is None and "text/html" in (request.headers.get("accept") or "") \
            else None
    if media_type is None:
        return PlainTextResponse("acceptable: " + ", ".join(VOID_TYPES) + "\n", status_code=406)
    endpoint = str(request.url_for("sparql_endpoint"))
    triples = await guarded(request, void_triples, settings, endpoint)
    body = serialize_graph(media_type, triples, dict(PREFIXES), jsonld_form(request))
    served_as = "text/plain" if media_type == "text/turtle" and mediatype is None and "text/html" in (
        request.headers.get("accept") or "") else media_type
    return Response(body, media_type=f"{served_as}; charset=utf-8", headers={"Vary": "Accept"})
