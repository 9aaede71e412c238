"""Serialisers for query results the endpoint has collected row by row (under its deadline and row limit).

SELECT/ASK: SPARQL 1.1 Query Results JSON, XML, CSV and TSV (W3C Recommendations of 2013-03-21). Graphs (CONSTRUCT,
DESCRIBE, linked data): pyoxigraph's serialisers (Turtle, N-Triples, RDF/XML, N-Quads, TriG, expanded JSON-LD), and
compacted JSON-LD against the published context (``/context.jsonld``, ``jsonld_context``), the default JSON-LD.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from dge_graph.kernel.media_types import RDF_FORMATS
from dge_graph.kernel.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


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


def serialize_graph(media_type: str, triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None,
                    jsonld: JsonLdForm | None = None) -> bytes:
    """Triples in an RDF syntax; the dataset syntaxes (N-Quads, TriG) put them in the default graph. JSON-LD is
    compacted against ``jsonld.context_url`` (the published context: the project's ``PREFIXES``) unless ``jsonld`` asks for the expanded form or is
    not given."""
    rdf_format = RDF_FORMATS[media_type]
    triples = list(triples)
    if rdf_format == ox.RdfFormat.JSON_LD and jsonld is not None and not jsonld.expanded:
        return serialize_compacted_jsonld(triples, dict(PREFIXES), jsonld.context_url)
    if rdf_format.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    else:
        items = triples
    kwargs = {}
    if prefixes and rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes
    return ox.serialize(items, format=rdf_format, **kwargs) or b""


JSONLD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
JSONLD_COMPACTED = "http://www.w3.org/ns/json-ld#compacted"
GEN_DELIMS = ("/", "#", ":", "?", "@", "[", "]")


@dataclass(frozen=True)
class JsonLdForm:
    """How JSON-LD is written: compacted against the published context (``context_url``, the default) or expanded
    (``profile=http://www.w3.org/ns/json-ld#expanded``)."""

    context_url: str
    expanded: bool = False


def jsonld_context(prefixes: dict[str, str]) -> dict:
    """The published ``@context``: one prefix per namespace of the project (``dge:``, ``dgeid:``, ``skos:``, ...).

    A namespace that does not end in a URI gen-delim character is declared ``"@prefix": true`` (JSON-LD 1.1 uses
    a term as a prefix only then)."""
    context: dict = {}
    needs_11 = False
    for prefix, namespace in sorted(prefixes.items()):
        if namespace.endswith(GEN_DELIMS):
            context[prefix] = namespace
        else:
            context[prefix] = {"@id": namespace, "@prefix": True}
            needs_11 = True
    if needs_11:
        context = {"@version": 1.1, **context}
    return {"@context": context}


def _compact_iri(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace) and (best is None or
                                                                         len(namespace) > len(prefixes[best])):
            best = prefix
    if best is None:
        return iri
    local = iri[len(prefixes[best]):]
    if local.startswith("//"):
        return iri  # would read as an absolute IRI with that prefix as its scheme
    return f"{best}:{local}"


def _jsonld_node_id(term, prefixes) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return _compact_iri(term.value, prefixes)


def _jsonld_value(term, prefixes):
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": _jsonld_node_id(term, prefixes)}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": _compact_iri(term.datatype.value, prefixes)}
    raise ValueError(f"JSON-LD 1.1 cannot carry the triple term {term}")


def serialize_compacted_jsonld(triples: Iterable[ox.Triple], prefixes: dict[str, str], context_url: str) -> bytes:
    """Compacted JSON-LD against the published context (referenced by URL): compact IRIs, single values without
    arrays, ``@type`` for ``rdf:type``, one ``@graph`` of node objects sorted by ``@id``."""
    nodes: dict[str, dict] = {}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for triple in triples:
        node_id = _jsonld_node_id(triple.subject, prefixes)
        node = nodes.setdefault(node_id, {"@id": node_id})
        if triple.predicate.value == rdf_type and not isinstance(triple.object, ox.Literal):
            node.setdefault("@type", []).append(_jsonld_node_id(triple.object, prefixes))
        else:
            node.setdefault(_compact_iri(triple.predicate.value, prefixes), []).append(
                _jsonld_value(triple.object, prefixes))
    graph = []
    for node_id in sorted(nodes):
        node = nodes[node_id]
        graph.append({key: (values[0] if isinstance(values, list) and len(values) == 1 else values)
                      for key, values in node.items()})
    return json.dumps({"@context": context_url, "@graph": graph}, ensure_ascii=False, indent=1).encode("utf-8")
