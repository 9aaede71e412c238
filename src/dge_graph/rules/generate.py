"""Generate what restates the requirements: the rule shapes, the safeguard shapes, docs/rules.md, docs/legal-status.md.

The requirements (``data/requirements.ttl``) are the one source of the rules: identifier, severity, the dates a
rule applies from and until (a date, or a parameter such as ``param:hr-date``), the safeguards it demands, whether
it is a prohibition, its condition and "missing" texts and its legal source. The legal resources (``data/legal/``)
give the labels and dates of the laws, ``data/parameters.ttl`` the parameters, and the safeguard-type scheme
(``ontology/vocabularies.ttl``) the safeguards. Only the conditions stay hand-written SHACL
(``shapes/conditions.ttl``: ``cond:<rule id>``, and ``satisfied:<rule id>`` for an obligation that rests on a fact
rather than on a safeguard type; ``shapes/derived.ttl``: the derived predicates).

``generated_files(root)`` returns the text of every generated file; ``stale_files(root)`` the ones whose text on
disk differs (the staleness test and ``dge-graph rules generate --check``); ``write_generated(root)`` writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SH, SKOS, XSD

from dge_graph.kernel.labels import graph_label
from dge_graph.kernel.namespaces import DGE, ELI, ID, id_iri
from dge_graph.kernel.ui_text import long_date

GENERATOR = "dge-graph rules generate (src/dge_graph/rules/generate.py)"
RULE_SHAPES = Path("shapes/rules.ttl")
SAFEGUARD_SHAPES = Path("shapes/safeguards.ttl")
CONDITIONS = Path("shapes/conditions.ttl")
RULES_DOC = Path("docs/rules.md")
LEGAL_STATUS_DOC = Path("docs/legal-status.md")
SOURCES = ("data/requirements.ttl", "data/parameters.ttl", "data/legal/*.ttl", "ontology/vocabularies.ttl")

SAFEGUARD_TYPE_SCHEME = id_iri("scheme", "safeguard-type")
CONDITION_PREFIX = f"{ID}shape/condition/"
SATISFIED_PREFIX = f"{ID}shape/satisfied/"
HOLDS_PREFIX = f"{ID}shape/holds/"
ALGORITMEKADER_REQUIREMENTS = "https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels/vereisten/"
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class GenerationError(ValueError):
    """The sources cannot be turned into rule shapes (a missing text, label, condition shape, ...)."""


# --------------------------------------------------------------------------------------------------------------
# reading the sources


@dataclass(frozen=True)
class Texts:
    nl: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Requirement:
    """What ``data/requirements.ttl`` says about one rule."""

    rule_id: str
    iri: URIRef
    label: Texts
    prohibition: bool
    severity: URIRef
    applies_from: dt.date | None
    applies_from_parameter: URIRef | None
    applies_until: dt.date | None
    safeguards: tuple[URIRef, ...]
    legal_source: URIRef
    references: tuple[URIRef, ...]
    algoritmekader: tuple[str, ...]
    condition: Texts
    missing: Texts
    notes: tuple[str, ...]
    replaces: tuple[URIRef, ...]

    @property
    def severity_name(self) -> str:
        return SEVERITIES[self.severity]

    @property
    def shape(self) -> URIRef:
        return id_iri("shape/rule", self.rule_id)

    @property
    def condition_shape(self) -> URIRef:
        return URIRef(CONDITION_PREFIX + self.rule_id)

    @property
    def satisfied_shape(self) -> URIRef:
        return URIRef(SATISFIED_PREFIX + self.rule_id)


@dataclass(frozen=True)
class SafeguardType:
    iri: URIRef
    notation: str
    spec_name: str
    label: Texts

    @property
    def shape(self) -> URIRef:
        return URIRef(HOLDS_PREFIX + self.notation)


@dataclass(frozen=True)
class Sources:
    """The parsed sources: one graph with the data and the safeguard scheme, and the hand-written conditions."""

    graph: Graph
    conditions: Graph
    requirements: tuple[Requirement, ...]
    safeguard_types: tuple[SafeguardType, ...]


def _texts(graph: Graph, subject, predicate, *, where: str) -> Texts:
    found = {o.language: str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language}
    missing = {"nl", "en"} - found.keys()
    if missing:
        raise GenerationError(f"{where}: no {predicate.n3(graph.namespace_manager)} in @{', @'.join(sorted(missing))}")
    return Texts(found["nl"], found["en"])


def _one(graph: Graph, subject, predicate, *, where: str, required: bool = True):
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise GenerationError(f"{where}: {len(values)} values of {predicate.n3(graph.namespace_manager)}; expected one")
    if not values and required:
        raise GenerationError(f"{where}: no {predicate.n3(graph.namespace_manager)}")
    return values[0] if values else None


def _date(value, *, where: str) -> dt.date | None:
    if value is None:
        return None
    if not (isinstance(value, Literal) and value.datatype == XSD.date and isinstance(value.toPython(), dt.date)):
        raise GenerationError(f"{where}: expected an xsd:date, found {value!r}")
    return value.toPython()


def read_requirement(graph: Graph, iri: URIRef) -> Requirement:
    rule_id = str(_one(graph, iri, DCT.identifier, where=str(iri)))
    where = f"data/requirements.ttl, {rule_id}"
    applies_from = _date(_one(graph, iri, DGE.appliesFrom, where=where, required=False), where=where)
    parameter = _one(graph, iri, DGE.appliesFromParameter, where=where, required=False)
    if (applies_from is None) == (parameter is None):
        raise GenerationError(f"{where}: needs exactly one of dge:appliesFrom, dge:appliesFromParameter")
    applies_until = _date(_one(graph, iri, DGE.appliesUntil, where=where, required=False), where=where)
    if applies_until is not None and applies_from is not None and applies_until < applies_from:
        raise GenerationError(f"{where}: dge:appliesUntil {applies_until} is before dge:appliesFrom {applies_from}")
    severity = _one(graph, iri, DGE.severity, where=where)
    if severity not in SEVERITIES:
        raise GenerationError(f"{where}: unknown severity {severity}")
    prohibition = (iri, RDF.type, DGE.Prohibition) in graph
    safeguards = tuple(sorted(graph.objects(iri, DGE.requiresSafeguard), key=str))
    if prohibition and safeguards:
        raise GenerationError(f"{where}: a prohibition demands no safeguard (no safeguard cures it)")
    return Requirement(
        rule_id=rule_id,
        iri=iri,
        label=_texts(graph, iri, SKOS.prefLabel, where=where),
        prohibition=prohibition,
        severity=severity,
        applies_from=applies_from,
        applies_from_parameter=parameter,
        applies_until=applies_until,
        safeguards=safeguards,
        legal_source=_one(graph, iri, DGE.legalSource, where=where),
        references=tuple(sorted(graph.objects(iri, DCT.references), key=str)),
        algoritmekader=tuple(sorted(str(o) for o in graph.objects(iri, DGE.algoritmekaderRequirement))),
        condition=_texts(graph, iri, DGE.conditionText, where=where),
        missing=_texts(graph, iri, DGE.missingText, where=where),
        notes=_notes(graph, iri, where=where),
        replaces=tuple(sorted(graph.objects(iri, DCT.replaces), key=str)),
    )


def _notes(graph: Graph, subject, *, where: str) -> tuple[str, ...]:
    """The English editorial notes (open points) of a resource; each must also be written in Dutch."""
    nl = [o for o in graph.objects(subject, SKOS.editorialNote) if getattr(o, "language", None) == "nl"]
    en = sorted(str(o) for o in graph.objects(subject, SKOS.editorialNote) if getattr(o, "language", None) == "en")
    if len(nl) != len(en):
        raise GenerationError(f"{where}: {len(nl)} editorial notes in @nl but {len(en)} in @en")
    return tuple(en)


def read_sources(root: Path) -> Sources:
    graph = Graph()
    paths = [root / "data" / "requirements.ttl", root / "data" / "parameters.ttl",
             *sorted((root / "data" / "legal").glob("*.ttl")), root / "ontology" / "vocabularies.ttl"]
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise GenerationError(f"{path}: missing source file") from exc
        except Exception as exc:  # rdflib raises several parser exception types
            raise GenerationError(f"{path}: cannot parse: {exc}") from exc
    conditions = Graph()
    try:
        conditions.parse(root / CONDITIONS, format="turtle")
    except Exception as exc:
        raise GenerationError(f"{root / CONDITIONS}: cannot parse the hand-written conditions: {exc}") from exc
    requirements = tuple(sorted((read_requirement(graph, r) for r in set(graph.subjects(RDF.type, DGE.Requirement))),
                                key=lambda r: r.rule_id))
    safeguards = []
    for concept in set(graph.subjects(SKOS.inScheme, SAFEGUARD_TYPE_SCHEME)):
        where = f"ontology/vocabularies.ttl, {concept}"
        safeguards.append(SafeguardType(
            iri=concept,
            notation=str(_one(graph, concept, SKOS.notation, where=where)),
            spec_name=str(_one(graph, concept, DGE.specName, where=where)),
            label=_texts(graph, concept, SKOS.prefLabel, where=where),
        ))
    sources = Sources(graph, conditions, requirements, tuple(sorted(safeguards, key=lambda s: s.notation)))
    _check_references(sources)
    return sources


def _check_references(sources: Sources) -> None:
    known = {s.iri for s in sources.safeguard_types}
    for req in sources.requirements:
        where = f"data/requirements.ttl, {req.rule_id}"
        if (req.condition_shape, RDF.type, SH.NodeShape) not in sources.conditions:
            raise GenerationError(f"{where}: {CONDITIONS} has no condition shape cond:{req.rule_id}")
        unknown = sorted(str(s) for s in req.safeguards if s not in known)
        if unknown:
            raise GenerationError(f"{where}: safeguard types not in the safeguard-type scheme: {', '.join(unknown)}")
        has_satisfied = (req.satisfied_shape, RDF.type, SH.NodeShape) in sources.conditions
        if not req.prohibition and not req.safeguards and not has_satisfied:
            raise GenerationError(f"{where}: an obligation without dge:requiresSafeguard needs the hand-written "
                                  f"shape satisfied:{req.rule_id} in {CONDITIONS}")
        for iri in (req.legal_source, *req.references):
            _texts(sources.graph, iri, SKOS.prefLabel, where=f"{where}, legal source {iri}")


# --------------------------------------------------------------------------------------------------------------
# rendering helpers


def label(graph: Graph, iri, lang: str = "en") -> str:
    """The label of ``iri`` for a reader of ``lang`` (the ``kernel.labels`` policy)."""
    return graph_label(graph, iri, lang)


def parameter_default(graph: Graph, parameter: URIRef) -> dt.date | None:
    return _date(graph.value(parameter, DGE.defaultValue), where=str(parameter))


def period_phrase(graph: Graph, req: Requirement, lang: str) -> str:
    """When the rule applies, in words: 'since 2 February 2025', 'from 1 January 2020 to 14 August 2026', ..."""
    if req.applies_from_parameter is not None:
        name = label(graph, req.applies_from_parameter, lang)
        default = parameter_default(graph, req.applies_from_parameter)
        start = (f"vanaf de {name[0].lower() + name[1:]}; standaard {long_date(default, 'nl')}" if lang == "nl"
                 else f"from the {name[0].lower() + name[1:]}; default {long_date(default, 'en')}")
    else:
        start = (f"sinds {long_date(req.applies_from, 'nl')}" if lang == "nl"
                 else f"since {long_date(req.applies_from, 'en')}")
        if req.applies_until is not None:
            start = (f"van {long_date(req.applies_from, 'nl')}" if lang == "nl"
                     else f"from {long_date(req.applies_from, 'en')}")
    if req.applies_until is not None:
        start += (f" tot en met {long_date(req.applies_until, 'nl')}" if lang == "nl"
                  else f" until {long_date(req.applies_until, 'en')}")
    return start


def _lower_first(text: str) -> str:
    """'The AI system ...' -> 'the AI system ...'; an acronym ('AI', 'DPIA') keeps its case."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def rule_message(graph: Graph, req: Requirement, lang: str) -> str:
    """The finding's message: what is missing, when the rule applies, and its legal source with its dates."""
    source = label(graph, req.legal_source, lang)
    applies = "Geldt wanneer" if lang == "nl" else "Applies when"
    condition = _lower_first(req.condition[lang]).rstrip(".")
    return f"{req.missing[lang]} {applies}: {condition} ({source}, {period_phrase(graph, req, lang)})."


