"""Municipality profiles and comparisons (analytics.py) on the fixture graph, and the agreement of every form:
HTML, CSV, JSON and the CLI show the same numbers because they all render one profile (issue 7).

Expected numbers are derived in tests/fixtures/analytics/expected/README.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from analytics_support import validated_fixture_store
from fastapi.testclient import TestClient

from dge_graph.api import create_app
from dge_graph.cli import main
from dge_graph.kernel.config import Settings
from dge_graph.query.analytics import MEASURES, AnalyticsError, build_comparison, build_profile, province_medians
from dge_graph.query.named import find_named_query, load_named_queries, run_named_query
from dge_graph.render.analytics import profile_dict
from dge_graph.store import OxigraphStore

FIXTURE = Path(__file__).parent / "fixtures" / "analytics"

# code -> deployments, in use, violations, warnings, with violation, claims, held, coverage, conforming share,
#   findings recorded absent, findings not evidenced, deployments with decisive facts known, data completeness
EXPECTED_MEASURES = {
    "GM0344": (3, 2, 5, 6, 1, 6, 4, 0.6667, 0.6667, 0, 11, 0, 0.0),
    "GM0307": (2, 2, 6, 5, 1, 3, 2, 0.6667, 0.5, 1, 10, 0, 0.0),
    "GM0363": (3, 2, 6, 6, 2, 4, 2, 0.5, 0.3333, 1, 11, 0, 0.0),
    "GM0392": (1, 1, 0, 0, 0, 1, 0, 0.0, 1.0, 0, 0, 0, 0.0),
    "GM0355": (0, 0, 0, 0, 0, 0, 0, None, None, 0, 0, 0, None),
}


def _load(store: OxigraphStore) -> OxigraphStore:
    return validated_fixture_store(store)


@pytest.fixture(scope="module")
def analytics_store() -> OxigraphStore:
    return _load(OxigraphStore())


@pytest.fixture(scope="module")
def client(analytics_store, tmp_path_factory):
    settings = Settings(store=str(tmp_path_factory.mktemp("unused-store")))
    with TestClient(create_app(settings, store=analytics_store)) as test_client:
        yield test_client


@pytest.mark.parametrize("code", sorted(EXPECTED_MEASURES))
def test_profile_measures(analytics_store, code):
    profile = build_profile(analytics_store, code)
    assert tuple(profile.measures.values().values()) == EXPECTED_MEASURES[code]


def test_profile_sections_of_utrecht(analytics_store):
    profile = build_profile(analytics_store, "GM0344")
    counts = {key: {item.key: item.count for item in items} for key, items in profile.sections.items()}
    assert counts["technologyKinds"] == {"dgeid:technology-kind/ai-system": 1, "dgeid:technology-kind/camera": 1,
                                         "dgeid:technology-kind/chatbot": 1}
    assert counts["values"] == {"dgeid:value/privacy": 2, "dgeid:value/equality": 1, "dgeid:value/transparency": 1}
    assert counts["suppliers"] == {"dgeid:organisation/vendor-a": 2, "dgeid:organisation/vendor-c": 1}
    # the cameras miss four GDPR violations, NL-CBW (in force since 2026-08-15, when NL-BIO ended) and five
    # warnings, the AI system AI literacy (README of expected/)
    camera_violations = ["GDPR-06", "GDPR-13", "GDPR-30", "GDPR-35-2", "NL-CBW"]
    camera_warnings = ["NL-ARCH", "VNG-DOELM", "VNG-EIA", "VNG-PART", "VNG-RAAD"]
    assert [(f.key, f.severity, f.count) for f in profile.findings_by_rule] == sorted(
        [(rule, "Violation", 1) for rule in camera_violations]
        + [(rule, "Warning", 1) for rule in camera_warnings + ["AIA-04"]])
    assert [(d.title, d.violations, d.warnings) for d in profile.deployments] == [
        ("Cameratoezicht binnenstad", 5, 5), ("Risicoscore bijstand", 0, 1), ("Chatbot publiekszaken", 0, 0)]
    assert [p.code for p in profile.peers] == ["GM0307", "GM0344"]  # Zeist has no deployments: not a peer
    assert profile.evaluation_date == "2026-11-01"
    labels = {item.key: item.label("nl") for item in profile.sections["technologyKinds"]}
    assert labels["dgeid:technology-kind/ai-system"] == "AI-systeem"


@pytest.mark.parametrize("code", ["GM0363", "GM0344"])
def test_python_medians_equal_the_sparql_median_query(analytics_store, code):
    """The profile's medians (Python, over the peers' rows) equal the named query computing them in SPARQL."""
    profile = build_profile(analytics_store, code)
    query = find_named_query(load_named_queries(), "municipality-vs-province-median")
    rows = run_named_query(analytics_store, query, {"code": code}).rows
    sparql = {str(row["measure"]): float(row["provinceMedian"].toPython()) for row in rows}
    assert set(sparql) == {"deployments", "violations", "warnings", "coverage"}
    for measure, value in sparql.items():
        assert profile.province_medians[measure] == pytest.approx(value, abs=1e-4), measure


def test_median_of_an_even_number_of_peers_is_the_mean_of_the_middle_two(analytics_store):
    peers = build_profile(analytics_store, "GM0363").peers
    assert province_medians(peers)["deployments"] == 2.0  # (3 + 1) / 2
    assert province_medians(peers[:1])["deployments"] == 3.0


@pytest.mark.parametrize(("code", "message"), [("GM9999", "no municipality"), ("0363", "not a CBS"),
                                               ("GM0363'; DROP", "not a CBS")])
def test_unknown_or_malformed_code(analytics_store, code, message):
    with pytest.raises(AnalyticsError, match=message):
        build_profile(analytics_store, code)


def test_comparison_keeps_order_and_drops_duplicates(analytics_store):
    comparison = build_comparison(analytics_store, ["gm0363", "GM0344", "GM0363"])
    assert [p.code for p in comparison.profiles] == ["GM0363", "GM0344"]
    assert {k.key: k.count for k in comparison.technology_kinds} == {
        "dgeid:technology-kind/ai-system": 2, "dgeid:technology-kind/camera": 2,
        "dgeid:technology-kind/algorithm": 1, "dgeid:technology-kind/chatbot": 1}


# --------------------------------------------------------------------------------------------------------------
# one set of numbers in every form

def _html_values(html: str, attribute: str) -> dict[str, str]:
    return dict(re.findall(rf'{attribute}="([^"]+)" data-value="([^"]*)"', html))


def _as_number(text: str):
    return None if text in ("", "None") else float(text)


@pytest.mark.parametrize("code", ["GM0344", "GM0363", "GM0355"])
def test_profile_forms_agree(client, analytics_store, tmp_path, code, capsys):
    expected = profile_dict(build_profile(analytics_store, code), "en")
    as_json = client.get(f"/municipalities/{code}", params={"format": "json", "lang": "en"}).json()
    assert as_json["measures"] == expected["measures"]
    assert as_json["provinceMedians"] == expected["provinceMedians"]

    html = client.get(f"/municipalities/{code}", headers={"Accept": "text/html"}).text
    html_measures = {k: _as_number(v) for k, v in _html_values(html, "data-measure").items()}
    html_medians = {k: _as_number(v) for k, v in _html_values(html, "data-median").items()}
    assert html_measures == {k: (None if v is None else float(v)) for k, v in expected["measures"].items()}
    assert html_medians == {k: (None if v is None else float(v)) for k, v in expected["provinceMedians"].items()}
    assert html.count('class="pygal-chart"') >= 2

    response = client.get(f"/municipalities/{code}", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    csv_measures = {r["key"]: _as_number(r["value"]) for r in rows if r["section"] == "measure"}
    assert csv_measures == html_measures

    store_dir = tmp_path / "store"
    disk = _load(OxigraphStore(store_dir))
    disk.close()
    assert main(["report", "municipality", code, "--store", str(store_dir), "--format", "json"]) == 0
    cli_json = json.loads(capsys.readouterr().out)
    assert cli_json["measures"] == expected["measures"]
    assert cli_json["provinceMedians"] == expected["provinceMedians"]
    assert main(["report", "municipality", code, "--store", str(store_dir), "--format", "csv", "--lang", "nl"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == response.text.rstrip("\n")  # the page's default language is nl
    assert main(["report", "municipality", code, "--store", str(store_dir)]) == 0
    markdown = capsys.readouterr().out
    deployments_row = next(line for line in markdown.splitlines() if line.startswith("| Deployments |"))
    assert deployments_row.split("|")[2].strip() == str(expected["measures"]["deployments"])


def test_comparison_forms_agree(client, analytics_store, tmp_path, capsys):
    codes = ["GM0363", "GM0344", "GM0307"]
    params = [("m", c) for c in codes]
    as_json = client.get("/compare", params=params + [("format", "json"), ("lang", "en")]).json()
    html = client.get("/compare", params=params).text
    csv_rows = list(csv.reader(io.StringIO(client.get("/compare", params=params + [("format", "csv")]).text)))
    header = csv_rows[0]
    by_measure = {row[0]: row for row in csv_rows[1:]}
    for municipality in as_json["municipalities"]:
        code = municipality["code"]
        expected = EXPECTED_MEASURES[code]
        assert tuple(municipality["measures"].values()) == expected
        column = header.index(code)
        for measure, value in municipality["measures"].items():
            assert _as_number(by_measure[measure][column]) == (None if value is None else float(value))
            cell = re.search(rf'data-code="{code}" data-measure="{measure}" data-value="([^"]*)"', html)
            assert _as_number(cell.group(1)) == (None if value is None else float(value))
            median = municipality["provinceMedians"][measure]
            assert _as_number(by_measure[measure][column + 1]) == (None if median is None else float(median))
    assert html.count('class="pygal-chart"') >= 3

    store_dir = tmp_path / "store"
    disk = _load(OxigraphStore(store_dir))
    disk.close()
    assert main(["compare", *codes, "--store", str(store_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["municipalities"] == as_json["municipalities"]
    assert main(["compare", *codes, "--store", str(store_dir), "--format", "csv"]) == 0
    cli_rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert [row[2:] for row in cli_rows] == [row[2:] for row in csv_rows]


def test_every_measure_has_labels_in_both_languages():
    for key, (nl, en, kind) in MEASURES.items():
        assert nl and en and kind in ("count", "ratio"), key


@pytest.mark.parametrize(("url", "status"), [
    ("/municipalities/GM9999", 404), ("/municipalities/XX", 404), ("/compare", 400),
    ("/compare?m=GM0363&m=bad", 400), ("/compare?m=GM0363&format=xml", 400),
])
def test_errors(client, url, status):
    assert client.get(url).status_code == status


def test_cli_unknown_municipality_exits_2(tmp_path, capsys):
    store_dir = tmp_path / "store"
    disk = _load(OxigraphStore(store_dir))
    disk.close()
    assert main(["compare", "GM0363", "GM9999", "--store", str(store_dir)]) == 2
    assert "GM9999" in capsys.readouterr().err
