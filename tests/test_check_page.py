"""``/check``: the pre-deployment check in the browser (issue 16 item 1), on the API test graph in the embedded store.

The README's chatbot example entered through the form (fields derived from the YAML) must give what
``dge-graph check docs/examples/planned-chatbot.yaml`` gives; bad answers give the form again with the message at
the field (422); the answers download as an intake file the CLI reads back; nothing is stored."""

from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import URIRef
from api_support import client_for, load_test_graph

from dge_graph.cli import main
from dge_graph.ingest.intake import ALL_KEYS, read_records
from dge_graph.ingest.intake_form import form_from_record, label_of, load_questionnaire, ontology_graph, source_label
from dge_graph.kernel.vocabulary import FACTS, SAFEGUARDS
from dge_graph.store import OxigraphStore

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "planned-chatbot.yaml"
DATE = "2026-12-01"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def store():
    store = OxigraphStore(None)
    load_test_graph(store)
    return store


@pytest.fixture(scope="module")
def client(store):
    with client_for(store) as test_client:
        yield test_client


def example_fields() -> list[tuple[str, str]]:
    (record,) = read_records(EXAMPLE)
    return form_from_record(record.values) + [("evaluationDate", DATE)]


def post(client, path: str, fields: list[tuple[str, str]], lang: str = "en"):
    return client.post(f"{path}?lang={lang}", content=urlencode(fields), headers=FORM)


def cli_check(capsys, path: Path) -> dict:
    capsys.readouterr()
    main(["check", str(path), "--date", DATE, "--format", "json"])
    return json.loads(capsys.readouterr().out)


def comparable(report: dict) -> dict:
    deployments = [{k: v for k, v in d.items() if k != "similarDeployments" and k != "measures"}
                   for d in report["deployments"]]
    return {"findings": report["findings"], "deployments": deployments, "conforms": report["conforms"],
            "evaluationDate": report["evaluationDate"], "hrDate": report["hrDate"]}


@pytest.fixture(scope="module")
def example_json(client):
    response = post(client, "/check/result.json", example_fields())
    assert response.status_code == 200, response.text
    return response.json()


def test_the_readme_example_through_the_form_gives_the_findings_of_the_cli(example_json, capsys):
    expected = cli_check(capsys, EXAMPLE)
    assert expected["findings"], "the example should have findings"
    assert comparable(example_json) == comparable(expected)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_result_page_names_article_date_and_a_measure_for_each_finding(client, example_json, lang):
    response = post(client, "/check", example_fields(), lang)
    assert response.status_code == 200
    assert response.headers["content-language"] == lang
    html = response.text
    rows = dict(re.findall(r'<tr class="sev-\w+" data-rule="([^"]+)">(.*?)</tr>', html, re.S))
    findings = example_json["findings"]
    assert set(rows) == {f["requirement"] for f in findings}
    measures = example_json["deployments"][0]["measures"]
    for finding in findings:
        row = rows[finding["requirement"]]
        assert f'href="{escape(finding["legalSource"])}"' in row
        assert finding["appliesFrom"] in row
        assert unescape(finding[f"message_{lang}"]) in unescape(row)
        codes = [m["code"] for entry in measures[finding["requirement"]] for m in entry["measures"]]
        for code in codes:
            assert f">{code}</a>" in row
    assert any(entry["measures"] for f in findings for entry in measures[f["requirement"]])
    assert 'class="severity-legend"' in html
    assert "<script" not in html  # works without JavaScript
    # the timeline section and the downloads
    assert "2027-12-02" in html  # the AI Act high-risk date (default reading) is a date ahead
    assert re.search(r'formaction="[^"]*/check/intake\.yaml', html) and re.search(r'formaction="[^"]*/check/result\.json', html)


def test_the_downloaded_intake_gives_the_same_check(client, example_json, tmp_path, capsys):
    response = post(client, "/check/intake.yaml", example_fields())
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="example-zaanstad-ai-chatbot.yaml"'
    path = tmp_path / "downloaded.yaml"
    path.write_text(response.text, encoding="utf-8")
    assert comparable(cli_check(capsys, path)) == comparable(example_json)


