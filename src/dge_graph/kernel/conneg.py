"""Content negotiation: ``Accept`` (q-values, several types, wildcards) and the ``_mediatype``/``format`` override.

``negotiate(accept, offers)`` picks, from the media types a resource can be served as (``offers``, in the server's
order of preference), the one the client prefers (RFC 9110 §12.5.1): the most specific matching range decides the
q-value of an offer; the highest q wins; among equal q a named type beats a wildcard, then the client's order, then
the server's order. ``None`` means nothing acceptable (406).
An absent or empty ``Accept`` accepts anything, so the first offer is the default.

``format_override(value)`` turns a ``_mediatype``/``format`` parameter (a media type or a short name such as
``json``, ``ttl``, ``jsonld``) into a media type.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

FORMAT_ALIASES = MappingProxyType({
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
    "html": "text/html",
})
"""Short names accepted by ``_mediatype``/``format`` (SPARQL-endpoint conventions of Fuseki and Virtuoso)."""

MEDIA_TYPE_SYNONYMS = MappingProxyType({
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/xhtml+xml": "text/html",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
})
"""Media types clients send that mean one of ours (used for the ``_mediatype`` override only)."""


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))


class BadAcceptHeader(ValueError):
    """An ``Accept`` value that does not parse (a q-value that is not a number in [0, 1])."""


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, in the order given. Malformed ranges without a ``/`` are skipped;
    a malformed q-value raises ``BadAcceptHeader``."""
    ranges: list[MediaRange] = []
    if not header:
        return ranges
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        main, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError as exc:
                    raise BadAcceptHeader(f"Accept: q-value {value.strip()!r} of {media!r} is not a number") from exc
                if not 0.0 <= q <= 1.0:
                    raise BadAcceptHeader(f"Accept: q-value {q} of {media!r} is outside [0, 1]")
        if main == "*" and sub != "*":
            continue
        ranges.append(MediaRange(main, sub, q, order))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of the most specific range matching it (0 if none)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    best = max(matching, key=lambda r: (r.specificity, -r.order))
    return best.q


def negotiate(accept: str | None, offers: tuple[str, ...] | list[str]) -> str | None:
    """The offer the client prefers, or ``None`` when none is acceptable. No/empty ``Accept`` → the first offer."""
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best: tuple | None = None
    chosen = None
    for index, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        deciding = max(matching, key=lambda r: (r.specificity, -r.order))
        if deciding.q <= 0:
            continue
        # highest q; then a range naming the type beats a wildcard; then the client's order; then ours
        key = (deciding.q, deciding.specificity, -deciding.order, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def format_override(value: str | None) -> str | None:
    """The media type named by a ``_mediatype``/``format`` parameter (short name or media type), else ``None``."""
    if not value:
        return None
    text = value.strip().lower().split(";")[0].strip()
    if text in FORMAT_ALIASES:
        return FORMAT_ALIASES[text]
    return MEDIA_TYPE_SYNONYMS.get(text, text)


def preferred_language(accept_language: str | None, offered: tuple[str, ...], default: str) -> str:
    """The language of ``offered`` the client prefers by ``Accept-Language`` (``nl-NL`` counts as ``nl``)."""
    if not accept_language:
        return default
    best_q, best = 0.0, None
    for order, part in enumerate(accept_language.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        candidates = offered if primary == "*" else tuple(lang for lang in offered if lang == primary)
        for lang in candidates:
            if q > best_q:
                best_q, best = q, lang
    return best or default
