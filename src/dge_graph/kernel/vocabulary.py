"""The deployment-fact vocabulary, read from the ontology: fact names -> ontology IRIs (see docs/rules.md).

This module is the single contract between the intake format, the importers, the shapes and the docs, and it
restates nothing: every table below is read once, at import, from the files that define the terms:

* every context and processing fact is a property ``dge:<specName>`` of ``ontology/facts.ttl`` with domain
  ``dge:Deployment``; its kind follows from its range (``xsd:boolean``, ``xsd:date``, ``xsd:integer``, or a class
  whose concepts form a scheme: an ``owl:FunctionalProperty`` takes one concept, any other property a set);
* every safeguard is a ``dge:SafeguardType`` ``dgeid:safeguard-type/<slug>`` of ``ontology/vocabularies.ttl``
  (``dge:specName`` is its intake name, ``skos:notation`` its slug); a deployment holds one through
  ``dge:hasSafeguard`` -> ``dge:SafeguardInstance`` with ``dge:safeguardType``, ``dge:safeguardStatus``
  (present / absent / planned / expired), and optionally ``dct:date``, ``foaf:page`` and ``dct:source``;
* enumerations are the other ``skos:ConceptScheme`` s of ``ontology/vocabularies.ttl``, their codes the concepts'
  ``skos:notation`` s, in the order the ontology lists them;
* the public values a deployment may put at stake are the ``dge:PublicValue`` s of ``data/values.ttl``;
* an absent fact is *unknown*: nothing is written. ``false`` is written only when a source says so.

Everything here is immutable data (tuples and read-only mappings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import URIRef

from dge_graph.kernel.namespaces import DGE, id_iri
from dge_graph.kernel.resources import resource_dir

FactKind = TypingLiteral["boolean", "date", "integer", "enum", "enum-set", "string"]


@dataclass(frozen=True)
class Fact:
    """One fact of §2a/§2b: its spec name, its value kind and, for enumerations, its scheme."""

    name: str
    kind: FactKind
    scheme: str | None = None

    @property
    def iri(self) -> URIRef:
        return DGE[self.name]


@dataclass(frozen=True)
class SafeguardType:
    """One safeguard of §2c: the spec's boolean name and the slug of its ``dge:SafeguardType`` resource."""

    name: str
    slug: str

    @property
    def iri(self) -> URIRef:
        return id_iri("safeguard-type", self.slug)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_KIND_OF_RANGE = {f"{_XSD}boolean": "boolean", f"{_XSD}date": "date", f"{_XSD}integer": "integer",
                  f"{_XSD}string": "string"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_OWL_FUNCTIONAL = "http://www.w3.org/2002/07/owl#FunctionalProperty"
_DCT_SUBJECT = "http://purl.org/dc/terms/subject"
_DCT_IDENTIFIER = "http://purl.org/dc/terms/identifier"


@dataclass(frozen=True)
class Vocabulary:
    """The tables of this module, as read from the ontology and the values data."""

    facts: tuple[Fact, ...]
    safeguards: tuple[SafeguardType, ...]
    enumerations: Mapping[str, tuple[str, ...]]
    public_values: tuple[str, ...]


def _triples(*paths: Path) -> list[tuple[str, str, object]]:
    triples = []
    for path in paths:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            obj = quad.object
            triples.append((quad.subject.value, quad.predicate.value, obj.value if hasattr(obj, "value") else obj))
    return triples


def read_vocabulary(ontology: Path, data: Path) -> Vocabulary:
    """The fact, safeguard, enumeration and public-value tables defined by ``ontology/`` and ``data/values.ttl``.

    Order is the order of the files (facts as ``facts.ttl`` lists them, codes as their scheme lists them).
    """
    triples = _triples(ontology / "facts.ttl", ontology / "vocabularies.ttl", data / "values.ttl")
    by_subject: dict[str, dict[str, list[object]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)

    def one(subject: str, predicate: str) -> object | None:
        values = by_subject.get(subject, {}).get(predicate, [])
        return values[0] if values else None

    def typed(subject: str, cls: str) -> bool:
        return cls in by_subject.get(subject, {}).get(_RDF_TYPE, [])

    scheme_of_class = {
        str(one(s, _DCT_SUBJECT)): s.rsplit("/", 1)[-1]
        for s in by_subject
        if typed(s, f"{_SKOS}ConceptScheme") and one(s, _DCT_SUBJECT) is not None
    }
    enumerations: dict[str, list[str]] = {}
    for s in by_subject:  # insertion order = file order
        notation = one(s, f"{_SKOS}notation")
        scheme = one(s, f"{_SKOS}inScheme")
        if typed(s, f"{_SKOS}Concept") and notation is not None and scheme is not None and not typed(s, str(DGE.SafeguardType)):
            enumerations.setdefault(str(scheme).rsplit("/", 1)[-1], []).append(str(notation))

    facts = []
    for s in by_subject:
        name = one(s, str(DGE.specName))
        if name is None or not s.startswith(str(DGE)) or one(s, f"{_RDFS}domain") != str(DGE.Deployment):
            continue
        range_ = str(one(s, f"{_RDFS}range"))
        if range_ in _KIND_OF_RANGE:
            facts.append(Fact(str(name), _KIND_OF_RANGE[range_]))
        elif range_ in scheme_of_class:
            kind = "enum" if typed(s, _OWL_FUNCTIONAL) else "enum-set"
            facts.append(Fact(str(name), kind, scheme_of_class[range_]))
        else:
            raise ValueError(f"fact {s}: range {range_} is neither a datatype nor the subject of a concept scheme")

    safeguards = tuple(
        SafeguardType(str(one(s, str(DGE.specName))), str(one(s, f"{_SKOS}notation")))
        for s in by_subject
        if typed(s, str(DGE.SafeguardType)) and one(s, str(DGE.specName)) is not None
    )
    public_values = tuple(
        str(one(s, _DCT_IDENTIFIER)) for s in by_subject if typed(s, str(DGE.PublicValue)) and one(s, _DCT_IDENTIFIER)
    )
    return Vocabulary(
        facts=tuple(facts),
        safeguards=safeguards,
        enumerations=MappingProxyType({k: tuple(v) for k, v in enumerations.items()}),
        public_values=public_values,
    )


_VOCABULARY = read_vocabulary(resource_dir("ontology"), resource_dir("data"))

FACTS: tuple[Fact, ...] = _VOCABULARY.facts
FACTS_BY_NAME = MappingProxyType({f.name: f for f in FACTS})
SAFEGUARDS: tuple[SafeguardType, ...] = _VOCABULARY.safeguards
SAFEGUARDS_BY_NAME = MappingProxyType({s.name: s for s in SAFEGUARDS})
# Enumerations: scheme slug -> codes; each code is the concept ``dgeid:<scheme>/<code>``.
ENUMERATIONS: Mapping[str, tuple[str, ...]] = _VOCABULARY.enumerations
# The public values of data/values.ttl that a deployment may put at stake (``valuesAtStake``).
PUBLIC_VALUES: tuple[str, ...] = _VOCABULARY.public_values


def concept(scheme: str, code: str) -> URIRef:
    """The concept IRI of an enumeration value; raises ``KeyError`` for an unknown scheme or code."""
    if code not in ENUMERATIONS[scheme]:
        raise KeyError(f"{code!r} is not a value of {scheme} (allowed: {', '.join(ENUMERATIONS[scheme])})")
    return id_iri(scheme, code)


def concept_scheme(scheme: str) -> URIRef:
    """The ``skos:ConceptScheme`` IRI of an enumeration."""
    return id_iri("scheme", scheme)