def turtle(term) -> str:
    return term.n3()


# --------------------------------------------------------------------------------------------------------------
# shapes/rules.ttl and shapes/safeguards.ttl

RULE_PREFIXES = """@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rule: <https://w3id.org/dge-graph/id/shape/rule/> .
@prefix cond: <https://w3id.org/dge-graph/id/shape/condition/> .
@prefix satisfied: <https://w3id.org/dge-graph/id/shape/satisfied/> .
@prefix holds: <https://w3id.org/dge-graph/id/shape/holds/> .
@prefix req: <https://w3id.org/dge-graph/id/requirement/> .
@prefix sgt: <https://w3id.org/dge-graph/id/safeguard-type/> .
@prefix param: <https://w3id.org/dge-graph/id/parameter/> .
"""


def _header(what: str, sources: Iterable[str]) -> str:
    return (f"# {what}\n# Generated by {GENERATOR} from {', '.join(sources)}; do not edit.\n"
            "# Run `make generate` (or `dge-graph rules generate`) after changing a source.\n")


def _local(iri: URIRef, prefix: str, name: str) -> str:
    text = str(iri)
    if not text.startswith(prefix):
        raise GenerationError(f"{iri} is not in {prefix}")
    return f"{name}:{text[len(prefix):]}"


def _literal(text: str, lang: str | None = None) -> str:
    return Literal(text, lang=lang).n3()


