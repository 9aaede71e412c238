"""The UI-text catalogue: every text of the user interface (HTML pages, analytics renderings) in Dutch and English.

Each entry is a pair ``(nl, en)``, so a text cannot exist in one language only; ``texts(section, lang)`` gives one
section in one language as a read-only mapping (what the templates see as ``ui`` and ``text``). Domain texts are not
here: labels and definitions of terms live in ``ontology/`` and ``data/`` (read by the label policy,
``kernel.labels``), rule messages in ``data/requirements.ttl``.
"""

from __future__ import annotations

import datetime as dt
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
    "check_choices_meaning": ("Betekenis van de keuzes", "What the options mean"),
    "date": ("Datum", "Date"),
    "what_changes": ("Wat verandert", "What changes"),
    "further": ("Verder", "More"),
    "council_report_printable": ("Raadsrapportage (printbaar)", "Council report (printable)"),
    "profiles": ("Profielen", "Profiles"),
    "evidence_recorded_absent": ("Ontbreekt (vastgelegd als afwezig)", "Recorded absent"),
    "evidence_not_evidenced": ("Niet aangetoond (geen bron zegt er iets over)", "Not evidenced (no source mentions it)"),
    "evidence_unknown_facts": (
        "Onbekende beslissende feiten (gelezen als onwaar of geen)",
        "Unknown decisive facts (read as false or none)",
    ),
    "note": ("Let op", "Note"),
    "source_article": ("art.", "Art."),
    "source_recital": ("overweging", "recital"),
    "source_annex": ("bijlage", "Annex"),
    "validation_run": ("validatierun", "validation run"),
    "validation_evaluation": ("peildatum", "evaluation date"),
    "validation_engine": ("motor", "engine"),
    "validation_generated": ("uitgevoerd op", "run on"),
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
    "validation_detail": (
        "run <{run}>, gemaakt {when}, peildatum {day}",
        "run <{run}>, made {when}, evaluation date {day}",
    ),
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

