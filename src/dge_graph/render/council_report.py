"""The words of the council report (nl/en) and its plain formatting: dates written out, record kinds, changes.

The page (``api/templates/council_report.html``) shows a ``query.council_report.CouncilReport``; every number and
date on it comes from that structure, and every sentence from ``TEXT`` here.
"""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

TEXT = {
    "nl": {
        "title": "Raadsrapportage digitale grondrechten", "running": "Raadsrapportage",
        "evaluation": "peildatum", "generated": "validatie uitgevoerd op",
        "summary": "In het kort",
        "summary_text": "{name} heeft {deployments} toepassingen van algoritmen, AI, camera's of sensoren in deze "
                        "kennisgraaf; {register} daarvan komen uit het landelijke Algoritmeregister. Bij {failing} "
                        "toepassingen ontbreekt volgens de vastgelegde gegevens een verplichte waarborg: {violations} "
                        "overtredingen en {warnings} waarschuwingen.",
        "how_to_read": "Zo leest u dit rapport",
        "how_to_read_text": "Een bevinding betekent: in de kennisgraaf is voor deze toepassing geen waarborg "
                            "vastgelegd die de wet vanaf de genoemde datum vraagt. Dat is een toets op de "
                            "vastgelegde gegevens (wat niet is vastgelegd, telt als ontbrekend), geen oordeel over de "
                            "werkelijkheid: een waarborg kan bestaan zonder dat hij is vastgelegd. Toepassingen uit "
                            "het Algoritmeregister zijn echte registraties; voorbeeldtoepassingen (illustratief of "
                            "gedocumenteerd) dienen om de toets te laten zien.",
        "Violation": "overtreding", "Warning": "waarschuwing",
        "deployments": "Toepassingen", "deployment": "Toepassing", "kind": "Soort technologie", "status": "Status",
        "record": "Herkomst", "violations": "Overtredingen", "warnings": "Waarschuwingen",
        "register": "Wat het Algoritmeregister laat zien",
        "register_text": "{records} registraties van {name} in het Algoritmeregister, waarvan {in_use} in gebruik.",
        "register_none": "{name} heeft geen registraties in de momentopname van het Algoritmeregister in deze "
                         "kennisgraaf.",
        "register_safeguards": "Waarborgen die de registraties noemen", "safeguard": "Waarborg",
        "records": "Registraties",
        "findings": "Bevindingen per eis", "rule": "Eis", "article": "Artikel", "since": "Geldt sinds",
        "missing": "Wat ontbreekt", "affected": "Toepassingen", "measures": "Maatregelen uit het Algoritmekader",
        "no_measures": "Het Algoritmekader heeft voor deze eis geen maatregel.",
        "evidence": "Bewijsgrond",
        "evidence_hook": "Niet vastgelegd in dit validatieresultaat: of de waarborg als afwezig is vastgelegd of "
                         "eenvoudig niet is aangetoond, staat (nog) niet in het resultaat.",
        "recorded-absent": "vastgelegd als afwezig", "not-evidenced": "niet aangetoond",
        "no_findings": "Geen bevindingen in de laatste validatie.",
        "completeness": "Volledigheid van de gegevens",
        "completeness_value": "Volledigheid van de gegevens: {value}.",
        "completeness_hook": "Een maat voor de volledigheid van de gegevens is (nog) niet opgeslagen bij de "
                             "validatie. In plaats daarvan: van de {claims} vastgelegde waarborgen zijn er {held} "
                             "aanwezig op de peildatum (dekking {coverage}); {register} van de {deployments} "
                             "toepassingen komen uit het Algoritmeregister.",
        "timeline": "Wat er de komende tijd verandert",
        "timeline_text": "Data waarop eisen gaan gelden (of ophouden) en welke toepassingen dan een nieuwe "
                         "bevinding krijgen, bij de lezing van de datum voor hoog-risico-AI die het project "
                         "aanhoudt ({default}) en bij de alternatieve lezing ({alternative}).",
        "dates_text": "De data waarop eisen gaan gelden (of ophouden), bij elke lezing van de datum voor "
                      "hoog-risico-AI. Welke toepassingen dan een nieuwe bevinding krijgen, vraagt een validatie op "
                      "elke datum (dge-graph timeline).",
        "full_timeline": "De volledige tijdlijn berekenen (enkele seconden).",
        "reading_default": "standaardlezing", "reading_alternative": "alternatieve lezing",
        "date": "Datum", "why": "Waarom", "new_findings": "Nieuwe bevindingen", "newly_failing":
        "Toepassingen die nu voldoen en dan niet meer", "no_events": "Geen wijzigingen in de periode.",
        "timeline_none": "Er is geen validatierun opgeslagen; de tijdlijn is niet berekend.",
        "changes": "Veranderd sinds de vorige validatie",
        "changes_text": "Vergeleken met de vorige validatie (peildatum {evaluation}, uitgevoerd op {generated}).",
        "no_previous": "Er is geen vorige validatie bewaard; veranderingen worden zichtbaar na de volgende run.",
        "no_changes": "Geen veranderingen in de bevindingen van {name}.",
        "change_new": "nieuw", "change_resolved": "opgelost", "change": "Verandering",
        "method": "Werkwijze en bronnen",
        "method_text": "De toepassingen zijn getoetst aan de eisen uit wetten en beleid die op de peildatum gelden "
                       "({rules} eisen in de kennisgraaf; SHACL-regels, één per eis). Validatierun {run}: peildatum {evaluation}, datum hoog-risico-AI {hr}, motor {engine}, "
                       "{checked} toepassingen getoetst, uitgevoerd op {generated}.",
        "method_none": "Er is nog geen validatierun opgeslagen (dge-graph validate).",
        "sources": "Bronnen", "licence": "Licentie", "snapshot": "momentopname van",
        "laws": "Wetteksten: EUR-Lex (ELI-identificaties) en wetten.overheid.nl.",
        "project": "Kennisgraaf en regels: dge-graph (EUPL-1.2).",
        "none": "geen", "and_more": "en {n} meer", "profile": "Gemeenteprofiel",
        "print": "Afdrukken of opslaan als pdf",
    },
    "en": {
        "title": "Council report on digital fundamental rights", "running": "Council report",
        "evaluation": "evaluation date", "generated": "validated on",
        "summary": "Summary",
        "summary_text": "{name} has {deployments} deployments of algorithms, AI, cameras or sensors in this knowledge "
                        "graph; {register} of them come from the national algorithm register. For {failing} "
                        "deployments the recorded data lack a required safeguard: {violations} violations and "
                        "{warnings} warnings.",
        "how_to_read": "How to read this report",
        "how_to_read_text": "A finding means: the knowledge graph records no safeguard for this deployment that the "
                            "law requires from the date given. It is a check of the recorded data (what is not "
                            "recorded counts as missing), not a judgement of reality: a safeguard can exist without "
                            "being recorded. Deployments from the algorithm register are real registrations; example "
                            "deployments (illustrative or documented) serve to show the checks.",
        "Violation": "violation", "Warning": "warning",
        "deployments": "Deployments", "deployment": "Deployment", "kind": "Technology kind", "status": "Status",
        "record": "Origin", "violations": "Violations", "warnings": "Warnings",
        "register": "What the algorithm register shows",
        "register_text": "{records} registrations of {name} in the algorithm register, {in_use} of them in use.",
        "register_none": "{name} has no registrations in the snapshot of the algorithm register in this knowledge "
                         "graph.",
        "register_safeguards": "Safeguards the registrations name", "safeguard": "Safeguard",
        "records": "Registrations",
        "findings": "Findings by requirement", "rule": "Requirement", "article": "Article", "since": "Applies since",
        "missing": "What is missing", "affected": "Deployments", "measures": "Measures from the Algoritmekader",
        "no_measures": "The Algoritmekader has no measure for this requirement.",
        "evidence": "Evidence basis",
        "evidence_hook": "Not recorded in this validation result: whether the safeguard was recorded as absent or "
                         "simply not evidenced is not (yet) part of the result.",
        "recorded-absent": "recorded absent", "not-evidenced": "not evidenced",
        "no_findings": "No findings in the latest validation.",
        "completeness": "Data completeness",
        "completeness_value": "Data completeness: {value}.",
        "completeness_hook": "A data completeness measure is not (yet) stored with the validation. Instead: of the "
                             "{claims} recorded safeguards, {held} are held at the evaluation date (coverage "
                             "{coverage}); {register} of the {deployments} deployments come from the algorithm "
                             "register.",
        "timeline": "What changes ahead",
        "timeline_text": "Dates on which requirements start (or stop) to apply and which deployments then get a new "
                         "finding, under the reading of the AI Act high-risk date the project uses ({default}) and "
                         "under the alternative reading ({alternative}).",
        "dates_text": "The dates on which requirements start (or stop) to apply, under each reading of the AI "
                      "Act high-risk date. Which deployments then get a new finding takes a validation on each date "
                      "(dge-graph timeline).",
        "full_timeline": "Compute the full timeline (a few seconds).",
        "reading_default": "default reading", "reading_alternative": "alternative reading",
        "date": "Date", "why": "Why", "new_findings": "New findings", "newly_failing":
        "Deployments that pass now and fail then", "no_events": "No changes in the period.",
        "timeline_none": "No validation run is stored; the timeline was not computed.",
        "changes": "Changes since the previous validation",
        "changes_text": "Compared with the previous validation (evaluation date {evaluation}, run on {generated}).",
        "no_previous": "No previous validation is kept; changes show after the next run.",
        "no_changes": "No changes in the findings of {name}.",
        "change_new": "new", "change_resolved": "resolved", "change": "Change",
        "method": "Method and sources",
        "method_text": "The deployments were checked against the requirements from law and policy in force on the "
                       "evaluation date ({rules} requirements in the knowledge graph; SHACL rules, one per "
                       "requirement). Validation run {run}: evaluation date {evaluation}, AI Act high-risk "
                       "date {hr}, engine {engine}, {checked} deployments checked, run on {generated}.",
        "method_none": "No validation run is stored yet (dge-graph validate).",
        "sources": "Sources", "licence": "Licence", "snapshot": "snapshot of",
        "laws": "Legal texts: EUR-Lex (ELI identifiers) and wetten.overheid.nl.",
        "project": "Knowledge graph and rules: dge-graph (EUPL-1.2).",
        "none": "none", "and_more": "and {n} more", "profile": "Municipality profile",
        "print": "Print or save as PDF",
    },
}


def long_date(value: str | dt.date | None, lang: str) -> str:
    """``2026-12-01`` -> ``1 december 2026`` (nl) / ``1 December 2026`` (en); a date-time keeps its date only."""
    if value is None or value == "":
        return "–"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def licence_label(iri: str) -> str:
    """A licence IRI as people name it (SPDX and Creative Commons IRIs), else the IRI."""
    text = iri.rstrip("/")
    if "spdx.org/licenses/" in text:
        return text.rsplit("/", 1)[-1]
    if "creativecommons.org/publicdomain/zero/" in text:
        return "CC0-" + text.rsplit("/", 1)[-1]
    if "creativecommons.org/licenses/" in text:
        parts = text.split("/licenses/", 1)[1].split("/")
        return f"CC {parts[0].upper()} {parts[1]}" if len(parts) > 1 else f"CC {parts[0].upper()}"
    return iri
