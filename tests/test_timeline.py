"""The compliance timeline (query/timeline.py, `dge-graph timeline`) on a real graph: the project's ontology and
knowledge data with three test deployments that pass today and fail on a date ahead — one put into service after
the AI Act high-risk date, one legacy system of a municipality (art. 111(2) long stop), and one legacy system of a
private party that is significantly changed in 2028 — and on the project graph against the named query."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from rdflib import Graph, Literal, URIRef

from dge_graph.cli import main
from dge_graph.ingest.build import build, discover_sources
from dge_graph.kernel.namespaces import DGE, XSD, id_iri
from dge_graph.query.named import find_named_query, load_named_queries, run_named_query
from dge_graph.query.timeline import Reading, compliance_timeline, hr_readings, shape_boundaries
from dge_graph.rules.validate import ValidationError, load_shapes
from dge_graph.store import OxigraphStore, graph_to_ntriples

TODAY = dt.date(2026, 12, 1)
HR_DEFAULT, HR_ALTERNATIVE, LONG_STOP = dt.date(2027, 12, 2), dt.date(2026, 8, 2), dt.date(2030, 8, 2)
SAFEGUARDS = ("ai-literacy-measures", "log-retention-6-months", "fria", "eu-database-registration",
              "archival-retention", "bio-compliance", "algorithm-register-entry", "woo-active-publication",
              "ethical-impact-assessment", "citizen-participation", "council-involved")
"""Everything a municipal Annex III AI system needs except human oversight (AIA-26-2)."""


def deployment(key: str, municipality: str, deployer: str, in_service: str, changed: str | None = None) -> str:
    held = " ;\n".join(f"    dge:hasSafeguard [ dge:safeguardType sgt:{s} ; dge:safeguardStatus status:present ]"
                       for s in SAFEGUARDS)
    change = f'    dge:significantChangeDate "{changed}"^^xsd:date ;\n' if changed else ""
    return (f'd:{key} a dge:Deployment ;\n    dct:identifier "{key}" ;\n    dge:municipality muni:{municipality} ;\n'
            f"    dge:isAISystem true ;\n    dge:annexIIIArea area:6 ;\n    dge:deployerType dtype:{deployer} ;\n"
            f'    dge:inServiceSince "{in_service}"^^xsd:date ;\n{change}{held} .\n')


DATA = """@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix d: <https://w3id.org/dge-graph/id/deployment/> .
@prefix dtype: <https://w3id.org/dge-graph/id/deployer-type/> .
@prefix sgt: <https://w3id.org/dge-graph/id/safeguard-type/> .
@prefix status: <https://w3id.org/dge-graph/id/safeguard-status/> .
@prefix area: <https://w3id.org/dge-graph/id/annex-iii-area/> .
@prefix muni: <https://w3id.org/dge-graph/id/municipality/> .

