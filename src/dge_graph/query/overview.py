"""The national overview of the home page: counts, the rules most often missed, municipalities by findings and by
safeguard coverage, and the provinces, all read from the measures ``dge-graph validate`` precomputed
(``graph/validation/measures``) through the named queries that publish them, so the page costs a few small lookups
at any scale and every number on it has a query behind it:

* municipalities, deployments, findings: ``municipality-measures`` (one row per municipality with deployments);
* rules most often missed: ``rules-most-often-missed``;
* municipalities in the graph, register records: ``municipalities-by-register-records`` (its rows, and the sum of
  the municipalities' deployments imported from the national register).

Data completeness (issue 13 item 4): where validation stores ``dge:dataCompleteness`` on the municipalities' measures,
``NationalOverview.by_completeness`` ranks by it (lowest first); without it, it is None and the page ranks by
safeguard coverage instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rdflib import Literal, URIRef

from dge_graph.kernel.labels import label_in
from dge_graph.kernel.namespaces import sparql_prefixes
from dge_graph.query.analytics import Measures, municipality_measures, resource_labels
from dge_graph.query.named import find_named_query, load_named_queries, run_named_query
from dge_graph.store import Store

TOP = 10


@dataclass(frozen=True)
class RuleCount:
    requirement: str
    rule_id: str
    severity: str
    deployments: int
    municipalities: int
    labels: Mapping[str, str]

    def label(self, lang: str) -> str:
        return label_in(self.labels, lang) or self.rule_id


@dataclass(frozen=True)
class ProvinceRow:
    iri: str
    code: str
    labels: Mapping[str, str]
    municipalities: int
    deployments: int
    violations: int
    warnings: int
    safeguard_claims: int
    safeguards_held: int

    def label(self, lang: str) -> str:
        return label_in(self.labels, lang) or self.code

    @property
    def coverage(self) -> float | None:
        return round(self.safeguards_held / self.safeguard_claims, 4) if self.safeguard_claims else None


@dataclass(frozen=True)
class NationalOverview:
    municipalities: int
    """Municipalities in the graph."""
    municipalities_with_deployments: int
    deployments: int
    """Deployments of municipalities (``dge:municipality``)."""
    register_records: int
    """Those of them imported from the national algorithm register."""
    violations: int
    warnings: int
    validated: bool
    """Whether a validation result with measures is stored (else the finding counts are not known)."""
    rules: tuple[RuleCount, ...]
    by_findings: tuple[Measures, ...]
    by_coverage: tuple[Measures, ...]
    provinces: tuple[ProvinceRow, ...]
    by_completeness: tuple[tuple[Measures, float], ...] | None = None
    """(municipality, its data completeness), lowest first; None when validation stores no such measure."""

    @property
    def findings(self) -> int:
        return self.violations + self.warnings


def _int(term) -> int:
    return int(term.toPython()) if isinstance(term, Literal) else 0


_COMPLETENESS = """
SELECT ?municipality ?completeness WHERE {
  GRAPH <https://w3id.org/dge-graph/graph/validation/measures> {
    ?measures a dge:MunicipalityMeasures ; dge:forMunicipality ?municipality ; dge:dataCompleteness ?completeness .
  }
}
"""


def _by_completeness(store: Store, rows) -> tuple[tuple[Measures, float], ...] | None:
    found = {str(r["municipality"]): float(r["completeness"].toPython())
             for r in store.query(sparql_prefixes() + _COMPLETENESS).rows}
    if not found:
        return None
    ranked = sorted(((m, found[m.iri]) for m in rows if m.iri in found),
                    key=lambda pair: (pair[1], -pair[0].counts["deployments"], pair[0].code))
    return tuple(ranked[:TOP])


def national_overview(store: Store) -> NationalOverview:
    queries = load_named_queries()
    rows = municipality_measures(store)
    register = run_named_query(store, find_named_query(queries, "municipalities-by-register-records"), {}).rows
    rule_rows = run_named_query(store, find_named_query(queries, "rules-most-often-missed"), {}).rows
    labels = resource_labels(store, [r["requirement"] for r in rule_rows[:TOP]]
                             + [URIRef(m.province) for m in rows if m.province])
    rules = tuple(RuleCount(
        requirement=str(r["requirement"]), rule_id=str(r.get("rule", "")), severity=str(r["severity"]).rsplit("#")[-1],
        deployments=_int(r["deployments"]), municipalities=_int(r["municipalities"]),
        labels=labels.get(str(r["requirement"]), MappingProxyType({}))) for r in rule_rows[:TOP])
    provinces: dict[str, dict] = {}
    for m in rows:
        if not m.province:
            continue
        entry = provinces.setdefault(m.province, {"code": m.province_code, "n": 0, **dict.fromkeys(
            ("deployments", "violations", "warnings", "safeguardClaims", "safeguardsHeld"), 0)})
        entry["n"] += 1
        for key in ("deployments", "violations", "warnings", "safeguardClaims", "safeguardsHeld"):
            entry[key] += m.counts[key]
    province_rows = tuple(sorted((ProvinceRow(
        iri=iri, code=e["code"], labels=labels.get(iri, MappingProxyType({})), municipalities=e["n"],
        deployments=e["deployments"], violations=e["violations"], warnings=e["warnings"],
        safeguard_claims=e["safeguardClaims"], safeguards_held=e["safeguardsHeld"]) for iri, e in provinces.items()),
        key=lambda p: p.label("nl")))
    by_findings = tuple(sorted(rows, key=lambda m: (-m.counts["violations"], -m.counts["warnings"], m.code))[:TOP])
    covered = [m for m in rows if m.value("coverage") is not None]
    by_coverage = tuple(sorted(covered, key=lambda m: (m.value("coverage"), -m.counts["safeguardClaims"],
                                                       m.code))[:TOP])
    return NationalOverview(
        municipalities=len(register),
        municipalities_with_deployments=len(rows),
        deployments=sum(m.counts["deployments"] for m in rows),
        register_records=sum(_int(r.get("records")) for r in register),
        violations=sum(m.counts["violations"] for m in rows),
        warnings=sum(m.counts["warnings"] for m in rows),
        validated=bool(rows),
        rules=rules, by_findings=by_findings, by_coverage=by_coverage, provinces=province_rows,
        by_completeness=_by_completeness(store, rows))
