"""Synthetic deployments over the real municipalities, for scale tests and benchmarks.

``generate(out, municipalities=N, per_municipality=K, seed=S)`` writes K deployments for each of N municipalities
(a seeded sample of the 342) as N-Triples lines, which are also valid Turtle. Everything random comes from one
``random.Random(seed)``: the same arguments give the same file, byte for byte.

Each deployment follows one of the ``PROFILES`` (a kind of technology that municipalities really deploy, with the
facts that go with it and how often each safeguard is in place, absent, or simply not recorded) and is converted with
the intake mapping (``intake.record_triples``), so synthetic data means exactly what an intake file would. Every
deployment is marked ``dge:recordKind dgeid:record-kind/synthetic`` and ``prov:wasGeneratedBy`` the generator run.
The output is streamed: memory stays flat for 100,000 deployments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.ingest.intake import record_triples
from dge_graph.ingest.municipalities import Municipality, MunicipalityIndex, load_municipalities
from dge_graph.kernel.namespaces import PROV, RDF, RDFS, id_iri

# safeguard -> (probability present, probability absent); the rest is "not recorded" (key absent = unknown)
Odds = tuple[float, float]


@dataclass(frozen=True)
class Profile:
    """One kind of deployment: its weight, titles, technology kind, fixed facts, random facts and safeguard odds."""

    key: str
    weight: int
    titles: tuple[str, ...]
    technology: str
    values: tuple[str, ...]
    facts: tuple[tuple[str, Any], ...]
    safeguards: tuple[tuple[str, Odds], ...]
    extra: Callable[[random.Random], dict[str, Any]] | None = None


def _fraud_extra(rng: random.Random) -> dict[str, Any]:
    ai = rng.random() < 0.3
    facts: dict[str, Any] = {"isAISystem": ai, "annexIIIArea": "5a" if ai else "None"}
    if rng.random() < 0.04:
        facts["usesProtectedGroundAsRiskIndicator"] = True
    if rng.random() < 0.05:
        facts["solelyAutomatedDecisionWithLegalEffect"] = True
    return facts


def _camera_extra(rng: random.Random) -> dict[str, Any]:
    return {"footageRetentionDays": rng.choice((7, 14, 28, 28, 28, 28, 30, 60))}


def _sensor_extra(rng: random.Random) -> dict[str, Any]:
    personal = rng.random() < 0.4
    return {"processesPersonalData": personal, **({"largeScale": True} if personal and rng.random() < 0.5 else {})}


def _hr_extra(rng: random.Random) -> dict[str, Any]:
    return {"art6_3Derogation": rng.random() < 0.1}


PROFILES: tuple[Profile, ...] = (
    Profile("risk-scoring", 14, ("Risicoscan bijstandsaanvragen", "Fraudesignalen toeslagen en uitkeringen",
                                 "Risicoselectie heronderzoek Participatiewet"), "algorithm",
            ("equality", "privacy", "accountability"),
            (("deployerType", "Municipality"), ("isAlgorithm", True), ("processesPersonalData", True),
             ("profiling", True), ("affectsPersonsSignificantly", True), ("supportsAwbDecision", True),
             ("apDpiaListCategory", ["AP-Fraudebestrijding", "AP-Profilering"])),
            (("hasDPIA", (0.7, 0.15)), ("dpoConsulted", (0.6, 0.1)), ("legalBasisDocumented", (0.85, 0.05)),
             ("inProcessingRegister", (0.8, 0.05)), ("transparencyNoticeProvided", (0.5, 0.2)),
             ("registeredAlgorithmRegister", (0.55, 0.25)), ("decisionDisclosesAlgorithmUse", (0.35, 0.3)),
             ("hasFRIA", (0.2, 0.3)), ("ethicalImpactAssessment", (0.3, 0.2)), ("aiLiteracyMeasures", (0.3, 0.2)),
             ("wooActivelyPublished", (0.3, 0.2)), ("citizenParticipation", (0.1, 0.3)),
             ("councilInvolved", (0.4, 0.2)), ("efficiencyTestInDPIA", (0.2, 0.2))),
            _fraud_extra),
    Profile("public-order-camera", 12, ("Cameratoezicht uitgaansgebied", "Cameratoezicht stationsgebied",
                                        "Tijdelijk cameratoezicht woonwijk"), "camera",
            ("safety", "privacy", "autonomy"),
            (("deployerType", "Municipality"), ("isAlgorithm", False), ("processesPersonalData", True),
             ("systematicMonitoringPublicSpace", True), ("cameraSurveillancePublicOrder", True),
             ("largeScale", True), ("apDpiaListCategory", ["AP-Cameratoezicht"])),
            (("councilOrdinance151c", (0.9, 0.03)), ("mayorDesignationDecision", (0.8, 0.1)),
             ("cameraSignage", (0.85, 0.05)), ("hasDPIA", (0.6, 0.2)), ("dpoConsulted", (0.5, 0.1)),
             ("legalBasisDocumented", (0.8, 0.05)), ("transparencyNoticeProvided", (0.6, 0.1)),
             ("inProcessingRegister", (0.7, 0.05)), ("archivalRetentionDefined", (0.5, 0.1)),
             ("bioCompliant", (0.5, 0.1)), ("councilInvolved", (0.6, 0.1))),
            _camera_extra),
    Profile("boa-bodycam", 8, ("Bodycams voor handhavers (BOA's)",), "bodycam", ("safety", "privacy", "protection"),
            (("deployerType", "Municipality"), ("isAlgorithm", False), ("processesPersonalData", True),
             ("dataProtectionRegime", "LED-Wpg"), ("lawEnforcementPurpose", True),
             ("apDpiaListCategory", ["AP-Cameratoezicht"])),
            (("hasDPIA", (0.6, 0.2)), ("transparencyNoticeProvided", (0.5, 0.1)), ("bioCompliant", (0.5, 0.1)),
             ("archivalRetentionDefined", (0.4, 0.1)), ("ethicalImpactAssessment", (0.2, 0.3)),
             ("councilInvolved", (0.5, 0.2))),
            _camera_extra),
    Profile("public-space-sensor", 12, ("Drukte meten met wifi-tellers", "Luchtkwaliteitssensoren",
                                        "Geluidssensoren uitgaansgebied", "Slimme lichtmasten"), "sensor",
            ("privacy", "safety", "transparency"),
            (("deployerType", "Municipality"), ("sensorInPublicSpace", True), ("isAlgorithm", False)),
            (("sensorRegistered", (0.45, 0.25)), ("hasDPIA", (0.3, 0.2)), ("transparencyNoticeProvided", (0.4, 0.2)),
             ("bioCompliant", (0.4, 0.1)), ("citizenParticipation", (0.15, 0.3))),
            _sensor_extra),
    Profile("chatbot", 8, ("Digitale assistent op de website", "AI-chatbot klantcontact"), "chatbot",
            ("transparency", "inclusion", "privacy"),
            (("deployerType", "Municipality"), ("isAlgorithm", True), ("isAISystem", True), ("annexIIIArea", "None"),
             ("interactsWithNaturalPersons", True), ("publicFacingWebOrApp", True), ("processesPersonalData", True),
             ("procuredExternally", True)),
            (("aiDisclosure", (0.55, 0.2)), ("aiLiteracyMeasures", (0.35, 0.25)),
             ("wcagCompliantWithStatement", (0.5, 0.2)), ("hasDPIA", (0.4, 0.2)),
             ("legalBasisDocumented", (0.7, 0.05)), ("procurementPublicValueClauses", (0.25, 0.3)),
             ("registeredAlgorithmRegister", (0.4, 0.3))),
            None),
    Profile("website-or-app", 10, ("Gemeente-app voor meldingen openbare ruimte", "Online aanvragen paspoort en rijbewijs",
                                   "Afspraken maken via de website"), "website-or-app",
            ("inclusion", "efficiency"),
            (("deployerType", "Municipality"), ("publicFacingWebOrApp", True), ("processesPersonalData", True)),
            (("wcagCompliantWithStatement", (0.55, 0.25)), ("transparencyNoticeProvided", (0.7, 0.1)),
             ("bioCompliant", (0.6, 0.1)), ("inProcessingRegister", (0.7, 0.05))),
            None),
    Profile("woz-valuation", 7, ("Modelmatige WOZ-waardering", "Geautomatiseerde taxatie WOZ-objecten"), "algorithm",
            ("transparency", "accountability", "equality"),
            (("deployerType", "PrivateOnBehalfOfMunicipality"), ("isAlgorithm", True), ("wozValuation", True),
             ("supportsAwbDecision", True), ("processesPersonalData", True), ("procuredExternally", True)),
            (("wozUnderlyingDataAvailable", (0.7, 0.15)), ("decisionDisclosesAlgorithmUse", (0.4, 0.3)),
             ("registeredAlgorithmRegister", (0.5, 0.3)), ("procurementPublicValueClauses", (0.3, 0.3)),
             ("legalBasisDocumented", (0.85, 0.05))),
            None),
    Profile("scan-vehicle", 6, ("Scanauto parkeercontrole",), "scan-vehicle", ("privacy", "efficiency"),
            (("deployerType", "Municipality"), ("isAlgorithm", True), ("processesPersonalData", True),
             ("systematicMonitoringPublicSpace", True), ("largeScale", True),
             ("apDpiaListCategory", ["AP-Locatiegegevens"])),
            (("hasDPIA", (0.75, 0.1)), ("dpoConsulted", (0.6, 0.1)), ("transparencyNoticeProvided", (0.6, 0.1)),
             ("registeredAlgorithmRegister", (0.6, 0.2)), ("legalBasisDocumented", (0.85, 0.05))),
            None),
    Profile("participation-platform", 6, ("Digitaal participatieplatform", "Burgerpanel online"), "platform",
            ("participation", "democratic-legitimacy", "inclusion"),
            (("deployerType", "Municipality"), ("publicFacingWebOrApp", True), ("hostsUserGeneratedContent", True),
             ("processesPersonalData", True), ("procuredExternally", True)),
            (("noticeAndActionMechanism", (0.4, 0.3)), ("wcagCompliantWithStatement", (0.5, 0.2)),
             ("transparencyNoticeProvided", (0.6, 0.1)), ("procurementPublicValueClauses", (0.3, 0.3))),
            None),
    Profile("digital-twin", 4, ("Digital Twin van de stad", "3D-stadsmodel voor ruimtelijke planning"), "digital-twin",
            ("transparency", "digital-sovereignty", "privacy"),
            (("deployerType", "Municipality"), ("isAlgorithm", True), ("processesPersonalData", False)),
            (("bioCompliant", (0.5, 0.1)), ("citizenParticipation", (0.2, 0.2)),
             ("archivalRetentionDefined", (0.3, 0.2))),
            None),
    Profile("hr-screening", 3, ("Cv-screening bij werving", "Roosterplanning medewerkers met AI"), "ai-system",
            ("equality", "privacy", "autonomy"),
            (("deployerType", "Municipality"), ("isAlgorithm", True), ("isAISystem", True), ("annexIIIArea", "4"),
             ("usedOnOwnWorkers", True), ("processesPersonalData", True), ("profiling", True),
             ("affectsPersonsSignificantly", True), ("procuredExternally", True),
             ("apDpiaListCategory", ["AP-ControleWerknemers"])),
            (("workersInformed", (0.4, 0.2)), ("humanOversightAssigned", (0.4, 0.2)), ("hasFRIA", (0.15, 0.3)),
             ("logsRetained6Months", (0.3, 0.2)), ("hasDPIA", (0.5, 0.2)), ("aiLiteracyMeasures", (0.3, 0.2)),
             ("registeredAlgorithmRegister", (0.3, 0.3))),
            _hr_extra),
)

SUPPLIERS = ("Voorbeeld Analytics B.V.", "Stadsdata Solutions B.V.", "CivicTech Nederland B.V.",
             "Publieke Software Coöperatie U.A.", "Taxatie & Waarde B.V.")
STATUSES = (("in-use", 80), ("in-development", 12), ("out-of-use", 8))
FIRST_SERVICE_DATE = dt.date(2014, 1, 1)
SERVICE_DATE_SPAN_DAYS = (dt.date(2026, 6, 30) - FIRST_SERVICE_DATE).days


@dataclass(frozen=True)
class GenerationSummary:
    municipalities: int
    deployments: int
    triples: int
    path: Path


class NTriplesSink:
    """Receives triples (``add``) and writes them as N-Triples lines; organisation triples are written once."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        self._terms: dict[Node, str] = {}
        self._written_once: set[tuple[Node, Node, Node]] = set()
        self.triples = 0

    def _n3(self, term: Node) -> str:
        text = self._terms.get(term)
        if text is None:
            text = term.n3()
            if not isinstance(term, Literal) or len(self._terms) < 10_000:
                self._terms[term] = text
        return text

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        subject = triple[0]
        if isinstance(subject, URIRef) and "/id/organisation/" in subject:
            if triple in self._written_once:
                return
            self._written_once.add(triple)
        self._stream.write(f"{self._n3(triple[0])} {self._n3(triple[1])} {self._n3(triple[2])} .\n")
        self.triples += 1


