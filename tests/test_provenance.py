"""The one provenance writer: a built graph and an imported graph describe themselves alike, in the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from dge_graph.ingest.build import build, discover_sources
from dge_graph.ingest.importing import import_graph_iri, write_import
from dge_graph.ingest.provenance import graph_provenance
from dge_graph.kernel.namespaces import DCT, DGE, GRAPH, PROV, VOID, XSD
from dge_graph.kernel.version import software_iri
from dge_graph.store import OxigraphStore

SOURCE = """@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/dge-graph/id/municipality/GM0363> dct:identifier "GM0363" .
"""

SELF_DESCRIPTION = """
SELECT ?p ?o WHERE { GRAPH ?g { ?g ?p ?o } }
"""


def self_description(store, graph: str) -> dict[str, set[str]]:
    result = store.query(SELF_DESCRIPTION, substitutions={"g": URIRef(graph)})
    out: dict[str, set[str]] = {}
    for row in result.rows:
        out.setdefault(str(row["p"]), set()).add(str(row["o"]))
    return out


def test_build_and_import_write_the_same_self_description(tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "one.ttl").write_text(SOURCE, encoding="utf-8")
    store = OxigraphStore(None)
    build(store, discover_sources(tmp_path))
    imported = Graph()
    imported.parse(data=SOURCE, format="turtle")
    name = import_graph_iri("intake", "one.yaml")
    write_import(store, name, imported, source_file="one.yaml")

    built = self_description(store, f"{GRAPH}data/one.ttl")
    written = self_description(store, str(name))
    shared = {str(PROV.generatedAtTime), str(DGE.sourceFile), str(VOID.triples),
              "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    assert shared <= set(built) and shared <= set(written)
    assert built[str(DGE.sourceFile)] == {"data/one.ttl"} and written[str(DGE.sourceFile)] == {"one.yaml"}
    assert built[str(VOID.triples)] == written[str(VOID.triples)] == {"1"}
    assert str(PROV.wasGeneratedBy) in built and str(DGE.contentHash) in written
    activity = next(iter(built[str(PROV.wasGeneratedBy)]))
    agent = store.query("SELECT ?a WHERE { GRAPH ?g { ?run <http://www.w3.org/ns/prov#wasAssociatedWith> ?a } }",
                        substitutions={"run": URIRef(activity)})
    assert [str(r["a"]) for r in agent.rows] == [software_iri()]


def test_graph_provenance_writes_only_what_applies():
    when = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
    plain = graph_provenance("https://w3id.org/dge-graph/graph/import/x", source_file="x.csv", triples=3, when=when)
    predicates = {p for _s, p, _o in plain}
    assert DCT.replaces not in predicates and DGE.contentHash not in predicates
    assert PROV.wasGeneratedBy not in predicates
    assert (URIRef("https://w3id.org/dge-graph/graph/import/x"), PROV.generatedAtTime,
            Literal("2026-12-01T12:00:00+00:00", datatype=XSD.dateTime)) in plain
    full = graph_provenance("https://w3id.org/dge-graph/graph/import/x", source_file="x.csv", triples=3, when=when,
                            content_hash="sha256:0", replaces=["https://w3id.org/dge-graph/graph/data/register/a.ttl"],
                            activity="https://w3id.org/dge-graph/id/build/1")
    assert {DCT.replaces, DGE.contentHash, PROV.wasGeneratedBy} <= {p for _s, p, _o in full}