def rule_shape_text(sources: Sources, req: Requirement) -> str:
    graph = sources.graph
    sgt = f"{ID}safeguard-type/"
    lines = [
        f"# ---- {req.rule_id} ----",
        f"rule:{req.rule_id}",
        "    a sh:NodeShape ;",
        f"    rdfs:label {_literal(req.rule_id, 'en')} , {_literal(req.rule_id, 'nl')} ;",
        "    sh:targetClass dge:Deployment ;",
        f"    dge:requirement req:{req.rule_id} ;",
        f"    dct:identifier {_literal(req.rule_id)} ;",
        f"    dge:conditionShape cond:{req.rule_id} ;",
    ]
    if req.safeguards:
        lines.append("    dge:requiresSafeguard " + " , ".join(_local(s, sgt, "sgt") for s in req.safeguards) + " ;")
    if req.applies_from_parameter is not None:
        lines.append(f"    dge:appliesFromParameter {_local(req.applies_from_parameter, f'{ID}parameter/', 'param')} ;")
    else:
        lines.append(f"    dge:appliesFrom {Literal(req.applies_from.isoformat(), datatype=XSD.date).n3(graph.namespace_manager)} ;")
    if req.applies_until is not None:
        lines.append(f"    dge:appliesUntil {Literal(req.applies_until.isoformat(), datatype=XSD.date).n3(graph.namespace_manager)} ;")
    lines.append(f"    sh:severity sh:{req.severity_name} ;")
    lines.append(f"    sh:message {_literal(rule_message(graph, req, 'nl'), 'nl')} ,")
    lines.append(f"        {_literal(rule_message(graph, req, 'en'), 'en')} ;")
    if req.prohibition:
        lines.append(f"    sh:not cond:{req.rule_id} .")
    else:
        holds = {s.iri: s for s in sources.safeguard_types}
        if not req.safeguards:
            met = f"satisfied:{req.rule_id}"
        elif len(req.safeguards) == 1:
            met = _local(holds[req.safeguards[0]].shape, HOLDS_PREFIX, "holds")
        else:
            met = "[ sh:node " + " , ".join(_local(holds[s].shape, HOLDS_PREFIX, "holds") for s in req.safeguards) + " ]"
        lines += ["    sh:or (", f"        [ sh:not cond:{req.rule_id} ]", f"        {met}", "    ) ."]
    return "\n".join(lines) + "\n"


