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
        "ontology": "Ontologie", "check": "Toets vooraf",
        "check_title": "Toets vooraf: een geplande inzet", "check_intro": "Beantwoord wat u weet over de geplande "
        "inzet. Wat u open laat, is onbekend; de toets leest het als 'nee' of 'geen' en noemt het bij de uitkomst. "
        "Er wordt niets opgeslagen.", "check_run": "Toetsen", "check_identity": "De inzet",
        "check_facts": "Feiten over de inzet", "check_safeguards": "Waarborgen die er al zijn",
        "check_unknown": "onbekend", "yes": "ja", "no": "nee", "check_date": "peildatum (leeg: vandaag)",
        "check_result": "Uitkomst van de toets", "check_applicable": "Eisen die gelden",
        "check_required": "Vereiste waarborgen", "check_missing": "Wat ontbreekt",
        "check_nothing_missing": "Er ontbreekt niets.", "check_unknown_facts": "Nog onbekende beslissende feiten",
        "check_unknown_note": "gelezen als 'nee' of 'geen'; vul ze in als ze gelden",
        "check_values": "Publieke waarden in het geding", "check_rights": "Grondrechten in het geding",
        "check_similar": "Vergelijkbare inzet in andere gemeenten", "check_timeline": "Data die komen",
        "check_measures": "Maatregelen uit het Algoritmekader", "check_no_measure": "het Algoritmekader heeft hier "
        "geen maatregel voor", "check_article": "Artikel", "check_since": "Geldt sinds",
        "check_basis": "Grondslag", "check_basis_form": "uw antwoorden in deze vragenlijst",
        "check_download": "Antwoorden als YAML (intake-bestand)", "check_json": "Uitkomst als JSON",
        "check_import": "Opslaan in de graaf gebeurt alleen als u het YAML-bestand importeert "
        "(dge-graph import intake BESTAND).", "check_errors": "Niet alle antwoorden zijn bruikbaar; zie de "
        "meldingen bij de velden.", "check_sources": "Bron", "check_status": "stand", "check_date_of": "datum",
        "check_document": "document (webadres)", "check_newly": "nieuw", "check_reading": "lezing",
        "check_none": "geen", "check_edit": "Antwoorden aanpassen",
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
        "ontology": "Ontology", "check": "Pre-deployment check",
        "check_title": "Pre-deployment check of a planned deployment", "check_intro": "Answer what you know "
        "about the planned deployment. What you leave open is unknown; the check reads it as 'no' or 'none' and "
        "names it in the result. Nothing is stored.", "check_run": "Check", "check_identity": "The deployment",
        "check_facts": "Facts about the deployment", "check_safeguards": "Safeguards already in place",
        "check_unknown": "unknown", "yes": "yes", "no": "no", "check_date": "evaluation date (empty: today)",
        "check_result": "Result of the check", "check_applicable": "Requirements that apply",
        "check_required": "Safeguards required", "check_missing": "What is missing",
        "check_nothing_missing": "Nothing is missing.", "check_unknown_facts": "Decisive facts still unknown",
        "check_unknown_note": "read as 'no' or 'none'; state them if they hold",
        "check_values": "Public values at stake", "check_rights": "Fundamental rights at stake",
        "check_similar": "Similar deployments in other municipalities", "check_timeline": "Dates ahead",
        "check_measures": "Algoritmekader measures", "check_no_measure": "the Algoritmekader has no measure for "
        "this", "check_article": "Article", "check_since": "Applies since",
        "check_basis": "Evidence basis", "check_basis_form": "your answers in this questionnaire",
        "check_download": "Answers as YAML (intake file)", "check_json": "Result as JSON",
        "check_import": "Nothing reaches the graph unless you import the YAML file "
        "(dge-graph import intake FILE).", "check_errors": "Not every answer can be used; see the messages at "
        "the fields.", "check_sources": "Source", "check_status": "status", "check_date_of": "date",
        "check_document": "document (web address)", "check_newly": "new", "check_reading": "reading",
        "check_none": "none", "check_edit": "Change the answers",
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
