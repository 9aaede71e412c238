"""Content negotiation by profile (W3C https://www.w3.org/TR/dx-prof-conneg/) for the linked-data resources.

The profiles are described once, as RDF in the PROF vocabulary (``data/profiles.ttl``: IRI, token, labels,
definition, the classes each applies to, its formats); ``ProfileCatalogue`` reads that file when the app is made
(``create_app``) and this module decides which one a request gets:

* ``?_profile=<token or IRI>`` (the query-string realisation, as Prez and the Linked Data API do) wins; a profile
  that is unknown, or that does not apply to the resource, is ``406`` naming it and listing the available ones;
* otherwise ``Accept-Profile: <IRI>;q=…, …`` (the HTTP realisation): the first available profile in q order, else
  the resource's default (a header is a preference, not a demand);
* ``_profile=alt`` lists the profiles and formats of the resource (HTML, Turtle, JSON-LD, ...).

Every answer says what it is: ``Content-Profile: <IRI>``, ``Link: <IRI>; rel="profile"``, a ``rel="alternate"``
link per other (profile, format) with ``type`` and ``profile``, and a ``rel="type"`` link per available profile
giving its token (``token="…"; anchor=<IRI>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from rdflib import Graph, Literal, Namespace, URIRef

from dge_graph.kernel.labels import label_in
from dge_graph.kernel.namespaces import DCT, RDF, RDFS, SKOS
from dge_graph.kernel.resources import resource_dir

PROF = Namespace("http://www.w3.org/ns/dx/prof/")
ALTR = Namespace("http://www.w3.org/ns/dx/connegp/altr#")
ALTR_EXT = Namespace("http://www.w3.org/ns/dx/connegp/altr-ext#")
ALTERNATES_TOKEN = "alt"
DESCRIBE_TOKEN = "describe"
_ACCEPT_PROFILE_ITEM = re.compile(r"^\s*<([^<>\s]+)>\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


class ProfileNotAvailable(ValueError):
    """A requested profile is unknown or does not apply to the resource (406)."""


class BadAcceptProfile(ValueError):
    """An ``Accept-Profile`` header that is not a list of ``<IRI>;q=…`` (400)."""


@dataclass(frozen=True)
class Profile:
    iri: str
    token: str
    labels: dict[str, str]
    classes: frozenset[str]
    formats: tuple[str, ...]

    def label(self, lang: str) -> str:
        return label_in(self.labels, lang) or self.token

    def applies_to(self, types: set[str]) -> bool:
        return str(RDFS.Resource) in self.classes or bool(self.classes & types)


@dataclass(frozen=True)
class ProfileCatalogue:
    profiles: tuple[Profile, ...]
    graph: Graph
    """The profiles' own RDF (for the ``alt`` listing)."""

    def available(self, types: set[str], *, in_store: bool) -> list[Profile]:
        """The profiles for a resource of ``types``; ``describe`` only for a resource with triples in the store."""
        return [p for p in self.profiles if p.applies_to(types) and (in_store or p.token != DESCRIBE_TOKEN)]

    def find(self, name: str) -> Profile | None:
        return next((p for p in self.profiles if name in (p.token, p.iri)), None)


def profiles_file() -> Path:
    return resource_dir("data") / "profiles.ttl"


def load_catalogue(path: Path | None = None) -> ProfileCatalogue:
    graph = Graph().parse(path or profiles_file(), format="turtle")
    profiles = []
    for iri in sorted(graph.subjects(RDF.type, PROF.Profile), key=str):
        token = graph.value(iri, PROF.hasToken)
        if token is None:
            raise ValueError(f"{path or profiles_file()}: profile <{iri}> has no prof:hasToken")
        labels = {o.language or "": str(o) for o in graph.objects(iri, RDFS.label) if isinstance(o, Literal)}
        profiles.append(Profile(
            iri=str(iri), token=str(token), labels=labels,
            classes=frozenset(str(c) for c in graph.objects(iri, ALTR_EXT.constrainsClass)),
            formats=tuple(sorted(str(f) for f in graph.objects(iri, ALTR_EXT.hasResourceFormat))),
        ))
    # the describe profile first (the default of a stored resource), the listing last
    order = {DESCRIBE_TOKEN: 0, ALTERNATES_TOKEN: 2}
    profiles.sort(key=lambda p: (order.get(p.token, 1), p.token))
    return ProfileCatalogue(tuple(profiles), graph)


