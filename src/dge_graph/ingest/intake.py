"""The intake format: deployments described in YAML or CSV by people who do not write Turtle.

A file holds deployments whose keys are exactly the fact and safeguard names of the ontology (dge:specName)
(``vocabulary.FACTS`` and ``vocabulary.SAFEGUARDS``) plus identity keys (``IDENTITY_KEYS``). Only ``id`` and
``title`` are required; an absent key is *unknown* and writes nothing. See ``docs/intake.md``.

Reading is strict and all-or-nothing: the file is parsed, every record is checked against the JSON Schema
(``intake_schema()``, published as ``docs/intake.schema.json``) and then against the things a schema cannot know
(municipality names, duplicate ids). Any problem raises ``IntakeError`` naming the file, the row (1-based list index
in YAML, 1-based data row in CSV; 0 = the file or header as a whole), the key and the reason, and nothing is
returned, so nothing of the file can reach the store.

The schema's single source is this module: ``docs/intake.schema.json`` is its published copy, kept equal by a test
(regenerate it with ``dge-graph import intake-schema > docs/intake.schema.json``).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from dge_graph.ingest.municipalities import MunicipalityIndex, UnknownMunicipality, load_municipalities
from dge_graph.kernel.media_types import BY_MEDIA_TYPE
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, ORG, PROV, RDF, RDFS, XSD, id_iri
from dge_graph.kernel.terms import InvalidIRI, checked_iri, iri_problem
from dge_graph.kernel.vocabulary import (
    ENUMERATIONS,
    FACTS,
    FACTS_BY_NAME,
    PUBLIC_VALUES,
    SAFEGUARDS,
    SAFEGUARDS_BY_NAME,
    concept,
)

SCHEMA_ID = "https://w3id.org/dge-graph/schema/intake.schema.json"

# Keys besides the §2 facts and safeguards. ``inServiceSince`` is a §2a fact and listed there.
IDENTITY_KEYS = (
    "id",
    "title",
    "description",
    "municipality",
    "deployer",
    "technology",
    "supplier",
    "source",
    "valuesAtStake",
    "status",
    "recordKind",
)
INTAKE_RECORD_KINDS = ("intake", "documented", "illustrative")
MULTI_VALUED_KEYS = frozenset({"valuesAtStake", *(f.name for f in FACTS if f.kind == "enum-set")})
ALL_KEYS = (*IDENTITY_KEYS, *(f.name for f in FACTS), *(s.name for s in SAFEGUARDS))
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SUFFIXES = {s: BY_MEDIA_TYPE[m].short_names[0] for m in ("application/yaml", "text/csv") for s in BY_MEDIA_TYPE[m].suffixes}
"""Input file suffix -> reader (``yaml`` or ``csv``), from the media-type registry."""


class IntakeError(ValueError):
    """A file that cannot be imported. ``row``/``key``/``reason`` describe the first problem; ``problems`` all."""

    def __init__(self, file: str, problems: Sequence[Problem]):
        self.file = file
        self.problems = list(problems)
        first = self.problems[0]
        self.row = first.row
        self.key = first.key
        self.reason = first.reason
        shown = "\n  ".join(str(p) for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{file}: {len(self.problems)} problem(s), nothing imported:\n  {shown}{more}")


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based record number; 0 = the file / the CSV header
    key: str | None
    reason: str
    line: int | None = None  # line in the file, where known

    def __str__(self) -> str:
        where = "file" if self.row == 0 and self.key is None else ("header" if self.row == 0 else f"row {self.row}")
        line = f" (line {self.line})" if self.line else ""
        key = f", key {self.key!r}" if self.key else ""
        return f"{where}{line}{key}: {self.reason}"


@dataclass
class IntakeBatch:
    """The deployments of one intake file as RDF."""

    source: Path
    graph: Graph
    deployments: list[tuple[str, URIRef]] = field(default_factory=list)  # (intake id, deployment IRI)
    rows: list[int] = field(default_factory=list)  # the row (record number) of each deployment, for messages


# ----------------------------------------------------------------------------------------------------------------
# the schema


def _safeguard_schema() -> dict:
    return {
        "description": "true / false, a status (present, absent, planned, expired), or a mapping "
        "{status, date, document, source}",
        "anyOf": [
            {"type": "boolean"},
            {"enum": list(ENUMERATIONS["safeguard-status"])},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["status"],
                "properties": {
                    "status": {"enum": list(ENUMERATIONS["safeguard-status"])},
                    "date": {"type": "string", "pattern": DATE_PATTERN, "format": "date"},
                    "document": {"type": "string", "format": "uri", "pattern": "^https?://"},
                    "source": {"type": "string", "format": "uri", "pattern": "^https?://"},
                },
            },
        ],
    }


def _fact_schema(kind: str, scheme: str | None) -> dict:
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    if kind == "integer":
        return {"type": "integer", "minimum": 0}
    if kind == "enum":
        return {"enum": list(ENUMERATIONS[scheme])}
    if kind == "enum-set":
        return {"type": "array", "items": {"enum": list(ENUMERATIONS[scheme])}, "uniqueItems": True}
    return {"type": "string"}


def intake_schema() -> dict:
    """The JSON Schema (2020-12) of a YAML intake file; each CSV row is checked against ``$defs/deployment``."""
    properties: dict[str, Any] = {
        "id": {"type": "string", "pattern": ID_PATTERN,
               "description": "Identifier; becomes https://w3id.org/dge-graph/id/deployment/<id>."},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "municipality": {"type": "string", "minLength": 1,
                         "description": "CBS code (GM0363) or name of the municipality on whose territory it runs."},
        "deployer": {"type": "string", "minLength": 1,
                     "description": "Who runs it, if not the municipality: a municipality or any organisation name."},
        "technology": {"enum": list(ENUMERATIONS["technology-kind"])},
        "supplier": {"type": "string", "minLength": 1},
        "source": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "valuesAtStake": {"type": "array", "items": {"enum": list(PUBLIC_VALUES)}, "uniqueItems": True},
        "status": {"enum": list(ENUMERATIONS["deployment-status"])},
        "recordKind": {"enum": list(INTAKE_RECORD_KINDS)},
    }
    for fact in FACTS:
        properties[fact.name] = _fact_schema(fact.kind, fact.scheme)
    for safeguard in SAFEGUARDS:
        properties[safeguard.name] = {"$ref": "#/$defs/safeguard"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dge-graph intake file",
        "description": "Deployments of digital technology by (or in) Dutch municipalities, with the facts and "
        "safeguards of the ontology (dge:specName). Absent keys are unknown. See docs/intake.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["deployments"],
        "properties": {"deployments": {"type": "array", "items": {"$ref": "#/$defs/deployment"}}},
        "$defs": {
            "deployment": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title"],
                "properties": properties,
            },
            "safeguard": _safeguard_schema(),
        },
    }


def _format_checker() -> FormatChecker:
    """JSON Schema formats, with ``uri`` checked as an RDF IRI (jsonschema alone does not check ``uri``)."""
    checker = FormatChecker()

    @checker.checks("uri", raises=ValueError)
    def _is_iri(value: object) -> bool:
        if isinstance(value, str):
            checked_iri(value)  # InvalidIRI (a ValueError) names the value and what is wrong with it
        return True

    return checker


def _record_validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(
        {"$defs": schema["$defs"], "$ref": "#/$defs/deployment"}, format_checker=_format_checker()
    )


# ----------------------------------------------------------------------------------------------------------------
# reading YAML and CSV into plain records


@dataclass(frozen=True)
class RawRecord:
    row: int
    values: dict[str, Any]
    line: int | None = None
    key_lines: Mapping[str, int] = field(default_factory=dict)


def _yaml_lines(text: str) -> tuple[list[int | None], list[dict[str, int]]]:
    """Line numbers of each item of ``deployments`` and of each key in it (best effort)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return [], []
    item_lines: list[int | None] = []
    key_lines: list[dict[str, int]] = []
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == "deployments" and isinstance(value_node, yaml.SequenceNode):
                for item in value_node.value:
                    item_lines.append(item.start_mark.line + 1)
                    keys = {}
                    if isinstance(item, yaml.MappingNode):
                        keys = {str(k.value): k.start_mark.line + 1 for k, _ in item.value}
                    key_lines.append(keys)
    return item_lines, key_lines