def test_nothing_is_stored(client, store):
    before = len(store.raw)
    assert post(client, "/check", example_fields()).status_code == 200
    assert post(client, "/check/result.json", example_fields()).status_code == 200
    assert len(store.raw) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("inServiceSince", "2026-02-30", "'2026-02-30' is not a valid date"),
    ("annexIIIArea", "9z", "'9z' is not an allowed value"),
    ("municipality", "Atlantis", "unknown municipality"),
    ("evaluationDate", "2026-13-01", "'2026-13-01' is not a valid date (YYYY-MM-DD)"),
    ("hasDPIA.date", "2025-02-29", "'2025-02-29' is not a valid date"),
])
def test_bad_answers_give_the_form_again_with_the_message_at_the_field(client, field, value, message):
    fields = [(k, v) for k, v in example_fields() if k != field] + [(field, value)]
    for path in ("/check", "/check/intake.yaml"):
        response = post(client, path, fields)
        assert response.status_code == 422
        at_field = re.search(rf'<div class="question has-error" id="q-{re.escape(field.split(".")[0])}">(.*?)</div>',
                             response.text, re.S)
        assert at_field, f"no error at {field}"
        assert message in unescape(at_field.group(1))
        # the answers are kept: the title is still filled in
        assert 'value="AI-chatbot op de gemeentelijke website (gepland)"' in response.text
    response = post(client, "/check/result.json", fields)
    assert response.status_code == 422
    assert message in response.json()["errors"][field]


def test_a_post_that_is_not_a_form_is_refused(client):
    response = client.post("/check", content=b'{"title": "x"}', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "expected a form post" in response.text


def test_title_is_required(client):
    response = post(client, "/check", [("isAlgorithm", "true")])
    assert response.status_code == 422
    assert re.search(r'id="q-title">.*required key is missing', response.text, re.S)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_form_asks_every_intake_key_with_the_ontology_label_and_definition(client, lang):
    response = client.get("/check", headers={"Accept-Language": lang})
    assert response.status_code == 200 and response.headers["content-language"] == lang
    html = unescape(response.text)
    form = html[html.index("<form method=\"post\" action="):]
    names = set(re.findall(r'name="([^"]+)"', form))
    assert {n.split(".")[0] for n in names} - {"evaluationDate"} == set(ALL_KEYS)
    graph = ontology_graph()
    questionnaire = load_questionnaire(graph)
    for item in (*FACTS, *SAFEGUARDS):
        question = questionnaire.question(item.name)
        block = re.search(rf'id="q-{item.name}">(.*?)</div>', html, re.S).group(1)
        assert label_of(graph, item.iri, lang) in block
        assert question.definition and question.definition(lang) in block
        for source in question.sources:
            assert f'href="{source}"' in block
            assert f">{source}</a>" not in block, f"{item.name}: the source {source} is shown as its address"
    annex = re.search(r'id="q-annexIIIArea">(.*?)</div>', html, re.S).group(1)
    assert len(re.findall(r'name="annexIIIArea"', annex)) == len(questionnaire.question("annexIIIArea").choices) + 1
    assert "<script" not in response.text


@pytest.mark.parametrize("lang, names", [
    ("nl", ("AI-verordening bijlage III", "AVG overweging 91", "Richtlijn politie en justitie (LED) art. 1")),
    ("en", ("AI Act Annex III", "GDPR recital 91", "Law Enforcement Directive (LED) Art. 1")),
])
def test_eur_lex_sources_are_named_by_their_act_and_part(client, lang, names):
    """A EUR-Lex address (CELEX number and fragment) is shown as the act's label from data/legal and the part."""
    html = unescape(client.get("/check", headers={"Accept-Language": lang}).text)
    shown = re.findall(r'<a href="(https://eur-lex[^"]+)">([^<]+)</a>', html)
    assert shown and all(not text.startswith("http") for _href, text in shown)
    for name in names:
        assert name in {text for _href, text in shown}
    graph = ontology_graph()
    assert source_label(graph, URIRef("https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32024R1689"),
                        lang) == ("EUR-Lex: AI-verordening" if lang == "nl" else "EUR-Lex: AI Act")


def test_english_navigation_says_ontology(client):
    assert ">Ontology</a>" in client.get("/check", params={"lang": "en"}).text
    assert ">Ontologie</a>" in client.get("/check", params={"lang": "nl"}).text
