"""Content negotiation: ``Accept`` (q-values, several types, wildcards) and the ``_mediatype``/``format`` override.

``negotiate(accept, offers)`` picks, from the media types a resource can be served as (``offers``, in the server's
order of preference), the one the client prefers (RFC 9110 §12.5.1): the most specific matching range decides the
q-value of an offer; the highest q wins; among equal q a named type beats a wildcard, then the client's order, then
the server's order. ``None`` means nothing acceptable (406).
An absent or empty ``Accept`` accepts anything, so the first offer is the default.

``format_override(value)`` turns a ``_mediatype``/``format`` parameter (a media type or a short name such as
``json``, ``ttl``, ``jsonld``) into a media type.

For SPARQL results the meaning of a name depends on the query form, as Fuseki and Oxigraph read it: ``json`` and
``application/json`` are SPARQL JSON for SELECT/ASK and JSON-LD for CONSTRUCT/DESCRIBE; ``xml``,
``application/xml`` and ``text/xml`` are SPARQL XML and RDF/XML; ``text/plain`` is CSV and N-Triples; N3 is served as
Turtle (a subset of N3). ``result_media_type(accept, format_values, offers, aliases)`` applies the first format value
that names one of ``offers`` (clients such as SPARQLWrapper repeat ``format``/``output``/``results`` with several
spellings), else negotiates ``Accept`` over the offers and their aliases.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from dge_graph.kernel.media_types import SHORT_NAMES

FORMAT_ALIASES = SHORT_NAMES
"""Short names accepted by ``_mediatype``/``format`` (SPARQL-endpoint conventions of Fuseki and Virtuoso), from the
media-type registry (``kernel.media_types``)."""

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


SELECT_RESULT_ALIASES = MappingProxyType({
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "text/plain": "text/csv",
    "tsv": "text/tab-separated-values",
})
"""Names of SELECT/ASK result formats (short names, and media types clients send) -> the format served."""

GRAPH_RESULT_ALIASES = MappingProxyType({
    "json": "application/ld+json",
    "application/json": "application/ld+json",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "application/x-json+ld": "application/ld+json",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "text/n3": "text/turtle",
    "application/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "text/x-nquads": "application/n-quads",
    "trig": "application/trig",
    "application/x-trig": "application/trig",
})
"""Names of graph (CONSTRUCT/DESCRIBE) result formats -> the format served."""


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


def negotiate_aliased(accept: str | None, offers: tuple[str, ...] | list[str],
                      aliases: MappingProxyType | dict) -> str | None:
    """``negotiate`` over ``offers`` and the media-type aliases of them (``application/json`` for SPARQL JSON, ...);
    the offer itself is returned for an alias. Aliases come after every offer, so ``*/*`` still picks the first."""
    extended = list(offers) + [a for a, target in aliases.items() if "/" in a and target in offers and a not in offers]
    chosen = negotiate(accept, extended)
    if chosen is None or chosen in offers:
        return chosen
    return aliases[chosen]


def named_format(value: str, offers: tuple[str, ...] | list[str], aliases: MappingProxyType | dict) -> str | None:
    """The offer a ``format``-style value names (short name, alias or media type; parameters ignored), or ``None``."""
    text = value.strip().lower().split(";")[0].strip()
    if text in offers:
        return text
    target = aliases.get(text)
    return target if target in offers else None


def result_media_type(accept: str | None, format_values: tuple[str, ...] | list[str],
                      offers: tuple[str, ...] | list[str], aliases: MappingProxyType | dict) -> str | None:
    """The first of ``format_values`` that names one of ``offers``; else ``Accept`` negotiated (``None``: 406)."""
    for value in format_values:
        chosen = named_format(value, offers, aliases)
        if chosen is not None:
            return chosen
    return negotiate_aliased(accept, offers, aliases)


def is_known_format(value: str) -> bool:
    """Whether a ``format``-style value names any result format this module knows (for a 400 on nonsense)."""
    text = value.strip().lower().split(";")[0].strip()
    return (text in SELECT_RESULT_ALIASES or text in GRAPH_RESULT_ALIASES or text in FORMAT_ALIASES
            or text in FORMAT_ALIASES.values() or text in MEDIA_TYPE_SYNONYMS)


def media_range_parameters(accept: str | None, media_type: str) -> dict[str, str]:
    """The parameters (other than ``q``) of the most specific ``Accept`` range matching ``media_type``, e.g.
    ``{"profile": "http://www.w3.org/ns/json-ld#expanded"}`` for JSON-LD; quotes removed, names lower-cased."""
    if not accept:
        return {}
    best: tuple[int, dict[str, str]] | None = None
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media or not MediaRange(*media.partition("/")[::2], 1.0, 0).matches(media_type):
            continue
        specificity = MediaRange(*media.partition("/")[::2], 1.0, 0).specificity
        params = {}
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() != "q":
                params[name.strip().lower()] = value.strip().strip('"')
        if best is None or specificity > best[0]:
            best = (specificity, params)
    return best[1] if best else {}


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
