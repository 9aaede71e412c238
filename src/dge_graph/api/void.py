"""The dataset that describes itself: VoID + DCAT-AP at ``/.well-known/void`` and at the dataset IRI.

The dataset is ``<base>id/dataset/dge-graph``. What does not change with the store's content (titles and
descriptions nl/en, publisher, contact point, themes, spatial coverage, languages, keywords, issued) is data, in
``data/dataset.ttl``, read back from the store; this module adds what does, computed on each request:

* VoID: ``void:sparqlEndpoint``, ``void:uriSpace``, ``void:uriLookupEndpoint`` (``/resource?iri=``),
  ``void:dataDump`` (the streamed N-Quads dump, ``api/dump.py``), ``void:exampleResource`` (one municipality,
  requirement and deployment), the formats served (``void:feature``), total counts;
* DCAT-AP: a ``dcat:Distribution`` for the full dump (download URL, media type, format, licence) and one for the
  SPARQL endpoint, served by a ``dcat:DataService``; ``dct:modified`` (the latest build or import time in the
  provenance); ``dct:license`` and ``dct:source`` of the whole;
* per named graph a ``void:subset`` with ``void:triples``, its licences (``dct:license`` declared in it), its
  sources (the sites its ``dct:source`` / ``prov:wasDerivedFrom`` links point to) and its build time
  (``prov:generatedAtTime`` from the build's provenance).

The hash IRIs ``<dataset>#dump-nquads``, ``#sparql`` and ``#sparql-service`` name the distributions and the
service, so they dereference to this same document.
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
from dge_graph.kernel.namespaces import DCAT, DCT, DGE, FOAF, PREFIXES, PROV, RDF, VOID, XSD
from dge_graph.kernel.terms import iri_ref
from dge_graph.store import SelectResult, Store

router = APIRouter(tags=["linked data"])

DEFAULT_LICENSE = "http://spdx.org/licenses/EUPL-1.2"
"""The licence of the project's own files (the ontology modules declare it); that of the dump distribution."""

VOID_TYPES = TRIPLE_MEDIA_TYPES
EXAMPLE_CLASSES = (DGE.Municipality, DGE.Requirement, DGE.Deployment)
SOURCE_PREDICATES = (DCT.source, PROV.wasDerivedFrom)
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"


def dataset_iri(settings: Settings) -> str:
    return f"{settings.public_base}id/dataset/dge-graph"


def _rows(store: Store, sparql: str):
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result.rows


