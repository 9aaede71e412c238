"""Importer for the Algoritmekader of the Dutch government: its requirements and measures as linked data.

The source is a snapshot of the Algoritmekader's task registry (``MinBZK/task-registry``, EUPL-1.2): a folder with
``requirements/*.yaml`` (each with ``urn: urn:nl:ak:ver:<code>``) and ``measures/*.yaml`` (``urn:nl:ak:mtr:<code>``).
Of each record the importer takes only what identifies and relates it — the URN, the title (``name``), the page
address (``url``), the lifecycle phases (``lifecycle``) and the links between measures and requirements (``links``,
read in both directions) — and none of the prose (description, explanation, templates).

The result is one Turtle file (``data/algoritmekader.ttl``, loaded by ``build``), written deterministically: the same
snapshot and provenance give the same bytes. Its header and its two concept schemes cite the source repository,
commit, date and licence. The URNs themselves are the resources' IRIs, so the project's requirements'
``dge:algoritmekaderRequirement <urn:nl:ak:ver:…>`` links resolve in the graph.

Model (docs/algoritmekader.md): a requirement is a ``dge:AlgoritmekaderRequirement``, a measure a
``dge:AlgoritmekaderMeasure`` (both ``skos:Concept``, in the schemes ``id/scheme/algoritmekader-requirement`` and
``id/scheme/algoritmekader-measure``) with ``skos:notation`` (the code), ``skos:prefLabel`` (the title, @nl),
``dct:source`` (the page), ``dge:lifecyclePhase`` (concepts of ``id/scheme/algoritmekader-phase`` in the ontology);
``measure dge:servesRequirement requirement`` for every link.

Two kinds of defects of the source are handled and reported, not hidden:

* a measure file that declares the URN of another measure (a copy-paste slip upstream) is identified by the code its
  file name and page address carry, when exactly one other file holds that URN by its own name; the correction is
  listed in the header (``Correction``);
* a link to a URN that no record declares is left out and listed (``Dangling``).

Anything else that is wrong (no URN, a URN of the wrong kind, an unknown lifecycle phase, two files that both claim
a URN by name, a file that is not YAML) is an ``AlgoritmekaderError`` naming the file and the key; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal, URIRef

from dge_graph.kernel.namespaces import DCT, DGE, PROV, SKOS, XSD, id_iri
from dge_graph.kernel.vocabulary import ENUMERATIONS

PHASE_SCHEME = "algoritmekader-phase"
REQUIREMENT_SCHEME = id_iri("scheme", "algoritmekader-requirement")
MEASURE_SCHEME = id_iri("scheme", "algoritmekader-measure")
SPDX = "http://spdx.org/licenses/"
LICENCE_FILE = re.compile(r"^LICEN[SC]E\.(?P<spdx>[A-Za-z0-9.+-]+?)(?:\.txt|\.md)?$")


@dataclass(frozen=True)
class Kind:
    """One of the two kinds of record: its folder, URN prefix, class and scheme."""

    folder: str
    urn_prefix: str
    rdf_class: URIRef
    scheme: URIRef


REQUIREMENT = Kind("requirements", "urn:nl:ak:ver:", DGE.AlgoritmekaderRequirement, REQUIREMENT_SCHEME)
MEASURE = Kind("measures", "urn:nl:ak:mtr:", DGE.AlgoritmekaderMeasure, MEASURE_SCHEME)
CODE = re.compile(r"^[a-z]+-\d+$")


class AlgoritmekaderError(ValueError):
    """A snapshot that cannot be imported; names the file and the key. Nothing is written."""

    def __init__(self, file: Path | str, reason: str, key: str | None = None):
        self.file, self.key, self.reason = str(file), key, reason
        what = f", key {key!r}" if key else ""
        super().__init__(f"{self.file}{what}: {reason}; nothing imported")


@dataclass(frozen=True)
class Provenance:
    """Where the snapshot comes from: ``owner/name`` on GitHub, the commit, its date and the SPDX licence id."""

    repository: str
    commit: str
    date: dt.date
    licence: str

    def __post_init__(self):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*", self.repository):
            raise ValueError(f"repository {self.repository!r}: expected owner/name, e.g. MinBZK/task-registry")
        if not re.fullmatch(r"[0-9a-f]{40}", self.commit):
            raise ValueError(f"commit {self.commit!r}: expected the 40 hex digits of a git commit")
        if not re.fullmatch(r"[A-Za-z0-9.+-]+", self.licence):
            raise ValueError(f"licence {self.licence!r}: expected an SPDX identifier, e.g. EUPL-1.2")

    @property
    def repository_iri(self) -> URIRef:
        return URIRef(f"https://github.com/{self.repository}")

    @property
    def snapshot_iri(self) -> URIRef:
        return URIRef(f"https://github.com/{self.repository}/tree/{self.commit}")

    @property
    def licence_iri(self) -> URIRef:
        return URIRef(f"{SPDX}{self.licence}")


@dataclass(frozen=True)
class Record:
    """One requirement or measure, reduced to what the graph keeps."""

    kind: Kind
    urn: str
    title: str
    page: str | None
    phases: tuple[str, ...]
    links: tuple[str, ...]
    file: str

    @property
    def code(self) -> str:
        return self.urn[len(self.kind.urn_prefix):]


@dataclass(frozen=True)
class Algoritmekader:
    """The snapshot as read: records by URN, the measure-requirement links, and what was corrected or left out."""

    requirements: Mapping[str, Record]
    measures: Mapping[str, Record]
    serves: frozenset[tuple[str, str]]
    """(measure URN, requirement URN) for every link, from either side."""
    corrections: tuple[str, ...] = ()
    dangling: tuple[str, ...] = ()


def _file_code(path: Path) -> str | None:
    """The code a file name carries: ``2-owp-11-gebruikte-data.yaml`` → ``owp-11``, ``aia-00-…`` → ``aia-00``."""
    match = re.match(r"^(?:\d+-)?([a-z]+-\d+)(?:-|$)", path.stem)
    return match.group(1) if match else None


def _page_code(page: str | None) -> str | None:
    """The code a page address carries in its last folder: ``…/maatregelen/2-owp-02-data/index.html`` → ``owp-02``."""
    if not page:
        return None
    segments = [s for s in page.split("?")[0].split("/") if s and s != "index.html"]
    return _file_code(Path(segments[-1])) if segments else None


def _text(value, path: Path, key: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise AlgoritmekaderError(path, "missing or empty", key)
        return None
    if not isinstance(value, str):
        raise AlgoritmekaderError(path, f"expected text, found {type(value).__name__}", key)
    return " ".join(value.split())


def _list(value, path: Path, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AlgoritmekaderError(path, "expected a list of text values", key)
    return tuple(v.strip() for v in value)


def read_record(path: Path, kind: Kind) -> Record:
    """One YAML file of ``kind``; raises ``AlgoritmekaderError`` naming the file and key on any defect."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AlgoritmekaderError(path, f"cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise AlgoritmekaderError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise AlgoritmekaderError(path, "expected a mapping of keys at the top level")
    urn = _text(data.get("urn"), path, "urn", required=True)
    if not urn.startswith(kind.urn_prefix) or not CODE.match(urn[len(kind.urn_prefix):]):
        raise AlgoritmekaderError(path, f"{urn!r} is not a URN {kind.urn_prefix}<code> (code like avg-13)", "urn")
    phases = _list(data.get("lifecycle"), path, "lifecycle")
    known = ENUMERATIONS[PHASE_SCHEME]
    for phase in phases:
        if phase not in known:
            raise AlgoritmekaderError(path, f"unknown lifecycle phase {phase!r} (known: {', '.join(known)})",
                                      "lifecycle")
    links = _list(data.get("links"), path, "links")
    page = _text(data.get("url"), path, "url", required=False)
    if page is not None and not page.startswith("https://"):
        raise AlgoritmekaderError(path, f"expected an https:// address, found {page!r}", "url")
    return Record(kind, urn, _text(data.get("name"), path, "name", required=True), page,
                  tuple(dict.fromkeys(phases)), tuple(dict.fromkeys(links)), path.name)


