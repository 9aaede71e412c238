"""Comparison of municipalities: ``/compare?m=GM0363&m=GM0344…`` side by side on the profile measures, each with
its province median and peers (same province; no size class: no population data is staged), as HTML with charts,
JSON or CSV. The numbers come from ``analytics.build_comparison``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from dge_graph.api.analytics_common import choose_format
from dge_graph.api.deps import get_store
from dge_graph.api.guard import guarded
from dge_graph.api.pages import UI_TEXT, render, request_language
from dge_graph.api.validation_signal import banner_context, validation_headers
from dge_graph.query.analytics import MEASURES, AnalyticsError, Comparison, build_comparison
from dge_graph.render import charts
from dge_graph.render.analytics import TEXT, comparison_csv, comparison_dict, format_number, measure_label
from dge_graph.store import Store

router = APIRouter(tags=["analysts"])

MAX_MUNICIPALITIES = 12
COUNT_CHART_MEASURES = ("deployments", "violations", "warnings", "deploymentsWithViolation")
RATIO_CHART_MEASURES = ("coverage", "conformingShare")


@router.get("/compare", name="compare",
            summary="Compare municipalities side by side with their province medians (HTML with charts, JSON, CSV)",
            responses={200: {"content": {"text/html": {}, "application/json": {}, "text/csv": {}}}, 400: {}, 404: {}})
async def compare(request: Request, m: list[str] = Query(default=[], description="CBS codes, e.g. GM0363"),
                  store: Store = Depends(get_store)) -> Response:
    fmt = choose_format(request)
    lang = request_language(request)
    if not m:
        raise HTTPException(400, "give one or more municipalities to compare: /compare?m=GM0363&m=GM0344")
    if len(m) > MAX_MUNICIPALITIES:
        raise HTTPException(400, f"compare at most {MAX_MUNICIPALITIES} municipalities at once (got {len(m)})")
    try:
        comparison = await guarded(request, build_comparison, m)
    except AnalyticsError as exc:
        status = 404 if "no municipality" in str(exc) else 400
        raise HTTPException(status, str(exc)) from exc
    signal = validation_headers(comparison.validation)
    if fmt == "json":
        return JSONResponse(comparison_dict(comparison, lang),
                            headers={"Content-Language": lang, "Vary": "Accept", **signal})
    if fmt == "csv":
        return Response(comparison_csv(comparison, lang), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="compare.csv"', "Vary": "Accept", **signal})
    return render(request, "compare.html", headers=signal, **banner_context(comparison.validation, lang),
                  data=comparison_dict(comparison, lang),
                  charts=comparison_charts(comparison, lang), text=TEXT[lang], measures=MEASURES,
                  measure_label=measure_label, format_number=format_number, lang=lang)


def comparison_charts(comparison: Comparison, lang: str) -> dict[str, Markup]:
    t = TEXT[lang]
    profiles = comparison.profiles
    medians: dict[str, object] = {}
    for p in profiles:
        medians.setdefault(p.measures.province_code, p)
    def series(measures):
        out = [(f"{p.measures.name} ({p.code})", [p.measures.value(k) for k in measures]) for p in profiles]
        out += [(f"{t['median']} {p.province_label(lang)}", [p.province_medians[k] for k in measures])
                for p in medians.values()]
        return out
    result = {
        "counts": charts.grouped_bar_chart(t["comparison"], [measure_label(k, lang) for k in COUNT_CHART_MEASURES],
                                           series(COUNT_CHART_MEASURES)),
        "ratios": charts.grouped_bar_chart(measure_label("coverage", lang), [measure_label(k, lang)
                                           for k in RATIO_CHART_MEASURES], series(RATIO_CHART_MEASURES),
                                           percent=True),
    }
    if comparison.technology_kinds:
        result["technologyKinds"] = charts.grouped_bar_chart(
            UI_TEXT[lang]["technology_kind"],
            [k.label(lang) for k in comparison.technology_kinds],
            [(f"{p.measures.name} ({p.code})", [comparison.kind_count(p, k.iri) for k in comparison.technology_kinds])
             for p in profiles])
    return {key: Markup(svg) for key, svg in result.items()}