def void_triples(store: Store, settings: Settings, server_root: str):
    """The dataset's VoID + DCAT-AP description (the module docstring); ``server_root`` ends with ``/``."""
    import pyoxigraph as ox

    from dge_graph.store import to_ox

    def n(iri) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    def integer(value) -> ox.Literal:
        return ox.Literal(str(int(value)), datatype=n(XSD.integer))

    iri = dataset_iri(settings)
    dataset = n(iri)
    dump_url, endpoint = f"{server_root}dataset/dump.nq", f"{server_root}sparql"
    dump, sparql_distribution, service = n(f"{iri}#dump-nquads"), n(f"{iri}#sparql"), n(f"{iri}#sparql-service")
    me = iri_ref(iri)
    static = _rows(store, f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ {me} ?p ?o BIND({me} AS ?s) }}
          UNION {{ {me} {iri_ref(str(DCT.publisher))}|{iri_ref(str(DCAT.contactPoint))} ?s . ?s ?p ?o }}
        }}""")
    triples = [ox.Triple(to_ox(r["s"]), to_ox(r["p"]), to_ox(r["o"])) for r in static]
    if not static:  # a store built before data/dataset.ttl existed: still a dataset
        triples += [ox.Triple(dataset, n(RDF.type), n(VOID.Dataset)), ox.Triple(dataset, n(RDF.type), n(DCAT.Dataset))]

    per_graph = _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    counts = _rows(store, "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                          "(COUNT(DISTINCT ?p) AS ?properties) WHERE { ?s ?p ?o }")[0]
    classes = _rows(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")[0]
    licenses = _rows(store, f"SELECT DISTINCT ?g ?l WHERE {{ GRAPH ?g {{ ?x {iri_ref(str(DCT.license))} ?l "
                            "FILTER(isIRI(?l)) } } ORDER BY ?g ?l")
    sources = _rows(store, f"""
        SELECT DISTINCT ?g ?site WHERE {{
          GRAPH ?g {{ ?x {'|'.join(iri_ref(str(p)) for p in SOURCE_PREDICATES)} ?source FILTER(isIRI(?source)) }}
          BIND(REPLACE(STR(?source), "^(https?://[^/?#]+/).*$", "$1") AS ?site)
          FILTER(REGEX(?site, "^https?://[^/]+/$") && !STRSTARTS(?site, {ox.Literal(settings.public_base)}))
        }} ORDER BY ?g ?site""")
    built = _rows(store, f"SELECT ?g (MAX(?t) AS ?time) WHERE {{ ?g {iri_ref(str(PROV.generatedAtTime))} ?t "
                         "FILTER(isIRI(?g)) } GROUP BY ?g")
    examples = []
    for cls in EXAMPLE_CLASSES:
        examples += [r["x"] for r in _rows(store, f"SELECT ?x WHERE {{ ?x a {iri_ref(str(cls))} "
                                                  "FILTER(isIRI(?x)) } ORDER BY ?x LIMIT 1")]

    graphs = {str(row["g"]) for row in per_graph}
    built_at = {str(r["g"]): r["time"] for r in built if str(r["g"]) in graphs}
    triples += [
        ox.Triple(dataset, n(VOID.sparqlEndpoint), n(endpoint)),
        ox.Triple(dataset, n(VOID.uriSpace), ox.Literal(settings.public_base)),
        ox.Triple(dataset, n(VOID.uriLookupEndpoint), n(f"{server_root}resource?iri=")),
        ox.Triple(dataset, n(VOID.dataDump), n(dump_url)),
        ox.Triple(dataset, n(VOID.triples), integer(counts["triples"])),
        ox.Triple(dataset, n(VOID.distinctSubjects), integer(counts["subjects"])),
        ox.Triple(dataset, n(VOID.properties), integer(counts["properties"])),
        ox.Triple(dataset, n(VOID.classes), integer(classes["n"])),
        ox.Triple(dataset, n(FOAF.homepage), n(server_root)),
        ox.Triple(dataset, n(DCAT.distribution), dump),
        ox.Triple(dataset, n(DCAT.distribution), sparql_distribution),
    ]
    triples += [ox.Triple(dataset, n(VOID.exampleResource), to_ox(x)) for x in examples]
    if built_at:
        triples.append(ox.Triple(dataset, n(DCT.modified), to_ox(max(built_at.values(), key=lambda t: t.toPython()))))
    for media_type in VOID_TYPES:
        feature = n(f"http://www.w3.org/ns/formats/{_format_name(media_type)}")
        triples.append(ox.Triple(dataset, n(VOID.feature), feature))
    for license_iri in sorted({str(r["l"]) for r in licenses}) or [DEFAULT_LICENSE]:
        triples.append(ox.Triple(dataset, n(DCT.license), n(license_iri)))
    for site in sorted({str(r["site"]) for r in sources}):
        triples.append(ox.Triple(dataset, n(DCT.source), n(site)))
    triples += [
        ox.Triple(dump, n(RDF.type), n(DCAT.Distribution)),
        ox.Triple(dump, n(DCT.title), ox.Literal("Volledige dump (N-Quads)", language="nl")),
        ox.Triple(dump, n(DCT.title), ox.Literal("Full dump (N-Quads)", language="en")),
        ox.Triple(dump, n(DCT.description), ox.Literal(
            "Alle benoemde grafen en de standaardgraaf van de store als N-Quads, gestreamd.", language="nl")),
        ox.Triple(dump, n(DCT.description), ox.Literal(
            "Every named graph and the default graph of the store as N-Quads, streamed.", language="en")),
        ox.Triple(dump, n(DCAT.accessURL), n(dump_url)),
        ox.Triple(dump, n(DCAT.downloadURL), n(dump_url)),
        ox.Triple(dump, n(DCAT.mediaType), n(f"{IANA_MEDIA_TYPE}application/n-quads")),
        ox.Triple(dump, n(DCT["format"]), n(f"{EU_FILE_TYPE}RDF_N_QUADS")),
        ox.Triple(dump, n(DCT.license), n(DEFAULT_LICENSE)),
        ox.Triple(sparql_distribution, n(RDF.type), n(DCAT.Distribution)),
        ox.Triple(sparql_distribution, n(DCT.title), ox.Literal("SPARQL-endpoint", language="nl")),
        ox.Triple(sparql_distribution, n(DCT.title), ox.Literal("SPARQL endpoint", language="en")),
        ox.Triple(sparql_distribution, n(DCT.description), ox.Literal(
            "De dataset via het SPARQL 1.1-protocol (SELECT, CONSTRUCT, DESCRIBE).", language="nl")),
        ox.Triple(sparql_distribution, n(DCT.description), ox.Literal(
            "The dataset through the SPARQL 1.1 Protocol (SELECT, CONSTRUCT, DESCRIBE).", language="en")),
        ox.Triple(sparql_distribution, n(DCAT.accessURL), n(endpoint)),
        ox.Triple(sparql_distribution, n(DCAT.accessService), service),
        ox.Triple(sparql_distribution, n(DCT.license), n(DEFAULT_LICENSE)),
        ox.Triple(service, n(RDF.type), n(DCAT.DataService)),
        ox.Triple(service, n(DCT.title), ox.Literal("SPARQL 1.1-dienst", language="nl")),
        ox.Triple(service, n(DCT.title), ox.Literal("SPARQL 1.1 service", language="en")),
        ox.Triple(service, n(DCAT.endpointURL), n(endpoint)),
        ox.Triple(service, n(DCT.conformsTo), n("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(service, n(DCAT.servesDataset), dataset),
    ]
    graph_licenses: dict[str, list] = {}
    for r in licenses:
        graph_licenses.setdefault(str(r["g"]), []).append(r["l"])
    graph_sources: dict[str, list] = {}
    for r in sources:
        graph_sources.setdefault(str(r["g"]), []).append(r["site"])
    for row in per_graph:
        graph = n(row["g"])
        triples += [
            ox.Triple(dataset, n(VOID.subset), graph),
            ox.Triple(graph, n(RDF.type), n(VOID.Dataset)),
            ox.Triple(graph, n(VOID.triples), integer(row["n"])),
        ]
        triples += [ox.Triple(graph, n(DCT.license), to_ox(lic)) for lic in graph_licenses.get(str(row["g"]), [])]
        triples += [ox.Triple(graph, n(DCT.source), n(site)) for site in graph_sources.get(str(row["g"]), [])]
        if str(row["g"]) in built_at:
            triples.append(ox.Triple(graph, n(PROV.generatedAtTime), to_ox(built_at[str(row["g"])])))
    return triples


def _format_name(media_type: str) -> str:
    return {"text/turtle": "Turtle", "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML",
            "application/n-triples": "N-Triples"}[media_type]


def server_root(request: Request) -> str:
    return str(request.url_for("home"))


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
        # browsers (text/html) get Turtle too: it is readable (the dataset IRI has the HTML view)
        media_type = "text/turtle" if mediatype is None and "text/html" in (request.headers.get("accept") or "") \
            else None
    if media_type is None:
        return PlainTextResponse("acceptable: " + ", ".join(VOID_TYPES) + "\n", status_code=406)
    triples = await guarded(request, void_triples, settings, server_root(request))
    body = serialize_graph(media_type, triples, dict(PREFIXES), jsonld_form(request))
    served_as = "text/plain" if media_type == "text/turtle" and mediatype is None and "text/html" in (
        request.headers.get("accept") or "") else media_type
    return Response(body, media_type=f"{served_as}; charset=utf-8", headers={"Vary": "Accept"})