def _weighted(rng: random.Random, options: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options], k=1)[0]


def synthetic_record(rng: random.Random, municipality: Municipality, number: int, seed: int) -> dict[str, Any]:
    """One deployment as an intake record (keys of the intake format)."""
    profile = rng.choices(PROFILES, weights=[p.weight for p in PROFILES], k=1)[0]
    record: dict[str, Any] = {
        "id": f"synthetic-{seed}-{municipality.code.lower()}-{number:04d}",
        "title": f"{rng.choice(profile.titles)} ({municipality.name})",
        "description": f"Synthetisch voorbeeld ({profile.key}), gegenereerd met seed {seed}; geen echte inzet.",
        "technology": profile.technology,
        "status": _weighted(rng, STATUSES),
        "valuesAtStake": list(profile.values),
        "inServiceSince": (FIRST_SERVICE_DATE + dt.timedelta(days=rng.randrange(SERVICE_DATE_SPAN_DAYS))).isoformat(),
    }
    record.update({key: (list(value) if isinstance(value, list) else value) for key, value in profile.facts})
    if profile.extra is not None:
        record.update(profile.extra(rng))
    if record.get("procuredExternally") or record.get("deployerType") == "PrivateOnBehalfOfMunicipality":
        supplier = rng.choice(SUPPLIERS)
        record["supplier"] = supplier
        if record.get("deployerType") == "PrivateOnBehalfOfMunicipality":
            record["deployer"] = supplier
    for name, (present, absent) in profile.safeguards:
        draw = rng.random()
        if draw < present:
            record[name] = True
        elif draw < present + absent:
            record[name] = False
    # Safeguards that live inside a DPIA cannot exist without one (spec §2c: dpoConsulted is false without a DPIA).
    if record.get("hasDPIA") is not True:
        for inside in ("dpoConsulted", "efficiencyTestInDPIA"):
            if inside in record:
                record[inside] = False
    return record