def accept_profile(header: str | None) -> list[str]:
    """The profile IRIs of an ``Accept-Profile`` header, best first (q=0 left out)."""
    if not header or not header.strip():
        return []
    ranked = []
    for position, item in enumerate(header.split(",")):
        match = _ACCEPT_PROFILE_ITEM.match(item)
        if not match:
            raise BadAcceptProfile(f"Accept-Profile: {item.strip()!r} is not <IRI> or <IRI>;q=<weight>")
        q = float(match.group(2)) if match.group(2) else 1.0
        if q > 0:
            ranked.append((-q, position, match.group(1)))
    return [iri for _, _, iri in sorted(ranked)]


def choose(request: Request, available: list[Profile], catalogue: ProfileCatalogue, resource: str) -> Profile:
    """The profile of the answer (see the module docstring); ``ProfileNotAvailable`` / ``BadAcceptProfile``."""
    listed = ", ".join(f"{p.token} <{p.iri}>" for p in available)
    asked = request.query_params.get("_profile")
    if asked is not None:
        profile = catalogue.find(asked.strip())
        if profile is None:
            raise ProfileNotAvailable(f"unknown profile {asked!r} (_profile); available for <{resource}>: {listed}")
        if profile not in available:
            raise ProfileNotAvailable(f"profile {asked!r} (_profile) does not apply to <{resource}>; "
                                      f"available: {listed}")
        return profile
    for iri in accept_profile(request.headers.get("accept-profile")):
        profile = catalogue.find(iri)
        if profile in available:
            return profile
    return available[0]


def profile_headers(request: Request, chosen: Profile, available: list[Profile], media_type: str) -> dict[str, str]:
    """``Content-Profile`` and the ``Link`` header of an answer in profile ``chosen`` and format ``media_type``."""
    base = request.url.remove_query_params("_profile").remove_query_params("_mediatype").remove_query_params("lang")
    links = [f'<{chosen.iri}>; rel="profile"']
    for profile in available:
        for fmt in profile.formats:
            if (profile, fmt) != (chosen, media_type):
                href = base.include_query_params(_profile=profile.token, _mediatype=fmt)
                links.append(f'<{href}>; rel="alternate"; type="{fmt}"; profile="{profile.iri}"')
    links += [f'<{PROF.Profile}>; rel="type"; token="{p.token}"; anchor=<{p.iri}>' for p in available]
    return {"Content-Profile": f"<{chosen.iri}>", "Link": ", ".join(links)}


def alternates_listing(request: Request, resource: str, available: list[Profile], default: Profile,
                       catalogue: ProfileCatalogue) -> list[tuple]:
    """The ``alt`` profile of ``resource`` as triples: one ``altr:hasRepresentation`` per (profile, format), the
    default one also as ``altr:hasDefaultRepresentation``, and the profiles' own descriptions."""
    base = request.url.remove_query_params("_profile").remove_query_params("_mediatype").remove_query_params("lang")
    me = URIRef(resource)
    triples = []
    for profile in available:
        for fmt in profile.formats:
            node = URIRef(str(base.include_query_params(_profile=profile.token, _mediatype=fmt)))
            triples += [(me, ALTR.hasRepresentation, node), (node, DCT.conformsTo, URIRef(profile.iri)),
                        (node, DCT["format"], Literal(fmt))]
            if profile == default and fmt == "text/turtle":
                triples.append((me, ALTR.hasDefaultRepresentation, node))
        subject = URIRef(profile.iri)
        for p, o in catalogue.graph.predicate_objects(subject):
            if p in (RDF.type, PROF.hasToken, RDFS.label, SKOS.definition, PROF.isProfileOf, DCT.source):
                triples.append((subject, p, o))
    return triples
