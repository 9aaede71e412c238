"""The deployment-fact vocabulary: spec names (dge:specName in ontology/) -> ontology IRIs.

This module is the single contract between the intake format, the importers, the shapes and the docs:

* every context and processing fact of §2a/§2b is a property ``dge:<specName>`` on a ``dge:Deployment``;
  booleans are ``xsd:boolean``, dates ``xsd:date``, ``footageRetentionDays`` ``xsd:integer``, enumerations point
  to ``skos:Concept`` s of a documented scheme (``ENUMERATIONS``);
* every safeguard of §2c is a ``dge:SafeguardType`` ``dgeid:safeguard-type/<slug>``; a deployment holds one
  through ``dge:hasSafeguard`` -> ``dge:SafeguardInstance`` with ``dge:safeguardType``, ``dge:safeguardStatus``
  (present / absent / planned / expired), and optionally ``dct:date``, ``foaf:page`` and ``dct:source``;
* an absent fact is *unknown*: nothing is written. ``false`` is written only when a source says so.

Everything here is immutable data (tuples and read-only mappings).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal as TypingLiteral

from rdflib import URIRef

from .namespaces import DGE, id_iri

FactKind = TypingLiteral["boolean", "date", "integer", "enum", "enum-set", "string"]


@dataclass(frozen=True)
class Fact:
    """One fact of §2a/§2b: its spec name, its value kind and, for enumerations, its scheme."""

    name: str
    kind: FactKind
    scheme: str | None = None

    @property
    def iri(self) -> URIRef:
        return DGE[self.name]


@dataclass(frozen=True)
class SafeguardType:
    """One safeguard of §2c: the spec's boolean name and the slug of its ``dge:SafeguardType`` resource."""

    name: str
    slug: str

    @property
    def iri(self) -> URIRef:
        return id_iri("safeguard-type", self.slug)


FACTS: tuple[Fact, ...] = (
    # §2a context
    Fact("deployerType", "enum", "deployer-type"),
    Fact("inServiceSince", "date"),
    Fact("significantChangeDate", "date"),
    # §2b technology and processing
    Fact("isAlgorithm", "boolean"),
    Fact("isAISystem", "boolean"),
    Fact("annexIIIArea", "enum", "annex-iii-area"),
    Fact("art6_3Derogation", "boolean"),
    Fact("prohibitedPractice", "enum-set", "prohibited-practice"),
    Fact("art5ExceptionApplies", "boolean"),
    Fact("interactsWithNaturalPersons", "boolean"),
    Fact("generatesSyntheticContentPublished", "boolean"),
    Fact("usedOnOwnWorkers", "boolean"),
    Fact("processesPersonalData", "boolean"),
    Fact("dataProtectionRegime", "enum", "data-protection-regime"),
    Fact("processesSpecialCategoryData", "boolean"),
    Fact("largeScale", "boolean"),
    Fact("profiling", "boolean"),
    Fact("affectsPersonsSignificantly", "boolean"),
    Fact("selfAssessedImpactful", "boolean"),
    Fact("solelyAutomatedDecisionWithLegalEffect", "boolean"),
    Fact("adm22_2Exception", "boolean"),
    Fact("systematicMonitoringPublicSpace", "boolean"),
    Fact("apDpiaListCategory", "enum-set", "ap-dpia-category"),
    Fact("transparencyRestrictionApplies", "boolean"),
    Fact("supportsAwbDecision", "boolean"),
    Fact("wozValuation", "boolean"),
    Fact("cameraSurveillancePublicOrder", "boolean"),
    Fact("lawEnforcementPurpose", "boolean"),
    Fact("sensorInPublicSpace", "boolean"),
    Fact("publicFacingWebOrApp", "boolean"),
    Fact("hostsUserGeneratedContent", "boolean"),
    Fact("procuredExternally", "boolean"),
    Fact("usesProtectedGroundAsRiskIndicator", "boolean"),
    Fact("footageRetentionDays", "integer"),
)

FACTS_BY_NAME = MappingProxyType({f.name: f for f in FACTS})

