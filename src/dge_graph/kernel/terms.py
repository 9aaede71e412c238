"""Terms for people: the short display form of an RDF term (prefixed name, or a literal's lexical form)."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import PREFIXES


def compact(term: Node | None) -> str:
    """A short display form: prefixed name for known namespaces, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"
    if isinstance(term, Literal):
        return str(term)
    return f"_:{term}"
