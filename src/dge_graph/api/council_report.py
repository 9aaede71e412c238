"""The council report: ``/municipalities/{code}/report``, a printable page in Dutch (English by
``Accept-Language`` or ``?lang=en``) for a council member or the local audit office; the content is
``query.council_report.build_council_report``, the words ``render.council_report.TEXT``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from dge_graph.api.deps import get_store
from dge_graph.api.guard import guarded
from dge_graph.api.pages import render, request_language
from dge_graph.query.analytics import AnalyticsError
from dge_graph.query.council_report import build_council_report
from dge_graph.render.analytics import format_number
from dge_graph.render.council_report import TEXT, licence_label, long_date
from dge_graph.store import Store

router = APIRouter(tags=["analysts"])


@router.get("/municipalities/{code}/report", name="council_report",
            summary="A municipality's printable council report (HTML, Dutch; English by Accept-Language)",
            responses={200: {"content": {"text/html": {}}}, 404: {}})
async def council_report(code: str, request: Request, store: Store = Depends(get_store),
                         timeline: str = Query("dates", pattern="^(dates|full)$",
                                               description="dates: the dates ahead; full: also re-validate on each "
                                               "date and name the deployments that newly fail (seconds)")) -> Response:
    lang = request_language(request)
    try:
        report = await guarded(request, build_council_report, code, with_timeline=timeline == "full")
    except AnalyticsError as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "council_report.html", report=report, text=TEXT[lang], long_date=long_date,
                  licence_label=licence_label, format_number=format_number, lang=lang)