def _intake_loader() -> type[yaml.SafeLoader]:
    """A safe YAML loader whose only booleans are true/false (YAML 1.2), so ``yes``, ``no``, ``on``, ``off``
    stay strings and are reported as the wrong type instead of silently becoming booleans; and that reads dates
    as text, so an impossible unquoted date (``2026-02-30``) reaches the schema's date check, which names its row
    and key, instead of failing inside the YAML parser."""
    bool_tag = "tag:yaml.org,2002:bool"
    timestamp_tag = "tag:yaml.org,2002:timestamp"

    class IntakeLoader(yaml.SafeLoader):
        pass

    IntakeLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (bool_tag, timestamp_tag)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    IntakeLoader.add_implicit_resolver(bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                       list("tTfF"))
    return IntakeLoader


def _read_yaml(text: str) -> list[RawRecord]:
    try:
        data = yaml.load(text, Loader=_intake_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise _problems([Problem(0, None, f"not valid YAML: {getattr(exc, 'problem', None) or exc}", line)])
    if not isinstance(data, dict) or "deployments" not in data:
        raise _problems([Problem(0, None, "expected a mapping with a top-level 'deployments:' list")])
    extra = sorted(str(k) for k in data if k != "deployments")
    if extra:
        raise _problems([Problem(0, k, "unknown top-level key (only 'deployments' is allowed)") for k in extra])
    items = data["deployments"]
    if not isinstance(items, list):
        raise _problems([Problem(0, "deployments", "must be a list of deployments")])
    item_lines, key_lines = _yaml_lines(text)
    records = []
    for index, item in enumerate(items, start=1):
        line = item_lines[index - 1] if index - 1 < len(item_lines) else None
        keys = key_lines[index - 1] if index - 1 < len(key_lines) else {}
        if not isinstance(item, dict):
            raise _problems([Problem(index, None, "a deployment must be a mapping of keys to values", line)])
        records.append(RawRecord(index, {str(k): v for k, v in item.items()}, line, keys))
    return records


_CSV_TRUE = frozenset({"true"})
_CSV_FALSE = frozenset({"false"})


def _csv_value(key: str, text: str) -> Any:
    """Type a CSV cell by the key's kind; leave it a string when it does not fit (the schema then says why)."""
    value = text.strip()
    if key in MULTI_VALUED_KEYS:
        return [part.strip() for part in value.split(";") if part.strip()]
    fact = FACTS_BY_NAME.get(key)
    kind = fact.kind if fact else ("safeguard" if key in SAFEGUARDS_BY_NAME else "string")
    if kind in ("boolean", "safeguard"):
        if value.lower() in _CSV_TRUE:
            return True
        if value.lower() in _CSV_FALSE:
            return False
        return value
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _read_csv(text: str) -> list[RawRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _problems([Problem(0, None, "empty CSV file: expected a header row")]) from None
    header = [h.strip() for h in header]
    problems = [Problem(0, h or None, "empty column name" if not h else "duplicate column")
                for i, h in enumerate(header) if not h or h in header[:i]]
    if len(header) == 1 and ";" in header[0]:
        raise _problems([Problem(0, None, "the header has one column containing ';': the file looks "
                                          "semicolon-separated; intake CSV is comma-separated (';' separates "
                                          "the values of multi-valued keys)", 1)])
    problems += [Problem(0, h, _unknown_key(h), 1) for h in header if h and h not in ALL_KEYS]
    if problems:
        raise _problems(problems)
    records = []
    for row_number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        if len(cells) > len(header):
            raise _problems([Problem(row_number, None, f"{len(cells)} cells but {len(header)} columns", line)])
        values = {key: _csv_value(key, cell) for key, cell in zip(header, cells) if cell.strip()}
        records.append(RawRecord(row_number, values, line, {k: line for k in values}))
    return records


def _normalise_yaml_value(key: str, value: Any) -> Any:
    """Undo YAML's guesses where the spec's codes look like numbers or dates (``annexIIIArea: 2``, dates)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    fact = FACTS_BY_NAME.get(key)
    if fact and fact.kind == "enum" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if key in MULTI_VALUED_KEYS:
        items = value if isinstance(value, list) else [value]
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in items]
    if key in SAFEGUARDS_BY_NAME and isinstance(value, dict):
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in value.items()}
    return value


# ----------------------------------------------------------------------------------------------------------------
# checking


def _problems(problems: list[Problem]) -> _PendingProblems:
    return _PendingProblems(problems)


class _PendingProblems(Exception):
    """Internal: problems found while reading; ``read_intake`` turns them into an ``IntakeError`` for the file."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def _schema_reason(error) -> str:
    if error.validator in ("anyOf", "oneOf") and "description" in error.schema:
        return f"{error.instance!r} is not valid: expected {error.schema['description']}"
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{error.instance!r} is not an allowed value (allowed: {allowed})"
    if error.validator == "pattern" and error.validator_value == DATE_PATTERN:
        return f"{error.instance!r} is not an ISO date (YYYY-MM-DD)"
    if error.validator == "format" and error.validator_value == "date":
        return f"{error.instance!r} is not a valid date"
    if error.validator == "format" and error.validator_value == "uri":
        problem = iri_problem(error.instance) if isinstance(error.instance, str) else None
        return str(InvalidIRI.naming(error.instance, problem)) if problem else error.message
    if error.validator == "pattern" and error.validator_value == ID_PATTERN:
        return f"{error.instance!r} is not a valid id (letters, digits, '.', '_', '-'; at most 120 characters)"
    if error.validator == "type":
        return f"{error.instance!r} is not of type {error.validator_value} (wrong type)"
    return error.message


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, ALL_KEYS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}"


def _check_record(record: RawRecord, validator: Draft202012Validator) -> list[Problem]:
    problems = []
    for key in record.values:
        if key not in ALL_KEYS:
            problems.append(Problem(record.row, key, _unknown_key(key), record.key_lines.get(key, record.line)))
    if problems:
        return problems
    for error in sorted(validator.iter_errors(record.values), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator == "required":
            missing = [k for k in error.validator_value if k not in record.values]
            problems += [Problem(record.row, k, "required key is missing", record.line) for k in missing]
            continue
        key = str(error.absolute_path[0]) if error.absolute_path else None
        line = record.key_lines.get(key, record.line)
        nested = _mapping_errors(error)
        if nested:  # a safeguard mapping: say which of its keys is wrong (hasDPIA.date), not just "not valid"
            problems += [Problem(record.row, ".".join([key or "", *map(str, e.path)]) if e.path else key,
                                 _schema_reason(e), line) for e in nested]
            continue
        problems.append(Problem(record.row, key, _schema_reason(error), line))
    return problems


def _mapping_errors(error) -> list:
    """For a mapping that fails an ``anyOf`` (a safeguard ``{status, date, ...}``): the errors of the branch that
    describes a mapping, i.e. what is wrong inside it; empty for any other error."""
    if error.validator != "anyOf" or not isinstance(error.instance, dict):
        return []
    branches = {i for i, branch in enumerate(error.validator_value) if branch.get("type") == "object"}
    return sorted((e for e in error.context if e.schema_path and e.schema_path[0] in branches),
                  key=lambda e: [str(p) for p in e.path])


# ----------------------------------------------------------------------------------------------------------------
# RDF


def organisation_slug(name: str) -> str:
    """``id/organisation/<slug>``: ASCII, lower case, words joined by hyphens."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-") or "unnamed"


def organisation_iri(name: str) -> URIRef:
    return id_iri("organisation", organisation_slug(name))


class TripleSink(Protocol):
    """Where converted triples go: an rdflib ``Graph`` or a streaming writer."""

    def add(self, triple: tuple[Node, Node, Node]) -> Any: ...


def _add_safeguard(graph: TripleSink, deployment: URIRef, name: str, value: Any) -> None:
    safeguard = SAFEGUARDS_BY_NAME[name]
    if isinstance(value, bool):
        details: dict[str, Any] = {"status": "present" if value else "absent"}
    elif isinstance(value, str):
        details = {"status": value}
    else:
        details = value
    node = URIRef(f"{deployment}/safeguard/{safeguard.slug}")
    graph.add((deployment, DGE.hasSafeguard, node))
    graph.add((node, RDF.type, DGE.SafeguardInstance))
    graph.add((node, DGE.safeguardType, safeguard.iri))
    graph.add((node, DGE.safeguardStatus, concept("safeguard-status", details["status"])))
    if details.get("date"):
        graph.add((node, DCT.date, Literal(details["date"], datatype=XSD.date)))
    if details.get("document"):
        graph.add((node, FOAF.page, URIRef(details["document"])))
    if details.get("source"):
        graph.add((node, DCT.source, URIRef(details["source"])))


def _add_fact(graph: TripleSink, deployment: URIRef, name: str, value: Any) -> None:
    fact = FACTS_BY_NAME[name]
    if fact.kind == "boolean":
        graph.add((deployment, fact.iri, Literal(bool(value))))
    elif fact.kind == "date":
        graph.add((deployment, fact.iri, Literal(value, datatype=XSD.date)))
    elif fact.kind == "integer":
        graph.add((deployment, fact.iri, Literal(int(value), datatype=XSD.integer)))
    elif fact.kind == "enum":
        graph.add((deployment, fact.iri, concept(fact.scheme, value)))
    elif fact.kind == "enum-set":
        for code in value:
            graph.add((deployment, fact.iri, concept(fact.scheme, code)))
    else:
        graph.add((deployment, fact.iri, Literal(str(value))))


def add_organisation(graph: TripleSink, name: str, *, public: bool | None = None) -> URIRef:
    """An ``org:Organization`` named ``name`` (``dge:PublicBody`` when ``public``) at ``id/organisation/<slug>``."""
    iri = organisation_iri(name)
    graph.add((iri, RDF.type, ORG.Organization))
    if public:
        graph.add((iri, RDF.type, DGE.PublicBody))
    graph.add((iri, RDFS.label, Literal(name)))
    return iri


def record_triples(graph: TripleSink, values: Mapping[str, Any], index: MunicipalityIndex,
                   municipality: URIRef | None, *, record_kind: str | None = None) -> URIRef:
    """Add the triples of one checked record to ``graph`` (anything with ``add(triple)``); return its IRI.

    ``municipality`` is the resolved IRI of the record's ``municipality`` key; ``record_kind`` overrides the
    record's ``recordKind`` (default ``intake``).
    """
    deployment = id_iri("deployment", values["id"])
    graph.add((deployment, RDF.type, DGE.Deployment))
    graph.add((deployment, DCT.identifier, Literal(values["id"])))
    graph.add((deployment, DCT.title, Literal(values["title"])))
    kind = record_kind or values.get("recordKind", "intake")
    graph.add((deployment, DGE.recordKind, concept("record-kind", kind)))
    if "description" in values:
        graph.add((deployment, DCT.description, Literal(values["description"])))
    if "source" in values:
        graph.add((deployment, DCT.source, URIRef(values["source"])))
        graph.add((deployment, PROV.wasDerivedFrom, URIRef(values["source"])))
    if municipality is not None:
        graph.add((deployment, DGE.municipality, municipality))
    deployer_type = values.get("deployerType")
    if "deployer" in values:
        named = index.find(values["deployer"])
        if named is not None:
            graph.add((deployment, DGE.deployer, named.iri))
        else:
            public = deployer_type in ("Municipality", "OtherPublicAuthority") if deployer_type else None
            graph.add((deployment, DGE.deployer, add_organisation(graph, values["deployer"], public=public)))
    elif municipality is not None and deployer_type in (None, "Municipality"):
        graph.add((deployment, DGE.deployer, municipality))
    if "supplier" in values:
        graph.add((deployment, DGE.supplier, add_organisation(graph, values["supplier"])))
    if "technology" in values:
        graph.add((deployment, DGE.technologyKind, concept("technology-kind", values["technology"])))
    if "status" in values:
        graph.add((deployment, DGE.deploymentStatus, concept("deployment-status", values["status"])))
    for slug in values.get("valuesAtStake", ()):
        graph.add((deployment, DGE.valueAtStake, id_iri("value", slug)))
    for key, value in values.items():
        if key in FACTS_BY_NAME:
            _add_fact(graph, deployment, key, value)
        elif key in SAFEGUARDS_BY_NAME:
            _add_safeguard(graph, deployment, key, value)
    return deployment


# ----------------------------------------------------------------------------------------------------------------
# the public entry point


def read_records(path: Path) -> list[RawRecord]:
    """Parse a YAML or CSV intake file into raw records (no checks beyond the file's syntax)."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _problems([Problem(0, None, f"unsupported file type {path.suffix!r} (use .yaml, .yml or .csv)")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problems([Problem(0, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")]) from exc
    if kind == "csv":
        return _read_csv(text)
    records = _read_yaml(text)
    return [RawRecord(r.row, {k: _normalise_yaml_value(k, v) for k, v in r.values.items()}, r.line, r.key_lines)
            for r in records]


def read_intake(path: Path | str, *, municipalities: MunicipalityIndex | None = None) -> IntakeBatch:
    """Read, check and convert one intake file; raise ``IntakeError`` (naming row, key, reason) on any problem."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise IntakeError(name, [Problem(0, None, "no such file")])
    try:
        records = read_records(path)
    except _PendingProblems as pending:
        raise IntakeError(name, pending.problems) from None
    return batch_from_records(records, path, municipalities=municipalities)


def batch_from_records(records: Sequence[RawRecord], source: Path | str, *,
                       municipalities: MunicipalityIndex | None = None) -> IntakeBatch:
    """Check and convert parsed records (of a file, or of the ``/check`` form); ``IntakeError`` on any problem.

    The one check of an intake, whatever it was read from: the schema, known municipalities, unique ids."""
    path = Path(source)
    name = str(source)
    index = municipalities or load_municipalities()
    validator = _record_validator(intake_schema())
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    resolved: dict[int, URIRef | None] = {}
    for record in records:
        found = _check_record(record, validator)
        if not found:
            ident = record.values["id"]
            if ident in seen:
                found.append(Problem(record.row, "id", f"duplicate id {ident!r} (first used in row {seen[ident]})",
                                     record.key_lines.get("id", record.line)))
            seen.setdefault(ident, record.row)
            resolved[record.row] = None
            if "municipality" in record.values:
                try:
                    resolved[record.row] = index.resolve(record.values["municipality"]).iri
                except UnknownMunicipality as exc:
                    found.append(Problem(record.row, "municipality", f"unknown municipality: {exc}",
                                         record.key_lines.get("municipality", record.line)))
        problems += found
    if problems:
        raise IntakeError(name, problems)
    graph = Graph()
    batch = IntakeBatch(path, graph)
    for record in records:
        deployment = record_triples(graph, record.values, index, resolved[record.row])
        batch.deployments.append((record.values["id"], deployment))
        batch.rows.append(record.row)
    return batch


# ----------------------------------------------------------------------------------------------------------------
# Turtle for data/: one file per deployment


TURTLE_PREFIXES = (
    ("dge", "https://w3id.org/dge-graph/def#"),
    ("deployment", "https://w3id.org/dge-graph/id/deployment/"),
    ("municipality", "https://w3id.org/dge-graph/id/municipality/"),
    ("organisation", "https://w3id.org/dge-graph/id/organisation/"),
    ("value", "https://w3id.org/dge-graph/id/value/"),
    ("dct", str(DCT)),
    ("prov", str(PROV)),
    ("foaf", str(FOAF)),
    ("org", str(ORG)),
    ("rdfs", str(RDFS)),
    ("xsd", str(XSD)),
)


def deployment_turtle(batch: IntakeBatch, deployment: URIRef) -> str:
    """The Turtle of one deployment of a batch: its triples, its safeguard instances and its organisations."""
    part = Graph(bind_namespaces="none")
    for prefix, namespace in TURTLE_PREFIXES:
        part.bind(prefix, namespace)
    subjects = {deployment, *batch.graph.objects(deployment, DGE.hasSafeguard)}
    subjects |= {o for p in (DGE.deployer, DGE.supplier) for o in batch.graph.objects(deployment, p)
                 if "/id/organisation/" in str(o)}
    for subject in subjects:
        for triple in batch.graph.triples((subject, None, None)):
            part.add(triple)
    return part.serialize(format="turtle")


def write_turtle(batch: IntakeBatch, out_dir: Path | str) -> list[Path]:
    """Write each deployment of ``batch`` to ``out_dir/<id>.ttl`` (with a header naming the intake file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ident, deployment in batch.deployments:
        path = out_dir / f"{ident}.ttl"
        header = (f"# Generated from {batch.source.as_posix()} (intake id {ident!r}) by `dge-graph import intake-turtle`;\n"
                  "# edit the intake file, not this one.\n\n")
        path.write_text(header + deployment_turtle(batch, deployment), encoding="utf-8")
        written.append(path)
    return written
