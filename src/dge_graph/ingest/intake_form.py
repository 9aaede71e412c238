"""The ``/check`` questionnaire: the intake keys as HTML form fields, and form answers as an intake record.

The questions are the keys of the intake format (``intake.ALL_KEYS``), nothing else: the facts and safeguards of
the ontology (``vocabulary.FACTS``, ``vocabulary.SAFEGUARDS``) and the identity keys. Each question's label,
definition and sources (``dct:source``), and every answer option's label and definition, are read from the
ontology (``ontology/*.ttl``) and the values data (``data/values.ttl``); nothing is restated here.

Form fields are named by the intake keys. A boolean is ``true`` / ``false`` / empty (unknown); an enumeration a
code; a set of codes the same field repeated; a safeguard ``<key>`` its status, with optional ``<key>.date`` and
``<key>.document``. Empty fields are unknown and left out, as an absent key in a file. ``record_from_form`` turns
the answers into the record a YAML file would hold and ``batch_from_form`` checks and converts it with
``intake.batch_from_records``, the same code that reads files, so an error names the key (= the field) and a
reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from rdflib import Graph, Literal, URIRef

from dge_graph.ingest.intake import (
    IDENTITY_KEYS,
    INTAKE_RECORD_KINDS,
    MULTI_VALUED_KEYS,
    IntakeBatch,
    RawRecord,
    batch_from_records,
    organisation_slug,
)
from dge_graph.kernel.namespaces import DCT, DGE, RDFS, SKOS, id_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.ui_text import texts
from dge_graph.kernel.vocabulary import ENUMERATIONS, FACTS, PUBLIC_VALUES, SAFEGUARDS, SAFEGUARDS_BY_NAME

FORM_SOURCE = "check-form"
SAFEGUARD_DETAILS = ("date", "document")  # the optional parts of a safeguard mapping the form asks for

# identity keys that are ontology properties (their label and definition come from there)
IDENTITY_PROPERTIES = {
    "municipality": DGE.municipality, "deployer": DGE.deployer, "technology": DGE.technologyKind,
    "supplier": DGE.supplier, "valuesAtStake": DGE.valueAtStake, "status": DGE.deploymentStatus,
    "recordKind": DGE.recordKind, "title": DCT.title, "description": DCT.description, "source": DCT.source,
}
IDENTITY_KINDS = {"technology": ("enum", "technology-kind"), "status": ("enum", "deployment-status"),
                  "recordKind": ("enum", "record-kind"), "valuesAtStake": ("enum-set", None),
                  "description": ("text", None), "source": ("url", None)}


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Choice:
    code: str
    iri: URIRef
    label: Text
    definition: Text | None


@dataclass(frozen=True)
class Question:
    key: str  # the intake key = the form field name
    kind: str  # boolean, date, integer, enum, enum-set, string, text, url, safeguard
    iri: URIRef | None
    label: Text
    definition: Text | None
    sources: tuple[URIRef, ...] = ()
    choices: tuple[Choice, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Questionnaire:
    identity: tuple[Question, ...]
    facts: tuple[Question, ...]
    safeguards: tuple[Question, ...]
    statuses: tuple[Choice, ...]  # the safeguard statuses

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.identity + self.facts + self.safeguards

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


def ontology_graph() -> Graph:
    """The ontology modules and the values, rights, requirements and laws data: the labels the pages show."""
    graph = Graph()
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    data = resource_dir("data")
    for name in ("values.ttl", "rights.ttl", "requirements.ttl"):
        graph.parse(data / name, format="turtle")
    for path in sorted((data / "legal").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _text(graph: Graph, subject: URIRef, predicates: Iterable[URIRef]) -> Text | None:
    for predicate in predicates:
        by_lang = {o.language: str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal)}
        if by_lang:
            fallback = by_lang.get("en") or by_lang.get("nl") or next(iter(by_lang.values()))
            return Text(by_lang.get("nl", fallback), by_lang.get("en", fallback))
    return None


LABELS = (SKOS.prefLabel, RDFS.label, DCT.title)
DEFINITIONS = (SKOS.definition, DCT.description, RDFS.comment)


def label_of(graph: Graph, iri: URIRef, lang: str) -> str | None:
    found = _text(graph, iri, LABELS)
    return found(lang) if found else None


EUR_LEX = re.compile(r"https://eur-lex\.europa\.eu/legal-content/[A-Z]{2}/TXT/\?uri=CELEX:(?P<celex>[0-9A-Z]+)"
                     r"(?:#(?P<part>[a-z]+)_(?P<number>[0-9A-Za-z]+))?")
"""A EUR-Lex address of an act by its CELEX number, optionally one part: ``#art_4``, ``#rct_91``, ``#anx_III``."""
EUR_LEX_PARTS = {"art": "source_article", "rct": "source_recital", "anx": "source_annex"}
"""The fragment of a EUR-Lex address -> the catalogue key of its name (``kernel.ui_text.PAGE``)."""


