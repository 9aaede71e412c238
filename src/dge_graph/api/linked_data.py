"""Linked data: every IRI of the project namespace dereferences here, and ``/resource?iri=`` serves any resource.

Mapping (``settings.public_base``, default ``https://w3id.org/dge-graph/``; see docs/namespace.md):

* ``<base>id/<kind>/<key>``  -> ``/id/<kind>/<key>``   (slash IRIs: one document per resource)
* ``<base>def#<Term>``       -> ``/def``               (hash IRIs: one document for the whole ontology)
* ``<base>def/<module>``     -> ``/def/<module>``      (the named graph that declares that ``owl:Ontology``)
* ``<base>graph/<path>``     -> ``/graph/<path>``      (a named graph: its content, or in HTML its provenance)
* any IRI                    -> ``/resource?iri=<IRI>``

Representations by ``Accept`` or ``?_mediatype=``: HTML, Turtle (the default for non-browsers), JSON-LD, RDF/XML,
N-Triples. Answers are 200 with ``Content-Location`` naming the representation served (no 303 round trip), with
``Vary: Accept, Accept-Language, Accept-Profile`` and ``Link: <…>; rel="alternate"; type="…"`` for every other
representation.

Profiles (``api/profiles.py``, described in ``data/profiles.ttl``) by ``?_profile=`` or ``Accept-Profile``:
``describe`` (the default of a stored resource), ``dcat`` (datasets: the dataset IRI, whose default it is, and each
named graph), ``findings`` (deployments), ``alt`` (the list of a resource's profiles and formats).
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse
from rdflib import BNode, Literal, URIRef

from dge_graph.api.deps import get_settings, get_store
from dge_graph.api.guard import guarded
from dge_graph.api.jsonld import jsonld_form
from dge_graph.api.pages import render, request_language
from dge_graph.api.profiles import (
    ALTERNATES_TOKEN,
    BadAcceptProfile,
    Profile,
    ProfileNotAvailable,
    alternates_listing,
    choose,
    profile_headers,
)
from dge_graph.api.routing import routes
from dge_graph.api.serializers import serialize_graph
from dge_graph.api.sparql import named_graphs
from dge_graph.api.validation_signal import banner_context, validation_headers
from dge_graph.api.void import dataset_iri, server_root, void_triples
from dge_graph.kernel import conneg
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DCAT, DGE, PREFIXES, RDF, VOID, XSD
from dge_graph.query.describe import (
    DEFINITION_PROPERTIES,
    Description,
    add_labels,
    describe,
    describe_namespace_document,
    findings_description,
    graph_members,
    validation_findings,
)
from dge_graph.query.evidence import deployment_evidence
from dge_graph.query.validation_status import validation_status
from dge_graph.render.severity import severity_code
from dge_graph.store import Store

router = APIRouter(tags=["linked data"])

LINKED_DATA_TYPES = (
    "text/turtle",
    "text/html",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
)
FORMAT_NAMES = {
    "text/html": "HTML",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF/XML",
    "application/n-triples": "N-Triples",
}
MEDIATYPE_QUERY = Query(
    None, alias="_mediatype",
    description="representation: html, ttl, jsonld, rdfxml, nt (or the media type); overrides Accept",
)


def _compact(iri: str) -> str:
    best = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            if best is None or len(namespace) > len(PREFIXES[best]):
                best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


class Links:
    """Turns IRIs into links on this server: our namespace by path, described IRIs by /resource, others as is."""

    def __init__(self, request: Request, settings: Settings, description: Description, lang: str):
        self.root = str(request.url_for("home"))
        self.base = settings.public_base
        self.description = description
        self.lang = lang

    def href(self, iri: str) -> str:
        if iri.startswith(self.base):
            return self.root + quote(iri[len(self.base):], safe="/#:@!$&'()*+,;=-._~")
        if iri in self.description.described:
            return f"{self.root}resource?iri={quote(iri, safe='')}"
        return iri

    def term(self, node) -> dict:
        if isinstance(node, URIRef):
            iri = str(node)
            label = self.description.label(iri, self.lang)
            return {"kind": "iri", "value": iri, "href": self.href(iri), "label": label or _compact(iri),
                    "labelled": label is not None}
        if isinstance(node, Literal):
            datatype = str(node.datatype) if node.datatype and node.datatype != XSD.string else None
            return {"kind": "literal", "value": str(node), "language": node.language,
                    "datatype_label": _compact(datatype) if datatype else None}
        return {"kind": "bnode", "label": f"_:{node}"}


def _representation(request: Request, mediatype: str | None) -> str | None:
    if mediatype:
        chosen = conneg.format_override(mediatype)
        return chosen if chosen in LINKED_DATA_TYPES else None
    return conneg.negotiate(request.headers.get("accept"), LINKED_DATA_TYPES)  # BadAcceptHeader: 400 (handler)


def _alternates(request: Request) -> list[dict]:
    base = request.url.remove_query_params("_mediatype").remove_query_params("lang")
    return [
        {"media_type": m, "name": FORMAT_NAMES[m], "href": str(base.include_query_params(_mediatype=m))}
        for m in LINKED_DATA_TYPES
    ]


def _headers(request: Request, media_type: str) -> dict[str, str]:
    alternates = _alternates(request)
    location = next(a["href"] for a in alternates if a["media_type"] == media_type)
    links = [f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"' for a in alternates
             if a["media_type"] != media_type]
    return {
        "Vary": "Accept, Accept-Language, Accept-Profile",
        "Content-Location": location,
        "Link": ", ".join(links),
    }


def _not_acceptable() -> PlainTextResponse:
    return PlainTextResponse(
        "no acceptable representation; available: " + ", ".join(LINKED_DATA_TYPES) + "\n",
        status_code=406, headers={"Vary": "Accept, Accept-Language"},
    )


def _not_found(request: Request, media_type: str, iri: str) -> Response:
    message = f"no resource <{iri}> in this graph"
    if media_type == "text/html":
        return render(request, "not_found.html", status_code=404, message=message)
    return PlainTextResponse(message + "\n", status_code=404, headers={"Vary": "Accept, Accept-Language"})


def _rdf_response(request: Request, media_type: str, triples, headers: dict[str, str] | None = None) -> Response:
    body = serialize_graph(media_type, triples, dict(PREFIXES), jsonld_form(request))
    return Response(body, media_type=f"{media_type}; charset=utf-8", headers=headers or _headers(request, media_type))


def _with_profile(request: Request, media_type: str, chosen: Profile, available: list[Profile]) -> dict[str, str]:
    headers = _headers(request, media_type)
    profiled = profile_headers(request, chosen, available, media_type)
    headers["Content-Profile"] = profiled["Content-Profile"]
    headers["Link"] = ", ".join(h for h in (headers["Link"], profiled["Link"]) if h)
    return headers


def _profile_refused(exc: Exception, status: int) -> PlainTextResponse:
    return PlainTextResponse(f"{exc}\n", status_code=status,
                             headers={"Vary": "Accept, Accept-Language, Accept-Profile"})


def _description_of(iri: str, triples) -> Description:
    """A ``Description`` (for the HTML page) of computed triples (pyoxigraph or rdflib terms)."""
    from dge_graph.store import from_ox

    outgoing = []
    for t in triples:
        s, p, o = (t.subject, t.predicate, t.object) if hasattr(t, "subject") else t
        outgoing.append(tuple(from_ox(x) if not isinstance(x, (URIRef, BNode, Literal)) else x for x in (s, p, o)))
    return Description(iri, outgoing=outgoing)


def _findings_view(store: Store, iri: str, settings: Settings, root: str) -> Description:
    return findings_description(store, iri)


def _dataset_view(store: Store, iri: str, settings: Settings, root: str) -> Description:
    """The dcat profile: the dataset description, or for a named graph its own part of it (its subset)."""
    view = _description_of(iri, void_triples(store, settings, root))
    if iri != dataset_iri(settings):
        view.outgoing = [t for t in view.outgoing if t[0] == URIRef(iri)]
    add_labels(store, view)
    return view


PROFILE_VIEWS = {"findings": _findings_view, "dcat": _dataset_view}
"""The profiles of ``data/profiles.ttl`` besides ``describe`` (the stored description) and ``alt`` (the listing),
by token; a test holds the two to each other."""


def _page(request: Request, settings: Settings, description: Description, lang: str) -> dict:
    links = Links(request, settings, description, lang)
    grouped: OrderedDict[str, dict] = OrderedDict()
    me = URIRef(description.iri)
    for predicate, obj in sorted(description.own(), key=lambda po: (po[0] != RDF.type, str(po[0]))):
        if predicate == RDF.type:
            continue
        entry = grouped.setdefault(str(predicate), {"predicate": links.term(predicate), "objects": []})
        if isinstance(obj, BNode):
            inner = [f"{links.term(p)['label']}: {links.term(o).get('label') or o}"
                     for s, p, o in description.outgoing if s == obj]
            entry["objects"].append({"kind": "literal", "value": "[ " + "; ".join(inner) + " ]"})
        else:
            entry["objects"].append(links.term(obj))
    for entry in grouped.values():
        entry["objects"].sort(
            key=lambda t: (t.get("language") not in (None, lang), str(t.get("label") or t.get("value"))))
    return {
        "iri": description.iri,
        "label": description.label(description.iri, lang) or _compact(description.iri),
        "definition": description.text(DEFINITION_PROPERTIES, lang),
        "types": [links.term(t) for t in description.types()],
        "outgoing": list(grouped.values()),
        "incoming": [{"subject": links.term(s), "predicate": links.term(p)} for s, p in description.incoming],
        "incoming_truncated": description.incoming_truncated,
        "alternates": _alternates(request),
        "is_deployment": URIRef(str(DGE.Deployment)) in description.types() and me is not None,
        "has_report": False,
        "findings": [],
    }


async def serve_resource(request: Request, store: Store, settings: Settings, iri: str,
                         mediatype: str | None, graph: str | None = None) -> Response:
    """Describe ``iri``; for ``graph`` (an existing named graph, HTML only) also list the resources in it."""
    media_type = _representation(request, mediatype)
    if media_type is None:
        return _not_acceptable()
    try:
        # an RDF response carries the labels of what it mentions, not which of those a page could link to
        description = await guarded(request, describe, iri, links=media_type == "text/html")
    except ValueError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    types = {str(t) for t in description.types()}
    is_dataset = iri == dataset_iri(settings)
    if is_dataset:
        types |= {str(DCAT.Dataset), str(VOID.Dataset)}
    if graph is not None:  # a named graph of the store is a subset of the dataset (void:subset)
        types.add(str(VOID.Dataset))
    if not description.exists and graph is None and not is_dataset:
        return _not_found(request, media_type, iri)
    catalogue = request.app.state.profiles
    # the dataset's own description is computed: its default is the dcat profile, not the stored triples
    # (a named graph is described by its provenance and members, even without provenance triples)
    available = catalogue.available(types, in_store=(description.exists or graph is not None) and not is_dataset)
    try:
        chosen = choose(request, available, catalogue, iri)
    except ProfileNotAvailable as exc:
        return _profile_refused(exc, 406)
    except BadAcceptProfile as exc:
        return _profile_refused(exc, 400)
    headers = _with_profile(request, media_type, chosen, available)
    if media_type not in chosen.formats:
        return PlainTextResponse(f"profile {chosen.token!r} is not available as {media_type}; formats: "
                                 + ", ".join(chosen.formats) + "\n", status_code=406, headers={"Vary": headers["Vary"]})
    lang = request_language(request)
    if chosen.token == ALTERNATES_TOKEN:
        view = _description_of(iri, alternates_listing(request, iri, available, available[0], catalogue))
        view = await guarded(request, labelled, view)
    elif chosen.token != "describe":
        view = await guarded(request, PROFILE_VIEWS[chosen.token], iri, settings, server_root(request))
    else:
        view = None
    if view is not None:
        if media_type != "text/html":
            return _rdf_response(request, media_type, view.triples(), headers)
        page = _page(request, settings, view, lang)
        page["is_deployment"] = False
        page["profiles"] = _profile_links(request, available, chosen, lang)
        return render(request, "resource.html", page=page, lang=lang, headers=headers)
    if media_type != "text/html":
        return _rdf_response(request, media_type, description.triples(), headers)
    page = _page(request, settings, description, lang)
    page["profiles"] = _profile_links(request, available, chosen, lang)
    if graph is not None:
        members, page["members_truncated"] = await guarded(request, graph_members, graph)
        member_view = Description(graph, incoming=[(m, URIRef(graph)) for m in members])
        member_view = await guarded(request, labelled, member_view)
        member_links = Links(request, settings, member_view, lang)
        page["members"] = [member_links.term(m) for m in members]
    if page["is_deployment"]:
        # everything the deployment's page adds, in one call to the store's guard (one hand-off, not five)
        page["has_report"], findings, requirements, status, evidence, evidence_view = await guarded(
            request, deployment_page_facts, iri)
        links = Links(request, settings, requirements, lang)
        page["findings"] = [
            {
                "severity_code": severity_code(f.severity),
                "requirement": links.term(f.requirement) if f.requirement else None,
                "message": (f.message_nl or f.message_en) if lang == "nl" else (f.message_en or f.message_nl),
            }
            for f in findings
        ]
        evidence_links = Links(request, settings, evidence_view, lang)
        page["evidence"] = {kind: [evidence_links.term(i) for i in items] for kind, items in evidence.items()}
        headers = {**headers, **validation_headers(status)}
        return render(request, "resource.html", page=page, lang=lang, headers=headers,
                      **banner_context(status, lang))
    return render(request, "resource.html", page=page, lang=lang, headers=headers)


def _profile_links(request: Request, available: list[Profile], chosen: Profile, lang: str) -> list[dict]:
    base = request.url.remove_query_params("_profile")
    return [{"token": p.token, "label": p.label(lang), "iri": p.iri, "current": p == chosen,
             "href": str(base.include_query_params(_profile=p.token))} for p in available]


@routes(router, "/resource", ("GET", "HEAD"),
        summary="Any resource of the graph, by IRI (linked data)", response_class=Response,
        responses={200: {"content": {m: {} for m in LINKED_DATA_TYPES}}, 404: {}, 406: {}})
async def resource(request: Request, iri: str = Query(..., description="the resource IRI", min_length=1),
                   mediatype: str | None = MEDIATYPE_QUERY,
                   store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    return await serve_resource(request, store, settings, iri, mediatype)


@routes(router, "/id/{path:path}", ("GET", "HEAD"),
        summary="An instance resource of the project namespace (linked data)",
        response_class=Response, responses={200: {"content": {m: {} for m in LINKED_DATA_TYPES}}, 404: {}})
async def instance(request: Request, path: str, mediatype: str | None = MEDIATYPE_QUERY,
                   store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    return await serve_resource(request, store, settings, f"{settings.public_base}id/{path}", mediatype)


@routes(router, "/def", ("GET", "HEAD"),
        summary="The ontology: every dge: term (hash IRIs) in one document", response_class=Response,
        responses={200: {"content": {m: {} for m in LINKED_DATA_TYPES}}, 404: {}})
async def ontology(request: Request, mediatype: str | None = MEDIATYPE_QUERY,
                   store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    media_type = _representation(request, mediatype)
    if media_type is None:
        return _not_acceptable()
    namespace = f"{settings.public_base}def#"
    document = await guarded(request, describe_namespace_document, namespace, f"{settings.public_base}def")
    if not document.exists:
        return _not_found(request, media_type, namespace)
    if media_type != "text/html":
        return _rdf_response(request, media_type, document.triples())
    lang = request_language(request)
    terms = []
    subjects = sorted({s for s, _, _ in document.outgoing if isinstance(s, URIRef)}, key=str)
    for subject in subjects:
        view = Description(str(subject), outgoing=[t for t in document.outgoing if t[0] == subject or
                                                   isinstance(t[0], BNode)],
                           labels=document.labels, described=document.described)
        page = _page(request, settings, view, lang)
        page["anchor"] = str(subject)[len(namespace):]
        terms.append(page)
    return render(request, "ontology.html", terms=terms, namespace=namespace, lang=lang,
                  alternates=_alternates(request), headers=_headers(request, media_type))


@routes(router, "/def/{module:path}", ("GET", "HEAD"),
        summary="An ontology module (owl:Ontology IRI)", response_class=Response,
        responses={200: {"content": {m: {} for m in LINKED_DATA_TYPES}}, 404: {}})
async def ontology_module(request: Request, module: str, mediatype: str | None = MEDIATYPE_QUERY,
                          store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    return await serve_resource(request, store, settings, f"{settings.public_base}def/{module}", mediatype)


@routes(router, "/graph/{path:path}", ("GET", "HEAD"),
        summary="A named graph: its content (RDF) or its description (HTML)",
        response_class=Response, responses={200: {"content": {m: {} for m in LINKED_DATA_TYPES}}, 404: {}})
async def named_graph(request: Request, path: str, mediatype: str | None = MEDIATYPE_QUERY,
                      store: Store = Depends(get_store), settings: Settings = Depends(get_settings)) -> Response:
    graph = f"{settings.public_base}graph/{path}"
    media_type = _representation(request, mediatype)
    if media_type is None:
        return _not_acceptable()
    graphs = await guarded(request, named_graphs)
    if graph not in graphs:
        return await serve_resource(request, store, settings, graph, mediatype)
    profiled = "_profile" in request.query_params or request.headers.get("accept-profile")
    if media_type != "text/html" and not profiled:  # the graph's content; with a profile, its description
        triples = await guarded(request, _graph_triples, graph)
        return _rdf_response(request, media_type, triples)
    return await serve_resource(request, store, settings, graph, mediatype, graph=graph)


def deployment_page_facts(store: Store, iri: str) -> tuple:
    """What a deployment's page shows besides its description: (a result is stored, its findings, the findings'
    requirements labelled, the result's status (docs/checks.md, "Report status"), what the findings rest on and
    those items labelled)."""
    has_report, findings = validation_findings(store, iri)
    requirements = labelled(store, Description(iri, incoming=[(f.requirement, URIRef(iri))
                                                              for f in findings if f.requirement]))
    status = validation_status(store)
    evidence = deployment_evidence(store, iri)
    evidence_view = labelled(store, Description(iri, incoming=[
        (item, URIRef(iri)) for items in evidence.values() for item in items]))
    return has_report, findings, requirements, status, evidence, evidence_view


def labelled(store: Store, description: Description) -> Description:
    """``description`` with the labels of the resources it links to (``add_labels``), returned: it may come back
    from a worker process."""
    add_labels(store, description)
    return description


def _graph_triples(store: Store, graph: str):
    from dge_graph.kernel.terms import iri_ref

    return list(store.evaluate(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"))