def rules_ttl(sources: Sources) -> str:
    intro = _header(
        f"The {len(sources.requirements)} rule shapes, one per requirement of data/requirements.ttl.",
        ("data/requirements.ttl", "data/legal/*.ttl", "data/parameters.ttl", "ontology/vocabularies.ttl"),
    ) + """#
# A rule fires for a deployment iff appliesFrom <= evaluationDate <= appliesUntil AND Condition AND Missing
# (docs/rules.md). Each rule shape targets dge:Deployment and says `sh:or ( [ sh:not <condition> ] <held safeguards> )`:
# a deployment conforms iff the condition is false or the safeguards are held, so it yields exactly one result per
# rule when the condition holds and a safeguard is missing. Prohibitions say `sh:not <condition>` (Missing := true),
# so they fire whatever safeguards exist. The conditions (cond:<rule id>) are hand-written in conditions.ttl.
#
# Annotations read by the validator (src/dge_graph/validate.py):
#   dge:requirement        the requirement resource (data/requirements.ttl) with its legal source and texts
#   dge:appliesFrom        start date, or dge:appliesFromParameter param:hr-date; before it the shape is
#                          deactivated (sh:deactivated true) for that evaluation date
#   dge:appliesUntil       last day the rule applies (optional); after it the shape is deactivated
#   dge:conditionShape     the applicability test
#   dge:requiresSafeguard  the safeguard types the rule demands (absent for prohibitions)
#   sh:severity, sh:message (nl and en)

"""
    return intro + RULE_PREFIXES + "\n" + "\n".join(rule_shape_text(sources, r) for r in _rule_order(sources)) 


