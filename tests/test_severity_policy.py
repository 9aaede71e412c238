"""One colour and label policy for severities (render/severity.py) on every page: the profile chart, the findings
tables of profiles and deployment pages, and the CSS, on the validated analytics fixture (issue 16 item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from analytics_support import validated_fixture_store
from fastapi.testclient import TestClient

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings
from dge_graph.render import charts, severity

SITE_CSS = Path(__file__).parents[1] / "src" / "dge_graph" / "api" / "static" / "site.css"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings(store=str(tmp_path_factory.mktemp("unused-store")))
    with TestClient(create_app(settings, store=validated_fixture_store())) as test_client:
        yield test_client


def _series_colours(svg: str) -> dict[str, str]:
    """Legend label -> fill colour of each series of a pygal chart."""
    fills = dict(re.findall(r"\.color-(\d+) a:visited\{stroke:[^;]+;fill:(#[0-9A-Fa-f]{6})\}", svg))
    legends = re.findall(r'class="color-(\d+) reactive" />\s*<text[^>]*>([^<]+)</text>', svg)
    return {label: fills[index].upper() for index, label in legends}


def _page_colours(html: str) -> dict[str, str]:
    """``--severity-*`` custom properties defined in the page."""
    return {name: value.upper() for name, value in re.findall(r"--severity-(\w+):\s*(#[0-9A-Fa-f]{6})", html)}


def _profile_with_findings(client) -> tuple[str, dict]:
    for row in client.get("/municipalities", params={"format": "json"}).json():
        profile = client.get(f"/municipalities/{row['code']}", params={"format": "json"}).json()
        severities = {f["severity"] for f in profile["findingsByRule"]}
        if {"Violation", "Warning"} <= severities:
            return row["code"], profile
    raise AssertionError("the analytics fixture has no municipality with both violations and warnings")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_profile_chart_and_deployment_page_use_the_same_colour_per_severity(client, lang):
    code, profile = _profile_with_findings(client)
    html = client.get(f"/municipalities/{code}", params={"lang": lang}).text
    title = "Bevindingen per eis" if lang == "nl" else "Findings by requirement"
    chart = next(svg for svg in re.findall(r"<svg.*?</svg>", html, re.S) if title in svg)
    colours = _series_colours(chart)
    violation, warning = severity.SEVERITY_BY_CODE["Violation"], severity.SEVERITY_BY_CODE["Warning"]
    assert colours[violation.label(lang)] == violation.colour.upper()
    assert colours[warning.label(lang)] == warning.colour.upper()
    assert _page_colours(html) == {"violation": violation.colour.upper(), "warning": warning.colour.upper(),
                                   "info": severity.SEVERITY_BY_CODE["Info"].colour.upper()}
    assert 'class="severity-legend"' in html
    # the findings table of the profile shows marker and label
    assert f'<span class="sev sev-Violation"><span class="sev-marker" aria-hidden="true">{violation.marker}</span> ' \
           f'{violation.label(lang)}</span>' in html

    deployment = next(d for d in profile["deployments"] if d["violations"])
    page = client.get("/resource", params={"iri": deployment["iri"], "lang": lang},
                      headers={"Accept": "text/html"}).text
    assert _page_colours(page) == _page_colours(html)
    assert 'class="severity-legend"' in page
    assert re.search(r'<tr class="sev-Violation"><td><span class="sev sev-Violation">', page)


def test_css_takes_severity_colours_only_from_the_policy():
    css = SITE_CSS.read_text(encoding="utf-8")
    severity_rules = [rule for rule in re.findall(r"[^{}]*\{[^}]*\}", css) if ".sev" in rule]
    assert severity_rules
    for rule in severity_rules:
        assert not re.search(r"#[0-9A-Fa-f]{3,6}\b", rule), rule
    for s in severity.SEVERITIES:
        assert f"var({s.css_property})" in css


def test_other_chart_series_never_take_a_severity_colour():
    severity_colours = {s.colour.upper() for s in severity.SEVERITIES if s.code in severity.LEGEND_SEVERITIES}
    assert not severity_colours & {c.upper() for c in charts.PALETTE}


def test_severities_differ_in_more_than_hue():
    violation, warning = severity.SEVERITY_BY_CODE["Violation"], severity.SEVERITY_BY_CODE["Warning"]
    assert violation.marker != warning.marker

    def luminance(colour: str) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    lighter, darker = sorted((luminance(violation.colour), luminance(warning.colour)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) > 1.5  # apart in grey scale too


def test_severity_codes_from_iris_and_curies():
    assert severity.severity_code("http://www.w3.org/ns/shacl#Violation") == "Violation"
    assert severity.severity_code("sh:Warning") == "Warning"
    assert severity.severity_label("sh:Warning", "nl") == "Waarschuwing"
    assert str(severity.severity_badge("Bogus", "en")) == '<span class="sev">Bogus</span>'
