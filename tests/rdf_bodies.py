"""Parsing RDF bodies the server sends, JSON-LD included: its published ``@context`` is referenced by URL
(``/context.jsonld``), which pyoxigraph does not fetch, so it is inlined here from the same source the server
generates it from (or fetched from the server when ``fetch_context`` is given)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pyoxigraph as ox

from dge_graph.api.serializers import jsonld_context
from dge_graph.kernel.namespaces import PREFIXES


def inline_context(body: bytes, fetch_context: Callable[[str], dict] | None = None) -> bytes:
    document = json.loads(body)
    if isinstance(document, dict) and isinstance(document.get("@context"), str):
        url = document["@context"]
        context = fetch_context(url) if fetch_context else jsonld_context(dict(PREFIXES))
        document["@context"] = context["@context"]
    return json.dumps(document).encode("utf-8")


def parse_rdf(body: bytes, media_type: str, *, base_iri: str | None = None,
              fetch_context: Callable[[str], dict] | None = None) -> list[ox.Quad]:
    rdf_format = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    if rdf_format is None:
        raise ValueError(f"{media_type!r} is not an RDF syntax")
    if rdf_format == ox.RdfFormat.JSON_LD:
        body = inline_context(body, fetch_context)
    return list(ox.parse(body, format=rdf_format, base_iri=base_iri))
