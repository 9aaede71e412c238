"""Knowledge data against ../shared: the DPV terms requirements and rights align to exist in DPV 2.3, and the
Algoritmekader requirement URNs exist in the task registry snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from dge_graph.kernel.namespaces import DGE
from dge_graph.kernel.resources import resource_dir

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = Graph()
    data = resource_dir("data")
    for name in ("rights.ttl", "requirements.ttl"):
        graph.parse(data / name, format="turtle")
    return graph


def test_dpv_alignments_exist_in_dpv(knowledge: Graph, shared_dir: Path):
    dpv = Graph()
    for path in (shared_dir / "data" / "dpv" / "2.3").rglob("*.ttl"):
        dpv.parse(path, format="turtle")
    terms = set(dpv.subjects())
    targets = {o for p in (SKOS.exactMatch, SKOS.closeMatch) for o in knowledge.objects(None, p)}
    assert targets, "no DPV alignments found"
    assert sorted(str(t) for t in targets - terms) == []


def test_algoritmekader_urns_exist(knowledge: Graph, shared_dir: Path):
    registry = shared_dir / "data" / "algoritmekader" / "requirements"
    urns = set()
    for path in registry.glob("*.yaml"):
        match = re.search(r"^urn:\s*(urn:nl:ak:ver:[\w-]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            urns.add(match.group(1))
    used = {str(o) for o in knowledge.objects(None, DGE.algoritmekaderRequirement)}
    assert used and urns
    assert sorted(used - urns) == []


def test_right_iris_are_in_the_dpv_rights_namespace_declared_by_dpv(shared_dir: Path):
    text = (shared_dir / "data" / "dpv" / "2.3" / "legal" / "eu" / "rights" / "eu-rights.ttl").read_text(encoding="utf-8")
    declared = re.search(r'vann:preferredNamespaceUri "([^"]+)"', text).group(1)
    rights = Graph().parse(resource_dir("data") / "rights.ttl", format="turtle")
    targets = {str(o) for o in rights.objects(None, SKOS.exactMatch) if isinstance(o, URIRef)}
    assert targets and all(t.startswith(declared) for t in targets)