COUNCIL_REPORT = _catalogue({
    "title": ("Raadsrapportage digitale grondrechten", "Council report on digital fundamental rights"),
    "running": ("Raadsrapportage", "Council report"),
    "evaluation": ("peildatum", "evaluation date"),
    "generated": ("validatie uitgevoerd op", "validated on"),
    "summary": ("In het kort", "Summary"),
    "summary_text": (
        "{name} heeft {deployments} toepassingen van algoritmen, AI, camera's of sensoren in deze kennisgraaf; "
        "{register} daarvan komen uit het landelijke Algoritmeregister. Bij {failing} toepassingen ontbreekt "
        "volgens de vastgelegde gegevens een verplichte waarborg: {violations} overtredingen en {warnings} "
        "waarschuwingen.",
        "{name} has {deployments} deployments of algorithms, AI, cameras or sensors in this knowledge graph; "
        "{register} of them come from the national algorithm register. For {failing} deployments the recorded data "
        "lack a required safeguard: {violations} violations and {warnings} warnings.",
    ),
    "how_to_read": ("Zo leest u dit rapport", "How to read this report"),
    "how_to_read_text": (
        "Een bevinding betekent: in de kennisgraaf is voor deze toepassing geen waarborg vastgelegd die de wet "
        "vanaf de genoemde datum vraagt. Dat is een toets op de vastgelegde gegevens (wat niet is vastgelegd, telt "
        "als ontbrekend), geen oordeel over de werkelijkheid: een waarborg kan bestaan zonder dat hij is "
        "vastgelegd. Toepassingen uit het Algoritmeregister zijn echte registraties; voorbeeldtoepassingen "
        "(illustratief of gedocumenteerd) dienen om de toets te laten zien.",
        "A finding means: the knowledge graph records no safeguard for this deployment that the law requires from "
        "the date given. It is a check of the recorded data (what is not recorded counts as missing), not a "
        "judgement of reality: a safeguard can exist without being recorded. Deployments from the algorithm "
        "register are real registrations; example deployments (illustrative or documented) serve to show the "
        "checks.",
    ),
    "deployments": ("Toepassingen", "Deployments"),
    "deployment": ("Toepassing", "Deployment"),
    "kind": ("Soort technologie", "Technology kind"),
    "status": ("Status", "Status"),
    "record": ("Herkomst", "Origin"),
    "violations": ("Overtredingen", "Violations"),
    "warnings": ("Waarschuwingen", "Warnings"),
    "register": ("Wat het Algoritmeregister laat zien", "What the algorithm register shows"),
    "register_text": (
        "{records} registraties van {name} in het Algoritmeregister, waarvan {in_use} in gebruik.",
        "{records} registrations of {name} in the algorithm register, {in_use} of them in use.",
    ),
    "register_none": (
        "{name} heeft geen registraties in de momentopname van het Algoritmeregister in deze kennisgraaf.",
        "{name} has no registrations in the snapshot of the algorithm register in this knowledge graph.",
    ),
    "register_safeguards": ("Waarborgen die de registraties noemen", "Safeguards the registrations name"),
    "safeguard": ("Waarborg", "Safeguard"),
    "records": ("Registraties", "Registrations"),
    "findings": ("Bevindingen per eis", "Findings by requirement"),
    "rule": ("Eis", "Requirement"),
    "article": ("Artikel", "Article"),
    "since": ("Geldt sinds", "Applies since"),
    "missing": ("Wat ontbreekt", "What is missing"),
    "affected": ("Toepassingen", "Deployments"),
    "measures": ("Maatregelen uit het Algoritmekader", "Measures from the Algoritmekader"),
    "no_measures": (
        "Het Algoritmekader heeft voor deze eis geen maatregel.",
        "The Algoritmekader has no measure for this requirement.",
    ),
    "evidence": ("Bewijsgrond", "Evidence basis"),
    "evidence_hook": (
        "Niet vastgelegd in dit validatieresultaat: of de waarborg als afwezig is vastgelegd of eenvoudig niet is "
        "aangetoond, staat (nog) niet in het resultaat.",
        "Not recorded in this validation result: whether the safeguard was recorded as absent or simply not "
        "evidenced is not (yet) part of the result.",
    ),
    "recorded-absent": ("vastgelegd als afwezig", "recorded absent"),
    "not-evidenced": ("niet aangetoond", "not evidenced"),
    "no_findings": ("Geen bevindingen in de laatste validatie.", "No findings in the latest validation."),
    "completeness": ("Volledigheid van de gegevens", "Data completeness"),
    "completeness_value": ("Volledigheid van de gegevens: {value}.", "Data completeness: {value}."),
    "completeness_hook": (
        "Een maat voor de volledigheid van de gegevens is (nog) niet opgeslagen bij de validatie. In plaats "
        "daarvan: van de {claims} vastgelegde waarborgen zijn er {held} aanwezig op de peildatum (dekking "
        "{coverage}); {register} van de {deployments} toepassingen komen uit het Algoritmeregister.",
        "A data completeness measure is not (yet) stored with the validation. Instead: of the {claims} recorded "
        "safeguards, {held} are held at the evaluation date (coverage {coverage}); {register} of the {deployments} "
        "deployments come from the algorithm register.",
    ),
    "timeline": ("Wat er de komende tijd verandert", "What changes ahead"),
    "timeline_text": (
        "Data waarop eisen gaan gelden (of ophouden) en welke toepassingen dan een nieuwe bevinding krijgen, bij "
        "de lezing van de datum voor hoog-risico-AI die het project aanhoudt ({default}) en bij de alternatieve "
        "lezing ({alternative}).",
        "Dates on which requirements start (or stop) to apply and which deployments then get a new finding, under "
        "the reading of the AI Act high-risk date the project uses ({default}) and under the alternative reading "
        "({alternative}).",
    ),
    "dates_text": (
        "De data waarop eisen gaan gelden (of ophouden), bij elke lezing van de datum voor hoog-risico-AI. Welke "
        "toepassingen dan een nieuwe bevinding krijgen, vraagt een validatie op elke datum (dge-graph timeline).",
        "The dates on which requirements start (or stop) to apply, under each reading of the AI Act high-risk "
        "date. Which deployments then get a new finding takes a validation on each date (dge-graph timeline).",
    ),
    "full_timeline": (
        "De volledige tijdlijn berekenen (enkele seconden).",
        "Compute the full timeline (a few seconds).",
    ),
    "reading_default": ("standaardlezing", "default reading"),
    "reading_alternative": ("alternatieve lezing", "alternative reading"),
    "date": ("Datum", "Date"),
    "why": ("Waarom", "Why"),
    "new_findings": ("Nieuwe bevindingen", "New findings"),
    "newly_failing": ("Toepassingen die nu voldoen en dan niet meer", "Deployments that pass now and fail then"),
    "no_events": ("Geen wijzigingen in de periode.", "No changes in the period."),
    "timeline_none": (
        "Er is geen validatierun opgeslagen; de tijdlijn is niet berekend.",
        "No validation run is stored; the timeline was not computed.",
    ),
    "changes": ("Veranderd sinds de vorige validatie", "Changes since the previous validation"),
    "changes_text": (
        "Vergeleken met de vorige validatie (peildatum {evaluation}, uitgevoerd op {generated}).",
        "Compared with the previous validation (evaluation date {evaluation}, run on {generated}).",
    ),
    "no_previous": (
        "Er is geen vorige validatie bewaard; veranderingen worden zichtbaar na de volgende run.",
        "No previous validation is kept; changes show after the next run.",
    ),
    "no_changes": ("Geen veranderingen in de bevindingen van {name}.", "No changes in the findings of {name}."),
    "change_new": ("nieuw", "new"),
    "change_resolved": ("opgelost", "resolved"),
    "change": ("Verandering", "Change"),
    "method": ("Werkwijze en bronnen", "Method and sources"),
    "method_text": (
        "De toepassingen zijn getoetst aan de eisen uit wetten en beleid die op de peildatum gelden ({rules} eisen "
        "in de kennisgraaf; SHACL-regels, één per eis). Validatierun {run}: peildatum {evaluation}, datum "
        "hoog-risico-AI {hr}, motor {engine}, {checked} toepassingen getoetst, uitgevoerd op {generated}.",
        "The deployments were checked against the requirements from law and policy in force on the evaluation date "
        "({rules} requirements in the knowledge graph; SHACL rules, one per requirement). Validation run {run}: "
        "evaluation date {evaluation}, AI Act high-risk date {hr}, engine {engine}, {checked} deployments checked, "
        "run on {generated}.",
    ),
    "method_none": (
        "Er is nog geen validatierun opgeslagen (dge-graph validate).",
        "No validation run is stored yet (dge-graph validate).",
    ),
    "sources": ("Bronnen", "Sources"),
    "licence": ("Licentie", "Licence"),
    "snapshot": ("momentopname van", "snapshot of"),
    "laws": (
        "Wetteksten: EUR-Lex (ELI-identificaties) en wetten.overheid.nl.",
        "Legal texts: EUR-Lex (ELI identifiers) and wetten.overheid.nl.",
    ),
    "project": ("Kennisgraaf en regels: dge-graph (EUPL-1.2).", "Knowledge graph and rules: dge-graph (EUPL-1.2)."),
    "none": ("geen", "none"),
    "and_more": ("en {n} meer", "and {n} more"),
    "profile": ("Gemeenteprofiel", "Municipality profile"),
    "print": ("Afdrukken of opslaan als pdf", "Print or save as PDF"),
})
"""The council report (``api/templates/council_report.html``, ``render.council_report``)."""

