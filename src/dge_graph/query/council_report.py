"""The council report of one municipality (``/municipalities/{code}/report``): everything a council member or the
local audit office (rekenkamer) needs on one printable page, gathered into one ``CouncilReport``.

Nothing is recomputed here: the measures and deployments come from the profile (``analytics.build_profile``, the
precomputed measures of ``dge-graph validate``); the findings from the stored result (``graph/validation/latest``)
with the requirement's own label, severity, article (``dge:legalSource``, an ELI IRI) and start date read from the
graph; the Algoritmekader measures from the named query ``measures-for-requirement`` (``algoritmekader.measures_for``);
the dates ahead from the shapes (``timeline.shape_boundaries``, every reading of the high-risk date) and, when asked
for, the timeline of ``timeline.compliance_timeline`` scoped to the municipality (the default reading); the changes since the previous
validation from ``rules.report.result_changes``; the sources and licences from the graphs' self-descriptions.

Two parts read what the stored result carries only once the evidence basis of issue 13 (items 3-4) is stored:

* ``ReportFinding.evidence``: per deployment the evidence basis of the finding, from the result's
  ``dge:lacksEvidenceOf`` (not evidenced: no claim of a required safeguard type) and ``dge:recordedAbsent``
  (recorded absent) triples for the rule's ``dge:requiresSafeguard`` types; None when the result has none of those
  triples for the municipality (the page then says the basis is not recorded);
* ``CouncilReport.completeness``: the municipality's ``dge:dataCompleteness`` measure; None when validation does not
  store it (the page then shows the safeguard coverage and the share of register deployments instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.labels import label_in
from dge_graph.kernel.namespaces import DGE, ID, PROV, sparql_prefixes
from dge_graph.query.algoritmekader import Measure, measures_for
from dge_graph.query.analytics import MunicipalityProfile, build_profile, resource_labels
from dge_graph.query.timeline import (
    Boundary,
    Reading,
    Timeline,
    compliance_timeline,
    hr_readings,
    shape_boundaries,
)
from dge_graph.rules.report import LATEST_RESULT_GRAPH, result_changes
from dge_graph.rules.validate import default_engine, load_shapes
from dge_graph.store import SelectResult, Store

REGISTER_IMPORT = URIRef(f"{ID}record-kind/register-import")
HR_DATE_PARAMETER = URIRef(f"{ID}parameter/hr-date")
PROJECT_PREFIX = "https://w3id.org/dge-graph/"


@dataclass(frozen=True)
class Titled:
    """A resource shown by its title, with a link to a page about it outside the graph where it has one."""

    iri: str
    title: str
    page: str | None = None


@dataclass(frozen=True)
class ReportFinding:
    """One requirement missed by one or more deployments of the municipality."""

    rule_id: str
    requirement: str
    labels: Mapping[str, str]
    severity: str
    """``Violation`` or ``Warning``."""
    applies_from: dt.date | None
    legal_source: str | None
    """The article (an ELI IRI where the law has one)."""
    legal_labels: Mapping[str, str]
    missing_texts: Mapping[str, str]
    deployments: tuple[Titled, ...]
    measures: tuple[Measure, ...]
    evidence: Mapping[str, str] | None = None
    """Per deployment IRI the evidence basis (``recorded-absent`` / ``not-evidenced``) as the stored result records
    it (issue 13 item 3); None: the result records no evidence basis."""

    def label(self, lang: str) -> str:
        return label_in(self.labels, lang) or self.rule_id

    def legal_label(self, lang: str) -> str:
        return label_in(self.legal_labels, lang) or self.legal_source or ""


@dataclass(frozen=True)
class RegisterView:
    """What the national algorithm register shows for the municipality."""

    records: tuple[Titled, ...]
    """The municipality's deployments imported from the register (``record-kind:register-import``)."""
    in_use: int
    safeguards: tuple[tuple[str, Mapping[str, str], int], ...]
    """(safeguard type IRI, its labels, number of register records that name it), most first."""


@dataclass(frozen=True)
class Source:
    iri: str
    labels: Mapping[str, str]
    licence: str
    generated: str | None = None
    page: str | None = None

    def label(self, lang: str) -> str:
        return label_in(self.labels, lang) or self.iri


@dataclass(frozen=True)
class Change:
    change: str
    """``new`` (a finding the previous run did not have) or ``resolved`` (one it had that is gone)."""
    deployment: Titled
    rule_id: str


