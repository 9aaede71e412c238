"""HTML rendering shared by the page routers: one Jinja2 environment per app (package templates), UI strings nl/en."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from dge_graph.kernel import conneg
from dge_graph.render import severity

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

UI_TEXT = MappingProxyType({
    "nl": MappingProxyType({
        "home": "Start", "editor": "SPARQL-editor", "queries": "Vragen", "municipalities": "Gemeenten",
        "api": "API-documentatie", "dataset": "Dataset (VoID)",
        "types": "Typen", "outgoing": "Eigenschappen", "incoming": "Verwijzingen naar deze bron",
        "findings": "Validatiebevindingen", "no_findings": "Geen bevindingen in het laatste validatierapport.",
        "no_report": "Er is nog geen validatierapport.", "severity": "Ernst", "requirement": "Eis",
        "message": "Melding", "property": "Eigenschap", "value": "Waarde", "subject": "Bron",
        "other_formats": "Andere formaten", "examples": "Voorbeeldvragen", "run": "Openen in de editor",
        "not_found": "Niet gevonden", "terms": "Termen", "graph_content": "Bronnen in deze graaf",
        "more": "meer niet getoond", "language": "Taal", "named_graphs": "Benoemde grafen",
        "triples": "triples", "intro": "Een kennisgraaf van digitale grondrechten en ethiek van Nederlandse "
        "gemeenten: publieke waarden, grondrechten, wetten tot op het artikel, eisen en toepassingen van "
        "algoritmen, AI, camera's en sensoren.",
        "title": "Digitale grondrechten en ethiek – kennisgraaf",
    }),
    "en": MappingProxyType({
        "home": "Home", "editor": "SPARQL editor", "queries": "Queries", "municipalities": "Municipalities",
        "api": "API documentation", "dataset": "Dataset (VoID)",
        "types": "Types", "outgoing": "Properties", "incoming": "Links to this resource",
        "findings": "Validation findings", "no_findings": "No findings in the latest validation report.",
        "no_report": "There is no validation report yet.", "severity": "Severity", "requirement": "Requirement",
        "message": "Message", "property": "Property", "value": "Value", "subject": "Resource",
        "other_formats": "Other formats", "examples": "Example queries", "run": "Open in the editor",
        "not_found": "Not found", "terms": "Terms", "graph_content": "Resources in this graph",
        "more": "more not shown", "language": "Language", "named_graphs": "Named graphs",
        "triples": "triples", "intro": "A knowledge graph of the digital fundamental rights and ethics of Dutch "
        "municipalities: public values, fundamental rights, laws to the article, requirements, and deployments "
        "of algorithms, AI, cameras and sensors.",
        "title": "Digital fundamental rights and ethics – knowledge graph",
    }),
})


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # the severity policy (render/severity.py): CSS custom properties in every page, badges and the legend
    env.globals.update(severity_css=severity.severity_css(), severity_badge=severity.severity_badge,
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
