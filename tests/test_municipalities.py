"""Municipality lookup from the packaged data file: codes, register ids and spelling variants."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from dge_graph.ingest.municipalities import UnknownMunicipality, load_municipalities, looks_municipal, normalise_name
from dge_graph.kernel.namespaces import DGE, RDF, RDFS, SKOS
from dge_graph.kernel.resources import resource_dir


@pytest.fixture(scope="module")
def index():
    return load_municipalities()


def test_all_342_municipalities_and_12_provinces(index):
    assert len(index) == 342
    assert len(index.provinces) == 12
    assert set(index.provinces) == {f"PV{n}" for n in range(20, 32)}
    assert len(index.by_register_id) == 342
    assert all(m.code.lower() == m.register_organisation_id for m in index)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("GM0363", "GM0363"),
        ("gm0363", "GM0363"),
        ("GM363", "GM0363"),
        ("Amsterdam", "GM0363"),
        ("Gemeente Amsterdam", "GM0363"),
        ("gemeente AMSTERDAM", "GM0363"),
        ("Bergen (L)", "GM0893"),
        ("Gemeente Bergen (L.)", "GM0893"),
        ("Bergen (NH)", "GM0373"),
        ("Bergen (Noord-Holland)", "GM0373"),
        ("Noardeast Fryslân", "GM1970"),
        ("Noardeast-Fryslan", "GM1970"),
        ("Súdwest-Fryslân", "GM1900"),
        ("Ljouwert", "GM0080"),
        ("Leeuwarden", "GM0080"),
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("s Gravenhage", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("Gemeente 's-Hertogenbosch", "GM0796"),
        ("Nuenen c.a.", "GM0820"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
        ("Cuijk", "GM1982"),
        ("Land van Cuijk", "GM1982"),
        ("Capelle aan den IJssel", "GM0502"),
    ],
)
def test_resolve_variants(index, text, code):
    assert index.resolve(text).code == code


@pytest.mark.parametrize(
    ("text", "words"),
    [("Bergen", "ambiguous"), ("Atlantis", "not a municipality"), ("GM9999", "not the CBS code"), ("  ", "empty")],
)
def test_resolve_refuses(index, text, words):
    with pytest.raises(UnknownMunicipality, match=words):
        index.resolve(text)
    assert index.find(text) is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Gemeente Bergen (NH.)", "bergen nh"),
        ("'s-Hertogenbosch", "s hertogenbosch"),
        ("Noardeast Fryslân", "noardeast fryslan"),
        ("Nuenen, Gerwen en Nederwetten", "nuenen gerwen en nederwetten"),
    ],
)
def test_normalise_name(name, key):
    assert normalise_name(name) == key


@pytest.mark.parametrize(
    ("name", "municipal"),
    [("Gemeente Utrecht", True), ("gemeente utrecht", True), ("Gemeenschappelijke regeling X", False),
     ("Samenwerking Kempengemeenten", False), ("SED Organisatie (Gemeente Stede Broec)", False)],
)
def test_looks_municipal(name, municipal):
    assert looks_municipal(name) is municipal


def test_data_file_labels_and_links():
    g = Graph().parse(resource_dir("data") / "municipalities.ttl")
    g.parse(resource_dir("data") / "provinces.ttl")
    municipalities = set(g.subjects(RDF.type, DGE.Municipality))
    assert len(municipalities) == 342
    for m in municipalities:
        langs = {label.language for label in g.objects(m, RDFS.label)}
        assert langs == {"nl", "en"}, m
        assert (g.value(m, DGE.province), RDF.type, DGE.Province) in g
    for p in g.subjects(RDF.type, DGE.Province):
        assert {label.language for label in g.objects(p, SKOS.prefLabel)} == {"nl", "en"}
    assert (URIRef("https://w3id.org/dge-graph/id/municipality/GM0363"), DGE.registerOrganisationId, None) in g
