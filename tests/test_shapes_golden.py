"""Golden tests for the safeguard rules: every case of ``tests/golden/<case>/`` through every engine.

A case is ``data.ttl`` (small deployments) and ``expected.yaml`` (runs: an evaluation date, optionally an HR date,
and the findings ``<deployment id> <rule id> <severity>`` expected for *all* deployments of the file). The expected
findings were worked out by hand from the rules (docs/rules.md); every rule not listed must not fire. A run without
``hr_date`` is checked under the AI Act high-risk date in force (2027-12-02, Reg. (EU) 2026/1744) and under the
what-if 2026-08-02, so the parameter keeps working.

Each run is checked three ways, which must agree with the expected file and so with each other:
``validate_store`` with the SPARQL fast path, pyshacl (the reference), and ``check_file`` (the pre-deployment
check) on the same file.

The pyshacl leg runs once per group of readings that pyshacl cannot tell apart on the case's data, not once per
reading (it is ~90 % of this module's time). pyshacl sees a reading through the parameter-resolved shapes graph
(``resolve_shapes``), which differs between readings in three ways only:

* which rule shapes are ``sh:deactivated``: a deactivated shape yields no results, and no shape refers to a rule
  shape, so the run is made with every rule shape active and each reading keeps the results of its active rules;
* which date gates (``dge:holdsFromDate``) are closed: part of the group key;
* the ``xsd:date`` literals that replace the parameter nodes: SHACL compares them with the data's dates by order
  only (``sh:minInclusive``, ``sh:maxInclusive``), so what matters is where each parameter falls among the data's
  ``xsd:date`` values (before, on or after each); that position is part of the group key.

``test_grouped_pyshacl_equals_a_run_per_reading`` checks the premise on real runs; data with other temporal
literals is not grouped.
"""

from __future__ import annotations

import bisect
import datetime as dt
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal

from dge_graph.kernel.namespaces import DGE, XSD
from dge_graph.rules.check import check_file
from dge_graph.rules.validate import (
    Parameters,
    ShapeSet,
    deployment_index,
    findings_from,
    load_shapes,
    pyshacl_violations,
    requirement_info,
    resolve_shapes,
    store_data_graph,
    validate_store,
)
from dge_graph.store import OxigraphStore, graph_to_ntriples

GOLDEN = Path(__file__).parent / "golden"
HR_READINGS = (dt.date(2026, 8, 2), dt.date(2027, 12, 2))


def _runs():
    for folder in sorted(p for p in GOLDEN.iterdir() if (p / "expected.yaml").is_file()):
        spec = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        for run in spec["runs"]:
            readings = [run["hr_date"]] if run.get("hr_date") else HR_READINGS
            for hr_date in readings:
                expected = frozenset(tuple(line.split()) for line in run["findings"] or ())
                yield pytest.param(folder, run["date"], hr_date, expected,
                                   id=f"{folder.name}@{run['date']}/hr{hr_date}",
                                   marks=pytest.mark.xdist_group(f"golden-{folder.name}"))


RUNS = list(_runs())


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def _store(folder: Path) -> OxigraphStore:
    store = OxigraphStore(None)
    graph = Graph().parse(folder / "data.ttl", format="turtle")
    store.replace_graphs({"urn:dge-graph:test:golden": graph_to_ntriples(graph)})
    return store


def _as_set(findings) -> frozenset:
    return frozenset((f.deployment_id, f.rule_id, f.severity) for f in findings)


OTHER_TEMPORAL = {XSD.dateTime, XSD.dateTimeStamp, XSD.time, XSD.gYear, XSD.gYearMonth, XSD.gMonth, XSD.gMonthDay,
                  XSD.gDay}


def _position(dates: list[dt.date], day: dt.date) -> int:
    """Where ``day`` falls among the sorted ``dates``: 2i on the i-th date, 2i-1 between the (i-1)-th and i-th."""
    i = bisect.bisect_left(dates, day)
    return 2 * i if i < len(dates) and dates[i] == day else 2 * i - 1


def pyshacl_sees(shapes: ShapeSet, data: Graph, parameters: Parameters) -> tuple:
    """What pyshacl's results on ``data`` depend on in a reading, apart from deactivated rules (module docstring)."""
    literals = [o for o in data.objects() if isinstance(o, Literal)]
    if any(o.datatype in OTHER_TEMPORAL for o in literals):
        return ("ungrouped", parameters)
    dates = sorted({o.toPython() for o in literals if o.datatype == XSD.date})
    values = parameters.values()
    positions = tuple((parameter, _position(dates, value.toPython())) for parameter, value in sorted(values.items()))
    closed_gates = frozenset(gate for gate, start in shapes.graph.subject_objects(DGE.holdsFromDate)
                             if parameters.evaluation_date < values.get(start, start).toPython())
    return positions, closed_gates


class GroupedReference:
    """pyshacl once per group of readings of a golden case (``pyshacl_sees``), every rule shape active."""

    def __init__(self, shapes: ShapeSet):
        self.shapes = shapes
        self.runs: dict[tuple, frozenset] = {}

    def violations(self, folder: Path, store: OxigraphStore, parameters: Parameters) -> frozenset:
        data = store_data_graph(store)  # the graph validate_store gives pyshacl
        key = (folder.name, pyshacl_sees(self.shapes, data, parameters))
        if key not in self.runs:
            every_rule_active = resolve_shapes(self.shapes.graph, (), parameters)
            self.runs[key] = frozenset(pyshacl_violations(data, every_rule_active, self.shapes.rules))
        active = {rule.shape for rule in self.shapes.rules if rule.active(parameters)}
        return frozenset((focus, shape) for focus, shape in self.runs[key] if shape in active)

    def findings(self, folder: Path, store: OxigraphStore, parameters: Parameters):
        violations = self.violations(folder, store, parameters)
        return findings_from(violations, self.shapes, parameters, requirement_info(store), deployment_index(store))


