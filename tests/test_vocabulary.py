"""The fact, safeguard, enumeration and public-value tables are read from the ontology and data, not restated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from dge_graph.kernel.namespaces import DGE, RDF, SKOS
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.vocabulary import ENUMERATIONS, FACTS, PUBLIC_VALUES, SAFEGUARDS, read_vocabulary

PREFIXES = """@prefix dge: <https://w3id.org/dge-graph/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    ontology, data = tmp_path / "ontology", tmp_path / "data"
    shutil.copytree(resource_dir("ontology"), ontology)
    data.mkdir()
    shutil.copy(resource_dir("data") / "values.ttl", data / "values.ttl")
    return ontology, data


def test_the_tables_are_those_of_the_ontology():
    ontology = Graph()
    for name in ("facts.ttl", "vocabularies.ttl"):
        ontology.parse(resource_dir("ontology") / name)
    fact_names = {str(o) for s, o in ontology.subject_objects(DGE.specName) if (s, RDF.type, DGE.SafeguardType)
                  not in ontology and str(s).startswith(str(DGE))}
    assert {f.name for f in FACTS} == fact_names
    assert {s.iri for s in SAFEGUARDS} == set(ontology.subjects(RDF.type, DGE.SafeguardType))
    for scheme, codes in ENUMERATIONS.items():
        members = {str(ontology.value(c, SKOS.notation)) for c in
                   ontology.subjects(SKOS.inScheme, URIRef(f"https://w3id.org/dge-graph/id/scheme/{scheme}"))}
        assert set(codes) == members, scheme
    values = Graph().parse(resource_dir("data") / "values.ttl")
    assert len(PUBLIC_VALUES) == len(set(values.subjects(RDF.type, DGE.PublicValue)))


@pytest.mark.parametrize(("declaration", "kind", "scheme"), [
    ("dge:newFlag a owl:DatatypeProperty ; dge:specName \"newFlag\" ; rdfs:domain dge:Deployment ; "
     "rdfs:range xsd:boolean .", "boolean", None),
    ("dge:newArea a owl:ObjectProperty , owl:FunctionalProperty ; dge:specName \"newArea\" ; "
     "rdfs:domain dge:Deployment ; rdfs:range dge:AnnexIIIArea .", "enum", "annex-iii-area"),
    ("dge:newAreas a owl:ObjectProperty ; dge:specName \"newAreas\" ; rdfs:domain dge:Deployment ; "
     "rdfs:range dge:AnnexIIIArea .", "enum-set", "annex-iii-area"),
])
def test_a_fact_declared_in_the_ontology_becomes_part_of_the_vocabulary(sources, declaration, kind, scheme):
    ontology, data = sources
    with (ontology / "facts.ttl").open("a", encoding="utf-8") as facts:
        facts.write("\n" + declaration + "\n")
    vocabulary = read_vocabulary(ontology, data)
    added = [f for f in vocabulary.facts if f.name not in {g.name for g in FACTS}]
    assert [(f.kind, f.scheme) for f in added] == [(kind, scheme)]


def test_a_fact_whose_range_is_neither_a_datatype_nor_a_scheme_is_refused(sources):
    ontology, data = sources
    (ontology / "facts.ttl").write_text(
        PREFIXES + 'dge:odd a owl:ObjectProperty ; dge:specName "odd" ; rdfs:domain dge:Deployment ; '
        "rdfs:range dge:Nothing .\n", encoding="utf-8")
    with pytest.raises(ValueError, match="dge-graph/def#odd"):
        read_vocabulary(ontology, data)
