"""Plain renderings of profiles and comparisons: JSON-ready dicts, CSV (one flat table) and Markdown.

The HTML pages (``api/municipalities.py``, ``api/compare.py``) use the same dicts, so every form shows the same
numbers. Ratios are rounded to 4 decimals in ``analytics.Measures``; nothing here recomputes a number.
"""

from __future__ import annotations

import csv
import io
from types import MappingProxyType

from dge_graph.kernel.ui_text import LANGUAGES, texts
from dge_graph.query.analytics import MEASURES, SECTIONS, Comparison, Labelled, MunicipalityProfile
from dge_graph.render import severity
from dge_graph.render.tables import markdown_table

SECTION_ORDER = tuple(SECTIONS)

TEXT = MappingProxyType({lang: texts("analytics", lang) for lang in LANGUAGES})
"""The texts of the profiles and comparisons per language, from the UI-text catalogue (``kernel.ui_text``)."""

SEVERITY_LABELS = {lang: severity.labels(lang) for lang in ("nl", "en")}  # the policy of render/severity.py


def measure_label(measure: str, lang: str) -> str:
    nl, en, _kind = MEASURES[measure]
    return nl if lang == "nl" else en


def section_label(section: str, lang: str) -> str:
    _prop, nl, en = SECTIONS[section]
    return nl if lang == "nl" else en


def _items(items: tuple[Labelled, ...], lang: str) -> list[dict]:
    return [{"iri": i.iri, "label": i.label(lang), "deployments": i.count} for i in items]


def profile_dict(profile: MunicipalityProfile, lang: str = "en") -> dict:
    m = profile.measures
    return {
        "municipality": {"code": m.code, "name": m.name, "iri": m.iri,
                         "province": {"iri": m.province, "code": m.province_code,
                                      "label": profile.province_label(lang)}},
        "evaluationDate": profile.evaluation_date,
        "validation": profile.validation.as_dict(),
        "measures": m.values(),
        "provinceMedians": dict(profile.province_medians),
        "peers": [{"code": p.code, "name": p.name, "measures": p.values()} for p in profile.peers],
        **{section: _items(profile.sections[section], lang) for section in SECTION_ORDER},
        "findingsByRule": [{"rule": f.key, "iri": f.iri, "severity": f.severity, "deployments": f.count}
                           for f in profile.findings_by_rule],
        "deployments": [{"iri": d.iri, "title": d.title,
                         "technologyKind": d.technology_kind.label(lang) if d.technology_kind else None,
                         "status": d.status.label(lang) if d.status else None,
                         "violations": d.violations, "warnings": d.warnings} for d in profile.deployments],
    }


def comparison_dict(comparison: Comparison, lang: str = "en") -> dict:
    return {
        "validation": comparison.validation.as_dict(),
        "municipalities": [
            {"code": p.code, "name": p.measures.name, "province": p.measures.province_code,
             "provinceLabel": p.province_label(lang), "measures": p.measures.values(),
             "provinceMedians": dict(p.province_medians), "peers": [peer.code for peer in p.peers],
             "technologyKinds": {kind_key(k): comparison.kind_count(p, k.iri) for k in comparison.technology_kinds}}
            for p in comparison.profiles
        ],
        "technologyKinds": [{"key": kind_key(k), "iri": k.iri, "label": k.label(lang)}
                            for k in comparison.technology_kinds],
        "measures": [{"key": k, "label": measure_label(k, lang)} for k in MEASURES],
    }


def kind_key(kind: Labelled) -> str:
    """The code of a technology kind concept (``…/technology-kind/camera`` -> ``camera``)."""
    return kind.iri.rstrip("/").rsplit("/", 1)[-1]


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def profile_csv(profile: MunicipalityProfile, lang: str = "en") -> str:
    """One table: section, key, label, value (measures, province medians, counts, findings, deployments)."""
    data = profile_dict(profile, lang)
    rows: list[list] = [["section", "key", "label", "value"]]
    rows += _validation_rows(data["validation"])
    for key, value in data["measures"].items():
        rows.append(["measure", key, measure_label(key, lang), value])
    for key, value in data["provinceMedians"].items():
        rows.append(["provinceMedian", key, measure_label(key, lang), value])
    for section in SECTION_ORDER:
        for item in data[section]:
            rows.append([section, item["iri"], item["label"], item["deployments"]])
    for finding in data["findingsByRule"]:
        rows.append(["findingsByRule", finding["rule"], finding["severity"], finding["deployments"]])
    for deployment in data["deployments"]:
        rows.append(["deploymentViolations", deployment["iri"], deployment["title"], deployment["violations"]])
        rows.append(["deploymentWarnings", deployment["iri"], deployment["title"], deployment["warnings"]])
    return _csv(rows)


def _validation_rows(validation: dict) -> list[list]:
    """The report a CSV's numbers come from: status, run IRI, generation time, evaluation date."""
    return [["validation", key, key, validation[key]] for key in ("status", "run", "generatedAt", "evaluationDate")]


