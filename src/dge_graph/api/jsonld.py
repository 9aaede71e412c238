"""The published JSON-LD ``@context`` (``/context.jsonld``) and the choice between compacted and expanded JSON-LD.

The context is generated from the project's prefixes (``kernel.namespaces.PREFIXES``: ``dge:``, ``dgeid:``,
``dgegraph:``, ``skos:``, ...), so it cannot drift from them. Every JSON-LD answer of the server (linked data,
CONSTRUCT/DESCRIBE results, the Graph Store Protocol, the service description) is compacted against it and names it
by URL (``"@context": "<server>/context.jsonld"``), unless the client asks for the expanded form with
``Accept: application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"`` (JSON-LD 1.1 §9.1; ``…#compacted``
is the default).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from dge_graph.api.serializers import JSONLD_EXPANDED, JsonLdForm, jsonld_context
from dge_graph.kernel import conneg
from dge_graph.kernel.namespaces import PREFIXES

router = APIRouter(tags=["linked data"])


def jsonld_form(request: Request) -> JsonLdForm:
    """Compacted against this server's context unless ``Accept`` asks for ``…#expanded``."""
    profile = conneg.media_range_parameters(request.headers.get("accept"), "application/ld+json").get("profile", "")
    return JsonLdForm(str(request.url_for("jsonld_context")), expanded=JSONLD_EXPANDED in profile.split())


@router.get("/context.jsonld", name="jsonld_context", summary="The JSON-LD @context of every JSON-LD answer",
            response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
async def context_document() -> Response:
    body = json.dumps(jsonld_context(dict(PREFIXES)), indent=1, sort_keys=False).encode("utf-8")
    return Response(body, media_type="application/ld+json")
