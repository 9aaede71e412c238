"""Serialisers for query results the endpoint has collected row by row (under its deadline and row limit).

SELECT/ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV (W3C Recommendations of 2013-03-21). Graphs (CONSTRUCT,
DESCRIBE, linked data): pyoxigraph's serialisers (Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads, TriG).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from types import MappingProxyType
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SELECT_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
"""Result formats of SELECT and ASK, the first being the default."""

GRAPH_MEDIA_TYPES = (
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
)
"""Result formats of CONSTRUCT and DESCRIBE (and linked-data documents), the first being the default."""

RDF_FORMATS = MappingProxyType({
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
})

Row = Sequence["ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None"]


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_value(term) -> str:
    # N-Triples syntax is a valid TSV term encoding (SPARQL 1.1 Query Results CSV and TSV Formats §3.2)
    return "" if term is None else str(term)


def serialize_solutions(media_type: str, variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    if media_type == "application/sparql-results+json":
        bindings = [
            {name: _json_term(value) for name, value in zip(variables, row) if value is not None} for row in rows
        ]
        return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        out = io.StringIO()
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        out.writelines(f"<variable name={quoteattr(v)}/>" for v in variables)
        out.write("</head>\n<results>\n")
        for row in rows:
            out.write("<result>")
            out.writelines(
                f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>"
                for name, value in zip(variables, row) if value is not None
            )
            out.write("</result>\n")
        out.write("</results>\n</sparql>\n")
        return out.getvalue().encode("utf-8")
    if media_type == "text/csv":
        lines = [",".join(_csv_value(ox.Literal(v)) for v in variables)]
        lines += [",".join(_csv_value(value) for value in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if media_type == "text/tab-separated-values":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_value(value) for value in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"no SELECT serialiser for {media_type}")


def serialize_boolean(media_type: str, value: bool) -> bytes:
    if media_type == "application/sparql-results+json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if media_type == "application/sparql-results+xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    if media_type in ("text/csv", "text/tab-separated-values"):
        return b"true\n" if value else b"false\n"
    raise ValueError(f"no ASK serialiser for {media_type}")


def serialize_graph(media_type: str, triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in an RDF syntax; the dataset syntaxes (N-Quads, TriG) put them in the default graph."""
    rdf_format = RDF_FORMATS[media_type]
    triples = list(triples)
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    else:
        items = triples
    kwargs = {}
    if prefixes and rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    return ox.serialize(items, format=rdf_format, **kwargs) or b""