def validation_line(validation: dict, lang: str) -> str:
    """One sentence naming the stored result the numbers come from (and saying when it is missing or stale)."""
    from dge_graph.query.validation_status import MESSAGES

    status = validation["status"]
    text = MESSAGES[lang][status]
    if status == "missing":
        return text
    run = validation["run"]
    when = validation["generatedAt"]
    day = validation["evaluationDate"]
    detail = TEXT[lang]["validation_detail"].format(run=run, when=when, day=day)
    return f"{text}: {detail}." if status == "current" else f"{text} ({detail})"


def comparison_csv(comparison: Comparison, lang: str = "en") -> str:
    """Measures as rows; per municipality a column with its value and one with its province median."""
    data = comparison_dict(comparison, lang)
    header = ["measure", "label"]
    for m in data["municipalities"]:
        header += [m["code"], f"{m['code']} {TEXT['en']['median']} {m['province']}"]
    rows = [header]
    for key in ("status", "run", "generatedAt", "evaluationDate"):
        rows.append([f"validation:{key}", key] + [data["validation"][key], None] * len(data["municipalities"]))
    for measure in MEASURES:
        row = [measure, measure_label(measure, lang)]
        for m in data["municipalities"]:
            row += [m["measures"][measure], m["provinceMedians"][measure]]
        rows.append(row)
    for kind in data["technologyKinds"]:
        row = [f"technologyKind:{kind['key']}", kind["label"]]
        for m in data["municipalities"]:
            row += [m["technologyKinds"][kind["key"]], None]
        rows.append(row)
    return _csv(rows)


def format_number(value: int | float | None, measure: str | None = None, lang: str = "en") -> str:
    """Display form: counts as integers, ratios as percentages with one decimal; '–' for undefined."""
    if value is None:
        return "–"
    if measure is not None and MEASURES.get(measure, ("", "", "count"))[2] == "ratio":
        text = f"{value * 100:.1f} %"
        return text.replace(".", ",") if lang == "nl" else text
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "nl" else text
    return str(int(value))


def profile_markdown(profile: MunicipalityProfile, lang: str = "en") -> str:
    t = TEXT[lang]
    data = profile_dict(profile, lang)
    m = data["municipality"]
    lines = [f"# {t['profile']}: {m['name']} ({m['code']})", "",
             f"{t['province']}: {m['province']['label']} ({m['province']['code']}); "
             f"{t['peers']}: {', '.join(p['code'] for p in data['peers']) or t['none']}."]
    if data["evaluationDate"]:
        lines.append(f"{t['evaluation']}: {data['evaluationDate']}.")
    lines.append(validation_line(data["validation"], lang))
    lines += ["", *markdown_table([t["measure"], m["code"], t["median"]],
                             [[measure_label(k, lang), format_number(v, k, lang),
                               format_number(data["provinceMedians"][k], k, lang)]
                              for k, v in data["measures"].items()])]
    for section in SECTION_ORDER:
        lines += ["", f"## {section_label(section, lang)}", ""]
        items = data[section]
        lines += markdown_table([section_label(section, lang), t["deployments"]],
                           [[i["label"], str(i["deployments"])] for i in items]) if items else [t["none"]]
    lines += ["", f"## {t['findings']}", ""]
    lines += markdown_table([t["rule"], t["severity"], t["deployments"]],
                       [[f["rule"], SEVERITY_LABELS[lang].get(f["severity"], f["severity"]), str(f["deployments"])]
                        for f in data["findingsByRule"]]) if data["findingsByRule"] else [t["none"]]
    lines += ["", f"## {t['deployments']}", ""]
    lines += markdown_table([t["title"], t["kind"], t["status"], t["violations"], t["warnings"]],
                       [[d["title"], d["technologyKind"] or "", d["status"] or "", str(d["violations"]),
                         str(d["warnings"])] for d in data["deployments"]]) if data["deployments"] else [t["none"]]
    lines += ["", f"_{t['size_gap']}_"]
    return "\n".join(lines) + "\n"


def comparison_markdown(comparison: Comparison, lang: str = "en") -> str:
    t = TEXT[lang]
    data = comparison_dict(comparison, lang)
    header = [t["measure"]]
    for m in data["municipalities"]:
        header += [f"{m['name']} ({m['code']})", f"{t['median']} {m['province']}"]
    rows = []
    for measure in MEASURES:
        row = [measure_label(measure, lang)]
        for m in data["municipalities"]:
            row += [format_number(m["measures"][measure], measure, lang),
                    format_number(m["provinceMedians"][measure], measure, lang)]
        rows.append(row)
    for kind in data["technologyKinds"]:
        row = [f"{t['kind']}: {kind['label']}"]
        for m in data["municipalities"]:
            row += [str(m["technologyKinds"][kind["key"]]), ""]
        rows.append(row)
    lines = [f"# {t['comparison']}", "", validation_line(data["validation"], lang), "", *markdown_table(header, rows), ""]
    for m in data["municipalities"]:
        lines.append(f"- {m['code']}: {t['peers']}: {', '.join(m['peers']) or t['none']}")
    lines += ["", f"_{t['size_gap']}_"]
    return "\n".join(lines) + "\n"