@dataclass(frozen=True)
class CouncilReport:
    profile: MunicipalityProfile
    run: Mapping[str, str]
    """The latest validation run: ``iri``, ``evaluationDate``, ``hrDate``, ``engine``, ``generatedAt``,
    ``deploymentsChecked`` (empty when nothing was validated)."""
    findings: tuple[ReportFinding, ...]
    register: RegisterView
    deployment_kinds: Mapping[str, str]
    """deployment IRI -> its record kind IRI (register import, illustrative, documented, ...)."""
    deployment_pages: Mapping[str, str]
    """deployment IRI -> its page outside the graph (the register entry), where it has one."""
    record_kind_labels: Mapping[str, Mapping[str, str]]
    timeline: Timeline | None
    """The compliance timeline of the municipality under the default reading of the high-risk date (re-validated on
    each date ahead); None unless asked for (``with_timeline``)."""
    other_readings: tuple[tuple[Reading, tuple[Boundary, ...]], ...]
    """The readings of ``param:hr-date`` not in ``timeline``, with their dates ahead only (``dge-graph timeline GM…``
    and ``?timeline=full`` give the findings on them)."""
    previous_run: Mapping[str, str]
    """The previous validation run (``evaluationDate``, ``generatedAt``, ...); empty when none is kept."""
    changes: tuple[Change, ...]
    sources: tuple[Source, ...]
    requirements: int = 0
    """Requirements (rules) in the graph; those in force on the evaluation date were applied."""
    completeness: float | None = None
    """The municipality's ``dge:dataCompleteness`` (issue 13 item 4); None: validation did not store it."""

    @property
    def code(self) -> str:
        return self.profile.code

    @property
    def name(self) -> str:
        return self.profile.measures.name

    def title_of(self, deployment: Node | str) -> str:
        iri = str(deployment)
        return next((d.title for d in self.profile.deployments if d.iri == iri), iri.rsplit("/", 1)[-1])


def _select(store: Store, body: str, **substitutions: Node) -> SelectResult:
    result = store.query(sparql_prefixes() + body, substitutions=substitutions or None)
    assert isinstance(result, SelectResult)
    return result


