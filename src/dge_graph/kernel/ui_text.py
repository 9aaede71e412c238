"""The UI-text catalogue: every text of the user interface (HTML pages, analytics renderings) in Dutch and English.

Each entry is a pair ``(nl, en)``, so a text cannot exist in one language only; ``texts(section, lang)`` gives one
section in one language as a read-only mapping (what the templates see as ``ui`` and ``text``). Domain texts are not
here: labels and definitions of terms live in ``ontology/`` and ``data/`` (read by the label policy,
``kernel.labels``), rule messages in ``data/requirements.ttl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dge_graph.kernel.labels import LANGUAGES

DEFAULT_LANGUAGE = "nl"


def _catalogue(entries: dict[str, tuple[str, str]]) -> Mapping[str, tuple[str, str]]:
    return MappingProxyType(entries)


PAGE = _catalogue({
    "home": ("Start", "Home"),
    "editor": ("SPARQL-editor", "SPARQL editor"),
    "queries": ("Vragen", "Queries"),
    "municipalities": ("Gemeenten", "Municipalities"),
    "api": ("API-documentatie", "API documentation"),
    "dataset": ("Dataset (VoID)", "Dataset (VoID)"),
    "types": ("Typen", "Types"),
    "outgoing": ("Eigenschappen", "Properties"),
    "incoming": ("Verwijzingen naar deze bron", "Links to this resource"),
    "findings": ("Validatiebevindingen", "Validation findings"),
    "no_findings": (
        "Geen bevindingen in het laatste validatierapport.",
        "No findings in the latest validation report.",
    ),
    "no_report": ("Er is nog geen validatierapport.", "There is no validation report yet."),
    "severity": ("Ernst", "Severity"),
    "requirement": ("Eis", "Requirement"),
    "message": ("Melding", "Message"),
    "property": ("Eigenschap", "Property"),
    "value": ("Waarde", "Value"),
    "subject": ("Bron", "Resource"),
    "other_formats": ("Andere formaten", "Other formats"),
    "examples": ("Voorbeeldvragen", "Example queries"),
    "run": ("Openen in de editor", "Open in the editor"),
    "not_found": ("Niet gevonden", "Not found"),
    "terms": ("Termen", "Terms"),
    "graph_content": ("Bronnen in deze graaf", "Resources in this graph"),
    "more": ("meer niet getoond", "more not shown"),
    "language": ("Taal", "Language"),
    "named_graphs": ("Benoemde grafen", "Named graphs"),
    "triples": ("triples", "triples"),
    "intro": (
        "Een kennisgraaf van digitale grondrechten en ethiek van Nederlandse gemeenten: publieke waarden, "
        "grondrechten, wetten tot op het artikel, eisen en toepassingen van algoritmen, AI, camera's en sensoren.",
        "A knowledge graph of the digital fundamental rights and ethics of Dutch municipalities: public values, "
        "fundamental rights, laws to the article, requirements, and deployments of algorithms, AI, cameras and "
        "sensors.",
    ),
    "title": (
        "Digitale grondrechten en ethiek – kennisgraaf",
        "Digital fundamental rights and ethics – knowledge graph",
    ),
    "municipalities_with_deployments": ("Gemeenten met toepassingen", "Municipalities with deployments"),
    "named_queries": ("Benoemde vragen", "Named queries"),
    "compare": ("Vergelijk", "Compare"),
    "compare_link": ("vergelijk", "compare"),
    "municipality": ("Gemeente", "Municipality"),
    "province": ("Provincie", "Province"),
    "no_deployments": ("Geen toepassingen in de graaf.", "No deployments in the graph."),
    "measure_definitions": (
        "Definities van de maten: zie docs/analysts.md.",
        "Definitions of the measures: see docs/analysts.md.",
    ),
    "named_queries_intro": (
        "Vaste SPARQL-vragen met getypeerde parameters. Elke vraag geeft JSON (<code>?format=json</code>), CSV "
        "(<code>?format=csv</code>) of een HTML-tabel.",
        "Fixed SPARQL questions with typed parameters. Each returns JSON (<code>?format=json</code>), CSV "
        "(<code>?format=csv</code>) or an HTML table.",
    ),
    "name": ("Naam", "Name"),
    "question": ("Vraag", "Question"),
    "optional": ("optioneel", "optional"),
    "execute": ("Uitvoeren", "Run"),
    "examples_short": ("Voorbeelden", "Examples"),
    "no_parameters": ("zonder parameters", "no parameters"),
    "error": ("Fout", "Error"),
    "rows": ("rijen", "rows"),
    "technology_kind": ("Soort technologie", "Technology kind"),
    "ontology": ("Ontologie", "Ontology"),
    "check": ("Toets vooraf", "Pre-deployment check"),
    "check_title": ("Toets vooraf: een geplande inzet", "Pre-deployment check of a planned deployment"),
    "check_intro": ("Beantwoord wat u weet over de geplande inzet. Wat u open laat, is onbekend; de toets leest het als 'nee' of 'geen' en noemt het bij de uitkomst. Er wordt niets opgeslagen.", "Answer what you know about the planned deployment. What you leave open is unknown; the check reads it as 'no' or 'none' and names it in the result. Nothing is stored."),
    "check_run": ("Toetsen", "Check"),
    "check_identity": ("De inzet", "The deployment"),
    "check_facts": ("Feiten over de inzet", "Facts about the deployment"),
    "check_safeguards": ("Waarborgen die er al zijn", "Safeguards already in place"),
    "check_unknown": ("onbekend", "unknown"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "check_date": ("peildatum (leeg: vandaag)", "evaluation date (empty: today)"),
    "check_result": ("Uitkomst van de toets", "Result of the check"),
    "check_applicable": ("Eisen die gelden", "Requirements that apply"),
    "check_required": ("Vereiste waarborgen", "Safeguards required"),
    "check_missing": ("Wat ontbreekt", "What is missing"),
    "check_nothing_missing": ("Er ontbreekt niets.", "Nothing is missing."),
    "check_unknown_facts": ("Nog onbekende beslissende feiten", "Decisive facts still unknown"),
    "check_unknown_note": ("gelezen als 'nee' of 'geen'; vul ze in als ze gelden", "read as 'no' or 'none'; state them if they hold"),
    "check_values": ("Publieke waarden in het geding", "Public values at stake"),
    "check_rights": ("Grondrechten in het geding", "Fundamental rights at stake"),
    "check_similar": ("Vergelijkbare inzet in andere gemeenten", "Similar deployments in other municipalities"),
    "check_timeline": ("Data die komen", "Dates ahead"),
    "check_measures": ("Maatregelen uit het Algoritmekader", "Algoritmekader measures"),
    "check_no_measure": ("het Algoritmekader heeft hier geen maatregel voor", "the Algoritmekader has no measure for this"),
    "check_article": ("Artikel", "Article"),
    "check_since": ("Geldt sinds", "Applies since"),
    "check_basis": ("Grondslag", "Evidence basis"),
    "check_basis_form": ("uw antwoorden in deze vragenlijst", "your answers in this questionnaire"),
    "check_download": ("Antwoorden als YAML (intake-bestand)", "Answers as YAML (intake file)"),
    "check_json": ("Uitkomst als JSON", "Result as JSON"),
    "check_import": ("Opslaan in de graaf gebeurt alleen als u het YAML-bestand importeert (dge-graph import intake BESTAND).", "Nothing reaches the graph unless you import the YAML file (dge-graph import intake FILE)."),
    "check_errors": ("Niet alle antwoorden zijn bruikbaar; zie de meldingen bij de velden.", "Not every answer can be used; see the messages at the fields."),
    "check_sources": ("Bron", "Source"),
    "check_status": ("stand", "status"),
    "check_date_of": ("datum", "date"),
    "check_document": ("document (webadres)", "document (web address)"),
    "check_newly": ("nieuw", "new"),
    "check_reading": ("lezing", "reading"),
    "check_none": ("geen", "none"),
    "check_edit": ("Antwoorden aanpassen", "Change the answers"),
})
"""The pages of the server (navigation, linked-data pages, query pages)."""

ANALYTICS = _catalogue({
    "profile": ("Gemeenteprofiel", "Municipality profile"),
    "province": ("Provincie", "Province"),
    "median": ("mediaan provincie", "province median"),
    "peers": (
        "vergelijkbare gemeenten (zelfde provincie, met toepassingen)",
        "peers (same province, with deployments)",
    ),
    "measure": ("Maat", "Measure"),
    "findings": ("Bevindingen per eis", "Findings by requirement"),
    "rule": ("Eis", "Requirement"),
    "severity": ("Ernst", "Severity"),
    "deployments": ("Toepassingen", "Deployments"),
    "title": ("Titel", "Title"),
    "kind": ("Soort", "Kind"),
    "status": ("Status", "Status"),
    "violations": ("Overtredingen", "Violations"),
    "warnings": ("Waarschuwingen", "Warnings"),
    "count": ("Aantal", "Count"),
    "comparison": ("Vergelijking van gemeenten", "Comparison of municipalities"),
    "evaluation": ("Peildatum validatierapport", "Validation report evaluation date"),
    "none": ("geen", "none"),
    "size_gap": (
        "Er zijn geen inwonertallen beschikbaar; vergelijkbare gemeenten zijn die in dezelfde provincie.",
        "No population data is available; peers are the municipalities of the same province.",
    ),
})
"""The analysts' profiles and comparisons (HTML, Markdown, CSV headers)."""

