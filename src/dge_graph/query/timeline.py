"""Compliance timeline: which rules start (or stop) applying on which dates ahead, and who newly fails then.

For an evaluation date ("today") and each reading of the AI Act high-risk date (``param:hr-date``: its
``dge:defaultValue`` and ``dge:alternativeValue`` in ``data/parameters.ttl``), the *boundaries* ahead are the dates
on which the outcome of validation can change:

* a rule's start (``dge:appliesFrom``, or the reading's HR date for ``dge:appliesFromParameter param:hr-date``);
* the day after a rule's end (``dge:appliesUntil``, the last day it applies), where a rule shape has one;
* a date gate of the shapes (``dge:holdsFromDate``): the HR date, and the AI Act art. 111(2) long stop of
  2030-08-02 from which Annex III duties reach public-authority systems already in service;
* a date recorded on a deployment in scope or on its safeguards (a significant change, a safeguard dated ahead),
  which the shapes compare with the evaluation date — listed only when the findings change on it.

Validation (``rules.validate.validate_store``, the same run as ``dge-graph validate``) is repeated on each boundary
and its findings are compared with today's: a finding (deployment × rule) that is not there today is *new* on the
first boundary where it appears; one there today that is gone is *ended*. Nothing is restated here: dates come from
the shapes and the store, findings from validation. The named query ``timeline-boundaries`` lists the requirement
boundaries from the graph for other tools (docs/timeline.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from dge_graph.kernel.config import DEFAULT_HR_DATE
from dge_graph.kernel.labels import graph_labels, label_in
from dge_graph.kernel.namespaces import DGE, XSD, sparql_prefixes
from dge_graph.rules.fact_table import FactTableCache
from dge_graph.rules.validate import (
    HR_DATE,
    Finding,
    Parameters,
    ShapeSet,
    ValidationError,
    deployment_index,
    load_shapes,
    municipality_code,
    validate_store,
)
from dge_graph.store import Store


@dataclass(frozen=True)
class Reading:
    """One reading of the AI Act high-risk date: ``default`` or ``alternative`` (the what-if)."""

    name: str
    hr_date: dt.date


@dataclass(frozen=True, order=True)
class Boundary:
    """Why a date matters: a rule starts or ends, a date gate opens, or a recorded date is reached."""

    date: dt.date
    kind: str
    subject: str
    """The rule id (applies-from, applies-until), the gate shape IRI, or the recorded predicate IRI."""
    label_en: str = field(default="", compare=False)
    label_nl: str = field(default="", compare=False)

    def label(self, lang: str) -> str:
        """What happens on the date, in ``lang`` (``nl`` or ``en``)."""
        return self.label_nl if lang == "nl" else self.label_en

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "kind": self.kind, "subject": self.subject,
                "label_en": self.label_en, "label_nl": self.label_nl}


@dataclass(frozen=True)
class Change:
    """A finding that appears (``new``) or disappears (``ended``) on a boundary date, compared with today."""

    change: str
    finding: Finding
    passes_today: bool
    """The deployment has no finding at all today (it newly fails, rather than fails more)."""

    def as_dict(self) -> dict:
        data = self.finding.as_dict()
        return {"change": self.change, **{k: data[k] for k in ("municipality", "deployment", "deploymentIri",
                                                             "requirement", "severity", "appliesFrom",
                                                             "legalSource", "message_nl", "message_en")},
                "passesToday": self.passes_today}


@dataclass(frozen=True)
class Event:
    """One boundary date of one reading: why it matters and what changes on it."""

    date: dt.date
    boundaries: tuple[Boundary, ...]
    changes: tuple[Change, ...]
    findings: int
    """Findings in scope on that date."""

    @property
    def newly_failing(self) -> tuple[URIRef, ...]:
        """Deployments that pass today and have a finding from this date on."""
        return tuple(sorted({c.finding.deployment for c in self.changes if c.change == "new" and c.passes_today}))

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "boundaries": [b.as_dict() for b in self.boundaries],
                "findings": self.findings, "newlyFailing": [str(d) for d in self.newly_failing],
                "changes": [c.as_dict() for c in self.changes]}


@dataclass(frozen=True)
class ReadingTimeline:
    reading: Reading
    findings_today: int
    deployments_failing_today: int
    events: tuple[Event, ...]

    def as_dict(self) -> dict:
        return {"reading": self.reading.name, "hrDate": self.reading.hr_date.isoformat(),
                "findingsToday": self.findings_today, "deploymentsFailingToday": self.deployments_failing_today,
                "events": [e.as_dict() for e in self.events]}


@dataclass(frozen=True)
class Timeline:
    evaluation_date: dt.date
    until: dt.date | None
    municipalities: tuple[URIRef, ...]
    deployments: tuple[URIRef, ...]
    deployments_in_scope: int
    readings: tuple[ReadingTimeline, ...]

    @property
    def newly_failing(self) -> tuple[URIRef, ...]:
        return tuple(sorted({d for r in self.readings for e in r.events for d in e.newly_failing}))

    def as_dict(self) -> dict:
        return {
            "evaluationDate": self.evaluation_date.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "scope": {"municipalities": [municipality_code(m) for m in self.municipalities],
                      "deployments": [str(d) for d in self.deployments]},
            "deploymentsInScope": self.deployments_in_scope,
            "readings": [r.as_dict() for r in self.readings],
        }


# --------------------------------------------------------------------------------------------------------------
# readings and boundaries


def hr_readings(store: Store) -> tuple[Reading, ...]:
    """The readings of ``param:hr-date`` the graph gives (default first); the built-in default when it gives none."""
    result = store.query(sparql_prefixes() + """SELECT ?default ?alternative WHERE {
  ?parameter dge:defaultValue ?default .
  OPTIONAL { ?parameter dge:alternativeValue ?alternative }
}""", substitutions={"parameter": HR_DATE})
    readings: dict[str, dt.date] = {}
    for row in result.rows:
        for name in ("default", "alternative"):
            value = row.get(name)
            if value is not None:
                if not (isinstance(value, Literal) and isinstance(value.toPython(), dt.date)):
                    raise ValidationError(f"{HR_DATE}: dge:{name}Value must be an xsd:date, found {value!r}")
                readings.setdefault(name, value.toPython())
    readings.setdefault("default", DEFAULT_HR_DATE)
    return tuple(Reading(name, day) for name, day in readings.items())


def _label(shapes: ShapeSet, node, lang: str) -> str:
    """The label of a shape for a reader of ``lang`` (the ``kernel.labels`` policy); ``""`` when it has none."""
    return label_in(graph_labels(shapes.graph, node), lang) or ""


def shape_boundaries(shapes: ShapeSet, hr_date: dt.date, after: dt.date, until: dt.date | None) -> list[Boundary]:
    """Rule starts, rule ends and date gates of the shapes in (after, until] for one HR date."""
    parameters = Parameters(after, hr_date)

    def ahead(day: dt.date) -> bool:
        return after < day and (until is None or day <= until)

    found = []
    for rule in shapes.rules:
        start = rule.start(parameters)
        if ahead(start):
            found.append(Boundary(start, "applies-from", rule.rule_id, f"{rule.rule_id} starts to apply",
                                  f"{rule.rule_id} gaat gelden"))
        last = shapes.graph.value(rule.shape, DGE.appliesUntil)
        if isinstance(last, Literal) and isinstance(last.toPython(), dt.date):
            end = last.toPython() + dt.timedelta(days=1)
            if ahead(end):
                found.append(Boundary(end, "applies-until", rule.rule_id, f"{rule.rule_id} no longer applies "
                                      f"(last day {last})", f"{rule.rule_id} geldt niet meer (laatste dag {last})"))
    for gate, start in shapes.graph.subject_objects(DGE.holdsFromDate):
        if start == HR_DATE:
            day = hr_date
        elif isinstance(start, Literal) and isinstance(start.toPython(), dt.date):
            day = start.toPython()
        else:
            raise ValidationError(f"date gate {gate}: dge:holdsFromDate must be a date or param:hr-date")
        if ahead(day):
            found.append(Boundary(day, "date-gate", str(gate), _label(shapes, gate, "en"), _label(shapes, gate, "nl")))
    return sorted(found)


def recorded_dates(store: Store, deployments: Iterable[URIRef], after: dt.date, until: dt.date | None) -> list[Boundary]:
    """Dates ahead recorded on the deployments (directly, or on their safeguards) as ``xsd:date`` values."""
    wanted = set(deployments)
    result = store.query(sparql_prefixes() + """SELECT DISTINCT ?deployment ?predicate ?day WHERE {
  ?deployment a dge:Deployment .
  { ?deployment ?predicate ?day } UNION { ?deployment dge:hasSafeguard ?safeguard . ?safeguard ?predicate ?day }
  FILTER (DATATYPE(?day) = xsd:date && ?day > ?after)
}""", substitutions={"after": Literal(after.isoformat(), datatype=XSD.date)})
    found = set()
    for row in result.rows:
        if row["deployment"] not in wanted:
            continue
        day = row["day"].toPython()
        if until is None or day <= until:
            predicate = str(row["predicate"])
            found.add(Boundary(day, "recorded-date", predicate, f"a date recorded on a deployment ({predicate})",
                               f"een datum vastgelegd bij een inzet ({predicate})"))
    return sorted(found)


# --------------------------------------------------------------------------------------------------------------
# the timeline


def _in_scope(finding: Finding, municipalities: set[URIRef], deployments: set[URIRef]) -> bool:
    if not municipalities and not deployments:
        return True
    return finding.municipality in municipalities or finding.deployment in deployments


def compliance_timeline(
    store: Store,
    evaluation_date: dt.date,
    *,
    until: dt.date | None = None,
    municipalities: Sequence[URIRef] = (),
    deployments: Sequence[URIRef] = (),
    readings: Sequence[Reading] | None = None,
    shapes: ShapeSet | None = None,
    engine: str | None = None,
) -> Timeline:
    """The timeline for the whole country (no scope), some municipalities and/or some deployments.

    ``engine`` None: the store's default (the table engine on the embedded store: the fact table is read once for
    every date, ``FactTableCache``); findings only (``validate_store(explain=False)``)."""
    if until is not None and until <= evaluation_date:
        raise ValidationError(f"--until {until} must be after the evaluation date {evaluation_date}")
    shapes = shapes or load_shapes()
    readings = tuple(readings) if readings is not None else hr_readings(store)
    municipality_set, deployment_set = set(municipalities), set(deployments)
    cache: dict[Parameters, tuple[Finding, ...]] = {}
    tables = FactTableCache()

    def findings_on(parameters: Parameters) -> tuple[Finding, ...]:
        if parameters not in cache:
            report = validate_store(store, parameters, engine=engine, shapes=shapes, table_cache=tables,
                                    explain=False)
            cache[parameters] = tuple(f for f in report.findings if _in_scope(f, municipality_set, deployment_set))
        return cache[parameters]

    index = deployment_index(store)
    in_scope = sorted(d for d, m in index.municipalities.items()
                      if (not municipality_set and not deployment_set) or m in municipality_set or d in deployment_set)
    unknown = sorted(str(d) for d in deployment_set if d not in index.municipalities)
    if unknown:
        raise ValidationError(f"no deployment {', '.join(unknown)} in the store")
    timelines = []
    for reading in readings:
        today = findings_on(Parameters(evaluation_date, reading.hr_date))
        today_keys = {(f.deployment, f.rule_id) for f in today}
        failing_today = {f.deployment for f in today}
        boundaries = shape_boundaries(shapes, reading.hr_date, evaluation_date, until)
        boundaries += recorded_dates(store, in_scope, evaluation_date, until)
        seen_new: set[tuple[URIRef, str]] = set()
        seen_ended: set[tuple[URIRef, str]] = set()
        events = []
        for day in sorted({b.date for b in boundaries}):
            findings = findings_on(Parameters(day, reading.hr_date))
            keys = {(f.deployment, f.rule_id): f for f in findings}
            changes = [Change("new", f, f.deployment not in failing_today) for k, f in sorted(keys.items())
                       if k not in today_keys and k not in seen_new]
            ended = [f for f in today if (f.deployment, f.rule_id) not in keys
                     and (f.deployment, f.rule_id) not in seen_ended]
            changes += [Change("ended", f, False) for f in ended]
            seen_new.update(k for k in keys if k not in today_keys)
            seen_ended.update((f.deployment, f.rule_id) for f in ended)
            reasons = tuple(b for b in boundaries if b.date == day)
            if all(b.kind == "recorded-date" for b in reasons) and not changes:
                continue  # a recorded date that changes nothing is no boundary worth listing
            events.append(Event(day, reasons, tuple(changes), len(findings)))
        timelines.append(ReadingTimeline(reading, len(today), len(failing_today), tuple(events)))
    return Timeline(evaluation_date, until, tuple(sorted(municipality_set)), tuple(sorted(deployment_set)),
                    len(in_scope), tuple(timelines))
