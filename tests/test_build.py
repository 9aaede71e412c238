"""Build: one named graph per source file, provenance, and atomicity (a bad file changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dge_graph.ingest.build import BuildError, build, discover_sources
from dge_graph.kernel.namespaces import GRAPH
from dge_graph.store import OxigraphStore, open_store

GOOD = """@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/dge-graph/id/municipality/GM0363> dct:identifier "GM0363" .
"""
MORE = """@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/dge-graph/id/municipality/GM0344> dct:identifier "GM0344" .
<https://w3id.org/dge-graph/id/municipality/GM0599> dct:identifier "GM0599" .
"""
# (file content, line of the error) — the parser must point at the right line
BAD_FILES = [
    ('@prefix dct: <http://purl.org/dc/terms/> .\n<urn:a> dct:title "unterminated .\n', 2),
    ("@prefix dct: <http://purl.org/dc/terms/> .\n\n\n<urn:a> dct:title <urn:b> <urn:c> .\n", 4),
    ("<urn:a> undeclared:title <urn:b> .\n", 1),
]


def make_project(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def data_triples(store) -> int:
    """Triples other than the build's own provenance."""
    result = store.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER NOT EXISTS { GRAPH ?g { ?s a prov:Entity } } FILTER NOT EXISTS { GRAPH ?g { ?s a prov:Activity } } }"
    )
    return int(result.rows[0]["n"])


def test_one_named_graph_per_source_file_with_provenance(tmp_path):
    root = make_project(tmp_path, {"ontology/core.ttl": GOOD, "data/sub/more.ttl": MORE})
    store = OxigraphStore(None)
    report = build(store, discover_sources(root))
    assert [g for g, _, _ in report.graphs] == [f"{GRAPH}ontology/core.ttl", f"{GRAPH}data/sub/more.ttl"]
    assert store.named_graphs() == sorted([f"{GRAPH}ontology/core.ttl", f"{GRAPH}data/sub/more.ttl"])
    assert data_triples(store) == 3
    provenance = store.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dge: <https://w3id.org/dge-graph/def#> "
        "PREFIX void: <http://rdfs.org/ns/void#> "
        "SELECT ?g ?file ?n ?when WHERE { GRAPH ?g { ?g a prov:Entity ; dge:sourceFile ?file ; void:triples ?n ; "
        "prov:generatedAtTime ?when ; prov:wasGeneratedBy ?activity . ?activity a prov:Activity } } ORDER BY ?file"
    )
    assert [(str(r["file"]), int(r["n"])) for r in provenance.rows] == [("data/sub/more.ttl", 2), ("ontology/core.ttl", 1)]


@pytest.mark.parametrize("bad_text,line", BAD_FILES)
def test_malformed_file_aborts_naming_file_and_line_and_store_keeps_content(tmp_path, bad_text, line):
    root = make_project(tmp_path / "project", {"ontology/core.ttl": GOOD, "data/more.ttl": MORE})
    store = open_store(str(tmp_path / "store"))
    build(store, discover_sources(root))
    before = (store.named_graphs(), data_triples(store))

    make_project(root, {"data/zz-broken.ttl": bad_text, "data/more.ttl": GOOD})  # one good change, one bad file
    with pytest.raises(BuildError) as info:
        build(store, discover_sources(root))
    assert info.value.file == "data/zz-broken.ttl"
    assert info.value.line == line
    assert f"data/zz-broken.ttl:{line}:" in str(info.value)
    assert (store.named_graphs(), data_triples(store)) == before


def test_removed_source_file_drops_its_graph_and_leaves_foreign_graphs(tmp_path):
    root = make_project(tmp_path, {"ontology/core.ttl": GOOD, "data/more.ttl": MORE})
    store = OxigraphStore(None)
    build(store, discover_sources(root))
    foreign = f"{GRAPH}import/intake/x"
    store.replace_graphs({foreign: b"<urn:x> <urn:y> <urn:z> .\n"})
    (root / "data/more.ttl").unlink()
    report = build(store, discover_sources(root))
    assert report.dropped == [f"{GRAPH}data/more.ttl"]
    assert store.named_graphs() == sorted([f"{GRAPH}ontology/core.ttl", foreign])


def test_project_sources_all_parse(repo_root):
    """The real ontology/ and data/ build (this is the graph `make run` serves)."""
    sources = discover_sources(repo_root)
    store = OxigraphStore(None)
    report = build(store, sources)
    assert len(report.graphs) == len(sources)
    assert all(relative.startswith(("ontology/", "data/")) for _, relative, _ in report.graphs)


def test_real_project_with_a_broken_file_keeps_previous_store(tmp_path, repo_root):
    """The issue's acceptance check, on a copy of the project: a malformed file under data/ changes nothing."""
    project = tmp_path / "project"
    shutil.copytree(repo_root / "ontology", project / "ontology")
    shutil.copytree(repo_root / "data", project / "data")
    store = open_store(str(tmp_path / "store"))
    build(store, discover_sources(project))
    count_query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = int(store.query(count_query).rows[0]["n"])
    (project / "data" / "broken.ttl").write_text("@prefix x: <urn:x#> .\nx:a x:b x:c ;\n  x:d .\n")
    with pytest.raises(BuildError, match=r"data/broken\.ttl:3:"):
        build(store, discover_sources(project))
    assert int(store.query(count_query).rows[0]["n"]) == before
