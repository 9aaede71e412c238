"""Checks against ../shared: the real register scrape and the municipality lists (run by `make shared-check`)."""

from __future__ import annotations

import csv
import json
import re
import shlex

import pytest
from rdflib import Graph, URIRef

from dge_graph.cli import main
from dge_graph.ingest.algoritmeregister import SHIPPED_SNAPSHOT, read_register
from dge_graph.ingest.build import build, discover_sources
from dge_graph.ingest.municipalities import load_municipalities, looks_municipal
from dge_graph.kernel.namespaces import DCT, DGE, RDF
from dge_graph.store import OxigraphStore

pytestmark = pytest.mark.shared

SCRAPE = "data/algoritmeregister/schellevis_algoritmes_2026-08-08.json"


@pytest.fixture(scope="module")
def scrape_batch(shared_dir):
    return read_register(shared_dir / SCRAPE)


def test_whole_scrape_yields_1530_deployments_949_linked_to_204_municipalities(scrape_batch):
    summary = scrape_batch.summary
    assert scrape_batch.record_format == "scrape"
    assert summary.deployments == 1530
    assert len(set(scrape_batch.graph.subjects(RDF.type, DGE.Deployment))) == 1530
    assert summary.linked_deployments == 949
    assert summary.linked_municipalities == 204
    assert len(set(scrape_batch.graph.objects(None, DGE.municipality))) == 204


def test_no_municipal_organisation_is_left_unmatched(scrape_batch, shared_dir):
    assert scrape_batch.summary.unmatched_municipal == []
    import json

    records = json.loads((shared_dir / SCRAPE).read_text(encoding="utf-8"))["algoritmes"]
    index = load_municipalities()
    municipal = {r["organisatie"] for r in records if looks_municipal(r["organisatie"])}
    assert len(municipal) == 204
    assert all(index.find(name) is not None for name in municipal)


def test_importing_the_scrape_twice_changes_nothing(shared_dir, tmp_path):
    location = str(tmp_path / "store")
    path = str(shared_dir / SCRAPE)
    assert main(["import", "algoritmeregister", path, "--store", location, "-q"]) == 0
    store = OxigraphStore(location)
    first = set(store.raw.quads_for_pattern(None, None, None, None))
    store.close()
    assert main(["import", "algoritmeregister", path, "--store", location, "-q"]) == 0
    store = OxigraphStore(location)
    assert set(store.raw.quads_for_pattern(None, None, None, None)) == first
    count = store.query("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/dge-graph/def#Deployment> }")
    assert int(count.rows[0]["n"].toPython()) == 1530
    store.close()


def test_municipality_data_matches_the_shared_lists(shared_dir):
    index = load_municipalities()
    folder = shared_dir / "data" / "gemeenten"
    with open(folder / "cbs_gemeenten_alfabetisch_2023.csv", encoding="utf-8") as handle:
        cbs = {row["GemeentecodeGM"]: row for row in csv.DictReader(handle)}
    with open(folder / "minbzk_gemeenten_2025.csv", encoding="utf-8") as handle:
        register = {row["identifier"]: row for row in csv.DictReader(handle, delimiter=";")}
    assert set(index.by_code) == set(cbs) == set(register)
    assert len(index) == 342
    for code, municipality in index.by_code.items():
        assert municipality.name == cbs[code]["Gemeentenaam"]
        assert municipality.province.code == cbs[code]["ProvinciecodePV"]
        assert municipality.province.name == cbs[code]["Provincienaam"]
        assert municipality.register_organisation_id == register[code]["org_id"]
        # the register's own name resolves to the municipality
        assert index.resolve(register[code]["name"]) is municipality
        assert municipality.iri == URIRef(f"https://w3id.org/dge-graph/id/municipality/{code}")
    with open(folder / "minbzk_provincies_2025.csv", encoding="utf-8") as handle:
        provinces = {row["identifier"] for row in csv.DictReader(handle, delimiter=";")}
    assert set(index.provinces) == provinces


# ---------------------------------------------------------------------------------------------------------------
# the shipped snapshot data/register/algoritmeregister.ttl


