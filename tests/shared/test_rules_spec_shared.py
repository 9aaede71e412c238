"""The requirements (data/requirements.ttl) against the domain specification's rules tables, read from ../shared.

The specification is reference only: the project never reads it at run time. This test parses its rules table
(§5: id, severity, prohibition, dates) and its sources table (§6: stable IRI, Algoritmekader requirement ids) and
checks that the data says the same, so a change of the specification shows up as a failing test here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SH, XSD

from dge_graph.kernel.namespaces import DGE, ELI, id_iri
from dge_graph.kernel.resources import resource_dir

pytestmark = pytest.mark.shared

SPEC_FILE = Path("domain") / "safeguard-rules.md"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ARTICLE_ANCHOR = re.compile(r"^(AI Act|GDPR|DSA)\b[^`]*`#art_(\w+)`")
ACT_ELI = {"AI Act": "http://data.europa.eu/eli/reg/2024/1689", "GDPR": "http://data.europa.eu/eli/reg/2016/679",
           "DSA": "http://data.europa.eu/eli/reg/2022/2065"}


@dataclass(frozen=True)
class SpecRule:
    rule_id: str
    severity: str
    prohibition: bool
    applies_from: dt.date | None  # None: the HR_DATE parameter
    applies_until: dt.date | None
    stable_iri: str | None = None
    algoritmekader: frozenset[str] = frozenset()


def _rows(text: str, heading: str) -> list[list[str]]:
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| id ") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def parse_spec(text: str) -> dict[str, SpecRule]:
    rules = {}
    for cells in _rows(text, "## 5. Rules table"):
        rule_id = cells[0].strip("*")
        dates = [dt.date.fromisoformat(d) for d in DATE.findall(cells[5])]
        until = dates[1] if "until" in cells[5] and len(dates) > 1 else None
        rules[rule_id] = SpecRule(
            rule_id=rule_id,
            severity=cells[4].split()[0],
            prohibition=cells[3] == "always",
            applies_from=None if cells[5].startswith("HR_DATE") else dates[0],
            applies_until=until,
        )
    previous_iri = None
    for cells in _rows(text, "## 6. Sources per rule"):
        rule_id, iri_cell, ak_cell = cells[0], cells[2], cells[3]
        anchor = ARTICLE_ANCHOR.match(iri_cell)
        backticked = re.findall(r"`(https?://[^`]+)`", iri_cell)
        if anchor:
            iri = f"{ACT_ELI[anchor.group(1)]}/art_{anchor.group(2)}/oj"
        elif backticked:
            iri = backticked[0]
        elif iri_cell in ("same", "as above"):
            iri = previous_iri
        else:
            iri = None  # e.g. "BIO: digitaleoverheid.nl (no ELI)"
        previous_iri = iri
        ids = set(re.findall(r"\((\w{3}-\d{2})[:)]", ak_cell))
        if not ids and re.match(r"^\w{3}-\d{2}\b", ak_cell):
            ids = {ak_cell.split()[0]}
        spec = rules[rule_id]
        rules[rule_id] = SpecRule(spec.rule_id, spec.severity, spec.prohibition, spec.applies_from,
                                  spec.applies_until, iri, frozenset(ids))
    return rules


@pytest.fixture(scope="module")
def spec(shared_dir: Path) -> dict[str, SpecRule]:
    path = shared_dir / SPEC_FILE
    assert path.is_file(), f"{path} is missing from the shared folder"
    rules = parse_spec(path.read_text(encoding="utf-8"))
    stated = re.search(r"It has (\d+) rules", path.read_text(encoding="utf-8"))
    assert stated and int(stated.group(1)) == len(rules), "the rules table does not have the count the header states"
    return rules


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = Graph()
    data = resource_dir("data")
    for path in (data / "requirements.ttl", *sorted((data / "legal").glob("*.ttl"))):
        graph.parse(path, format="turtle")
    return graph


def test_the_data_has_exactly_the_rules_of_the_spec(spec, knowledge):
    ids = {str(knowledge.value(r, DCT.identifier)) for r in knowledge.subjects(RDF.type, DGE.Requirement)}
    assert ids == set(spec)


def test_each_requirement_matches_its_spec_row(spec, knowledge):
    problems = []
    for rule_id, row in sorted(spec.items()):
        req = id_iri("requirement", rule_id)
        if knowledge.value(req, DGE.severity) != SH[row.severity]:
            problems.append(f"{rule_id}: severity {knowledge.value(req, DGE.severity)} != {row.severity}")
        if ((req, RDF.type, DGE.Prohibition) in knowledge) != row.prohibition:
            problems.append(f"{rule_id}: prohibition flag differs")
        if row.applies_from is None:
            if knowledge.value(req, DGE.appliesFromParameter) != id_iri("parameter", "hr-date"):
                problems.append(f"{rule_id}: should start at the hr-date parameter")
        elif knowledge.value(req, DGE.appliesFrom) != Literal(row.applies_from.isoformat(), datatype=XSD.date):
            problems.append(f"{rule_id}: appliesFrom {knowledge.value(req, DGE.appliesFrom)} != {row.applies_from}")
        until = knowledge.value(req, DGE.appliesUntil)
        if (until.toPython() if until is not None else None) != row.applies_until:
            problems.append(f"{rule_id}: appliesUntil {until} != {row.applies_until}")
        urns = {str(o).removeprefix("urn:nl:ak:ver:") for o in knowledge.objects(req, DGE.algoritmekaderRequirement)}
        if urns != set(row.algoritmekader):
            problems.append(f"{rule_id}: Algoritmekader {sorted(urns)} != {sorted(row.algoritmekader)}")
        if row.stable_iri is not None:
            source = knowledge.value(req, DGE.legalSource)
            act = knowledge.value(source, ELI.is_part_of)
            if URIRef(row.stable_iri) not in (source, act):
                problems.append(f"{rule_id}: legal source {source} (part of {act}) is not {row.stable_iri}")
    assert problems == []


def test_the_parser_reads_the_whole_tables(spec):
    """Guard against a parser that silently reads less: every row has a severity and most have a stable IRI."""
    assert all(row.severity in ("Violation", "Warning") for row in spec.values())
    assert sum(row.stable_iri is not None for row in spec.values()) >= len(spec) - 2
    assert sum(row.prohibition for row in spec.values()) >= 9