OVERVIEW = _catalogue({
    "overview": ("Landelijk overzicht", "National overview"),
    "what": ("Wat deze kennisgraaf is – en wat niet", "What this knowledge graph is – and is not"),
    "what_is": (
        "De kennisgraaf legt vast welke publieke waarden en grondrechten op het spel staan bij de inzet van "
        "algoritmen, AI, camera's en sensoren door gemeenten, welke wetsartikelen daarbij waarborgen vragen, en "
        "welke waarborgen per toepassing zijn vastgelegd. Per toepassing toetsen regels welke verplichte "
        "waarborgen ontbreken.",
        "The knowledge graph records which public values and fundamental rights are at stake when municipalities "
        "deploy algorithms, AI, cameras and sensors, which legal provisions require safeguards for them, and which "
        "safeguards are recorded per deployment. Rules check per deployment which required safeguards are missing.",
    ),
    "what_not": (
        "Een bevinding betekent dat een waarborg niet is vastgelegd, niet dat hij in werkelijkheid ontbreekt: wat "
        "niet is vastgelegd telt als ontbrekend (een gesloten-wereldtoets). De toepassingen uit het landelijke "
        "Algoritmeregister zijn echte registraties, met alleen de feiten die het register noemt; de "
        "voorbeeldtoepassingen (illustratief of gedocumenteerd) laten zien hoe de toets werkt en zijn geen "
        "volledige beschrijving van een gemeente. Dit is geen juridisch advies.",
        "A finding means that a safeguard is not recorded, not that it is missing in reality: what is not recorded "
        "counts as missing (a closed-world check). The deployments from the national algorithm register are real "
        "registrations, with only the facts the register states; the example deployments (illustrative or "
        "documented) show how the checks work and are no complete description of a municipality. This is not legal "
        "advice.",
    ),
    "municipalities": ("gemeenten", "municipalities"),
    "with_deployments": ("met toepassingen in de graaf", "with deployments in the graph"),
    "deployments": ("toepassingen van gemeenten", "deployments of municipalities"),
    "register_records": ("uit het Algoritmeregister", "from the algorithm register"),
    "violations": ("overtredingen", "violations"),
    "warnings": ("waarschuwingen", "warnings"),
    "findings": ("bevindingen bij gemeenten", "findings at municipalities"),
    "not_validated": (
        "Er is nog geen validatie opgeslagen: de aantallen bevindingen ontbreken (make validate).",
        "No validation is stored yet: the numbers of findings are missing (make validate).",
    ),
    "rules": ("Vaakst gemiste eisen", "Rules most often missed"),
    "rule": ("Eis", "Requirement"),
    "severity": ("Ernst", "Severity"),
    "rule_deployments": ("Toepassingen (alle organisaties)", "Deployments (all organisations)"),
    "rule_municipalities": ("Gemeenten", "Municipalities"),
    "by_findings": ("Gemeenten met de meeste bevindingen", "Municipalities with the most findings"),
    "municipality": ("Gemeente", "Municipality"),
    "report": ("raadsrapportage", "council report"),
    "by_completeness": ("Gemeenten met de minst volledige gegevens", "Municipalities with the least complete data"),
    "completeness": ("Volledigheid", "Completeness"),
    "deployments_short": ("Toepassingen", "Deployments"),
    "completeness_note": (
        "Het aandeel toepassingen waarvan alle beslissende feiten bekend zijn.",
        "The share of deployments whose decisive facts are all known.",
    ),
    "by_coverage": ("Gemeenten met de laagste waarborgdekking", "Municipalities with the lowest safeguard coverage"),
    "coverage_hook": (
        "Een maat voor de volledigheid van de gegevens wordt (nog) niet opgeslagen; hier de waarborgdekking: het "
        "aandeel vastgelegde waarborgen dat op de peildatum aanwezig is.",
        "A data completeness measure is not stored (yet); shown here is the safeguard coverage: the share of "
        "recorded safeguards held at the evaluation date.",
    ),
    "coverage": ("Waarborgdekking", "Safeguard coverage"),
    "claims": ("Vastgelegde waarborgen", "Recorded safeguards"),
    "provinces": ("Per provincie", "By province"),
    "province": ("Provincie", "Province"),
    "province_municipalities": ("Gemeenten met toepassingen", "Municipalities with deployments"),
    "all": ("alle", "all"),
    "more": ("Meer", "More"),
    "none": ("geen", "none"),
})
"""The national overview on the home page, with what the knowledge graph is and is not (``render.overview``)."""