@pytest.fixture(scope="module")
def shipped(repo_root):
    return (repo_root / SHIPPED_SNAPSHOT).read_text(encoding="utf-8")


def header_command(text: str) -> list[str]:
    """The arguments of the ``# Command:`` line of the snapshot's header (after ``dge-graph``, before the
    closing ``--turtle <this file>``)."""
    line = next(line for line in text.splitlines() if line.startswith("# Command: dge-graph "))
    assert line.endswith(" --turtle <this file>")
    return shlex.split(line.removeprefix("# Command: dge-graph ").removesuffix(" --turtle <this file>"))


def test_regenerating_the_shipped_snapshot_gives_the_same_file(shipped, shared_dir, tmp_path, repo_root):
    arguments = header_command(shipped)
    assert arguments[:3] == ["import", "algoritmeregister", SCRAPE.rsplit("/", 1)[1]]
    out = tmp_path / "algoritmeregister.ttl"
    arguments = arguments[:2] + [str(shared_dir / SCRAPE)] + arguments[3:] + ["--turtle", str(out)]
    assert main(arguments) == 0
    assert out.read_bytes() == (repo_root / SHIPPED_SNAPSHOT).read_bytes()


def test_the_snapshot_header_names_the_staged_commit_and_licence(shipped, shared_dir):
    """The commit and licence in the header are those SOURCES.txt records for the staged scrape."""
    sources = (shared_dir / "data" / "SOURCES.txt").read_text(encoding="utf-8")
    entry = sources[sources.index(SCRAPE.rsplit("/", 1)[1]):][:600]
    commit = re.search(r"@ ([0-9a-f]{40})", entry).group(1)
    assert f"commit {commit}" in shipped
    assert "data CC0-1.0" in entry and "Licence of the source data: CC0-1.0" in shipped


def test_the_snapshot_links_municipal_records_like_the_import(shipped, scrape_batch):
    """The 949 municipal records are under the same 204 municipalities as the import of the scrape file, and the
    snapshot holds every fact of the import except its description texts."""
    parsed = Graph().parse(data=shipped, format="turtle")
    pairs = set(parsed.subject_objects(DGE.municipality))
    assert pairs == set(scrape_batch.graph.subject_objects(DGE.municipality))
    assert len(pairs) == 949 and len({m for _, m in pairs}) == 204
    imported = {t for t in scrape_batch.graph if t[1] != DCT.description}
    about = set(parsed.subjects(DCT.license, None))  # the scrape at its commit, described by the file
    assert len(about) == 1
    assert {t for t in parsed if t[0] not in about} == imported


def test_no_description_text_of_the_scrape_is_copied(shipped, shared_dir):
    records = json.loads((shared_dir / SCRAPE).read_text(encoding="utf-8"))["algoritmes"]
    titles = "\n".join(r["title"] for r in records)  # titles are shipped; a text that is also a title is not a copy
    texts = [r[key] for r in records for key in ("doel", "juridische_basis")
             if len(r.get(key) or "") > 30 and r[key] not in titles]
    assert len(texts) > 1000
    assert [t for t in texts if t in shipped] == []


def test_importing_the_scrape_over_the_built_project_states_each_deployment_once(shared_dir, tmp_path):
    location = str(tmp_path / "store")
    store = OxigraphStore(location)
    build(store, discover_sources())
    store.close()
    count = ("SELECT (COUNT(?d) AS ?n) (COUNT(DISTINCT ?d) AS ?distinct) "
             "WHERE { ?d a <https://w3id.org/dge-graph/def#Deployment> }")

    def counts():
        store = OxigraphStore(location)
        try:
            row = store.query(count).rows[0]
            return int(row["n"].toPython()), int(row["distinct"].toPython())
        finally:
            store.close()

    built = counts()
    assert built[0] == built[1] >= 1530
    assert main(["import", "algoritmeregister", str(shared_dir / SCRAPE), "--store", location, "-q"]) == 0
    assert counts() == built  # the same IRIs; the import replaced the shipped snapshot in the store
    store = OxigraphStore(location)
    report = build(store, discover_sources())
    store.close()
    assert report.replaced == [SHIPPED_SNAPSHOT]
    assert counts() == built
