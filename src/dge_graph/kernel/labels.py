"""The label policy: which of a resource's labels a reader sees, in every module and on every page.

Label properties, in order of preference: ``skos:prefLabel``, then ``rdfs:label``, then ``dct:title``
(``LABEL_PROPERTIES``). The language decides first and the property second: a resource's label in a language is its
``skos:prefLabel`` in that language, else its ``rdfs:label`` in it, else its ``dct:title`` in it (among several
values of one property and language, the lexically first, so the choice does not depend on store order).

Languages, in order of preference (``language_order``): the requested language, then a label without a language
tag (a name, such as a supplier's, that is the same in every language), then the other of ``nl``/``en``. A label in any other language is not shown. When none of these exists the
reader sees the IRI's local name (``local_name``), unless the caller has a better name for the thing than the IRI (a
rule identifier, a municipality code) or shows the IRI itself (the linked-data pages, which mark it as unlabelled).

``labels_by_language`` reduces (property, literal) pairs to one label per language; ``label_in`` applies the
language order to such a mapping (``None`` when there is nothing in those languages); ``display_label`` adds the
last resort; ``graph_label`` does all of it for a resource of an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from rdflib import Graph, Literal
from rdflib.term import Node

from dge_graph.kernel.namespaces import DCT, RDFS, SKOS

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCT.title)
"""Label properties, in order of preference (within one language)."""

LANGUAGES = ("nl", "en")
"""The project's two languages: every term has a label in both."""

NO_LANGUAGE = ""
"""The key of a label without a language tag in a ``{language: label}`` mapping."""


def other_language(lang: str) -> str:
    """``en`` for ``nl``, ``nl`` for anything else."""
    return "en" if lang == "nl" else "nl"


def language_order(lang: str) -> tuple[str, ...]:
    """The languages a label is looked for in, best first: ``lang``, no language tag, the other of nl/en."""
    order = [lang, NO_LANGUAGE]
    order += [other_language(lang)] if lang in LANGUAGES else list(LANGUAGES)
    return tuple(dict.fromkeys(order))


def local_name(iri: object) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (the whole IRI when that part is empty)."""
    text = str(iri)
    for separator in ("#", "/"):
        head, found, tail = text.rpartition(separator)
        if found and tail:
            return tail
        if found and not tail:
            return text
    return text


def labels_by_language(pairs: Iterable[tuple[Node, Node]]) -> Mapping[str, str]:
    """``{language: label}`` (``""`` for no tag) from (label property, value) pairs: per language the value of the
    most preferred property of ``LABEL_PROPERTIES``, the lexically first among several; non-literals are ignored."""
    rank = {str(p): index for index, p in enumerate(LABEL_PROPERTIES)}
    best: dict[str, tuple[int, str]] = {}
    for prop, value in pairs:
        if not isinstance(value, Literal) or str(prop) not in rank:
            continue
        lang = value.language or NO_LANGUAGE
        candidate = (rank[str(prop)], str(value))
        if lang not in best or candidate < best[lang]:
            best[lang] = candidate
    return MappingProxyType({lang: text for lang, (_rank, text) in best.items()})


def label_in(by_lang: Mapping[str, str] | None, lang: str) -> str | None:
    """The label in the first language of ``language_order(lang)`` that ``by_lang`` has; ``None`` if none."""
    if not by_lang:
        return None
    for candidate in language_order(lang):
        if candidate in by_lang:
            return by_lang[candidate]
    return None


def display_label(by_lang: Mapping[str, str] | None, lang: str, iri: object, fallback: str | None = None) -> str:
    """``label_in``, else ``fallback`` (a better name the caller has, such as a rule id), else the local name."""
    return label_in(by_lang, lang) or fallback or local_name(iri)


def graph_labels(graph: Graph, subject: Node) -> Mapping[str, str]:
    """``{language: label}`` of ``subject`` in an rdflib graph."""
    return labels_by_language((prop, value) for prop in LABEL_PROPERTIES for value in graph.objects(subject, prop))


def graph_label(graph: Graph, subject: Node, lang: str, fallback: str | None = None) -> str:
    """The label of ``subject`` in ``graph`` for a reader of ``lang`` (the whole policy)."""
    return display_label(graph_labels(graph, subject), lang, subject, fallback)
