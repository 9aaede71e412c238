"""Municipality profiles and comparisons for analysts: the measures, precomputed by validation, in one structure.

Every number on the profile page (``/municipalities/{code}``), the comparison page (``/compare``), their CSV and JSON
forms and the ``dge-graph report municipality`` / ``dge-graph compare`` commands comes from a ``MunicipalityProfile``
or a ``Comparison`` built here; the renderers (``analytics_render.py``, the API routers, the CLI) only format it.
So the forms cannot disagree.

Measures (docs/analysts.md defines them; they are the columns of the named query ``municipality-measures``):

* ``deployments``, ``deploymentsInUse`` — deployments with ``dge:municipality`` = the municipality (all / in use);
* ``violations``, ``warnings`` — findings of that severity in the latest validation run;
* ``deploymentsWithViolation`` — deployments with at least one violation;
* ``safeguardClaims``, ``safeguardsHeld`` — recorded safeguard instances / those held at the run's evaluation
  date (as the ``holds:*`` shapes decide);
* ``coverage`` = safeguardsHeld / safeguardClaims (None when nothing is recorded);
* ``conformingShare`` = (deployments − deploymentsWithViolation) / deployments (None without deployments);
* ``findingsRecordedAbsent``, ``findingsNotEvidenced`` — the findings split by their evidence basis (every missing
  safeguard recorded absent / at least one that no source mentions; ``rules/evidence.py``);
* ``deploymentsFactsKnown`` — deployments without an unknown decisive fact; ``dataCompleteness`` =
  deploymentsFactsKnown / deployments.

Every profile and comparison carries the ``ValidationStatus`` of the stored result it rests on (missing, stale,
current; run IRI and dates; ``query/validation_status.py``).

``dge-graph validate`` computes these measures once and stores them in ``graph/validation/measures``
(``rules/report.py``); everything here is a small lookup of them. Province medians are taken over the *peers*: the municipalities of the same province with at least one deployment,
the municipality itself included (as in the named query ``municipality-vs-province-median``). No population data
is staged, so there is no size class: peers are by province only.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import DGE, sparql_prefixes, MEASURES_GRAPH, LATEST_RESULT_GRAPH
from dge_graph.kernel.labels import LABEL_PROPERTIES, display_label, label_in, labels_by_language
from dge_graph.kernel.terms import compact, iri_ref, is_iri
from dge_graph.kernel.ui_text import MEASURE as MEASURE_NAMES
from dge_graph.kernel.ui_text import PROFILE_SECTION
from dge_graph.query.named import find_named_query, load_named_queries, run_named_query
from dge_graph.query.validation_status import NO_REPORT, ValidationStatus, validation_status
from dge_graph.store import SelectResult, Store

_CODE = re.compile(r"^GM\d{4}$")

_MEASURE_KINDS = MappingProxyType({
    "deployments": "count", "deploymentsInUse": "count", "violations": "count", "warnings": "count",
    "deploymentsWithViolation": "count", "safeguardClaims": "count", "safeguardsHeld": "count",
    "coverage": "ratio", "conformingShare": "ratio",
    "findingsRecordedAbsent": "count", "findingsNotEvidenced": "count", "deploymentsFactsKnown": "count",
    "dataCompleteness": "ratio",
})
MEASURES = MappingProxyType({key: (*MEASURE_NAMES[key], kind) for key, kind in _MEASURE_KINDS.items()})
"""measure key -> (nl name, en name, kind): kind "count" or "ratio"; the names from the UI-text catalogue."""
COUNT_MEASURES = tuple(k for k, v in MEASURES.items() if v[2] == "count")

# profile sections counted per deployment property
_SECTION_PROPERTIES = MappingProxyType({"technologyKinds": DGE.technologyKind, "values": DGE.valueAtStake,
                                       "rights": DGE.engagesRight, "suppliers": DGE.supplier})
SECTIONS = MappingProxyType({key: (prop, *PROFILE_SECTION[key]) for key, prop in _SECTION_PROPERTIES.items()})
"""section key -> (deployment property counted, nl heading, en heading)."""


class AnalyticsError(LookupError):
    """Bad or unknown municipality code (HTTP 404 / 400, CLI exit 2)."""


@dataclass(frozen=True)
class Labelled:
    """A resource with its labels per language and a count (deployments), optionally a severity."""

    iri: str
    labels: Mapping[str, str]
    count: int
    key: str = ""
    severity: str = ""

    def label(self, lang: str) -> str:
        return display_label(self.labels, lang, self.iri, fallback=self.key)


@dataclass(frozen=True)
class Measures:
    """The measures of one municipality (one row of ``municipality-measures``; zeros without deployments)."""

    code: str
    name: str
    iri: str
    province: str
    province_code: str
    counts: Mapping[str, int]

    def value(self, measure: str, *, exact: bool = False) -> int | float | None:
        """The measure; ratios rounded to 4 decimals unless ``exact`` (used for medians)."""
        if measure in self.counts:
            return self.counts[measure]
        if measure == "coverage":
            numerator, denominator = self.counts["safeguardsHeld"], self.counts["safeguardClaims"]
        elif measure == "conformingShare":
            denominator = self.counts["deployments"]
            numerator = denominator - self.counts["deploymentsWithViolation"]
        elif measure == "dataCompleteness":
            numerator, denominator = self.counts["deploymentsFactsKnown"], self.counts["deployments"]
        else:
            raise KeyError(measure)
        if not denominator:
            return None
        return numerator / denominator if exact else round(numerator / denominator, 4)

    def values(self) -> dict[str, int | float | None]:
        return {measure: self.value(measure) for measure in MEASURES}


@dataclass(frozen=True)
class DeploymentRow:
    iri: str
    title: str
    technology_kind: Labelled | None
    status: Labelled | None
    violations: int
    warnings: int


@dataclass(frozen=True)
class MunicipalityProfile:
    measures: Measures
    province_labels: Mapping[str, str]
    province_medians: Mapping[str, float | None]
    peers: tuple[Measures, ...]
    sections: Mapping[str, tuple[Labelled, ...]]
    findings_by_rule: tuple[Labelled, ...]
    deployments: tuple[DeploymentRow, ...]
    evaluation_date: str | None = None
    validation: ValidationStatus = NO_REPORT
    """Which stored result the findings and measures come from, and whether it is current."""

    @property
    def code(self) -> str:
        return self.measures.code

    def province_label(self, lang: str) -> str:
        return label_in(self.province_labels, lang) or self.measures.province_code


@dataclass(frozen=True)
class Comparison:
    profiles: tuple[MunicipalityProfile, ...]
    technology_kinds: tuple[Labelled, ...] = field(default=())
    """Every technology kind any compared municipality deploys (count = total over them)."""
    validation: ValidationStatus = NO_REPORT

    def kind_count(self, profile: MunicipalityProfile, kind_iri: str) -> int:
        return next((item.count for item in profile.sections["technologyKinds"] if item.iri == kind_iri), 0)


# --------------------------------------------------------------------------------------------------------------
# SPARQL (parameters bound with substitutions; every bound variable is projected, as pyoxigraph requires).
# The pattern with the bound variable (?municipality, ?code) comes first: Oxigraph plans the join order before the
# substitution, so a pattern written later is scanned over the whole graph (2.5 s instead of 13 ms at 10k). For the
# same reason the type is tested as ``a ?type FILTER (?type = dge:Deployment)`` (a lookup per deployment of the
# municipality) and the properties with FILTER IN, not as constants Oxigraph would scan and hash-join.

_MUNICIPALITY = """
SELECT ?municipality ?code ?name ?province ?provinceCode WHERE {
  ?municipality a dge:Municipality ; dct:identifier ?code .
  OPTIONAL { ?municipality skos:prefLabel ?name FILTER (lang(?name) = "nl") }
  OPTIONAL { ?municipality dge:province ?province OPTIONAL { ?province dct:identifier ?provinceCode } }
}
"""

_MEASURES_GRAPH = f"<{MEASURES_GRAPH}>"
_RESULT_GRAPH = f"<{LATEST_RESULT_GRAPH}>"

_SECTION_COUNTS = f"""
SELECT ?municipality ?property ?item ?deployments WHERE {{
  GRAPH {_MEASURES_GRAPH} {{
    ?breakdown dge:forMunicipality ?municipality ; a dge:DeploymentBreakdown ; dge:breakdownProperty ?property ;
        dge:breakdownValue ?item ; dge:deployments ?deployments .
  }}
}}
ORDER BY DESC(?deployments) ?item
"""

_FINDINGS_BY_RULE = f"""
SELECT ?municipality ?requirement ?rule ?severity ?deployments WHERE {{
  GRAPH {_MEASURES_GRAPH} {{
    ?measures dge:forMunicipality ?municipality ; a dge:RequirementMeasures ; dge:requirement ?requirement ;
        dge:deployments ?deployments .
  }}
  ?requirement dge:severity ?severity .
  OPTIONAL {{ ?requirement dct:identifier ?rule }}
}}
ORDER BY DESC(?deployments) ?rule
"""

_MEDIANS = f"""
SELECT ?province ?measure ?median WHERE {{
  GRAPH {_MEASURES_GRAPH} {{
    ?node dge:forProvince ?province ; a dge:ProvinceMedian ; dge:measure ?measure .
    OPTIONAL {{ ?node dge:median ?median }}
  }}
}}
"""

_DEPLOYMENTS = f"""
SELECT ?municipality ?deployment (SAMPLE(?t) AS ?title) (SAMPLE(?k) AS ?technologyKind) (SAMPLE(?s) AS ?status)
       (COUNT(DISTINCT ?violated) AS ?violations) (COUNT(DISTINCT ?warned) AS ?warnings) WHERE {{
  ?deployment dge:municipality ?municipality ; a ?type .
  FILTER (?type = dge:Deployment)
  OPTIONAL {{ ?deployment dct:title ?t }}
  OPTIONAL {{ ?deployment dge:technologyKind ?k }}
  OPTIONAL {{ ?deployment dge:deploymentStatus ?s }}
  # each finding read once, sorted into violations and warnings by its severity (an error leaves the count alone):
  # two OPTIONALs, one per severity, read every finding twice (61 -> 34 ms CPU for 376 deployments at 102,600)
  OPTIONAL {{ GRAPH {_RESULT_GRAPH} {{ ?deployment dge:missesRequirement ?missed }}
             ?missed dge:severity ?severity }}
  BIND (IF(?severity = sh:Violation, ?missed, 1/0) AS ?violated)
  BIND (IF(?severity = sh:Warning, ?missed, 1/0) AS ?warned)
}}
GROUP BY ?municipality ?deployment
ORDER BY DESC(?violations) DESC(?warnings) ?title
"""

def _select(store: Store, body: str, **substitutions: Node) -> SelectResult:
    result = store.query(sparql_prefixes() + body, substitutions=substitutions or None)
    assert isinstance(result, SelectResult)
    return result


def _int(term: Node | None) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


def _text(term: Node | None) -> str:
    return str(term) if term is not None else ""


# --------------------------------------------------------------------------------------------------------------
# building


def check_code(code: str) -> str:
    text = (code or "").strip().upper()
    if not _CODE.match(text):
        raise AnalyticsError(f"{code!r} is not a CBS municipality code (GM followed by 4 digits, e.g. GM0363)")
    return text


def municipality_measures(store: Store, province: str | None = None) -> tuple[Measures, ...]:
    """Rows of the named query ``municipality-measures`` (optionally one province), as ``Measures``."""
    query = find_named_query(load_named_queries(), "municipality-measures")
    result = run_named_query(store, query, {"province": province} if province else {})
    return tuple(_measures_from_row(row) for row in result.rows)


def _measures_in_graph(store: Store, graph: str) -> tuple[Measures, ...]:
    """``municipality-measures`` over another result graph than ``graph/validation/measures`` (a
    one-municipality run keeps its measures in its result graph, ``rules/report.municipality_run_measures``)."""
    query = find_named_query(load_named_queries(), "municipality-measures")
    query = replace(query, sparql=query.sparql.replace(_MEASURES_GRAPH, f"<{graph}>"))
    return tuple(_measures_from_row(row) for row in run_named_query(store, query, {}).rows)


def _measures_from_row(row: Mapping[str, Node]) -> Measures:
    return Measures(
        code=_text(row.get("code")), name=_text(row.get("name")) or _text(row.get("code")),
        iri=_text(row.get("municipality")), province=_text(row.get("province")),
        province_code=_text(row.get("provinceCode")),
        counts=MappingProxyType({m: _int(row.get(m)) for m in COUNT_MEASURES}),
    )


def province_medians(peers: Sequence[Measures]) -> dict[str, float | None]:
    """Median of each measure over the peers where it is defined (None when no peer defines it)."""
    medians: dict[str, float | None] = {}
    for measure in MEASURES:
        values = [v for v in (p.value(measure, exact=True) for p in peers) if v is not None]
        medians[measure] = round(float(statistics.median(values)), 4) if values else None
    return medians


def stored_medians(store: Store, province: Node) -> dict[str, float | None]:
    """The province medians ``dge-graph validate`` precomputed (graph/validation/measures), rounded to 4 decimals."""
    found = {str(row["measure"]): row.get("median") for row in _select(store, _MEDIANS, province=province).rows}
    return {measure: round(float(found[measure].toPython()), 4) if found.get(measure) is not None else None
            for measure in MEASURES}


def build_profile(store: Store, code: str, *, _all_measures: Sequence[Measures] | None = None) -> MunicipalityProfile:
    """``_all_measures``: the rows of ``municipality-measures`` for every municipality, when the caller has them
    (a comparison fetches them once: the query costs the same for one province as for all)."""
    code = check_code(code)
    found = _select(store, _MUNICIPALITY, code=Literal(code)).rows
    if not found:
        raise AnalyticsError(f"no municipality with code {code} in the graph")
    info = found[0]
    iri = info["municipality"]
    province = info.get("province")
    if province is None:
        peers = ()
    elif _all_measures is not None:
        peers = tuple(m for m in _all_measures if m.province == str(province))
    else:
        peers = municipality_measures(store, str(province))
    validation = validation_status(store, code)
    # a one-municipality run newer than the full run: this profile reads that run's result and measures
    own_graph = validation.graph if validation.scope == code else None

    def newest(body: str) -> str:
        if own_graph is None:
            return body
        return body.replace(_MEASURES_GRAPH, f"<{own_graph}>").replace(_RESULT_GRAPH, f"<{own_graph}>")

    if own_graph is not None:
        own_rows = [m for m in _measures_in_graph(store, own_graph) if m.code == code]
        if own_rows:
            peers = tuple(own_rows[0] if p.code == code else p for p in peers)
            if not any(p.code == code for p in peers) and province is not None:
                peers += (own_rows[0],)
    own = next((p for p in peers if p.code == code), None) or Measures(
        code=code, name=_text(info.get("name")) or code, iri=str(iri), province=_text(province),
        province_code=_text(info.get("provinceCode")), counts=MappingProxyType({m: 0 for m in COUNT_MEASURES}))

    section_rows = _select(store, newest(_SECTION_COUNTS), municipality=iri).rows
    rule_rows = _select(store, newest(_FINDINGS_BY_RULE), municipality=iri).rows
    deployment_rows = _select(store, newest(_DEPLOYMENTS), municipality=iri).rows
    date_rows = [{"evaluationDate": Literal(validation.evaluation_date)}] if validation.evaluation_date else []
    medians = stored_medians(store, province) if province is not None else province_medians(())

    # labels of what the page names by label: sections' items, kinds, statuses, the province (a deployment is named
    # by its title, read above; looking up labels of all of a municipality's deployments cost 25 ms at 376)
    wanted = {row["item"] for row in section_rows}
    wanted |= {row[k] for row in deployment_rows for k in ("technologyKind", "status") if k in row}
    if province is not None:
        wanted.add(province)
    labels = resource_labels(store, wanted)

    def labelled(term: Node, count: int, **extra) -> Labelled:
        return Labelled(iri=str(term), labels=labels.get(str(term), MappingProxyType({})), count=count,
                        key=compact(term), **extra)

    sections = {}
    for key, (prop, _nl, _en) in SECTIONS.items():
        sections[key] = tuple(labelled(row["item"], _int(row["deployments"]))
                              for row in section_rows if row["property"] == prop)
    findings = tuple(
        Labelled(iri=str(row["requirement"]), labels=MappingProxyType({}), count=_int(row["deployments"]),
                 key=_text(row.get("rule")) or compact(row["requirement"]), severity=compact(row["severity"])[3:])
        for row in rule_rows)
    deployments = tuple(
        DeploymentRow(iri=str(row["deployment"]), title=_text(row.get("title")) or compact(row["deployment"]),
                      technology_kind=labelled(row["technologyKind"], 0) if "technologyKind" in row else None,
                      status=labelled(row["status"], 0) if "status" in row else None,
                      violations=_int(row.get("violations")), warnings=_int(row.get("warnings")))
        for row in deployment_rows)
    evaluation = date_rows[0].get("evaluationDate") if date_rows else None
    return MunicipalityProfile(
        measures=own, province_labels=labels.get(_text(province), MappingProxyType({})),
        province_medians=MappingProxyType(medians), peers=tuple(peers),
        sections=MappingProxyType(sections), findings_by_rule=findings, deployments=deployments,
        evaluation_date=_text(evaluation) or None, validation=validation,
    )


def build_comparison(store: Store, codes: Iterable[str]) -> Comparison:
    checked: list[str] = []
    for code in codes:
        code = check_code(code)
        if code not in checked:
            checked.append(code)
    if not checked:
        raise AnalyticsError("give at least one municipality code to compare (e.g. m=GM0363&m=GM0344)")
    # the measures of every municipality once, not once per compared municipality (same rows, filtered by province)
    everyone = municipality_measures(store) if len(checked) > 1 else None
    profiles = tuple(build_profile(store, code, _all_measures=everyone) for code in checked)
    kinds: dict[str, Labelled] = {}
    for profile in profiles:
        for item in profile.sections["technologyKinds"]:
            prior = kinds.get(item.iri)
            kinds[item.iri] = Labelled(item.iri, item.labels, item.count + (prior.count if prior else 0), item.key)
    ordered = tuple(sorted(kinds.values(), key=lambda k: (-k.count, k.key)))
    return Comparison(profiles=profiles, technology_kinds=ordered, validation=validation_status(store))


def resource_labels(store: Store, iris: Iterable[Node]) -> dict[str, Mapping[str, str]]:
    """``{iri: {lang: label}}`` by the ``kernel.labels`` policy (label properties in order), for valid IRIs only."""
    terms = sorted({str(i) for i in iris if isinstance(i, URIRef) and is_iri(str(i))})
    if not terms:
        return {}
    # one VALUES block of (subject, property) pairs, which Oxigraph looks up in its index (see describe.add_labels)
    properties = [iri_ref(str(p)) for p in LABEL_PROPERTIES]
    pairs = " ".join(f"({iri_ref(t)} {p})" for t in terms for p in properties)
    body = f"""
SELECT ?s ?p ?label WHERE {{
  VALUES (?s ?p) {{ {pairs} }}
  ?s ?p ?label
}}"""
    found: dict[str, list[tuple[Node, Node]]] = {}
    for row in _select(store, body).rows:
        found.setdefault(str(row["s"]), []).append((row["p"], row["label"]))
    return {iri: labels_by_language(pairs) for iri, pairs in found.items()}

