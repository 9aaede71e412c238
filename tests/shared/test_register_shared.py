"""Checks against ../shared: the real register scrape and the municipality lists (run by `make shared-check`)."""

from __future__ import annotations

import csv

import pytest
from rdflib import URIRef

from dge_graph.cli import main
from dge_graph.ingest.algoritmeregister import read_register
from dge_graph.ingest.municipalities import load_municipalities, looks_municipal
from dge_graph.kernel.namespaces import DGE, RDF
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
