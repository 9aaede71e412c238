"""Golden tests for the safeguard rules: every case of ``tests/golden/<case>/`` through every engine.

A case is ``data.ttl`` (small deployments) and ``expected.yaml`` (runs: an evaluation date, optionally an HR date,
and the findings ``<deployment id> <rule id> <severity>`` expected for *all* deployments of the file). The expected
findings were worked out by hand from the rules (docs/rules.md); every rule not listed must not fire. A run without
``hr_date`` is checked under the AI Act high-risk date in force (2027-12-02, Reg. (EU) 2026/1744) and under the
what-if 2026-08-02, so the parameter keeps working.

Each run is checked three ways, which must agree with the expected file and so with each other:
``validate_store`` with the SPARQL fast path, ``validate_store`` with pyshacl (the reference), and
``check_file`` (the pre-deployment check) on the same file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from dge_graph.rules.check import check_file
from dge_graph.rules.validate import Parameters, load_shapes, validate_store
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
                                   id=f"{folder.name}@{run['date']}/hr{hr_date}")


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


@pytest.mark.parametrize(("folder", "date", "hr_date", "expected"), RUNS)
def test_golden_case(shapes, folder, date, hr_date, expected):
    parameters = Parameters(evaluation_date=date, hr_date=hr_date)
    store = _store(folder)
    fast = validate_store(store, parameters, engine="sparql", shapes=shapes)
    reference = validate_store(store, parameters, engine="pyshacl", shapes=shapes)
    checked = check_file(folder / "data.ttl", parameters, shapes=shapes)
    assert _as_set(reference.findings) == expected, "pyshacl (reference) differs from the expected findings"
    assert _as_set(fast.findings) == expected, "the SPARQL fast path differs from the expected findings"
    assert _as_set(checked.findings) == expected, "dge-graph check differs from the expected findings"


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
