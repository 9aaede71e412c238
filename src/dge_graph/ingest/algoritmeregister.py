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
from types import MappingProxyType
from typing import Any

from rdflib import Graph, Literal, URIRef

from dge_graph.ingest.intake import add_organisation, organisation_iri
from dge_graph.ingest.municipalities import MunicipalityIndex, load_municipalities, looks_municipal, normalise_name
from dge_graph.ingest.provenance import snapshot_provenance
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, PROV, RDF, SKOS, XSD, id_iri
from dge_graph.kernel.terms import is_iri
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
    source: Path | str  # the file, or the API URL the records were fetched from
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
    value = value.strip()
    if not re.match(r"^https?://", value) or not is_iri(value):
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
        # publication_dt (the standard), else create_dt (the register API's listing records)
        published_key = "publication_dt" if f.text("publication_dt") else "create_dt"
        published = f.text(published_key)
        parsed.append(RegisterRecord(
            ref=f.ref,
            lars=lars,
            title=f.text("name", required=True),
            organisation=f.text("organization", required=True),
            description=f.text("description_short"),
            status=f.text("status"),
            registered=checked_register_date(file, f.ref, published_key, published)[:10] if published else None,
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
    if record.website and link_iri(record.website):
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


def load_register_json(path: Path | str) -> Any:
    """The parsed JSON of a register file; ``RegisterError`` naming the file when it cannot be read."""
    path = Path(path)
    name = str(path)
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise RegisterError(name, "no such file") from None
    except json.JSONDecodeError as exc:
        raise RegisterError(name, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise RegisterError(name, f"not UTF-8 text: {exc.reason}") from None


def read_register(path: Path | str, *, record_format: str = "auto",
                  municipalities: MunicipalityIndex | None = None) -> RegisterBatch:
    """Read one register JSON file into RDF; raise ``RegisterError`` (file, record, key) on bad input."""
    return register_batch(load_register_json(path), Path(path), record_format=record_format,
                          municipalities=municipalities)


def register_batch(data: Any, source: Path | str, *, record_format: str = "auto",
                   municipalities: MunicipalityIndex | None = None) -> RegisterBatch:
    """Register records already parsed from JSON (a file, or the pages of the API) into RDF.

    ``source`` names where the records came from in errors and in the batch (a file path or the API URL)."""
    path = source
    name = str(source)
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


# ----------------------------------------------------------------------------------------------------------------
# the shipped snapshot: data/register/algoritmeregister.ttl (facts only, deterministic Turtle)

SHIPPED_SNAPSHOT = "data/register/algoritmeregister.ttl"
"""Where the project keeps its re-expression of the public register (built into the default graph)."""

SHIPPED_SNAPSHOT_GRAPH = URIRef(f"https://w3id.org/dge-graph/graph/{SHIPPED_SNAPSHOT}")
"""The named graph ``dge-graph build`` loads the shipped snapshot into (``graph/<path>``, see ``build.Source``)."""

# Texts of the register that are not facts: they are not copied, the record's own page is linked instead.
NOT_COPIED = (DCT.description,)

LICENCES = MappingProxyType({
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "EUPL-1.2": "https://joinup.ec.europa.eu/licence/european-union-public-licence-version-12",
})
"""SPDX licence identifiers accepted by ``--licence`` and the IRI written as ``dct:license`` of the snapshot."""

SNAPSHOT_PREFIXES = (
    ("dct", str(DCT)),
    ("dge", str(DGE)),
    ("deployment", str(id_iri("deployment", ""))),
    ("municipality", str(id_iri("municipality", ""))),
    ("org", "http://www.w3.org/ns/org#"),
    ("organisation", str(id_iri("organisation", ""))),
    ("deployer-type", str(id_iri("deployer-type", ""))),
    ("deployment-status", str(id_iri("deployment-status", ""))),
    ("record-kind", str(id_iri("record-kind", ""))),
    ("safeguard-status", str(id_iri("safeguard-status", ""))),
    ("safeguard-type", str(id_iri("safeguard-type", ""))),
    ("foaf", str(FOAF)),
    ("prov", str(PROV)),
    ("rdf", str(RDF)),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("skos", str(SKOS)),
    ("xsd", str(XSD)),
)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_PN_LOCAL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_GITHUB_BLOB = re.compile(r"https://github\.com/(?P<repo>[^/]+/[^/]+)/(?:blob|tree)/(?P<commit>[0-9a-f]{7,40})/(?P<path>\S+)")


@dataclass(frozen=True)
class Snapshot:
    """Where a register snapshot came from, for the header and the dataset description of the Turtle file."""

    source: str  # the file name or the API URL the records were read from
    sha256: str | None  # of the file's bytes (None for the API)
    fetched_at: str | None  # when the scrape / the API was read (the scrape's ``fetched_at``)
    origin: str | None = None  # a permanent URL of the snapshot, e.g. a GitHub blob URL at a commit
    licence: str | None = None  # SPDX id (a key of LICENCES)
    command: str | None = None  # the command that made the file


def file_snapshot(path: Path | str, *, origin: str | None = None, licence: str | None = None,
                  command: str | None = None) -> Snapshot:
    """The provenance of a register file: its name, digest and (for the scrape) ``fetched_at``."""
    path = Path(path)
    data = load_register_json(path)
    fetched = data.get("fetched_at") if isinstance(data, dict) else None
    return Snapshot(path.name, hashlib.sha256(path.read_bytes()).hexdigest(),
                    fetched if isinstance(fetched, str) else None, origin, licence, command)


def facts_only(graph: Graph) -> Graph:
    """The graph without the register's texts (``NOT_COPIED``): what the project ships."""
    out = Graph()
    for triple in graph:
        if triple[1] not in NOT_COPIED:
            out.add(triple)
    return out


def _turtle_term(term, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, namespace in prefixes:
            if text.startswith(namespace) and _PN_LOCAL.fullmatch(text[len(namespace):]):
                return f"{prefix}:{text[len(namespace):]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        if term.datatype == XSD.boolean:
            return "true" if term.toPython() is True else "false"
        lexical = str(term)
        escaped = "".join(_TURTLE_ESCAPES.get(ch, ch if ord(ch) >= 0x20 else f"\\u{ord(ch):04X}") for ch in lexical)
        if term.language:
            return f'"{escaped}"@{term.language}'
        if term.datatype and term.datatype != XSD.string:
            return f'"{escaped}"^^{_turtle_term(term.datatype, prefixes)}'
        return f'"{escaped}"'
    raise ValueError(f"the snapshot writes no blank nodes: {term!r}")


_TURTLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _header(snapshot: Snapshot, batch: RegisterBatch) -> list[str]:
    summary = batch.summary
    lines = [
        "# The national algorithm register (algoritmes.overheid.nl) as linked data: one dge:Deployment per record.",
        f"# {summary.deployments} records, {summary.linked_deployments} of them under {summary.linked_municipalities} "
        f"municipalities, {summary.other_organisations} other organisations.",
        "#",
        "# Generated by the project's own importer (src/dge_graph/algoritmeregister.py, docs/algoritmeregister.md)",
        f"# from {snapshot.source}" + (f" (sha256 {snapshot.sha256})" if snapshot.sha256 else "")
        + (f", fetched {snapshot.fetched_at}" if snapshot.fetched_at else "") + ".",
    ]
    if snapshot.origin:
        match = _GITHUB_BLOB.fullmatch(snapshot.origin)
        if match:
            lines.append(f"# Snapshot: repository {match['repo']}, commit {match['commit']}, path {match['path']}.")
        lines.append(f"# Snapshot URL: {snapshot.origin}")
    if snapshot.licence:
        lines.append(f"# Licence of the source data: {snapshot.licence} ({LICENCES[snapshot.licence]}).")
    if snapshot.command:
        lines.append(f"# Command: {snapshot.command}")
    lines += [
        "#",
        "# Facts only: identifiers, titles, organisations, status, dates, register category, impact assessments",
        "# named, whether a lawful basis is given (not its text). No description texts are copied (not the purpose,",
        "# not the lawful basis): each record links to its page in the register (dct:source, foaf:page).",
        "# A fact the register does not state is not written (unknown, never false).",
        "# Do not edit: regenerate with the command above (tests/shared/test_register_shared.py compares the result",
        "# byte for byte). A register import into the store replaces this snapshot there (docs/algoritmeregister.md).",
        "",
    ]
    return lines


def snapshot_turtle(batch: RegisterBatch, snapshot: Snapshot) -> str:
    """Deterministic Turtle of a register batch without its texts: sorted, prefixed, no blank nodes.

    With ``snapshot.origin``, the snapshot itself is described (absolute IRIs only, so any loader reads the file):
    its title, ``dct:license`` the source's licence and ``prov:generatedAtTime`` when it was fetched."""
    graph = facts_only(batch.graph)
    prefixes = sorted(SNAPSHOT_PREFIXES, key=lambda p: -len(p[1]))  # longest namespace first
    lines = _header(snapshot, batch)
    lines += [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in SNAPSHOT_PREFIXES] + [""]
    if snapshot.origin:
        described = snapshot_provenance(
            snapshot.origin, title=Literal("Algoritmeregister (algoritmes.overheid.nl): momentopname", lang="nl"),
            licence=LICENCES[snapshot.licence] if snapshot.licence else None,
            fetched_at=snapshot.fetched_at if snapshot.fetched_at and _DATE_TIME.fullmatch(snapshot.fetched_at) else None)
        about = [f"{_turtle_term(p, prefixes)} {f'<{o}>' if isinstance(o, URIRef) else _turtle_term(o, prefixes)}"
                 for _s, p, o in described]
        about[0] = f"<{snapshot.origin}> {about[0]}"
        lines += [" ;\n    ".join(about) + " .", ""]
    by_subject: dict[Any, list[tuple[Any, Any]]] = {}
    for s, p, o in graph:
        by_subject.setdefault(s, []).append((p, o))
    for subject in sorted(by_subject, key=str):
        rendered = []
        for predicate, obj in by_subject[subject]:
            key = (predicate != RDF.type, str(predicate))
            rendered.append((key, "a" if predicate == RDF.type else _turtle_term(predicate, prefixes),
                             _turtle_term(obj, prefixes)))
        rendered.sort()
        parts = [f"{_turtle_term(subject, prefixes)} {rendered[0][1]} {rendered[0][2]}"]
        parts += [f"    {p} {o}" for _, p, o in rendered[1:]]
        lines.append(" ;\n".join(parts) + " .")
        lines.append("")
    return "\n".join(lines)


def write_snapshot(batch: RegisterBatch, snapshot: Snapshot, out: Path | str) -> Path:
    """Write ``snapshot_turtle`` to ``out`` (folders created; written whole via a temporary file, then renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(snapshot_turtle(batch, snapshot), encoding="utf-8", newline="\n")
    temporary.replace(out)
    return out