def _rule_order(sources: Sources) -> list[Requirement]:
    """Rules in the order of the data file's identifiers grouped by source family (AIA, GDPR, NL, EU, VNG)."""
    families = ("AIA-5-", "AIA", "GDPR", "NL", "EU", "VNG")

    def key(req: Requirement):
        family = next(i for i, f in enumerate(families + ("",)) if req.rule_id.startswith(f))
        return (family, req.rule_id)

    return sorted(sources.requirements, key=key)


def safeguards_ttl(sources: Sources) -> str:
    text = _header(
        f"Safeguard evidence shapes: one per safeguard type of the safeguard-type scheme ({len(sources.safeguard_types)}).",
        ("ontology/vocabularies.ttl (scheme safeguard-type)",),
    ) + """#
# A deployment *holds* a safeguard at the evaluation date iff it has a dge:hasSafeguard instance of that type with
# status `present` and no dct:date after the evaluation date (docs/modelling.md, "Safeguards as evidence").
# `param:evaluation-date` is a parameter node: the validator replaces it by the evaluation date (xsd:date) in an
# in-memory copy of the shapes graph before validating (docs/checks.md). These shapes have no target; rule shapes
# refer to them with sh:node.

@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix holds: <https://w3id.org/dge-graph/id/shape/holds/> .
@prefix param: <https://w3id.org/dge-graph/id/parameter/> .
@prefix sgt: <https://w3id.org/dge-graph/id/safeguard-type/> .
@prefix status: <https://w3id.org/dge-graph/id/safeguard-status/> .
"""
    for s in sources.safeguard_types:
        en = _literal(f"{s.spec_name} held at the evaluation date", "en")
        nl = _literal(f"{s.spec_name} aanwezig op de peildatum", "nl")
        text += f"""
holds:{s.notation}
    a sh:NodeShape ;
    rdfs:label {en} , {nl} ;
    dge:safeguardType sgt:{s.notation} ;
    sh:property [
        sh:path dge:hasSafeguard ;
        sh:qualifiedValueShape [
            sh:property [ sh:path dge:safeguardType ; sh:hasValue sgt:{s.notation} ] ,
                [ sh:path dge:safeguardStatus ; sh:hasValue status:present ] ,
                [ sh:path dct:date ; sh:maxInclusive param:evaluation-date ]
        ] ;
        sh:qualifiedMinCount 1
    ] .
"""
    return text


# --------------------------------------------------------------------------------------------------------------
# docs/rules.md


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _link(graph: Graph, iri: URIRef, lang: str = "en") -> str:
    return f"[{_md(label(graph, iri, lang))}]({iri})"


def _algoritmekader(urns: Iterable[str]) -> str:
    ids = [u.removeprefix("urn:nl:ak:ver:") for u in urns]
    return ", ".join(f"[{i}]({ALGORITMEKADER_REQUIREMENTS})" for i in ids) or "—"


def _applies_cell(graph: Graph, req: Requirement) -> str:
    if req.applies_from_parameter is not None:
        start = f"`{graph.value(req.applies_from_parameter, DCT.identifier)}` (default {parameter_default(graph, req.applies_from_parameter)})"
    else:
        start = req.applies_from.isoformat()
    return start + (f" – {req.applies_until.isoformat()}" if req.applies_until else " –")


