"""Terms: the short display form of an RDF term for people (prefixed name, or a literal's lexical form), and the
project's one IRI check (``iri_problem``/``checked_iri``/``iri_ref``, error ``InvalidIRI``) that every module writing
an IRI into SPARQL, RDF or a store request goes through."""

from __future__ import annotations

import pyoxigraph as ox
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


# --------------------------------------------------------------------------------------------------------------
# the IRI check: the one place that decides whether a text may be written as an IRI


class InvalidIRI(ValueError):
    """A text that is not an absolute IRI as RDF reads it (pyoxigraph's RFC 3987 parser).

    ``iri`` is the bad text, ``reason`` what is wrong with it; the message (``naming``) names both. The constructor
    takes the message alone too, so that the error can be rebuilt from its message across a thread or process."""

    def __init__(self, message: str, *, iri: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.iri = iri
        self.reason = reason

    @classmethod
    def naming(cls, iri: str, reason: str) -> InvalidIRI:
        return cls(f"{iri!r} is not a valid IRI: {reason}", iri=iri, reason=reason)


def iri_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as an absolute IRI (no scheme, a space, ``<``, ``>``, ...), or ``None``.

    What RDF accepts (pyoxigraph's IRI parser), so a text that passes can always be serialised and written between
    ``<`` and ``>`` in SPARQL, Turtle or N-Triples without escaping anything."""
    try:
        ox.NamedNode(text)
    except (ValueError, TypeError) as exc:
        hint = " (percent-encode it: a space is %20)" if any(c.isspace() for c in str(text)) else ""
        return f"{exc}{hint}"
    return None


def is_iri(text: str) -> bool:
    return iri_problem(text) is None


def checked_iri(text: str) -> str:
    """``text`` itself when it is an absolute IRI; ``InvalidIRI`` naming it otherwise."""
    problem = iri_problem(text)
    if problem is not None:
        raise InvalidIRI.naming(text, problem)
    return text


def iri_ref(text: str) -> str:
    """``<text>``, the IRI as a term of SPARQL, Turtle or N-Triples; ``InvalidIRI`` when it is not an IRI."""
    return f"<{checked_iri(text)}>"
