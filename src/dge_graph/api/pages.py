"""HTML rendering shared by the page routers: one Jinja2 environment per app (package templates), the UI texts of
the catalogue (``kernel.ui_text``) as ``ui``."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dge_graph.kernel import conneg
from dge_graph.kernel.labels import label_in
from dge_graph.kernel.ui_text import DEFAULT_LANGUAGE, LANGUAGES, texts
from dge_graph.render import severity

UI_TEXT = MappingProxyType({lang: texts("page", lang) for lang in LANGUAGES})
"""The pages' texts per language, from the UI-text catalogue (``kernel.ui_text``)."""


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # the severity policy (render/severity.py): CSS custom properties in every page, badges and the legend
    env.globals.update(label_in=label_in, severity_css=severity.severity_css(), severity_badge=severity.severity_badge,
                       severity_legend=severity.severity_legend)
    return env


def request_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return conneg.preferred_language(request.headers.get("accept-language"), LANGUAGES, DEFAULT_LANGUAGE)


def render(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
           **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    lang = context.pop("lang", None) or request_language(request)
    html = env.get_template(template).render(
        request=request, lang=lang, ui=UI_TEXT[lang], languages=LANGUAGES, root=str(request.url_for("home")),
        **context,
    )
    response_headers = {"Content-Language": lang, "Vary": "Accept, Accept-Language"}
    response_headers.update(headers or {})
    return HTMLResponse(html, status_code=status_code, headers=response_headers)