def rules_md(sources: Sources) -> str:
    graph = sources.graph
    reqs = _rule_order(sources)
    safeguard_by_iri = {s.iri: s for s in sources.safeguard_types}
    n_prohibitions = sum(r.prohibition for r in reqs)
    out = [
        "<!-- " + f"Generated by {GENERATOR} from {', '.join(SOURCES)}; do not edit." + " -->",
        "",
        "# The safeguard rules",
        "",
        f"The graph checks every deployment against **{len(reqs)} rules**: {n_prohibitions} prohibitions and "
        f"{len(reqs) - n_prohibitions} obligations. Each rule is one requirement resource in `data/requirements.ttl`; "
        "this page, the rule shapes (`shapes/rules.ttl`) and the safeguard shapes (`shapes/safeguards.ttl`) are "
        "generated from it. Only the conditions are written by hand, as SHACL (`shapes/conditions.ttl`, with the "
        "derived predicates of `shapes/derived.ttl`). The legal status of every law and rule, with its dates, its "
        "changes and the open points, is in [legal-status.md](legal-status.md).",
        "",
        "## When a rule fires",
        "",
        "A rule fires for a deployment, at an evaluation date, when three things hold:",
        "",
        "1. **The rule applies at that date**: its start date (or the value of its start parameter, such as the AI Act "
        "high-risk date `hr-date`) is on or before the evaluation date, and its end date, if it has one, is on or after "
        "it. A rule without an end date applies indefinitely.",
        "2. **Its condition holds** for the deployment (column *applies when*). Absent facts count as false.",
        "3. **A safeguard it demands is missing** (column *fires when*): no evidence of that safeguard type with status "
        "`present` dated on or before the evaluation date. A **prohibition** needs no third test: the practice itself is "
        "the breach, and no safeguard cures it.",
        "",
        "A rule yields at most one finding per deployment. Severity `Violation` is a binding legal duty or a "
        "prohibition; `Warning` is policy, soft law, or a statutory duty whose concrete form here is the project's own "
        "reading.",
        "",
        "## Rules",
        "",
        "| rule | requirement | kind | severity | applies (from – until) | applies when | fires when | safeguards | legal source | Algoritmekader |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for req in reqs:
        safeguards = ", ".join(f"`{safeguard_by_iri[s].spec_name}`" for s in req.safeguards)
        if not safeguards:
            safeguards = "— (prohibition)" if req.prohibition else "— (a fact, see the condition)"
        out.append(
            f"| <a id=\"{req.rule_id.lower()}\"></a>**{req.rule_id}** | {_md(req.label.en)} | "
            f"{'prohibition' if req.prohibition else 'obligation'} | {req.severity_name} | {_applies_cell(graph, req)} | "
            f"{_md(req.condition.en)} | {_md(req.missing.en)} | {safeguards} | {_link(graph, req.legal_source)} | "
            f"{_algoritmekader(req.algoritmekader)} |"
        )
    out += ["", "## Articles and notes per rule", "",
            "Every provision a rule rests on (`dct:references`), and the data's notes on the rule.", ""]
    for req in reqs:
        articles = "; ".join(_link(graph, r) for r in req.references)
        out.append(f"- **{req.rule_id}** ({_md(req.label.nl)}): {articles}.")
        for note in req.notes:
            out.append(f"  - {_md(note)}")
    out += ["", "## Safeguards", "",
            f"The {len(sources.safeguard_types)} safeguard types (scheme `safeguard-type` in `ontology/vocabularies.ttl`) "
            "and the rules that demand them.", "",
            "| safeguard | name in intake files | label (nl) | demanded by |", "|---|---|---|---|"]
    for s in sources.safeguard_types:
        users = ", ".join(f"[{r.rule_id}](#{r.rule_id.lower()})" for r in reqs if s.iri in r.safeguards) or "—"
        out.append(f"| {_md(s.label.en)} | `{s.spec_name}` | {_md(s.label.nl)} | {users} |")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# docs/legal-status.md


@dataclass(frozen=True)
class Change:
    day: dt.date
    what: str
    source: URIRef | None


def _acts(graph: Graph) -> list[URIRef]:
    acts = set(graph.subjects(RDF.type, DGE.LegalAct)) | set(graph.subjects(RDF.type, DGE.PolicyDocument))
    return sorted(acts, key=lambda a: label(graph, a).lower())


def _act_of(graph: Graph, iri: URIRef) -> URIRef:
    return graph.value(iri, ELI.is_part_of) or iri


def _date_of(graph: Graph, iri, predicate) -> dt.date | None:
    value = graph.value(iri, predicate)
    return value.toPython() if isinstance(value, Literal) and isinstance(value.toPython(), dt.date) else None


def changes(sources: Sources) -> list[Change]:
    """Every dated change the data records, oldest first: laws in force, amendments, rules starting and ending."""
    graph = sources.graph
    found = []
    for act in _acts(graph):
        name = label(graph, act)
        start = _date_of(graph, act, ELI.first_date_entry_in_force)
        if start:
            found.append(Change(start, f"{name} enters into force", act))
        ended = _date_of(graph, act, ELI.date_no_longer_in_force)
        if ended:
            found.append(Change(ended, f"{name} is no longer in force", act))
        for amended in sorted(graph.objects(act, ELI.amends), key=str):
            provisions = sorted(graph.objects(act, ELI.changes), key=lambda p: label(graph, p))
            what = f"{name} amends {label(graph, amended)}"
            if provisions:
                what += " (" + ", ".join(label(graph, p) for p in provisions) + ")"
            if start:
                found.append(Change(start, what, act))
    for parameter in sorted(graph.subjects(RDF.type, DGE.Parameter), key=str):
        default = parameter_default(graph, parameter)
        source = graph.value(parameter, DGE.defaultValueSource)
        if default and source is not None:
            in_force = _date_of(graph, source, ELI.first_date_entry_in_force)
            if in_force:
                found.append(Change(in_force, f"parameter `{graph.value(parameter, DCT.identifier)}` "
                                    f"({label(graph, parameter)}) set to {default} by {label(graph, source)}", source))
    for req in sources.requirements:
        source_act = _act_of(graph, req.legal_source)
        if req.applies_from is not None:
            found.append(Change(req.applies_from, f"rule {req.rule_id} starts to apply", req.legal_source))
        else:
            default = parameter_default(graph, req.applies_from_parameter)
            found.append(Change(default, f"rule {req.rule_id} starts to apply (parameter "
                                f"`{graph.value(req.applies_from_parameter, DCT.identifier)}`, default value)",
                                req.legal_source))
        if req.applies_until is not None:
            successors = [r for r in sources.requirements if req.iri in r.replaces]
            what = f"rule {req.rule_id} applies for the last day"
            if successors:
                what += f"; replaced by {', '.join(r.rule_id for r in successors)} from the next day"
                source_act = _act_of(graph, successors[0].legal_source)  # the law that made the change
            found.append(Change(req.applies_until, what, source_act))
    return sorted(found, key=lambda c: (c.day, c.what))


def legal_status_md(sources: Sources) -> str:
    graph = sources.graph
    reqs = _rule_order(sources)
    log = changes(sources)
    latest = max(c.day for c in log)
    out = [
        "<!-- " + f"Generated by {GENERATOR} from {', '.join(SOURCES)}; do not edit." + " -->",
        "",
        "# Legal status: what the graph assumes about the law, and as of when",
        "",
        f"This log is generated from the data: the legal resources of `data/legal/`, the requirements of "
        f"`data/requirements.ttl` and the parameters of `data/parameters.ttl`. It lists {len(_acts(graph))} laws and "
        f"policy sources and {len(reqs)} rules. The most recent dated change the data records is of "
        f"**{long_date(latest, 'en')}**. A rule applies from its start date to its end date, both included; a rule "
        "without an end date applies indefinitely. What each rule demands is in [rules.md](rules.md).",
        "",
        "## Laws and policy sources",
        "",
        "| law or policy source | identifier | in force from | applies from | no longer in force | amended by | rules resting on it |",
        "|---|---|---|---|---|---|---|",
    ]
    for act in _acts(graph):
        amended_by = sorted(graph.subjects(ELI.amends, act), key=str)
        amended = "; ".join(
            f"{_link(graph, a)} (in force {_date_of(graph, a, ELI.first_date_entry_in_force) or 'date unknown'})"
            for a in amended_by) or "—"
        rules = ", ".join(f"[{r.rule_id}](rules.md#{r.rule_id.lower()})" for r in reqs
                          if _act_of(graph, r.legal_source) == act) or "—"
        ident = graph.value(act, ELI.id_local) or graph.value(act, DCT.identifier) or ""
        cells = [_date_of(graph, act, p) for p in (ELI.first_date_entry_in_force, ELI.date_applicability,
                                                     ELI.date_no_longer_in_force)]
        out.append(f"| {_link(graph, act)} | {ident} | " + " | ".join(str(c) if c else "—" for c in cells)
                   + f" | {amended} | {rules} |")
    out += ["", "## Rules", "",
            "| rule | applies from | applies until | replaces | legal source |", "|---|---|---|---|---|"]
    for req in reqs:
        start = (req.applies_from.isoformat() if req.applies_from else
                 f"`{graph.value(req.applies_from_parameter, DCT.identifier)}` (default "
                 f"{parameter_default(graph, req.applies_from_parameter)})")
        replaces = ", ".join(str(graph.value(r, DCT.identifier)) for r in req.replaces) or "—"
        out.append(f"| [{req.rule_id}](rules.md#{req.rule_id.lower()}) | {start} | "
                   f"{req.applies_until or '—'} | {replaces} | {_link(graph, req.legal_source)} |")
    out += ["", "## Parameters", ""]
    for parameter in sorted(graph.subjects(RDF.type, DGE.Parameter), key=str):
        ident = graph.value(parameter, DCT.identifier)
        alternatives = sorted(str(v) for v in graph.objects(parameter, DGE.alternativeValue))
        source = graph.value(parameter, DGE.defaultValueSource)
        out.append(f"- **`{ident}`** ({label(graph, parameter)}): default {parameter_default(graph, parameter)}"
                   + (f", set by {_link(graph, source)}" if source is not None else "")
                   + (f"; what-if values: {', '.join(alternatives)}" if alternatives else "") + ".")
        for note in sorted(str(o) for o in graph.objects(parameter, SKOS.note) if getattr(o, "language", None) == "en"):
            out.append(f"  - {_md(note)}")
    out += ["", "## Amendments", "",
            "What each amending act changed, provision by provision (`eli:changes`, with the provision's change note).",
            ""]
    for act in _acts(graph):
        changed = sorted(graph.objects(act, ELI.changes), key=lambda p: label(graph, p))
        if not changed:
            continue
        in_force = _date_of(graph, act, ELI.first_date_entry_in_force)
        out.append(f"- {_link(graph, act)}, in force {in_force or 'date unknown'}, amends "
                   + ", ".join(_link(graph, a) for a in sorted(graph.objects(act, ELI.amends), key=str)) + ":")
        for provision in changed:
            notes = sorted(str(o) for o in graph.objects(provision, SKOS.changeNote)
                           if getattr(o, "language", None) == "en")
            out.append(f"  - {_link(graph, provision)}: " + (" ".join(_md(n) for n in notes) or "changed."))
    out += ["", "## What changed on which date", "", "| date | change | source |", "|---|---|---|"]
    for change in log:
        source = _link(graph, change.source) if change.source is not None else "—"
        out.append(f"| {change.day} | {_md(change.what)} | {source} |")
    out += ["", "## Open points", "",
            "What the data marks as uncertain or not verified (`skos:editorialNote`), per rule, law, provision and "
            "parameter.", ""]
    subjects = sorted({s for s in graph.subjects(SKOS.editorialNote, None)
                       if (s, RDF.type, DGE.Requirement) in graph or (s, RDF.type, DGE.LegalAct) in graph
                       or (s, RDF.type, DGE.LegalProvision) in graph or (s, RDF.type, DGE.PolicyDocument) in graph
                       or (s, RDF.type, DGE.Parameter) in graph},
                      key=lambda s: ((s, RDF.type, DGE.Requirement) not in graph,
                                     str(graph.value(s, DCT.identifier) or "") if (s, RDF.type, DGE.Requirement) in graph
                                     else label(graph, s).lower()))
    for subject in subjects:
        notes = sorted(str(o) for o in graph.objects(subject, SKOS.editorialNote) if getattr(o, "language", None) == "en")
        ident = graph.value(subject, DCT.identifier) if (subject, RDF.type, DGE.Requirement) in graph else None
        name = f"rule {ident}" if ident else label(graph, subject)
        out.append(f"- **{_md(name)}** (<{subject}>): " + " ".join(_md(n) for n in notes))
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------------------
# the files


def generated_files(root: Path) -> dict[Path, str]:
    """Relative path -> text of every generated file, for the project at ``root``."""
    sources = read_sources(root)
    return {
        RULE_SHAPES: rules_ttl(sources),
        SAFEGUARD_SHAPES: safeguards_ttl(sources),
        RULES_DOC: rules_md(sources),
        LEGAL_STATUS_DOC: legal_status_md(sources),
    }


def stale_files(root: Path, files: Mapping[Path, str] | None = None) -> list[Path]:
    """The generated files whose text on disk differs from what the generator makes now (missing ones included)."""
    files = generated_files(root) if files is None else files
    stale = []
    for path, text in files.items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_generated(root: Path) -> list[Path]:
    """Write every generated file that changed; return the ones written."""
    files = generated_files(root)
    written = []
    for path in stale_files(root, files):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(files[path], encoding="utf-8")
        written.append(path)
    return written