SAFEGUARDS: tuple[SafeguardType, ...] = (
    SafeguardType("hasDPIA", "dpia"),
    SafeguardType("dpoConsulted", "dpo-consulted"),
    SafeguardType("legalBasisDocumented", "legal-basis-documented"),
    SafeguardType("art9ExceptionDocumented", "art9-exception-documented"),
    SafeguardType("transparencyNoticeProvided", "transparency-notice"),
    SafeguardType("inProcessingRegister", "processing-register-entry"),
    SafeguardType("hasFRIA", "fria"),
    SafeguardType("registeredEUDatabase", "eu-database-registration"),
    SafeguardType("humanOversightAssigned", "human-oversight"),
    SafeguardType("logsRetained6Months", "log-retention-6-months"),
    SafeguardType("affectedPersonsInformed", "affected-persons-informed"),
    SafeguardType("workersInformed", "workers-informed"),
    SafeguardType("aiLiteracyMeasures", "ai-literacy-measures"),
    SafeguardType("aiDisclosure", "ai-disclosure"),
    SafeguardType("registeredAlgorithmRegister", "algorithm-register-entry"),
    SafeguardType("wooActivelyPublished", "woo-active-publication"),
    SafeguardType("archivalRetentionDefined", "archival-retention"),
    SafeguardType("bioCompliant", "bio-compliance"),
    SafeguardType("wcagCompliantWithStatement", "wcag-compliance-statement"),
    SafeguardType("decisionDisclosesAlgorithmUse", "decision-discloses-algorithm"),
    SafeguardType("wozUnderlyingDataAvailable", "woz-underlying-data"),
    SafeguardType("councilOrdinance151c", "council-ordinance-151c"),
    SafeguardType("mayorDesignationDecision", "mayor-designation-decision"),
    SafeguardType("cameraSignage", "camera-signage"),
    SafeguardType("sensorRegistered", "sensor-registration"),
    SafeguardType("noticeAndActionMechanism", "notice-and-action"),
    SafeguardType("citizenParticipation", "citizen-participation"),
    SafeguardType("efficiencyTestInDPIA", "efficiency-test-in-dpia"),
    SafeguardType("councilInvolved", "council-involved"),
    SafeguardType("ethicalImpactAssessment", "ethical-impact-assessment"),
    SafeguardType("procurementPublicValueClauses", "procurement-public-value-clauses"),
)

SAFEGUARDS_BY_NAME = MappingProxyType({s.name: s for s in SAFEGUARDS})

# Enumerations: scheme slug -> codes exactly as the spec (or this project, for technology kinds) writes them.
# Each code is the concept ``dgeid:<scheme>/<code>``, declared in ontology/vocabularies.ttl.
ENUMERATIONS = MappingProxyType(
    {
        "deployer-type": ("Municipality", "PrivateOnBehalfOfMunicipality", "OtherPublicAuthority", "PrivateEntity"),
        "annex-iii-area": ("None", "1a", "1b", "1c", "2", "3", "4", "5a", "5b", "5c", "5d", "6", "7", "8"),
        "prohibited-practice": ("5-1-a", "5-1-b", "5-1-c", "5-1-d", "5-1-e", "5-1-f", "5-1-g", "5-1-h"),
        "data-protection-regime": ("GDPR", "LED-Wpg"),
        "ap-dpia-category": (
            "AP-HeimelijkOnderzoek",
            "AP-Fraudebestrijding",
            "AP-FinancieleSituatie",
            "AP-Gezondheidsgegevens",
            "AP-Samenwerkingsverbanden",
            "AP-Cameratoezicht",
            "AP-ControleWerknemers",
            "AP-Locatiegegevens",
            "AP-Profilering",
            "AP-ObservatieBeinvloedingGedrag",
            "AP-BiometrischeGegevens",
        ),
        "technology-kind": (
            "algorithm",
            "ai-system",
            "camera",
            "bodycam",
            "sensor",
            "platform",
            "chatbot",
            "website-or-app",
            "digital-twin",
            "drone",
            "scan-vehicle",
            "data-platform",
            "other",
        ),
        "deployment-status": ("in-use", "in-development", "out-of-use"),
        "safeguard-status": ("present", "absent", "planned", "expired"),
        "record-kind": ("documented", "illustrative", "synthetic", "register-import", "intake"),
    }
)


def concept(scheme: str, code: str) -> URIRef:
    """The concept IRI of an enumeration value; raises ``KeyError`` for an unknown scheme or code."""
    if code not in ENUMERATIONS[scheme]:
        raise KeyError(f"{code!r} is not a value of {scheme} (allowed: {', '.join(ENUMERATIONS[scheme])})")
    return id_iri(scheme, code)


def concept_scheme(scheme: str) -> URIRef:
    """The ``skos:ConceptScheme`` IRI of an enumeration."""
    return id_iri("scheme", scheme)


SAFEGUARD_PRESENT = id_iri("safeguard-status", "present")
SAFEGUARD_ABSENT = id_iri("safeguard-status", "absent")
