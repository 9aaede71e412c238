"""Municipality profiles: ``/municipalities`` (every municipality with deployments and its measures) and
``/municipalities/{code}`` (deployments, safeguard coverage, findings by severity and rule, values at stake,
suppliers, province median; charts) as HTML, JSON or CSV. The numbers come from ``analytics.build_profile``."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from dge_graph.api.analytics_common import choose_format
from dge_graph.api.deps import get_store
from dge_graph.api.guard import guarded
from dge_graph.api.pages import render, request_language
from dge_graph.api.validation_signal import banner_context, validation_headers
from dge_graph.query.analytics import (
    MEASURES,
    AnalyticsError,
    MunicipalityProfile,
    build_profile,
    municipality_measures,
)
from dge_graph.query.validation_status import validation_status
from dge_graph.render import charts, severity
from dge_graph.render.analytics import (
    SECTION_ORDER,
    SEVERITY_LABELS,
    TEXT,
    format_number,
    measure_label,
    profile_csv,
    profile_dict,
    section_label,
)
from dge_graph.store import Store

router = APIRouter(tags=["analysts"])

COUNT_CHART_MEASURES = ("deployments", "deploymentsInUse", "violations", "warnings", "deploymentsWithViolation")
RATIO_CHART_MEASURES = ("coverage", "conformingShare")


@router.get("/municipalities", name="municipalities",
            summary="Municipalities with deployments and their measures (HTML, JSON, CSV)",
            responses={200: {"content": {"text/html": {}, "application/json": {}, "text/csv": {}}}})
async def municipalities_index(request: Request, store: Store = Depends(get_store)) -> Response:
    fmt = choose_format(request)
    lang = request_language(request)
    rows = await guarded(request, municipality_measures)
    status = await guarded(request, validation_status)
    signal = validation_headers(status)
    if fmt == "json":
        # a list, as before (clients iterate it): the report it rests on is in the X-Validation-Status header
        return JSONResponse([{"code": m.code, "name": m.name, "province": m.province_code, "measures": m.values()}
                             for m in rows], headers=signal)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["code", "name", "province", *MEASURES])
        for m in rows:
            writer.writerow([m.code, m.name, m.province_code, *("" if v is None else v for v in m.values().values())])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={**_csv_headers("municipalities"), **signal})
    return render(request, "municipalities.html", headers=signal, rows=rows, measures=MEASURES,
                  measure_label=measure_label, format_number=format_number, lang=lang,
                  **banner_context(status, lang))


@router.get("/municipalities/{code}", name="municipality_profile",
            summary="A municipality's profile with its province median (HTML with charts, JSON, CSV)",
            responses={200: {"content": {"text/html": {}, "application/json": {}, "text/csv": {}}}, 404: {}})
async def municipality_profile(code: str, request: Request, store: Store = Depends(get_store)) -> Response:
    fmt = choose_format(request)
    lang = request_language(request)
    try:
        profile = await guarded(request, build_profile, code)
    except AnalyticsError as exc:
        raise HTTPException(404, str(exc)) from exc
    signal = validation_headers(profile.validation)
    if fmt == "json":
        return JSONResponse(profile_dict(profile, lang),
                            headers={"Content-Language": lang, "Vary": "Accept", **signal})
    if fmt == "csv":
        return Response(profile_csv(profile, lang), media_type="text/csv; charset=utf-8",
                        headers={**_csv_headers(profile.code), **signal})
    return render(request, "municipality.html", headers=signal, **banner_context(profile.validation, lang),
                  data=profile_dict(profile, lang), charts=profile_charts(profile, lang),
                  text=TEXT[lang], measure_label=measure_label, section_label=section_label,
                  sections=SECTION_ORDER, format_number=format_number, severity_labels=SEVERITY_LABELS[lang],
                  lang=lang)


def _csv_headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'inline; filename="{name}.csv"', "Vary": "Accept"}


def profile_charts(profile: MunicipalityProfile, lang: str) -> dict[str, Markup]:
    t = TEXT[lang]
    m = profile.measures
    median_name = f"{t['median']} {profile.province_label(lang)}"
    result = {
        "counts": charts.grouped_bar_chart(
            f"{m.name}: {t['deployments'].lower()} {'en bevindingen' if lang == 'nl' else 'and findings'}",
            [measure_label(k, lang) for k in COUNT_CHART_MEASURES],
            [(m.name, [m.value(k) for k in COUNT_CHART_MEASURES]),
             (median_name, [profile.province_medians[k] for k in COUNT_CHART_MEASURES])]),
        "ratios": charts.grouped_bar_chart(
            f"{m.name}: {measure_label('coverage', lang).lower()}",
            [measure_label(k, lang) for k in RATIO_CHART_MEASURES],
            [(m.name, [m.value(k) for k in RATIO_CHART_MEASURES]),
             (median_name, [profile.province_medians[k] for k in RATIO_CHART_MEASURES])], percent=True),
    }
    kinds = profile.sections["technologyKinds"]
    if kinds:
        result["technologyKinds"] = charts.bar_chart(
            section_label("technologyKinds", lang), [(k.label(lang), k.count) for k in kinds], t["deployments"])
    values = profile.sections["values"]
    if values:
        result["values"] = charts.bar_chart(
            section_label("values", lang), [(v.label(lang), v.count) for v in values], t["deployments"])
    if profile.findings_by_rule:
        rules = [f.key for f in profile.findings_by_rule]
        severities = SEVERITY_LABELS[lang]
        codes = ("Violation", "Warning")
        result["findings"] = charts.stacked_bar_chart(
            t["findings"], rules,
            [(severities[code], [f.count if f.severity == code else 0 for f in profile.findings_by_rule])
             for code in codes], colours=severity.chart_colours(codes))
    return {key: Markup(svg) for key, svg in result.items()}