""" + "\n".join([
    deployment("timeline-planned", "GM0363", "Municipality", "2028-01-01"),
    deployment("timeline-legacy", "GM0363", "Municipality", "2024-01-01"),
    deployment("timeline-changed", "GM0344", "PrivateEntity", "2024-01-01", changed="2028-03-01"),
])
PLANNED, LEGACY, CHANGED = (id_iri("deployment", k) for k in ("timeline-planned", "timeline-legacy", "timeline-changed"))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """On disk, so the CLI can open it too: the project without its example and register deployments, plus the three
    above."""
    location = tmp_path_factory.mktemp("timeline") / "store"
    store = OxigraphStore(location)
    build(store, [s for s in discover_sources() if not s.relative.startswith(("data/deployments/", "data/register/"))])
    store.replace_graphs({"https://w3id.org/dge-graph/graph/test/timeline":
                          graph_to_ntriples(Graph().parse(data=DATA, format="turtle"))})
    store.close()
    return location


@pytest.fixture
def store(store_path):
    store = OxigraphStore(store_path)
    yield store
    store.close()


@pytest.fixture(scope="module")
def timeline(store_path):
    store = OxigraphStore(store_path)
    try:
        return compliance_timeline(store, TODAY)
    finally:
        store.close()


def reading(timeline, name):
    return next(r for r in timeline.readings if r.reading.name == name)


def new_findings(events) -> dict:
    return {e.date: sorted((str(c.finding.deployment), c.finding.rule_id, c.passes_today) for c in e.changes
                           if c.change == "new") for e in events}


def test_readings_are_those_of_the_hr_date_parameter(store):
    assert hr_readings(store) == (Reading("default", HR_DEFAULT), Reading("alternative", HR_ALTERNATIVE))


def test_default_reading_each_deployment_newly_fails_on_its_own_date(timeline):
    default = reading(timeline, "default")
    assert default.findings_today == 0
    assert new_findings(default.events) == {
        HR_DEFAULT: [(str(PLANNED), "AIA-26-2", True)],
        dt.date(2028, 3, 1): [(str(CHANGED), "AIA-26-2", True)],
        LONG_STOP: [(str(LEGACY), "AIA-26-2", True)],
    }
    by_date = {e.date: e for e in default.events}
    assert {b.subject for b in by_date[HR_DEFAULT].boundaries if b.kind == "applies-from"} == {
        "AIA-26-2", "AIA-26-6", "AIA-26-7", "AIA-26-11", "AIA-27", "AIA-49"}
    assert [b.kind for b in by_date[dt.date(2028, 3, 1)].boundaries] == ["recorded-date"]
    assert [b.subject for b in by_date[LONG_STOP].boundaries] == [
        "https://w3id.org/dge-graph/id/shape/gate/public-authority-long-stop"]
    assert [e.findings for e in default.events] == [1, 2, 3]


def test_what_if_reading_the_planned_system_fails_already_today(timeline):
    alternative = reading(timeline, "alternative")
    assert alternative.findings_today == 1 and alternative.deployments_failing_today == 1
    assert new_findings(alternative.events) == {
        dt.date(2028, 3, 1): [(str(CHANGED), "AIA-26-2", True)],
        LONG_STOP: [(str(LEGACY), "AIA-26-2", True)],
    }
    assert timeline.newly_failing == tuple(sorted((PLANNED, LEGACY, CHANGED)))


def test_scope_until_and_deployment(store):
    amsterdam = compliance_timeline(store, TODAY, municipalities=[id_iri("municipality", "GM0363")],
                                    until=dt.date(2029, 12, 31))
    assert amsterdam.deployments_in_scope == 2
    assert new_findings(reading(amsterdam, "default").events) == {HR_DEFAULT: [(str(PLANNED), "AIA-26-2", True)]}
    one = compliance_timeline(store, TODAY, deployments=[LEGACY], readings=[Reading("default", HR_DEFAULT)])
    assert [e.date for e in one.readings[0].events] == [HR_DEFAULT, LONG_STOP]
    assert new_findings(one.readings[0].events)[LONG_STOP] == [(str(LEGACY), "AIA-26-2", True)]
    with pytest.raises(ValidationError, match="must be after the evaluation date"):
        compliance_timeline(store, TODAY, until=TODAY)
    with pytest.raises(ValidationError, match="no deployment"):
        compliance_timeline(store, TODAY, deployments=[URIRef("https://w3id.org/dge-graph/id/deployment/nope")])


def test_a_rule_that_ends_is_a_boundary_the_day_after_its_last_day():
    shapes = load_shapes()
    rule = shapes.rule("NL-WOO")
    shapes.graph.set((rule.shape, DGE.appliesUntil, Literal("2028-12-31", datatype=XSD.date)))
    ends = [b for b in shape_boundaries(shapes, HR_DEFAULT, TODAY, None) if b.kind == "applies-until"]
    assert [(b.date, b.subject) for b in ends] == [(dt.date(2029, 1, 1), "NL-WOO")]


def test_requirement_boundaries_equal_those_of_the_named_query(project_graph_store):
    """The named query (graph) and the timeline (shapes) list the same starts and ends for each reading."""
    query = find_named_query(load_named_queries(), "timeline-boundaries")
    compared = 0
    for after in (dt.date(2025, 1, 1), TODAY):
        rows = run_named_query(project_graph_store, query, {"date": after.isoformat()}).rows
        for current in hr_readings(project_graph_store):
            from_query = {(r["boundary"].toPython() + (dt.timedelta(days=1) if str(r["kind"]) == "applies-until"
                                                       else dt.timedelta()), str(r["kind"]), str(r["id"]))
                          for r in rows if str(r["reading"]) in ("both", current.name)}
            from_shapes = {(b.date, b.kind, b.subject)
                           for b in shape_boundaries(load_shapes(), current.hr_date, after, None)
                           if b.kind in ("applies-from", "applies-until")}
            assert from_query == from_shapes, (after, current)
            compared += len(from_shapes)
    assert compared >= 30  # 2025: the VNG rules, AIA-50 and both HR dates; today: the default HR date


# --------------------------------------------------------------------------------------------------------------
# the command


def test_cli_table_names_dates_rules_and_deployments_and_exits_1(store_path, capsys):
    code = main(["timeline", "--store", str(store_path), "--date", TODAY.isoformat(), "-q"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Reading 'default': AI Act high-risk duties from 2027-12-02" in out
    assert "2027-12-02  starts: AIA-26-11, AIA-26-2" in out
    assert "+ GM0363  timeline-planned  AIA-26-2  Violation  (passes today)" in out
    assert "2030-08-02  evaluation date on or after 2 August 2030" in out


def test_cli_json_and_csv(store_path, capsys):
    assert main(["timeline", "GM0344", "--store", str(store_path), "--date", TODAY.isoformat(),
                 "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["scope"]["municipalities"] == ["GM0344"] and data["deploymentsInScope"] == 1
    default = data["readings"][0]
    assert default["reading"] == "default" and default["hrDate"] == "2027-12-02"
    assert [e["date"] for e in default["events"] if e["newlyFailing"]] == ["2028-03-01"]
    assert main(["timeline", "--deployment", "timeline-legacy", "--store", str(store_path), "--date",
                 TODAY.isoformat(), "--until", "2029-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["change"] == "boundary" for r in rows)
    assert {r["date"] for r in rows if r["reading"] == "default"} == {"2027-12-02"}


@pytest.mark.parametrize(("argv", "message"), [
    (["GM9999"], "GM9999: no municipality with this code"),
    (["--deployment", "nope"], "--deployment nope: no deployment"),
    (["--until", "2026-01-01"], "must be after the evaluation date"),
])
def test_cli_bad_input_exits_2_naming_it(store_path, capsys, argv, message):
    assert main(["timeline", "--store", str(store_path), "--date", TODAY.isoformat(), *argv]) == 2
    assert message in capsys.readouterr().err