def source_label(graph: Graph, iri: URIRef, lang: str) -> str:
    """What a page shows for a source (``dct:source``): its label; for a EUR-Lex address, the label of the act with
    that CELEX number (its ``dct:identifier`` in ``data/legal``) and the part ("AVG art. 4", "AI Act Annex III");
    for another address without a label, its web host (the link keeps the address)."""
    own = label_of(graph, URIRef(str(iri)), lang)
    if own:
        return own
    text = str(iri)
    eur_lex = EUR_LEX.fullmatch(text)
    if eur_lex:
        acts = [a for a in graph.subjects(DCT.identifier, Literal(eur_lex["celex"])) if isinstance(a, URIRef)]
        act = label_of(graph, min(acts, key=str), lang) if acts else None
        name = act or f"CELEX {eur_lex['celex']}"
        part = EUR_LEX_PARTS.get(eur_lex["part"] or "")
        if part:
            return f"{name} {texts('page', lang)[part]} {eur_lex['number']}"
        return f"EUR-Lex: {name}"
    host = urlsplit(text).hostname
    return host.removeprefix("www.") if host else text


def _choices(graph: Graph, scheme: str | None, codes: Sequence[str]) -> tuple[Choice, ...]:
    choices = []
    for code in codes:
        iri = id_iri(scheme, code) if scheme else id_iri("value", code)
        choices.append(Choice(code, iri, _text(graph, iri, LABELS) or Text(code, code), _text(graph, iri, DEFINITIONS)))
    return tuple(choices)


def _question(graph: Graph, key: str, kind: str, iri: URIRef | None, scheme: str | None, codes: Sequence[str] = (),
              required: bool = False, fallback: Text | None = None) -> Question:
    label = (_text(graph, iri, LABELS) if iri is not None else None) or fallback or Text(key, key)
    definition = _text(graph, iri, DEFINITIONS) if iri is not None else None
    sources = tuple(sorted((o for o in graph.objects(iri, DCT.source) if isinstance(o, URIRef)), key=str)) \
        if iri is not None else ()
    choices = _choices(graph, scheme, codes) if kind in ("enum", "enum-set") else ()
    return Question(key, kind, iri, label, definition, sources, choices, required)


IDENTITY_FALLBACK = {
    "id": Text("kenmerk (optioneel; anders afgeleid van de titel)", "identifier (optional; otherwise from the title)"),
    "title": Text("titel", "title"), "description": Text("beschrijving", "description"),
    "source": Text("bron (webadres)", "source (web address)"),
}


def load_questionnaire(graph: Graph | None = None) -> Questionnaire:
    """The questions of the form, in the order of the intake keys, labelled from the ontology."""
    graph = graph if graph is not None else ontology_graph()
    identity = []
    for key in IDENTITY_KEYS:
        kind, scheme = IDENTITY_KINDS.get(key, ("string", None))
        codes: Sequence[str] = ()
        if key == "valuesAtStake":
            codes = PUBLIC_VALUES
        elif key == "recordKind":
            codes = INTAKE_RECORD_KINDS
        elif scheme:
            codes = ENUMERATIONS[scheme]
        identity.append(_question(graph, key, kind, IDENTITY_PROPERTIES.get(key), scheme, codes,
                                  required=key == "title", fallback=IDENTITY_FALLBACK.get(key)))
    facts = [_question(graph, f.name, f.kind, f.iri, f.scheme, ENUMERATIONS[f.scheme] if f.scheme else ())
             for f in FACTS]
    safeguards = [_question(graph, s.name, "safeguard", s.iri, None) for s in SAFEGUARDS]
    statuses = _choices(graph, "safeguard-status", ENUMERATIONS["safeguard-status"])
    return Questionnaire(tuple(identity), tuple(facts), tuple(safeguards), statuses)