SEVERITY = _catalogue({
    "Violation": ("Overtreding", "Violation"),
    "Warning": ("Waarschuwing", "Warning"),
    "Info": ("Informatie", "Info"),
})
"""SHACL severities by local name (``sh:Violation``, ...)."""

MEASURE = _catalogue({
    "deployments": ("Toepassingen", "Deployments"),
    "deploymentsInUse": ("Toepassingen in gebruik", "Deployments in use"),
    "violations": ("Openstaande overtredingen", "Open violations"),
    "warnings": ("Waarschuwingen", "Warnings"),
    "deploymentsWithViolation": ("Toepassingen met een overtreding", "Deployments with a violation"),
    "safeguardClaims": ("Vastgelegde waarborgen", "Recorded safeguards"),
    "safeguardsHeld": ("Aanwezige waarborgen", "Safeguards held"),
    "coverage": ("Waarborgdekking", "Safeguard coverage"),
    "conformingShare": ("Aandeel zonder overtreding", "Share without violation"),
    "findingsRecordedAbsent": ("Bevindingen: ontbreekt", "Findings: recorded absent"),
    "findingsNotEvidenced": ("Bevindingen: niet aangetoond", "Findings: not evidenced"),
    "deploymentsFactsKnown": ("Toepassingen met bekende beslissende feiten", "Deployments with decisive facts known"),
    "dataCompleteness": ("Volledigheid van de gegevens", "Data completeness"),
})
"""The names of the analysts' measures (``query.analytics.MEASURES``; defined in docs/analysts.md)."""

PROFILE_SECTION = _catalogue({
    "technologyKinds": ("Soort technologie", "Technology kind"),
    "values": ("Publieke waarden op het spel", "Public values at stake"),
    "rights": ("Geraakte grondrechten", "Fundamental rights engaged"),
    "suppliers": ("Leveranciers", "Suppliers"),
})
"""The headings of a municipality profile's sections (``query.analytics.SECTIONS``)."""

SECTIONS = MappingProxyType({"page": PAGE, "analytics": ANALYTICS, "severity": SEVERITY, "measure": MEASURE,
                             "profile-section": PROFILE_SECTION})


def texts(section: str, lang: str) -> Mapping[str, str]:
    """The texts of ``section`` in ``lang`` (``nl`` or ``en``); ``KeyError`` for another section or language."""
    if lang not in LANGUAGES:
        raise KeyError(f"no UI texts in {lang!r}; the languages are {', '.join(LANGUAGES)}")
    index = LANGUAGES.index(lang)
    return MappingProxyType({key: pair[index] for key, pair in SECTIONS[section].items()})
