"""Importer for the national algorithm register (algoritmes.overheid.nl).

Two real formats are read:

* **standard** — records in the register's publication standard v1.0 (keys ``name``, ``organization``, ``status``,
  ``publication_category``, ``lawful_basis``, ``lawful_basis_grouping``, ``impacttoetsen_grouping``, ``provider``,
  ``begin_date``, ``lars``, ...): a JSON list of records, one record, or ``{"algoritmes": [...]}``;
* **scrape** — the public daily scrape of the register (``{"algoritmes": [...]}`` with ``id``, ``title``,
  ``organisatie``, ``doel``, ``juridische_basis``, ``impactassessment``, ``status``, ``geregistreerd``, ``url``).

Each record becomes one ``dge:Deployment`` ``id/deployment/algoritmeregister-<lars>`` with ``dct:identifier`` (the
lars id), ``dct:source`` and ``prov:wasDerivedFrom`` (the record's register URL) and ``dge:recordKind``
``register-import``. What the record says becomes evidence (``docs/algoritmeregister.md`` has the full table): the
entry itself is an algorithm-register entry (present); a listed lawful basis is a documented legal basis; an impact
assessment named in ``impacttoetsen_grouping`` is that safeguard (DPIA, IAMA/FRAIA/FRIA, DEDA, ...); the publication
category is the organisation's own impact assessment. What the record does not say stays unknown: this module never
writes a ``false`` it cannot source (the scrape's ``impactassessment`` is a heuristic and yields no safeguard).

Organisations are matched to the 342 municipalities with ``municipalities.MunicipalityIndex``; the others become
``dge:PublicBody`` resources ``id/organisation/<slug>``. Names that say "Gemeente ..." but match no municipality are
listed in the summary (``unmatched_municipal``); the CLI refuses such a file unless told otherwise.

Values are checked where they enter (``checked_lars``, ``checked_register_date``, ``link_iri``): an id that cannot be
part of an IRI, a date that is not written ``YYYY-MM[-DD]`` or does not exist (``2026-02-30``), and a scrape record
URL that is not an IRI refuse the file (``RegisterError``: file, record, key). A secondary link (the organisation's
page, a lawful-basis or impact-assessment link) that is not an IRI, e.g. one with a space, is left out and reported
(``RegisterSummary.left_out_links``; the CLI prints a ``warning:`` line for each), so one bad link in a register of
thousands of records does not block the import, and none is lost without a word.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef

from dge_graph.ingest.intake import add_organisation, organisation_iri
from dge_graph.ingest.municipalities import MunicipalityIndex, load_municipalities, looks_municipal, normalise_name
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, PROV, RDF, SKOS, XSD, id_iri
from dge_graph.kernel.vocabulary import SAFEGUARDS_BY_NAME, concept

REGISTER_RECORD_URL = "https://algoritmes.overheid.nl/nl/algoritme/{lars}"
FORMATS = ("standard", "scrape")

STATUS = {
    "in gebruik": "in-use",
    "in_gebruik": "in-use",
    "in ontwikkeling": "in-development",
    "ontwikkeling": "in-development",
    "buiten gebruik": "out-of-use",
    "buiten_gebruik": "out-of-use",
}

# Impact assessments named in impacttoetsen_grouping -> the safeguards they evidence. Matched on the normalised title
# (lower case, no accents, punctuation as spaces). A pre-scan or quickscan is not the assessment itself.
IMPACT_ASSESSMENTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\b(dpia|data protection impact assessment|gegevensbeschermingseffectbeoordeling|geb)\b"),
     ("hasDPIA",)),
    (re.compile(r"\b(iama|impact assessment mensenrechten( en algoritmes)?)\b"), ("hasFRIA", "ethicalImpactAssessment")),
    (re.compile(r"\b(fraia|fundamentele rechten en algoritme impact assessment)\b"),
     ("hasFRIA", "ethicalImpactAssessment")),
    (re.compile(r"\b(fria|fundamental rights impact assessment)\b"), ("hasFRIA",)),
    (re.compile(r"\b(deda|de ethische data assistent|ethische data assistent)\b"), ("ethicalImpactAssessment",)),
    (re.compile(r"\b(uthiek|ethische bijsluiter|z inspection|begeleidingsethiek)\b"), ("ethicalImpactAssessment",)),
)
NOT_THE_ASSESSMENT = re.compile(r"\b(pre ?scan|quick ?scan|niet|geen|nvt|n v t|not)\b")
PRIVATE_LEGAL_FORM = re.compile(r"\b(n\s?\.?\s?v|b\s?\.?\s?v)\.?\s*$", re.IGNORECASE)


class RegisterError(ValueError):
    """A register file that cannot be imported; names the file, the record (index and lars id) and the key."""

    def __init__(self, file: str, reason: str, record: str | None = None, key: str | None = None):
        self.file, self.record, self.key, self.reason = file, record, key, reason
        where = f", record {record}" if record else ""
        what = f", key {key!r}" if key else ""
        super().__init__(f"{file}{where}{what}: {reason}; nothing imported")


@dataclass(frozen=True)
class Link:
    title: str
    url: str | None


@dataclass(frozen=True)
class RegisterRecord:
    """The fields of one register record that the importer uses, in either format."""

    ref: str  # "#12 (lars 11136893)": where the record is in the file
    lars: str | None
    title: str
    organisation: str
    description: str | None = None
    status: str | None = None
    registered: str | None = None  # ISO date the entry was registered / published
    begin_date: str | None = None  # "YYYY-MM" or "YYYY-MM-DD"
    url: str | None = None  # the record's page in the register
    website: str | None = None  # the organisation's own page about the algorithm
    lawful_basis: str | None = None
    lawful_basis_links: tuple[Link, ...] = ()
    impact_assessments: tuple[Link, ...] = ()
    publication_category: str | None = None
    provider: str | None = None
    themes: tuple[str, ...] = ()
    scrape_impactassessment: str | None = None
    left_out_links: tuple[LeftOutLink, ...] = ()  # links of the record that are not IRIs (see ``LeftOutLink``)


@dataclass
class RegisterSummary:
    deployments: int = 0
    linked_deployments: int = 0
    linked_municipalities: int = 0
    other_organisations: int = 0
    unmatched_municipal: list[tuple[str, str]] = field(default_factory=list)  # (organisation name, record ref)
    left_out_links: list[LeftOutLink] = field(default_factory=list)  # links that are not IRIs (warned, not written)


@dataclass
class RegisterBatch:
    source: Path
    record_format: str
    graph: Graph
    summary: RegisterSummary
    deployments: list[tuple[str, URIRef]] = field(default_factory=list)  # (lars or ref, deployment IRI)


# ----------------------------------------------------------------------------------------------------------------
# checking values where they enter (each a small function: the record, the key and the reason in every refusal)

LARS_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
REGISTER_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ].*)?")


@dataclass(frozen=True)
class LeftOutLink:
    """A link of a record that is not an IRI (a space, ``<>``): left out of the graph and reported as a warning."""

    record: str
    key: str
    value: str

    def __str__(self) -> str:
        return f"record {self.record}, key {self.key!r}: {self.value!r} is not an http(s) IRI, left out"


def checked_lars(file: str, ref: str, key: str, lars: str | None) -> str | None:
    """The record's lars id, which becomes its IRI and register URL; ``RegisterError`` unless it is letters,
    digits, '.', '_' and '-' (the register's ids are digits)."""
    if lars is not None and not LARS_PATTERN.fullmatch(lars):
        raise RegisterError(file, f"{lars!r} is not a register id (letters, digits, '.', '_', '-')", ref, key)
    return lars


def checked_register_date(file: str, ref: str, key: str, text: str | None) -> str | None:
    """A register date as given (``YYYY-MM``, ``YYYY-MM-DD``, optionally with a time); ``RegisterError`` for one
    that is not written so, or does not exist (``2026-02-30``, month 13): refused where it enters, not written as
    an invalid ``xsd:date`` that every later query trips over."""
    import datetime as dt

    if text is None:
        return None
    match = REGISTER_DATE.fullmatch(text.strip())
    if not match:
        raise RegisterError(file, f"{text!r} is not a date written YYYY-MM or YYYY-MM-DD", ref, key)
    year, month, day = match.group(1), match.group(2), match.group(3) or "01"
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise RegisterError(file, f"{text!r} is not a date that exists ({exc})", ref, key) from None
    return text


def link_iri(value: str) -> str | None:
    """``value`` when it is an http(s) IRI that RDF accepts; else ``None`` (the caller reports it)."""
    from dge_graph.ingest.intake import iri_problem

    value = value.strip()
    if not re.match(r"^https?://", value) or iri_problem(value):
        return None
    return value


# ----------------------------------------------------------------------------------------------------------------
# reading the two formats


def detect_format(data: Any) -> str:
    records = data.get("algoritmes") if isinstance(data, dict) and "algoritmes" in data else data
    if isinstance(records, dict):
        records = [records]
    if isinstance(records, list) and records and isinstance(records[0], dict):
        if "organisatie" in records[0]:
            return "scrape"
        if "organization" in records[0] or "name" in records[0]:
            return "standard"
    raise ValueError("neither the publication standard (name, organization, ...) nor the scrape format "
                     "({'algoritmes': [{id, title, organisatie, ...}]})")


def _record_list(data: Any) -> list:
    if isinstance(data, dict) and "algoritmes" in data:
        data = data["algoritmes"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise ValueError("expected a list of records, one record, or {'algoritmes': [...]}")


class _Fields:
    """Typed access to one record's keys, raising ``RegisterError`` naming the record and key."""

    def __init__(self, file: str, ref: str, record: Mapping[str, Any]):
        self.file, self.ref, self.record = file, ref, record
        self.left_out: list[LeftOutLink] = []

    def url(self, key: str) -> str | None:
        """An http(s) link; one that is not an IRI is left out and remembered (``left_out``), never dropped silently."""
        value = self.text(key)
        if value is None:
            return None
        iri = link_iri(value)
        if iri is None:
            self.left_out.append(LeftOutLink(self.ref, key, value))
        return iri

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise RegisterError(self.file, "required field is missing or empty", self.ref, key)
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise RegisterError(self.file, f"expected text, got {type(value).__name__}", self.ref, key)
        return value.strip()

    def links(self, key: str) -> tuple[Link, ...]:
        value = self.record.get(key)
        if value in (None, "", []):
            return ()
        if not isinstance(value, list):
            raise RegisterError(self.file, f"expected a list of {{title, link}}, got {type(value).__name__}",
                                self.ref, key)
        links = []
        for index, item in enumerate(value, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("title", ""), str):
                raise RegisterError(self.file, f"item {index} is not a {{title, link}} object", self.ref, key)
            link = item.get("link")
            url = link_iri(link) if isinstance(link, str) else None
            if url is None and isinstance(link, str) and link.strip():
                self.left_out.append(LeftOutLink(self.ref, f"{key}[{index}].link", link))
            title = (item.get("title") or "").strip()
            if title or url:
                links.append(Link(title, url))
        return tuple(links)

    def themes(self, key: str) -> tuple[str, ...]:
        value = self.record.get(key)
        if value in (None, "", []):
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RegisterError(self.file, "expected a list of themes", self.ref, key)
        return tuple(v for v in value if v.strip())


def _ref(index: int, record: Mapping[str, Any], id_key: str) -> str:
    ident = record.get(id_key)
    return f"#{index} (lars {ident})" if ident not in (None, "") else f"#{index}"


def parse_standard(records: Iterable[Any], file: str) -> list[RegisterRecord]:
    parsed = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise RegisterError(file, "a record must be a JSON object", f"#{index}")
        f = _Fields(file, _ref(index, record, "lars"), record)
        lars = checked_lars(file, f.ref, "lars", f.text("lars"))
        published = f.text("publication_dt")
        parsed.append(RegisterRecord(
            ref=f.ref,
            lars=lars,
            title=f.text("name", required=True),
            organisation=f.text("organization", required=True),
            description=f.text("description_short"),
            status=f.text("status"),
            registered=checked_register_date(file, f.ref, "publication_dt", published)[:10] if published else None,
            begin_date=checked_register_date(file, f.ref, "begin_date", f.text("begin_date")),
            url=REGISTER_RECORD_URL.format(lars=lars) if lars else None,
            website=f.url("url") or f.url("website"),
            lawful_basis=f.text("lawful_basis"),
            lawful_basis_links=f.links("lawful_basis_grouping"),
            impact_assessments=f.links("impacttoetsen_grouping"),
            publication_category=f.text("publication_category"),
            provider=f.text("provider"),
            themes=f.themes("category"),
            left_out_links=tuple(f.left_out),
        ))
    return parsed


def parse_scrape(records: Iterable[Any], file: str) -> list[RegisterRecord]:
    parsed = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise RegisterError(file, "a record must be a JSON object", f"#{index}")
        f = _Fields(file, _ref(index, record, "id"), record)
        lars = checked_lars(file, f.ref, "id", f.text("id", required=True))
        url = f.text("url")
        if url and link_iri(url) is None:  # the record's own page: its source, so refused rather than left out
            raise RegisterError(file, f"not an http(s) IRI: {url!r}", f.ref, "url")
        registered = checked_register_date(file, f.ref, "geregistreerd", f.text("geregistreerd"))
        parsed.append(RegisterRecord(
            ref=f.ref,
            lars=lars,
            title=f.text("title", required=True),
            organisation=f.text("organisatie", required=True),
            description=f.text("doel"),
            status=f.text("status"),
            registered=registered[:10] if registered else None,
            url=url or REGISTER_RECORD_URL.format(lars=lars),
            lawful_basis=f.text("juridische_basis"),
            scrape_impactassessment=f.text("impactassessment"),
        ))
    return parsed


# ----------------------------------------------------------------------------------------------------------------
# records -> RDF


def deployment_slug(record: RegisterRecord) -> str:
    if record.lars:
        return "algoritmeregister-" + re.sub(r"[^A-Za-z0-9._-]+", "-", record.lars)
    digest = hashlib.sha256(f"{record.organisation}\n{record.title}".encode("utf-8")).hexdigest()[:16]
    return f"algoritmeregister-{digest}"


def _iso_date(text: str | None) -> str | None:
    """A full ISO date, or ``YYYY-MM`` as the first of that month; anything else is ``None``."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ].*)?", text.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3) or "01"
    if not ("01" <= month <= "12" and "01" <= day <= "31"):
        return None
    return f"{year}-{month}-{day}"


def impact_assessment_safeguards(title: str) -> tuple[str, ...]:
    """The safeguards a named impact assessment evidences (none for a pre-scan or a negated title)."""
    key = normalise_name(title)
    if NOT_THE_ASSESSMENT.search(key):
        return ()
    found: list[str] = []
    for pattern, names in IMPACT_ASSESSMENTS:
        if pattern.search(key):
            found += [n for n in names if n not in found]
    return tuple(found)


def _safeguard(graph: Graph, deployment: URIRef, name: str, *, source: str | None, date: str | None = None,
               pages: Iterable[str] = ()) -> None:
    safeguard = SAFEGUARDS_BY_NAME[name]
    node = URIRef(f"{deployment}/safeguard/{safeguard.slug}")
    graph.add((deployment, DGE.hasSafeguard, node))
    graph.add((node, RDF.type, DGE.SafeguardInstance))
    graph.add((node, DGE.safeguardType, safeguard.iri))
    graph.add((node, DGE.safeguardStatus, concept("safeguard-status", "present")))
    if source:
        graph.add((node, DCT.source, URIRef(source)))
    if date:
        graph.add((node, DCT.date, Literal(date, datatype=XSD.date)))
    for page in pages:
        graph.add((node, FOAF.page, URIRef(page)))


def _add_record(graph: Graph, record: RegisterRecord, index: MunicipalityIndex, file: str,
                summary: RegisterSummary, linked: set[str], others: set[str]) -> URIRef:
    deployment = id_iri("deployment", deployment_slug(record))
    add = graph.add
    add((deployment, RDF.type, DGE.Deployment))
    add((deployment, DCT.title, Literal(record.title, lang="nl")))
    add((deployment, DGE.recordKind, concept("record-kind", "register-import")))
    if record.lars:
        add((deployment, DCT.identifier, Literal(record.lars)))
    if record.description:
        add((deployment, DCT.description, Literal(record.description, lang="nl")))
    if record.url:
        add((deployment, DCT.source, URIRef(record.url)))
        add((deployment, PROV.wasDerivedFrom, URIRef(record.url)))
    if record.website and re.match(r"^https?://\S+$", record.website):
        add((deployment, FOAF.page, URIRef(record.website)))
    for theme in record.themes:
        add((deployment, DCT.subject, Literal(theme, lang="nl")))

    # who
    municipality = index.find(record.organisation)
    if municipality is not None:
        add((deployment, DGE.deployer, municipality.iri))
        add((deployment, DGE.municipality, municipality.iri))
        add((deployment, DGE.deployerType, concept("deployer-type", "Municipality")))
        linked.add(municipality.code)
        summary.linked_deployments += 1
    elif looks_municipal(record.organisation):
        summary.unmatched_municipal.append((record.organisation, record.ref))
        add((deployment, DGE.deployer, add_organisation(graph, record.organisation, public=True)))
        add((deployment, DGE.deployerType, concept("deployer-type", "Municipality")))
    else:
        private = bool(PRIVATE_LEGAL_FORM.search(record.organisation))
        add((deployment, DGE.deployer, add_organisation(graph, record.organisation, public=not private)))
        add((deployment, DGE.deployerType,
             concept("deployer-type", "PrivateEntity" if private else "OtherPublicAuthority")))
        others.add(str(organisation_iri(record.organisation)))
    if record.provider:
        add((deployment, DGE.supplier, add_organisation(graph, record.provider)))

    # what and when
    if record.status:
        code = STATUS.get(record.status.strip().lower())
        if code is None:
            raise RegisterError(file, f"unknown status {record.status!r} (known: In gebruik, In ontwikkeling, "
                                "Buiten gebruik)", record.ref, "status")
        add((deployment, DGE.deploymentStatus, concept("deployment-status", code)))
    # Being in the algorithm register is the organisation's statement that this is an algorithm.
    add((deployment, DGE.isAlgorithm, Literal(True)))
    begin = _iso_date(record.begin_date)
    if begin:
        add((deployment, DGE.inServiceSince, Literal(begin, datatype=XSD.date)))
    category = (record.publication_category or "").strip().lower()
    if category.startswith("hoog-risico") or category.startswith("hoog risico"):
        add((deployment, DGE.isAISystem, Literal(True)))
        add((deployment, DGE.selfAssessedImpactful, Literal(True)))
    elif category.startswith("impactvol"):
        add((deployment, DGE.selfAssessedImpactful, Literal(True)))
    elif category.startswith("overig"):
        add((deployment, DGE.selfAssessedImpactful, Literal(False)))

    # evidence
    _safeguard(graph, deployment, "registeredAlgorithmRegister", source=record.url,
               date=_iso_date(record.registered), pages=[record.url] if record.url else [])
    basis_pages = [link.url for link in record.lawful_basis_links if link.url]
    if record.lawful_basis or record.lawful_basis_links:
        _safeguard(graph, deployment, "legalBasisDocumented", source=record.url, pages=basis_pages)
    evidenced: dict[str, list[str]] = {}
    for assessment in record.impact_assessments:
        for name in impact_assessment_safeguards(assessment.title):
            evidenced.setdefault(name, [])
            if assessment.url:
                evidenced[name].append(assessment.url)
    for name, pages in evidenced.items():
        _safeguard(graph, deployment, name, source=record.url, pages=pages)
    if record.scrape_impactassessment in ("Ja", "Nee"):
        add((deployment, SKOS.editorialNote, Literal(
            f"Scrape van het Algoritmeregister: impactassessment = {record.scrape_impactassessment} (heuristiek "
            "van de scraper op de genoemde impacttoetsen; niet als waarborg overgenomen).", lang="nl")))
    return deployment


def records_to_graph(records: list[RegisterRecord], file: str,
                     municipalities: MunicipalityIndex | None = None) -> tuple[Graph, RegisterSummary, list]:
    index = municipalities or load_municipalities()
    graph = Graph()
    summary = RegisterSummary()
    linked: set[str] = set()
    others: set[str] = set()
    seen: dict[str, str] = {}
    deployments = []
    for record in records:
        slug = deployment_slug(record)
        if slug in seen:
            raise RegisterError(file, f"the same register entry as record {seen[slug]}", record.ref,
                                "lars" if record.lars else None)
        seen[slug] = record.ref
        summary.left_out_links += record.left_out_links
        deployments.append((record.lars or record.ref, _add_record(graph, record, index, file, summary, linked,
                                                                     others)))
    summary.deployments = len(records)
    summary.linked_municipalities = len(linked)
    summary.other_organisations = len(others)
    return graph, summary, deployments


def read_register(path: Path | str, *, record_format: str = "auto",
                  municipalities: MunicipalityIndex | None = None) -> RegisterBatch:
    """Read one register JSON file into RDF; raise ``RegisterError`` (file, record, key) on bad input."""
    path = Path(path)
    name = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise RegisterError(name, "no such file") from None
    except json.JSONDecodeError as exc:
        raise RegisterError(name, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise RegisterError(name, f"not UTF-8 text: {exc.reason}") from None
    try:
        chosen = detect_format(data) if record_format == "auto" else record_format
        records = _record_list(data)
    except ValueError as exc:
        raise RegisterError(name, str(exc)) from None
    if chosen not in FORMATS:
        raise RegisterError(name, f"unknown format {chosen!r} (use {', '.join(FORMATS)} or auto)")
    parsed = parse_scrape(records, name) if chosen == "scrape" else parse_standard(records, name)
    graph, summary, deployments = records_to_graph(parsed, name, municipalities)
    return RegisterBatch(path, chosen, graph, summary, deployments)
