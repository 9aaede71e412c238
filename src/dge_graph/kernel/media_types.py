"""The media-type registry: every format the project reads or writes, in one table.

Each ``Format`` names its media type, the short names a client may give instead (``format=ttl``), its file
suffixes, its pyoxigraph format, its rdflib parser/serialiser name and its W3C format IRI
(``http://www.w3.org/ns/formats/``, for the SPARQL service description). What the other modules need is derived
here: the result formats of SELECT/ASK and of CONSTRUCT/DESCRIBE in the server's order of preference (the first is
the default), the pyoxigraph format of a media type or a file suffix, the short names. Content negotiation itself
(``Accept``, q-values, the per-query-form meaning of ``json`` and ``xml``) is ``kernel.conneg``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    media_type: str
    name: str
    """What people call it (error messages, documentation)."""
    kind: str
    """``results`` (SPARQL SELECT/ASK results), ``graph`` (RDF triples), ``dataset`` (RDF quads), ``page`` (HTML)
    or ``data`` (tabular and structured input files)."""
    short_names: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    rdflib: str | None = None
    w3c: str | None = None
    """Local name of the format's IRI in ``W3C_FORMATS``."""

    @property
    def is_rdf(self) -> bool:
        return self.kind in ("graph", "dataset")

    @property
    def format_iri(self) -> str | None:
        return W3C_FORMATS + self.w3c if self.w3c else None


FORMATS: tuple[Format, ...] = (
    # SPARQL 1.1 query results (SELECT, ASK), in the endpoint's order of preference
    Format("application/sparql-results+json", "SPARQL 1.1 Query Results JSON", "results", ("json", "srj"),
           (".srj",), ox.QueryResultsFormat.JSON, "json", "SPARQL_Results_JSON"),
    Format("application/sparql-results+xml", "SPARQL 1.1 Query Results XML", "results", ("xml", "srx"),
           (".srx",), ox.QueryResultsFormat.XML, "xml", "SPARQL_Results_XML"),
    Format("text/csv", "SPARQL 1.1 Query Results CSV", "results", ("csv",), (".csv",),
           ox.QueryResultsFormat.CSV, "csv", "SPARQL_Results_CSV"),
    Format("text/tab-separated-values", "SPARQL 1.1 Query Results TSV", "results", ("tsv",), (".tsv",),
           ox.QueryResultsFormat.TSV, "tsv", "SPARQL_Results_TSV"),
    # RDF graphs (CONSTRUCT, DESCRIBE, linked data, the Graph Store Protocol), in the server's order of preference
    Format("text/turtle", "Turtle", "graph", ("turtle", "ttl"), (".ttl",), ox.RdfFormat.TURTLE, "turtle", "Turtle"),
    Format("application/ld+json", "JSON-LD", "graph", ("jsonld", "json-ld"), (".jsonld",), ox.RdfFormat.JSON_LD,
           "json-ld", "JSON-LD"),
    Format("application/rdf+xml", "RDF/XML", "graph", ("rdfxml", "rdf", "rdf+xml"), (".rdf",),
           ox.RdfFormat.RDF_XML, "xml", "RDF_XML"),
    Format("application/n-triples", "N-Triples", "graph", ("nt", "ntriples", "n-triples"), (".nt",),
           ox.RdfFormat.N_TRIPLES, "nt", "N-Triples"),
    Format("application/n-quads", "N-Quads", "dataset", ("nq", "nquads", "n-quads"), (".nq",),
           ox.RdfFormat.N_QUADS, "nquads", "N-Quads"),
    Format("application/trig", "TriG", "dataset", ("trig",), (".trig",), ox.RdfFormat.TRIG, "trig", "TriG"),
    # pages and input files
    Format("text/html", "HTML", "page", ("html",), (".html",)),
    Format("application/json", "JSON", "data", ("json",), (".json",)),
    Format("application/yaml", "YAML", "data", ("yaml",), (".yaml", ".yml")),
)
"""Every format the project speaks. A short name can mean one format per kind (``json``: results JSON for
SELECT, JSON for the analysts' pages); ``kernel.conneg`` decides which kind a request is about."""

BY_MEDIA_TYPE = MappingProxyType({f.media_type: f for f in FORMATS})

SELECT_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "results")
"""Result formats of SELECT and ASK, the first being the default."""

GRAPH_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.is_rdf)
"""Result formats of CONSTRUCT and DESCRIBE (and linked-data documents), the first being the default."""

TRIPLE_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "graph")
"""RDF formats without named graphs (what a single graph is read from and written as)."""

RESULTS_FORMATS = MappingProxyType({f.media_type: f.oxigraph for f in FORMATS if f.kind == "results"})
"""pyoxigraph's ``QueryResultsFormat`` of each SELECT/ASK result media type."""

RDF_FORMATS = MappingProxyType({f.media_type: f.oxigraph for f in FORMATS if f.is_rdf})
"""pyoxigraph's ``RdfFormat`` of each RDF media type."""

SHORT_NAMES = MappingProxyType({
    name: f.media_type for f in reversed(FORMATS) if f.kind in ("results", "graph", "dataset", "page")
    for name in f.short_names
})
"""Short name -> media type, for the ``_mediatype``/``format`` parameters (a name two kinds share, ``json``, means
the first format that has it: SPARQL results JSON)."""


def media_type_of_suffix(suffix: str) -> str | None:
    """The media type of a file suffix (``.ttl`` or ``ttl``, any case); ``None`` when the project has none for it."""
    wanted = "." + suffix.lower().lstrip(".")
    return next((f.media_type for f in FORMATS if wanted in f.suffixes), None)


def rdf_format(media_type: str | None = None, suffix: str | None = None) -> ox.RdfFormat | None:
    """The RDF syntax of a ``Content-Type`` value (parameters and case ignored) or, failing that, of a file suffix.

    Media types of the registry first; then the synonyms pyoxigraph reads (``application/x-turtle``,
    ``text/plain`` for N-Triples, ``application/json`` for JSON-LD, N3, ...), so that a body any RDF client labels
    in a usual way is read. ``None`` when neither names an RDF syntax."""
    found = None
    if media_type:
        bare = media_type.split(";", 1)[0].strip().lower()
        entry = BY_MEDIA_TYPE.get(bare)
        found = entry.oxigraph if entry is not None and entry.is_rdf else ox.RdfFormat.from_media_type(bare)
    if found is None and suffix:
        found = RDF_FORMATS.get(media_type_of_suffix(suffix) or "") or ox.RdfFormat.from_extension(
            suffix.lower().lstrip("."))
    return found