@pytest.fixture(scope="module")
def reference(shapes) -> GroupedReference:
    return GroupedReference(shapes)


@pytest.mark.parametrize(("folder", "date", "hr_date", "expected"), RUNS)
def test_golden_case(shapes, reference, folder, date, hr_date, expected):
    parameters = Parameters(evaluation_date=date, hr_date=hr_date)
    store = _store(folder)
    fast = validate_store(store, parameters, engine="sparql", shapes=shapes)
    checked = check_file(folder / "data.ttl", parameters, shapes=shapes)
    assert _as_set(reference.findings(folder, store, parameters)) == expected, \
        "pyshacl (reference) differs from the expected findings"
    assert _as_set(fast.findings) == expected, "the SPARQL fast path differs from the expected findings"
    assert _as_set(checked.findings) == expected, "dge-graph check differs from the expected findings"


GUARD_CASES = ("aia-04", "nl-bio")
"""Cases whose groups join readings with different parameter values and different active rules."""


@pytest.mark.parametrize("case", GUARD_CASES)
def test_grouped_pyshacl_equals_a_run_per_reading(shapes, case):
    """The premise of the grouping, on real pyshacl runs: each reading's own run (``validate_store`` with pyshacl, the
    rules deactivated as the reading has them) gives what the grouped run gives; and no shape refers to a rule shape."""
    rule_shapes = {rule.shape for rule in shapes.rules}
    assert not {o for o in shapes.graph.objects() if o in rule_shapes}, "a shape refers to a rule shape"
    grouped = GroupedReference(shapes)
    folder = GOLDEN / case
    store = _store(folder)
    readings = [Parameters(date, hr_date) for f, date, hr_date, _ in (r.values for r in RUNS) if f == folder]
    joined = {}
    for parameters in readings:
        joined.setdefault(pyshacl_sees(shapes, store_data_graph(store), parameters), []).append(parameters)
        own = validate_store(store, parameters, engine="pyshacl", shapes=shapes)
        assert _as_set(grouped.findings(folder, store, parameters)) == _as_set(own.findings), parameters
    assert len(grouped.runs) == len(joined) < len(readings)
    merged = [group for group in joined.values() if len(group) > 1]
    assert any(len({tuple(r.rule_id for r in shapes.rules if r.active(p)) for p in group}) > 1 for group in merged), \
        f"{case}: no group joins readings with different active rules (choose another guard case)"


def test_golden_cases_cover_every_rule(shapes):
    """Guard: cases were collected, and every rule fires somewhere and has its own case where it also must not."""
    assert len(RUNS) > len(shapes.rules)
    folders = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    fired = {rule for *_, expected in (r.values for r in RUNS) for _, rule, _ in expected}
    for rule in shapes.rules:
        assert rule.rule_id.lower() in folders, f"no golden case folder for {rule.rule_id}"
        assert rule.rule_id in fired, f"{rule.rule_id} fires in no golden case"
    # in its own folder, at least one deployment must not fire the rule in a run where the rule is in force
    for rule in shapes.rules:
        folder = GOLDEN / rule.rule_id.lower()
        deployments = set(Graph().parse(folder / "data.ttl").objects(None, _identifier()))
        spec = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        negatives = set()
        for run in spec["runs"]:
            hr_date = run.get("hr_date") or HR_READINGS[0]
            if rule.active(Parameters(run["date"], hr_date)):
                fired_here = {d for d, r, _ in (line.split() for line in run["findings"] or ()) if r == rule.rule_id}
                negatives |= {str(d) for d in deployments} - fired_here
        assert negatives, f"{rule.rule_id}: no deployment in its case where it is in force and must not fire"


def test_golden_cases_have_day_before_and_day_of(shapes):
    """Every dated rule is checked on the day before it applies (nothing) and on the day it starts, and a rule that
    ends on its last day and on the day after."""
    for rule in shapes.rules:
        spec = yaml.safe_load((GOLDEN / rule.rule_id.lower() / "expected.yaml").read_text(encoding="utf-8"))
        for hr_date in HR_READINGS:
            start = rule.start(Parameters(dt.date.today(), hr_date))
            dates = {run["date"] for run in spec["runs"] if run.get("hr_date") in (None, hr_date)}
            assert {start - dt.timedelta(days=1), start} <= dates, f"{rule.rule_id}: no boundary runs for {start}"
            if rule.applies_until is not None:
                end = rule.applies_until
                assert {end, end + dt.timedelta(days=1)} <= dates, f"{rule.rule_id}: no boundary runs for {end}"


def test_rules_with_an_end_date_fire_on_their_last_day_and_not_after(shapes):
    """The guard above checks the dates exist; this checks what they say, from the expected files themselves."""
    ending = [r for r in shapes.rules if r.applies_until is not None]
    assert ending, "no rule with dge:appliesUntil"
    for rule in ending:
        spec = yaml.safe_load((GOLDEN / rule.rule_id.lower() / "expected.yaml").read_text(encoding="utf-8"))
        fired = {run["date"]: {line.split()[1] for line in run["findings"] or ()} for run in spec["runs"]}
        assert rule.rule_id in fired[rule.applies_until]
        assert rule.rule_id not in fired[rule.applies_until + dt.timedelta(days=1)]


def _identifier():
    from dge_graph.kernel.namespaces import DCT

    return DCT.identifier