# ----------------------------------------------------------------------------------------------------------------
# answers <-> record


def _values(form: Mapping[str, Any], key: str) -> list[str]:
    """All non-empty values of a field (a multi-dict's ``getlist``, or a plain mapping of str / list)."""
    if hasattr(form, "getlist"):
        raw = form.getlist(key)
    else:
        value = form.get(key)
        raw = value if isinstance(value, list) else ([] if value is None else [value])
    return [str(v).strip() for v in raw if str(v).strip()]


def record_from_form(form: Mapping[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    """The intake record of the answers: typed as a YAML file would have it; unknown (empty) answers left out."""
    record: dict[str, Any] = {}
    for question in questionnaire.questions:
        key = question.key
        values = _values(form, key)
        if question.kind == "safeguard":
            details = {part: v for part in SAFEGUARD_DETAILS if (v := next(iter(_values(form, f"{key}.{part}")), None))}
            if values and details:
                record[key] = {"status": values[0], **details}
            elif values:
                record[key] = values[0]
            elif details:
                record[key] = {"status": "", **details}  # the schema names the missing status at this key
            continue
        if key in MULTI_VALUED_KEYS:
            if values:
                record[key] = list(dict.fromkeys(values))
            continue
        if not values:
            continue
        value: Any = values[0]
        if question.kind == "boolean":
            value = {"true": True, "false": False}.get(value, value)
        elif question.kind == "integer":
            try:
                value = int(value)
            except ValueError:
                pass  # the schema says why
        record[key] = value
    if "id" not in record and "title" in record:
        record["id"] = organisation_slug(record["title"])[:120]
    return {"id": record.pop("id"), **record} if "id" in record else record


def form_from_record(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Form fields (name, value) that give ``record`` back: how the page fills a form in again, and how a test
    enters a YAML intake through the questionnaire."""
    fields: list[tuple[str, str]] = []
    for key, value in record.items():
        if isinstance(value, bool) and key in SAFEGUARDS_BY_NAME:  # true / false of a file = present / absent
            fields.append((key, "present" if value else "absent"))
        elif isinstance(value, bool):
            fields.append((key, "true" if value else "false"))
        elif isinstance(value, list):
            fields += [(key, str(v)) for v in value]
        elif isinstance(value, dict):
            if value.get("status") not in (None, ""):
                fields.append((key, str(value["status"])))
            fields += [(f"{key}.{part}", str(value[part])) for part in SAFEGUARD_DETAILS if value.get(part)]
        else:
            fields.append((key, str(value)))
    return fields


def batch_from_form(form: Mapping[str, Any], questionnaire: Questionnaire) -> tuple[dict[str, Any], IntakeBatch]:
    """The record of the answers and its deployment as RDF; ``IntakeError`` (key = field) on any problem."""
    record = record_from_form(form, questionnaire)
    lines = {key: 1 for key in record}
    return record, batch_from_records([RawRecord(1, record, 1, lines)], FORM_SOURCE)


def intake_yaml(record: Mapping[str, Any]) -> str:
    """The answers as an intake file (``dge-graph check`` / ``dge-graph import intake`` read it)."""
    header = ("# Intake filled in at /check (dge-graph). Check it with `dge-graph check FILE`, import it with\n"
              "# `dge-graph import intake FILE`. Keys: docs/intake.md.\n")
    return header + yaml.safe_dump({"deployments": [dict(record)]}, allow_unicode=True, sort_keys=False, width=100)
