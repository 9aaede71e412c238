"""What the analysts' routers share: choosing html/json/csv from ``format``/``Accept``, and error responses."""

from __future__ import annotations

from fastapi import HTTPException, Request

from dge_graph.kernel import conneg
from dge_graph.kernel.media_types import BY_MEDIA_TYPE

TABLE_OFFERS = ("text/html", "application/json", "text/csv")
SHORT_FORMATS = {BY_MEDIA_TYPE[m].short_names[0]: m for m in TABLE_OFFERS}
"""The formats of the analysts' pages by short name (the media-type registry's names)."""


def choose_format(request: Request, offers: tuple[str, ...] = TABLE_OFFERS) -> str:
    """``html``, ``json`` or ``csv``: the ``format`` parameter if given, else the ``Accept`` header (406 if none fits)."""
    asked = request.query_params.get("format")
    if asked:
        media_type = SHORT_FORMATS.get(asked.strip().lower()) or conneg.format_override(asked)
        if media_type in ("application/sparql-results+json",):
            media_type = "application/json"
        if media_type not in offers:
            raise HTTPException(400, f"format {asked!r} is not one of {', '.join(SHORT_FORMATS)}")
    else:
        try:
            media_type = conneg.negotiate(request.headers.get("accept"), list(offers))
        except conneg.BadAcceptHeader as exc:
            raise HTTPException(400, f"bad Accept header: {exc}") from exc
        if media_type is None:
            raise HTTPException(406, f"acceptable: {', '.join(offers)}")
    return {v: k for k, v in SHORT_FORMATS.items()}[media_type]