VALIDATION_STATUS = _catalogue({
    "missing": (
        "Er is geen validatierapport opgeslagen: de bevindingen en maten hieronder zijn niet berekend (draai "
        "`dge-graph validate`).",
        "No validation report is stored: the findings and measures below have not been computed (run `dge-graph "
        "validate`).",
    ),
    "stale": (
        "Het validatierapport is ouder dan de gegevens: de bevindingen hieronder kunnen horen bij gegevens die "
        "niet meer zo in de graaf staan (draai `dge-graph validate`).",
        "The validation report is older than the data: the findings below may be of data that are no longer in the "
        "graph as they were (run `dge-graph validate`).",
    ),
    "current": ("Bevindingen uit validatierapport", "Findings from validation report"),
})
"""What a page or answer says about the stored validation result it rests on (``query.validation_status``)."""

MONTH = _catalogue({
    "january": ("januari", "January"),
    "february": ("februari", "February"),
    "march": ("maart", "March"),
    "april": ("april", "April"),
    "may": ("mei", "May"),
    "june": ("juni", "June"),
    "july": ("juli", "July"),
    "august": ("augustus", "August"),
    "september": ("september", "September"),
    "october": ("oktober", "October"),
    "november": ("november", "November"),
    "december": ("december", "December"),
})
"""The names of the months, for dates written out (``render.council_report.long_date``, rule messages)."""

SEVERITY_LEGEND = _catalogue({
    "title": ("Ernst", "Severity"),
    "Violation": ("een wettelijke plicht die nu geldt", "a legal duty that applies now"),
    "Warning": ("een aanbeveling of beleidsnorm", "a recommendation or policy norm"),
})
"""The severity legend (``render.severity.severity_legend``): its title and what each severity means."""

SECTIONS = MappingProxyType({"page": PAGE, "analytics": ANALYTICS, "severity": SEVERITY, "measure": MEASURE,
                             "profile-section": PROFILE_SECTION, "severity-legend": SEVERITY_LEGEND,
                             "council-report": COUNCIL_REPORT, "overview": OVERVIEW,
                             "validation-status": VALIDATION_STATUS, "month": MONTH})


def texts(section: str, lang: str) -> Mapping[str, str]:
    """The texts of ``section`` in ``lang`` (``nl`` or ``en``); ``KeyError`` for another section or language."""
    if lang not in LANGUAGES:
        raise KeyError(f"no UI texts in {lang!r}; the languages are {', '.join(LANGUAGES)}")
    index = LANGUAGES.index(lang)
    return MappingProxyType({key: pair[index] for key, pair in SECTIONS[section].items()})


def long_date(value: str | dt.date | None, lang: str) -> str:
    """``2026-12-01`` -> ``1 december 2026`` (nl) / ``1 December 2026`` (en); a date-time keeps its date only;
    ``–`` for no date."""
    if value is None or value == "":
        return "–"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    month = tuple(MONTH.values())[day.month - 1]
    return f"{day.day} {month[LANGUAGES.index(lang)]} {day.year}"