def _run_iri(seed: int, municipalities: int, per_municipality: int) -> URIRef:
    return id_iri("synthetic-run", f"seed-{seed}-n{municipalities}-k{per_municipality}")


def generate_lines(sink: NTriplesSink, *, municipalities: int, per_municipality: int, seed: int,
                   index: MunicipalityIndex | None = None) -> Iterator[URIRef]:
    """Write the deployments into ``sink``; yield each deployment IRI as it is written."""
    index = index or load_municipalities()
    everyone = list(index)
    if not 1 <= municipalities <= len(everyone):
        raise ValueError(f"--municipalities must be between 1 and {len(everyone)}, not {municipalities}")
    if per_municipality < 1:
        raise ValueError(f"--per-municipality must be at least 1, not {per_municipality}")
    rng = random.Random(seed)
    chosen = sorted(rng.sample(everyone, municipalities), key=lambda m: m.code)
    run = _run_iri(seed, municipalities, per_municipality)
    sink.add((run, RDF.type, PROV.Activity))
    sink.add((run, RDFS.label, Literal(f"dge-graph generate --municipalities {municipalities} "
                                       f"--per-municipality {per_municipality} --seed {seed}")))
    sink.add((run, RDFS.comment, Literal("Synthetische inzet, geen echte gegevens.", lang="nl")))
    sink.add((run, RDFS.comment, Literal("Synthetic deployments, not real data.", lang="en")))
    for municipality in chosen:
        for number in range(1, per_municipality + 1):
            record = synthetic_record(rng, municipality, number, seed)
            deployment = record_triples(sink, record, index, municipality.iri, record_kind="synthetic")
            sink.add((deployment, PROV.wasGeneratedBy, run))
            yield deployment


def generate(out: Path | str, *, municipalities: int, per_municipality: int, seed: int,
             index: MunicipalityIndex | None = None) -> GenerationSummary:
    """Write ``municipalities`` x ``per_municipality`` synthetic deployments to ``out`` (N-Triples = Turtle)."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    count = 0
    with open(partial, "w", encoding="utf-8", newline="\n") as stream:
        sink = NTriplesSink(stream)
        for _ in generate_lines(sink, municipalities=municipalities, per_municipality=per_municipality, seed=seed,
                                index=index):
            count += 1
    partial.replace(out)
    return GenerationSummary(municipalities, count, sink.triples, out)


def synthetic_graph_provenance(graph: URIRef | str, summary: GenerationSummary, *, seed: int, municipalities: int,
                               per_municipality: int, when: dt.datetime) -> list[tuple]:
    """The self-description of the named graph a generated file is loaded into (``provenance.graph_provenance``):
    without it the graph has no fingerprint, and every validation would read the fact table out of the store again
    (``rules/fact_table.py``)."""
    from dge_graph.ingest.provenance import graph_provenance

    return graph_provenance(graph, source_file=summary.path.name, triples=summary.triples, when=when,
                            activity=_run_iri(seed, municipalities, per_municipality))
