"""data/algoritmekader.ttl is the importer's output for the staged task-registry snapshot, byte for byte, with the
provenance the staging notes (SOURCES.txt) give for it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dge_graph.ingest.algoritmekader import Provenance, algoritmekader_turtle, detect_licence, read_algoritmekader
from dge_graph.kernel.resources import resource_dir

pytestmark = pytest.mark.shared


def staged_provenance(shared_dir: Path) -> Provenance:
    notes = (shared_dir / "data" / "SOURCES.txt").read_text(encoding="utf-8")
    match = re.search(r"== algoritmekader/ ==\s+(\S+/\S+) @ ([0-9a-f]{40}) \((\d{4}-\d{2}-\d{2})\); (\S+)", notes)
    assert match, "SOURCES.txt no longer describes the algoritmekader snapshot as 'owner/name @ sha (date); licence'"
    repository, commit, date, licence = match.groups()
    assert detect_licence(shared_dir / "data" / "algoritmekader") == licence
    return Provenance(repository, commit, dt.date.fromisoformat(date), licence)


def test_the_data_file_is_the_importers_output_for_the_staged_snapshot(shared_dir: Path):
    snapshot = shared_dir / "data" / "algoritmekader"
    kader = read_algoritmekader(snapshot)
    assert len(kader.requirements) == len(list((snapshot / "requirements").glob("*.yaml")))
    assert len(kader.measures) == len(list((snapshot / "measures").glob("*.yaml")))
    expected = algoritmekader_turtle(kader, staged_provenance(shared_dir))
    actual = (resource_dir("data") / "algoritmekader.ttl").read_text(encoding="utf-8")
    assert actual == expected, ("data/algoritmekader.ttl is stale: regenerate it with `dge-graph import "
                                "algoritmekader` (docs/algoritmekader.md)")