def _records(folder: Path, kind: Kind) -> tuple[dict[str, Record], list[str]]:
    """The records of one folder by URN, resolving URNs that a file declares for another one (see module doc)."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise AlgoritmekaderError(folder, f"no {kind.folder} (*.yaml) found")
    read = [(path, read_record(path, kind)) for path in files]
    claims: dict[str, list[tuple[Path, Record]]] = {}
    for path, record in read:
        claims.setdefault(record.urn, []).append((path, record))
    records: dict[str, Record] = {}
    corrections = []
    for urn, holders in sorted(claims.items()):
        if len(holders) == 1:
            records[urn] = holders[0][1]
            continue
        by_name = [(p, r) for p, r in holders if _file_code(p) == r.code]
        if len(by_name) != 1:
            names = ", ".join(p.name for p, _ in holders)
            raise AlgoritmekaderError(folder, f"{urn} is declared by {len(holders)} files ({names}) and the file "
                                      "names do not tell which one holds it", "urn")
        records[urn] = by_name[0][1]
        for path, record in holders:
            if record is by_name[0][1]:
                continue
            code = _file_code(path)
            fixed = f"{kind.urn_prefix}{code}" if code else None
            page_code = _page_code(record.page)
            if fixed is None or code != page_code or fixed in claims:
                raise AlgoritmekaderError(path, f"declares {urn}, which {by_name[0][0].name} holds, and its file name "
                                          "and page address give no free code of its own", "urn")
            records[fixed] = Record(kind, fixed, record.title, record.page, record.phases, record.links, record.file)
            corrections.append(f"{kind.folder}/{path.name} declares {urn} (held by {kind.folder}/"
                               f"{by_name[0][0].name}); imported as {fixed}, the code of its file name and page")
    return records, corrections


def read_algoritmekader(directory: Path | str) -> Algoritmekader:
    """Read a task-registry snapshot folder (with ``requirements/`` and ``measures/``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise AlgoritmekaderError(directory, "not a folder (expected a task-registry snapshot with requirements/ "
                                  "and measures/)")
    requirements, corrections = _records(directory / REQUIREMENT.folder, REQUIREMENT)
    measures, measure_corrections = _records(directory / MEASURE.folder, MEASURE)
    serves: set[tuple[str, str]] = set()
    dangling = []
    for record in requirements.values():
        for target in record.links:
            if target in measures:
                serves.add((target, record.urn))
            elif not target.startswith(REQUIREMENT.urn_prefix):  # requirement-to-requirement links are not kept
                dangling.append(f"requirements/{record.file} links to {target}, which no measure declares")
    for record in measures.values():
        for target in record.links:
            if target in requirements:
                serves.add((record.urn, target))
            elif not target.startswith(MEASURE.urn_prefix):
                dangling.append(f"measures/{record.file} links to {target}, which no requirement declares")
    return Algoritmekader(requirements, measures, frozenset(serves), tuple(corrections + measure_corrections),
                          tuple(sorted(dangling)))


def detect_licence(directory: Path | str) -> str | None:
    """The SPDX id of the snapshot's licence file (``LICENSE.EUPL-1.2.txt`` → ``EUPL-1.2``), if it has exactly one."""
    found = {m.group("spdx") for p in Path(directory).iterdir() if (m := LICENCE_FILE.match(p.name))}
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------------------------------------------
# Turtle, written line by line so the bytes depend only on the input


PREFIXES = (
    ("dge", str(DGE)),
    ("dct", str(DCT)),
    ("prov", str(PROV)),
    ("skos", str(SKOS)),
    ("xsd", str(XSD)),
)
SCHEME_LABELS = {
    REQUIREMENT_SCHEME: (
        ("vereisten van het Algoritmekader", "Algoritmekader requirements"),
        ("De vereisten van het Algoritmekader van de Rijksoverheid (urn:nl:ak:ver:…), overgenomen met hun titel, "
         "pagina, levenscyclusfasen en maatregelen.",
         "The requirements of the Dutch government's Algoritmekader (urn:nl:ak:ver:…), taken over with their title, "
         "page, lifecycle phases and measures."),
        "https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels/vereisten/",
    ),
    MEASURE_SCHEME: (
        ("maatregelen van het Algoritmekader", "Algoritmekader measures"),
        ("De maatregelen van het Algoritmekader van de Rijksoverheid (urn:nl:ak:mtr:…), overgenomen met hun titel, "
         "pagina, levenscyclusfasen en de vereisten waaraan zij bijdragen.",
         "The measures of the Dutch government's Algoritmekader (urn:nl:ak:mtr:…), taken over with their title, "
         "page, lifecycle phases and the requirements they serve."),
        "https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels/maatregelen/",
    ),
}


def _iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not usable as an IRI: {value!r}")
    for prefix, namespace in PREFIXES:
        local = value[len(namespace):]
        if value.startswith(namespace) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", local):
            return f"{prefix}:{local}"
    return f"<{value}>"


def _literal(text: str, lang: str | None = None, datatype: URIRef | None = None) -> str:
    return Literal(text, lang=lang, datatype=datatype).n3().replace(f"<{XSD}date>", "xsd:date")


def _statements(subject: str, pairs: Iterable[tuple[str, list[str]]]) -> str:
    lines = []
    pairs = [(p, objects) for p, objects in pairs if objects]
    for index, (predicate, objects) in enumerate(pairs):
        end = " ." if index == len(pairs) - 1 else " ;"
        lead = subject if index == 0 else "   "
        lines.append(f"{lead} {predicate} {', '.join(objects)}{end}")
    return "\n".join(lines) + "\n"


def _header(kader: Algoritmekader, provenance: Provenance) -> list[str]:
    lines = [
        "# Generated by `dge-graph import algoritmekader` (src/dge_graph/ingest/algoritmekader.py); do not edit by",
        "# hand: regenerate it (docs/algoritmekader.md).",
        f"# Source: the Algoritmekader task registry, {provenance.repository_iri}",
        f"#   commit {provenance.commit} of {provenance.date.isoformat()}, licence {provenance.licence}",
        f"#   ({provenance.licence_iri}).",
        f"# {len(kader.requirements)} requirements, {len(kader.measures)} measures, {len(kader.serves)} links "
        "measure -> requirement.",
        "# Taken over: URN, title, page address, lifecycle phases and links; none of the records' prose.",
    ]
    for correction in kader.corrections:
        lines.append(f"# Correction: {correction}.")
    for dangling in kader.dangling:
        lines.append(f"# Dangling (left out): {dangling}.")
    return lines


def algoritmekader_turtle(kader: Algoritmekader, provenance: Provenance) -> str:
    """The snapshot as Turtle (see the module docstring); deterministic."""
    out = "\n".join(_header(kader, provenance)) + "\n\n"
    out += "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES) + "\n"
    date = _literal(provenance.date.isoformat(), datatype=XSD.date)
    for scheme, ((label_nl, label_en), (definition_nl, definition_en), page) in SCHEME_LABELS.items():
        out += _statements(_iri(str(scheme)), [
            ("a", ["skos:ConceptScheme"]),
            ("skos:prefLabel", [_literal(label_nl, "nl"), _literal(label_en, "en")]),
            ("skos:definition", [_literal(definition_nl, "nl"), _literal(definition_en, "en")]),
            ("dct:source", [_iri(page)]),
            ("prov:wasDerivedFrom", [_iri(str(provenance.snapshot_iri))]),
            ("dct:license", [_iri(str(provenance.licence_iri))]),
            ("dct:modified", [date]),
        ]) + "\n"
    serving: dict[str, list[str]] = {}
    for measure, requirement in kader.serves:
        serving.setdefault(measure, []).append(requirement)
    for kind, records in ((REQUIREMENT, kader.requirements), (MEASURE, kader.measures)):
        for urn in sorted(records, key=_code_order):
            record = records[urn]
            out += _statements(_iri(urn), [
                ("a", [_iri(str(kind.rdf_class))]),
                ("skos:inScheme", [_iri(str(kind.scheme))]),
                ("skos:notation", [_literal(record.code)]),
                ("skos:prefLabel", [_literal(record.title, "nl")]),
                ("dct:source", [_iri(record.page)] if record.page else []),
                ("dge:lifecyclePhase", [_iri(str(id_iri(PHASE_SCHEME, p))) for p in record.phases]),
                ("dge:servesRequirement", [_iri(r) for r in sorted(serving.get(urn, ()), key=_code_order)]),
            ]) + "\n"
    return out.rstrip("\n") + "\n"


def _code_order(urn: str) -> tuple[str, int]:
    """URNs by prefix then number: aia-2 before aia-10."""
    head, _, number = urn.rpartition("-")
    return (head, int(number)) if number.isdigit() else (urn, -1)


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    changed: bool
    kader: Algoritmekader = field(repr=False)


def write_algoritmekader(directory: Path | str, out: Path | str, provenance: Provenance) -> WrittenFile:
    """Read the snapshot and write its Turtle to ``out`` (only if the bytes differ); nothing is written on error."""
    kader = read_algoritmekader(directory)
    text = algoritmekader_turtle(kader, provenance)
    out = Path(out)
    if out.is_file() and out.read_text(encoding="utf-8") == text:
        return WrittenFile(out, False, kader)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)
    return WrittenFile(out, True, kader)
