"""Ontology checks against ../shared: the DPV 2.3 terms the ontology aligns to exist in DPV."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SKOS

from dge_graph.rules.ontology_check import ontology_files

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


def test_dpv_alignment_targets_exist_in_dpv(ontology: Graph, shared_dir: Path):
    """Every DPV IRI the ontology maps to is a term of DPV 2.3 (catches typos in mapping targets)."""
    dpv = Graph()
    for path in (shared_dir / "data" / "dpv" / "2.3").rglob("*.ttl"):
        dpv.parse(path, format="turtle")
    dpv_terms = set(dpv.subjects())
    mapping = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch, SKOS.related)
    targets = {o for p in mapping for o in ontology.objects(None, p) if str(o).startswith("https://w3id.org/dpv")}
    assert targets and targets <= dpv_terms, sorted(targets - dpv_terms)


def test_reused_eli_terms_exist_in_the_eli_ontology(ontology: Graph, shared_dir: Path):
    """The ELI classes and properties the ontology declares and specialises are terms of ELI 1.5."""
    eli = Graph().parse(shared_dir / "data" / "eli" / "eli_ontology_v1.5.rdf", format="xml")
    eli_terms = set(eli.subjects())
    used = {t for triple in ontology for t in triple if str(t).startswith("http://data.europa.eu/eli/ontology#")}
    assert used and used <= eli_terms, sorted(used - eli_terms)
