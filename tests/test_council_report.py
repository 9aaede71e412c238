"""The council report (``/municipalities/{code}/report``) and the previous run it compares with, on the project
graph validated twice (an earlier evaluation date, then today's), as ``dge-graph validate`` stores results."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from conftest import VALIDATED_PROJECT_DATE, copy_memory_store
from fastapi.testclient import TestClient
from rdflib import URIRef

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings
from dge_graph.kernel.namespaces import DGE, graph_iri
from dge_graph.query.algoritmekader import measures_for
from dge_graph.query.council_report import build_council_report
from dge_graph.render.council_report import long_date
from dge_graph.rules.report import LATEST_RESULT_GRAPH, previous_result_graph_name, result_changes
from dge_graph.rules.validate import Parameters, check_municipality_code, store_report, validate_store

EARLIER = dt.date(2025, 6, 1)
TODAY = dt.date(2026, 12, 1)
CODE = "GM0363"


@pytest.fixture(scope="module")
def validated_twice(project_graph_store):
    store = copy_memory_store(project_graph_store)
    first = validate_store(store, Parameters(EARLIER), decide=True)
    store_report(store, first)
    assert str(previous_result_graph_name(LATEST_RESULT_GRAPH)) not in store.named_graphs()
    second = validate_store(store, Parameters(TODAY), decide=True)
    store_report(store, second)
    return store, first, second


@pytest.fixture(scope="module")
def client(validated_twice):
    store, _first, _second = validated_twice
    with TestClient(create_app(Settings(store=":memory:"), store=store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def page_nl(client):
    response = client.get(f"/municipalities/{CODE}/report", headers={"Accept-Language": "nl"})
    assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def page_en(client):
    response = client.get(f"/municipalities/{CODE}/report", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.status_code == 200, response.text
    return response


def test_storing_a_result_keeps_the_previous_run_and_its_findings(validated_twice):
    store, first, second = validated_twice
    changes = result_changes(store)
    assert changes.previous_run[DGE.evaluationDate].toPython() == EARLIER
    before = {(f.deployment, f.requirement) for f in first.findings}
    after = {(f.deployment, f.requirement) for f in second.findings}
    assert changes.added == after - before and changes.added
    assert changes.resolved == before - after


def test_without_a_previous_run_there_are_no_changes(validated_project_store):
    store = validated_project_store[0]  # built, then validated once (today)
    assert VALIDATED_PROJECT_DATE == TODAY
    changes = result_changes(store)
    assert not changes.previous_run and not changes.added and not changes.resolved
    assert str(graph_iri("validation/latest/previous")) not in store.named_graphs()


def _text(page) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text))


def test_the_report_names_every_finding_with_article_date_and_measures(validated_twice, page_nl):
    store, _first, second = validated_twice
    municipality = check_municipality_code(store, CODE)
    own = [f for f in second.findings if f.municipality == municipality]
    assert own, "the municipality has findings in the run"
    text = _text(page_nl)
    for rule_id in {f.rule_id for f in own}:
        finding = next(f for f in own if f.rule_id == rule_id)
        block = re.search(rf'<div class="finding sev-{finding.severity}" data-rule="{re.escape(rule_id)}">(.*?)</div>',
                          page_nl.text, re.S)
        assert block, rule_id
        body = block.group(1)
        assert f'href="{html.escape(str(finding.legal_source))}"' in body, rule_id
        assert long_date(finding.applies_from, "nl") in html.unescape(body), rule_id
        measures = measures_for(store, requirement=rule_id)
        if measures:
            assert all(m.code in body for m in measures), rule_id
        else:
            assert "geen maatregel" in body
        deployments = {f.deployment for f in own if f.rule_id == rule_id}
        assert f"Toepassingen ({len(deployments)})" in html.unescape(body)
    assert "Raadsrapportage digitale grondrechten: Amsterdam" in text
    assert page_nl.headers["content-language"] == "nl"


def test_the_report_shows_register_timeline_changes_and_sources(validated_twice, page_nl):
    store, first, second = validated_twice
    text = _text(page_nl)
    municipality = check_municipality_code(store, CODE)
    register = store.query(
        "SELECT (COUNT(?d) AS ?n) WHERE { ?d <https://w3id.org/dge-graph/def#municipality> ?m ; "
        "<https://w3id.org/dge-graph/def#recordKind> <https://w3id.org/dge-graph/id/record-kind/register-import> }",
        substitutions={"m": municipality}).rows[0]["n"].toPython()
    assert f"{register} registraties van Amsterdam in het Algoritmeregister" in text
    # changes since the previous run: every new finding of the municipality is listed
    before = {(f.deployment, f.rule_id) for f in first.findings}
    new = {(f.deployment, f.rule_id) for f in second.findings if f.municipality == municipality} - before
    changes = re.findall(r'<tr class="change-new"><td>[^<]*</td><td>([^<]+)</td>', page_nl.text)
    assert len(changes) == len(new) and set(changes) == {rule for _d, rule in new}
    assert f"peildatum {long_date(EARLIER, 'nl')}" in text
    # the timeline: the dates ahead under both readings of the high-risk date
    assert page_nl.text.count('<table class="timeline-dates" data-reading="default">') == 1
    assert page_nl.text.count('<table class="timeline-dates" data-reading="alternative">') == 1
    assert "?timeline=full" in page_nl.text
    # method and sources: the run, the register snapshot and its licence
    assert "CC0-1.0" in text and "EUPL-1.2" in text and "Algoritmeregister (algoritmes.overheid.nl)" in text
    assert second.report_iri().rsplit("/", 1)[-1] in text
    # the running header of the printed pages names the municipality and the evaluation date
    assert '@top-left { content: "Raadsrapportage Amsterdam"; }' in page_nl.text
    assert f'content: "peildatum {long_date(TODAY, "nl")}"' in page_nl.text


def test_the_full_timeline_names_the_deployments_that_newly_fail(validated_twice, client):
    from dge_graph.query.timeline import compliance_timeline

    store, _first, _second = validated_twice
    page = client.get(f"/municipalities/{CODE}/report?timeline=full&lang=en")
    assert page.status_code == 200
    assert page.text.count('<table class="timeline" data-reading="default">') == 1
    assert page.text.count('<table class="timeline-dates" data-reading="alternative">') == 1
    expected = compliance_timeline(store, TODAY, municipalities=[check_municipality_code(store, CODE)])
    rows = re.findall(r'<tr><td>([^<]+)</td>\n<td>[^\n]*</td>\n<td class="num">(\d+)</td>', page.text)
    default = expected.readings[0]
    assert rows == [(long_date(e.date, "en"), str(sum(c.change == "new" for c in e.changes))) for e in default.events]
    refused = client.get(f"/municipalities/{CODE}/report?timeline=all")
    assert refused.status_code == 400 and "timeline" in refused.text


def test_english_by_accept_language(page_en):
    text = _text(page_en)
    assert page_en.headers["content-language"] == "en"
    assert "Council report on digital fundamental rights: Amsterdam" in text
    assert "Findings by requirement" in text and "Method and sources" in text
    assert "Raadsrapportage" not in text


@pytest.mark.parametrize("code", ["GM9999", "Amsterdam"])
def test_unknown_or_bad_codes_are_404_with_the_reason(client, code):
    response = client.get(f"/municipalities/{code}/report")
    assert response.status_code == 404
    assert code in response.text or "GM" in response.text


def test_the_evidence_basis_and_completeness_are_read_from_the_result(validated_project_store):
    """The stored form of the evidence basis (issue 13 item 4): ``<deployment> dge:lacksEvidenceOf <type>`` /
    ``dge:recordedAbsent <type>`` in the result graph, ``dge:dataCompleteness`` on the municipality's measures; the
    report shows what validation stored, and follows it when the stored result changes."""
    store = copy_memory_store(validated_project_store[0])  # validated today; this test changes the stored result
    node = f"<https://w3id.org/dge-graph/id/measures/municipality/{CODE}>"

    def stored_completeness():
        rows = store.query(f"SELECT ?c WHERE {{ GRAPH <{graph_iri('validation/measures')}> "
                           f"{{ {node} <{DGE.dataCompleteness}> ?c }} }}").rows
        return float(rows[0]["c"].toPython())

    def stored_basis(deployment, safeguard):
        kinds = {DGE.recordedAbsent: "recorded-absent", DGE.lacksEvidenceOf: "not-evidenced"}
        rows = store.query(f"SELECT ?p WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ <{deployment}> ?p <{safeguard}> }} }}"
                           ).rows
        return next((kinds[r["p"]] for r in rows if r["p"] in kinds), None)

    before = build_council_report(store, CODE, with_timeline=False)
    assert before.completeness == stored_completeness()
    finding = next(f for f in before.findings if f.rule_id == "GDPR-35")
    safeguard = store.query(
        "SELECT ?s WHERE { ?r <https://w3id.org/dge-graph/def#requiresSafeguard> ?s }",
        substitutions={"r": URIRef(finding.requirement)}).rows[0]["s"]
    assert dict(finding.evidence) == {d.iri: stored_basis(d.iri, safeguard) for d in finding.deployments
                                      if stored_basis(d.iri, safeguard)}
    assert set(dict(finding.evidence).values()) <= {"recorded-absent", "not-evidenced"} and finding.evidence
    # the report reads the stored result, not a computation of its own: change the stored facts, the report follows
    lacking = finding.deployments[-1].iri
    store.update(f"""DELETE WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ <{lacking}> <{DGE.lacksEvidenceOf}> ?t }} }} ;
      DELETE WHERE {{ GRAPH <{graph_iri('validation/measures')}> {{ {node} <{DGE.dataCompleteness}> ?c }} }} ;
      INSERT DATA {{
      GRAPH <{LATEST_RESULT_GRAPH}> {{ <{lacking}> <{DGE.recordedAbsent}> <{safeguard}> . }}
      GRAPH <{graph_iri('validation/measures')}> {{ {node} <{DGE.dataCompleteness}> 0.25 . }} }}""")
    after = build_council_report(store, CODE, with_timeline=False)
    gdpr35 = next(f for f in after.findings if f.rule_id == "GDPR-35")
    assert dict(gdpr35.evidence)[lacking] == "recorded-absent"
    assert after.completeness == 0.25