def _labels(rows, column: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in rows:
        term = row.get(column)
        if isinstance(term, Literal) and term.language and term.language not in found:
            found[term.language] = str(term)
    return found


_RUN = f"""
SELECT ?run ?p ?o WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ ?run a dge:ValidationRun ; ?p ?o }} }}
"""

_FINDINGS = f"""
SELECT ?deployment ?requirement WHERE {{
  ?deployment dge:municipality ?municipality .
  GRAPH <{LATEST_RESULT_GRAPH}> {{ ?deployment dge:missesRequirement ?requirement }}
}}
"""

_EVIDENCE = f"""
SELECT ?deployment ?basis ?type WHERE {{
  ?deployment dge:municipality ?municipality .
  GRAPH <{LATEST_RESULT_GRAPH}> {{ ?deployment ?basis ?type FILTER (?basis IN (dge:recordedAbsent, dge:lacksEvidenceOf)) }}
}}
"""

_COMPLETENESS = """
SELECT ?completeness WHERE {
  GRAPH <https://w3id.org/dge-graph/graph/validation/measures> {
    ?measures dge:forMunicipality ?municipality ; a dge:MunicipalityMeasures ; dge:dataCompleteness ?completeness .
  }
}
"""

_REQUIREMENT = """
SELECT ?requirement ?rule ?severity ?from ?fromParameter ?source ?label ?missing ?sourceLabel ?safeguard WHERE {
  ?requirement dct:identifier ?rule ; dge:severity ?severity .
  OPTIONAL { ?requirement dge:requiresSafeguard ?safeguard }
  OPTIONAL { ?requirement dge:appliesFrom ?from }
  OPTIONAL { ?requirement dge:appliesFromParameter ?fromParameter }
  OPTIONAL { ?requirement skos:prefLabel ?label }
  OPTIONAL { ?requirement dge:missingText ?missing }
  OPTIONAL { ?requirement dge:legalSource ?source OPTIONAL { ?source skos:prefLabel ?sourceLabel } }
}
"""

_DEPLOYMENT_FACTS = """
SELECT ?deployment ?kind ?page ?status WHERE {
  ?deployment dge:municipality ?municipality ; a ?type .
  FILTER (?type = dge:Deployment)
  OPTIONAL { ?deployment dge:recordKind ?kind }
  OPTIONAL { ?deployment dct:source ?page FILTER (isIRI(?page)) }
  OPTIONAL { ?deployment dge:deploymentStatus ?status }
}
"""

_REGISTER_SAFEGUARDS = """
SELECT ?type (COUNT(DISTINCT ?deployment) AS ?records) WHERE {
  ?deployment dge:municipality ?municipality ; dge:recordKind ?kind ; dge:hasSafeguard ?safeguard .
  ?safeguard dge:safeguardType ?type .
} GROUP BY ?type ORDER BY DESC(?records) ?type
"""

_REQUIREMENTS = "SELECT (COUNT(DISTINCT ?requirement) AS ?n) WHERE { ?requirement a dge:Requirement }"

_SOURCES = """
SELECT ?source ?title ?label ?licence ?generated ?page WHERE {
  ?source dct:license ?licence .
  OPTIONAL { ?source dct:source ?page FILTER (isIRI(?page)) }
  OPTIONAL { ?source dct:title ?title }
  OPTIONAL { ?source skos:prefLabel ?label }
  OPTIONAL { ?source prov:generatedAtTime ?generated }
  FILTER (!STRSTARTS(STR(?source), "https://w3id.org/dge-graph/def"))
}
"""


def latest_run(store: Store) -> dict[str, str]:
    rows = _select(store, _RUN).rows
    if not rows:
        return {}
    props = {row["p"]: row["o"] for row in rows}
    return _run_dict(rows[0]["run"], props)


def _run_dict(iri: Node, props: Mapping) -> dict[str, str]:
    keys = {DGE.evaluationDate: "evaluationDate", DGE.hrDate: "hrDate", DGE.validationEngine: "engine",
            PROV.generatedAtTime: "generatedAt", DGE.deploymentsChecked: "deploymentsChecked"}
    found = {"iri": str(iri)} if iri is not None else {}
    found.update({key: str(props[p]) for p, key in keys.items() if p in props})
    return found


def build_council_report(store: Store, code: str, *, with_timeline: bool = False) -> CouncilReport:
    """The report of the municipality with CBS code ``code`` (``AnalyticsError`` when unknown).

    The dates ahead (rule starts and ends, date gates) are always given for every reading of the high-risk date;
    ``with_timeline`` also re-validates on each of them (default reading) to name the deployments that newly fail,
    which costs a validation run per date (seconds on the project graph, more at national scale)."""
    profile = build_profile(store, code)
    municipality = URIRef(profile.measures.iri)
    run = latest_run(store)
    titles = {d.iri: d.title for d in profile.deployments}

    facts = _select(store, _DEPLOYMENT_FACTS, municipality=municipality).rows
    kinds = {str(r["deployment"]): str(r["kind"]) for r in facts if "kind" in r}
    pages = {str(r["deployment"]): str(r["page"]) for r in facts if "page" in r}
    in_use = {str(r["deployment"]) for r in facts if str(r.get("status", "")).endswith("/in-use")}

    def titled(iri: str) -> Titled:
        return Titled(iri, titles.get(iri) or iri.rsplit("/", 1)[-1], pages.get(iri))

    findings = _findings(store, municipality, run, titled)
    register_records = tuple(titled(d) for d, kind in sorted(kinds.items()) if kind == str(REGISTER_IMPORT))
    safeguard_rows = _select(store, _REGISTER_SAFEGUARDS, municipality=municipality, kind=REGISTER_IMPORT).rows
    labels = resource_labels(store, [row["type"] for row in safeguard_rows]
                             + [URIRef(k) for k in set(kinds.values())])
    register = RegisterView(
        records=register_records, in_use=sum(r.iri in in_use for r in register_records),
        safeguards=tuple((str(row["type"]), labels.get(str(row["type"]), MappingProxyType({})),
                          int(row["records"].toPython())) for row in safeguard_rows))

    timeline, other_readings = None, ()
    if run.get("evaluationDate"):
        timeline, other_readings = _timeline(store, dt.date.fromisoformat(run["evaluationDate"]), municipality,
                                             with_timeline)

    changes = result_changes(store)
    own = set(titles)
    change_list = [Change("new", titled(str(d)), _rule_of(r)) for d, r in changes.added if str(d) in own]
    change_list += [Change("resolved", titled(str(d)), _rule_of(r)) for d, r in changes.resolved if str(d) in own]
    change_list.sort(key=lambda c: (c.change, c.rule_id, c.deployment.title))
    previous = changes.previous_run
    return CouncilReport(
        profile=profile, run=MappingProxyType(run), findings=findings, register=register,
        deployment_kinds=MappingProxyType(kinds), deployment_pages=MappingProxyType(pages),
        record_kind_labels=MappingProxyType({k: labels.get(k, MappingProxyType({})) for k in set(kinds.values())}),
        timeline=timeline, other_readings=other_readings, previous_run=MappingProxyType(_run_dict(None, previous) if previous else {}),
        changes=tuple(change_list), sources=_sources(store), completeness=_completeness(store, municipality),
        requirements=int(_select(store, _REQUIREMENTS).rows[0]["n"].toPython()))


def _timeline(store: Store, evaluation_date: dt.date, municipality: URIRef, full: bool):
    shapes = load_shapes()
    readings = hr_readings(store)
    timeline = None
    if full:
        timeline = compliance_timeline(store, evaluation_date, municipalities=[municipality], readings=readings[:1],
                                       shapes=shapes, engine=default_engine(store))
        readings = readings[1:]
    others = tuple((reading, tuple(shape_boundaries(shapes, reading.hr_date, evaluation_date, None)))
                   for reading in readings)
    return timeline, others


def _completeness(store: Store, municipality: URIRef) -> float | None:
    rows = _select(store, _COMPLETENESS, municipality=municipality).rows
    return float(rows[0]["completeness"].toPython()) if rows else None


def _evidence(store: Store, municipality: URIRef) -> dict[str, dict[str, set[str]]] | None:
    """deployment -> basis (``recorded-absent`` / ``not-evidenced``) -> safeguard types; None without any."""
    rows = _select(store, _EVIDENCE, municipality=municipality).rows
    if not rows:
        return None
    found: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        basis = "not-evidenced" if row["basis"] == DGE.lacksEvidenceOf else "recorded-absent"
        found.setdefault(str(row["deployment"]), {}).setdefault(basis, set()).add(str(row["type"]))
    return found


def _basis(evidence: Mapping[str, Mapping[str, set[str]]], deployment: str, safeguards: set[str]) -> str | None:
    """Not evidenced when a required safeguard type lacks evidence, else recorded absent when one is recorded absent;
    a prohibition (no safeguards) rests on the recorded facts of its condition."""
    on = evidence.get(deployment, {})
    if not safeguards:
        return "recorded-absent"
    if on.get("not-evidenced", set()) & safeguards:
        return "not-evidenced"
    if on.get("recorded-absent", set()) & safeguards:
        return "recorded-absent"
    return None


def _rule_of(requirement: Node) -> str:
    return str(requirement).rsplit("/", 1)[-1]


def _findings(store: Store, municipality: URIRef, run: Mapping[str, str], titled) -> tuple[ReportFinding, ...]:
    by_requirement: dict[str, list[str]] = {}
    for row in _select(store, _FINDINGS, municipality=municipality).rows:
        by_requirement.setdefault(str(row["requirement"]), []).append(str(row["deployment"]))
    if not by_requirement:
        return ()
    info: dict[str, list] = {}
    values = " ".join(URIRef(r).n3() for r in sorted(by_requirement))
    for row in _select(store, _REQUIREMENT.replace("WHERE {", f"WHERE {{\n  VALUES ?requirement {{ {values} }}", 1)).rows:
        info.setdefault(str(row["requirement"]), []).append(row)
    hr_date = run.get("hrDate")
    evidence = _evidence(store, municipality)
    found = []
    for requirement, deployments in by_requirement.items():
        rows = info.get(requirement, [])
        first = rows[0] if rows else {}
        start = first.get("from")
        if start is not None:
            applies_from = start.toPython()
        elif first.get("fromParameter") == HR_DATE_PARAMETER and hr_date:
            applies_from = dt.date.fromisoformat(hr_date)
        else:
            applies_from = None
        rule_id = str(first.get("rule", _rule_of(requirement)))
        severity = str(first.get("severity", "")).rsplit("#", 1)[-1]
        safeguards = {str(row["safeguard"]) for row in rows if "safeguard" in row}
        basis = None
        if evidence is not None:
            basis = {d: b for d in set(deployments) if (b := _basis(evidence, d, safeguards)) is not None}
        found.append(ReportFinding(
            rule_id=rule_id, requirement=requirement, labels=MappingProxyType(_labels(rows, "label")),
            severity=severity, applies_from=applies_from,
            legal_source=str(first["source"]) if "source" in first else None,
            legal_labels=MappingProxyType(_labels(rows, "sourceLabel")),
            missing_texts=MappingProxyType(_labels(rows, "missing")),
            deployments=tuple(sorted((titled(d) for d in set(deployments)), key=lambda t: t.title)),
            measures=tuple(measures_for(store, requirement=rule_id)),
            evidence=MappingProxyType(basis) if basis is not None else None))
    severity_rank = {"Violation": 0, "Warning": 1}
    return tuple(sorted(found, key=lambda f: (severity_rank.get(f.severity, 2), -len(f.deployments), f.rule_id)))


def _sources(store: Store) -> tuple[Source, ...]:
    collected: dict[str, dict] = {}
    for row in _select(store, _SOURCES).rows:
        entry = collected.setdefault(str(row["source"]), {"rows": [], "licence": str(row["licence"]),
                                                          "generated": row.get("generated"),
                                                          "page": row.get("page")})
        entry["rows"].append(row)
    sources = []
    for iri, entry in sorted(collected.items()):
        labels = _labels(entry["rows"], "title") or _labels(entry["rows"], "label")
        sources.append(Source(iri, MappingProxyType(labels), entry["licence"],
                              str(entry["generated"]) if entry["generated"] is not None else None,
                              str(entry["page"]) if entry["page"] is not None else iri if iri.startswith("http")
                              and not iri.startswith(PROJECT_PREFIX) else None))
    return tuple(sources)
