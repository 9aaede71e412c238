"""The words of the national overview on the home page (nl/en), including the plain-language explanation of what
the knowledge graph is and is not. The numbers come from ``query.overview.NationalOverview``."""

from __future__ import annotations

TEXT = {
    "nl": {
        "overview": "Landelijk overzicht",
        "what": "Wat deze kennisgraaf is – en wat niet",
        "what_is": "De kennisgraaf legt vast welke publieke waarden en grondrechten op het spel staan bij de inzet "
                   "van algoritmen, AI, camera's en sensoren door gemeenten, welke wetsartikelen daarbij waarborgen "
                   "vragen, en welke waarborgen per toepassing zijn vastgelegd. Per toepassing toetsen regels welke "
                   "verplichte waarborgen ontbreken.",
        "what_not": "Een bevinding betekent dat een waarborg niet is vastgelegd, niet dat hij in werkelijkheid "
                    "ontbreekt: wat niet is vastgelegd telt als ontbrekend (een gesloten-wereldtoets). De "
                    "toepassingen uit het landelijke Algoritmeregister zijn echte registraties, met alleen de "
                    "feiten die het register noemt; de voorbeeldtoepassingen (illustratief of gedocumenteerd) laten "
                    "zien hoe de toets werkt en zijn geen volledige beschrijving van een gemeente. Dit is geen "
                    "juridisch advies.",
        "municipalities": "gemeenten", "with_deployments": "met toepassingen in de graaf",
        "deployments": "toepassingen van gemeenten", "register_records": "uit het Algoritmeregister",
        "violations": "overtredingen", "warnings": "waarschuwingen", "findings": "bevindingen bij gemeenten",
        "not_validated": "Er is nog geen validatie opgeslagen: de aantallen bevindingen ontbreken (make validate).",
        "rules": "Vaakst gemiste eisen", "rule": "Eis", "severity": "Ernst",
        "rule_deployments": "Toepassingen (alle organisaties)", "rule_municipalities": "Gemeenten",
        "by_findings": "Gemeenten met de meeste bevindingen", "municipality": "Gemeente",
        "report": "raadsrapportage", "by_completeness": "Gemeenten met de minst volledige gegevens",
        "completeness": "Volledigheid", "deployments_short": "Toepassingen",
        "completeness_note": "Het aandeel toepassingen waarvan alle beslissende feiten bekend zijn.",
        "by_coverage": "Gemeenten met de laagste waarborgdekking",
        "coverage_hook": "Een maat voor de volledigheid van de gegevens wordt (nog) niet opgeslagen; hier de "
                         "waarborgdekking: het aandeel vastgelegde waarborgen dat op de peildatum aanwezig is.",
        "coverage": "Waarborgdekking", "claims": "Vastgelegde waarborgen",
        "provinces": "Per provincie", "province": "Provincie", "province_municipalities": "Gemeenten met toepassingen",
        "all": "alle", "more": "Meer", "none": "geen",
        "Violation": "overtreding", "Warning": "waarschuwing",
    },
    "en": {
        "overview": "National overview",
        "what": "What this knowledge graph is – and is not",
        "what_is": "The knowledge graph records which public values and fundamental rights are at stake when "
                   "municipalities deploy algorithms, AI, cameras and sensors, which legal provisions require "
                   "safeguards for them, and which safeguards are recorded per deployment. Rules check per "
                   "deployment which required safeguards are missing.",
        "what_not": "A finding means that a safeguard is not recorded, not that it is missing in reality: what is "
                    "not recorded counts as missing (a closed-world check). The deployments from the national "
                    "algorithm register are real registrations, with only the facts the register states; the example "
                    "deployments (illustrative or documented) show how the checks work and are no complete "
                    "description of a municipality. This is not legal advice.",
        "municipalities": "municipalities", "with_deployments": "with deployments in the graph",
        "deployments": "deployments of municipalities", "register_records": "from the algorithm register",
        "violations": "violations", "warnings": "warnings", "findings": "findings at municipalities",
        "not_validated": "No validation is stored yet: the numbers of findings are missing (make validate).",
        "rules": "Rules most often missed", "rule": "Requirement", "severity": "Severity",
        "rule_deployments": "Deployments (all organisations)", "rule_municipalities": "Municipalities",
        "by_findings": "Municipalities with the most findings", "municipality": "Municipality",
        "report": "council report", "by_completeness": "Municipalities with the least complete data",
        "completeness": "Completeness", "deployments_short": "Deployments",
        "completeness_note": "The share of deployments whose decisive facts are all known.",
        "by_coverage": "Municipalities with the lowest safeguard coverage",
        "coverage_hook": "A data completeness measure is not stored (yet); shown here is the safeguard coverage: the "
                         "share of recorded safeguards held at the evaluation date.",
        "coverage": "Safeguard coverage", "claims": "Recorded safeguards",
        "provinces": "By province", "province": "Province", "province_municipalities": "Municipalities with deployments",
        "all": "all", "more": "More", "none": "none",
        "Violation": "violation", "Warning": "warning",
    },
}
