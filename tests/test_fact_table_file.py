"""The fact table saved beside an on-disk store (``rules/fact_table_file.py``): reused by the next process while
the data is the same, read again when the data changed (a new self-description, or a SPARQL UPDATE that leaves the
self-descriptions alone), and ignored when the file is stale, corrupt or inconsistent — the findings are always
those of a fresh read."""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import pytest
from rdflib import Graph, Literal, URIRef

from dge_graph.ingest.synthetic import generate
from dge_graph.kernel.namespaces import DGE
from dge_graph.rules import fact_table_file
from dge_graph.rules.fact_table import FactTable, FactTableCache, data_fingerprint
from dge_graph.rules.validate import Parameters, load_shapes, store_report, validate_store
from dge_graph.rules.vector_engine import read_plan, table_violations
from dge_graph.store import OxigraphStore, graph_to_ntriples

DATA = URIRef("urn:dge-graph:test:saved-facts")
PARAMETERS = Parameters(dt.date(2027, 12, 2), dt.date(2027, 12, 2))


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


@pytest.fixture(scope="module")
def deployments(tmp_path_factory) -> Graph:
    out = tmp_path_factory.mktemp("synthetic") / "synthetic.nt"
    generate(out, municipalities=3, per_municipality=25, seed=11)
    return Graph().parse(out, format="nt")


def _write(store: OxigraphStore, graph: Graph, content_hash: str) -> None:
    described = Graph()
    for triple in graph:
        described.add(triple)
    described.add((DATA, DGE.contentHash, Literal(content_hash)))
    store.replace_graphs({str(DATA): graph_to_ntriples(described)})


@pytest.fixture
def store_dir(tmp_path, deployments):
    location = tmp_path / "store"
    store = OxigraphStore(location)
    _write(store, deployments, "sha256:one")
    store.close()
    return location


def _plan(shapes):
    return read_plan(shapes.resolved(PARAMETERS), shapes.rules)


def _findings(shapes, table: FactTable):
    return table_violations(table, shapes.resolved(PARAMETERS), shapes.rules, parameters=PARAMETERS)


def _fresh(store, shapes):
    return _findings(shapes, FactTable.read(store, _plan(shapes)))


def test_the_next_process_loads_the_saved_table(shapes, store_dir):
    store = OxigraphStore(store_dir)
    first = FactTableCache.beside(store)
    table = first.table(store, _plan(shapes))
    assert first.reads == 1 and first.loads == 0
    saved = fact_table_file.file_for(fact_table_file.directory_for(store_dir), _plan(shapes))
    assert saved.is_file() and saved.parent == store_dir.with_name("store.fact-tables")
    second = FactTableCache.beside(store)  # a new process: nothing in memory
    loaded = second.table(store, _plan(shapes))
    assert second.reads == 0 and second.loads == 1
    assert loaded.focus.keys == table.focus.keys and loaded.focus_classes == table.focus_classes
    for key, relation in table.relations.items():
        assert np.array_equal(loaded.relations[key].indptr, relation.indptr)
        assert np.array_equal(loaded.relations[key].values, relation.values)
        value_level = (*key[0], key[1])
        assert loaded.levels[value_level].keys == table.levels[value_level].keys
    found = _findings(shapes, loaded)
    assert found and found == _fresh(store, shapes)
    store.close()


def test_validate_reuses_the_saved_table_after_storing_its_result(shapes, store_dir):
    store = OxigraphStore(store_dir)
    report = validate_store(store, PARAMETERS, shapes=shapes)
    store_report(store, report, shapes)  # writing the validation result is not a data change
    cache = FactTableCache.beside(store)
    again = validate_store(store, PARAMETERS, shapes=shapes, table_cache=cache)
    assert cache.loads == 1 and cache.reads == 0
    assert again.findings == report.findings
    store.close()


def test_a_new_self_description_means_a_new_read(shapes, store_dir, deployments):
    store = OxigraphStore(store_dir)
    FactTableCache.beside(store).table(store, _plan(shapes))
    changed = Graph()
    for s, p, o in deployments:
        changed.add((s, p, o))
    victim = sorted({s for s in changed.subjects(DGE.hasSafeguard, None)})[0]
    changed.remove((victim, DGE.hasSafeguard, None))
    _write(store, changed, "sha256:two")
    cache = FactTableCache.beside(store)
    table = cache.table(store, _plan(shapes))
    assert cache.reads == 1 and cache.loads == 0
    assert _findings(shapes, table) == _fresh(store, shapes)
    store.close()


def test_a_sparql_update_that_keeps_the_self_description_means_a_new_read(shapes, store_dir):
    store = OxigraphStore(store_dir)
    before = FactTableCache.beside(store).table(store, _plan(shapes))
    before_findings = _findings(shapes, before)
    store.update(f"DELETE {{ GRAPH <{DATA}> {{ ?d <{DGE.hasSafeguard}> ?s }} }} "
                 f"WHERE {{ GRAPH <{DATA}> {{ ?d <{DGE.hasSafeguard}> ?s }} }}")
    store.close()
    store = OxigraphStore(store_dir)  # another process
    cache = FactTableCache.beside(store)
    found = _findings(shapes, cache.table(store, _plan(shapes)))
    assert cache.reads == 1 and cache.loads == 0
    assert found == _fresh(store, shapes) and found != before_findings
    store.close()


def _corrupt_truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _corrupt_flipped(path):
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _corrupt_garbage(path):
    path.write_bytes(b"not a fact table")


def _inconsistent_rows(path):
    """A well-formed file (valid zip, right format and fingerprint) whose row numbers point past their level."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    name = max((n for n in arrays if n.startswith("values") and len(arrays[n])), key=lambda n: len(arrays[n]))
    arrays[name] = arrays[name] + 1_000_000
    with open(path, "wb") as out:
        np.savez(out, **arrays)


def _wrong_version(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    with np.load(path, allow_pickle=False) as data:
        arrays = {name[:-4]: data[name[:-4]] for name in names}
    meta = arrays["meta"].tobytes().replace(b'"version": 1', b'"version": 99')
    arrays["meta"] = np.frombuffer(meta, dtype=np.uint8)
    with open(path, "wb") as out:
        np.savez(out, **arrays)


@pytest.mark.parametrize("damage", [_corrupt_truncated, _corrupt_flipped, _corrupt_garbage, _inconsistent_rows,
                                    _wrong_version])
def test_a_damaged_saved_table_is_ignored_and_replaced(shapes, store_dir, damage):
    store = OxigraphStore(store_dir)
    FactTableCache.beside(store).table(store, _plan(shapes))
    path = fact_table_file.file_for(fact_table_file.directory_for(store_dir), _plan(shapes))
    damage(path)
    assert fact_table_file.load(path.parent, _plan(shapes), data_fingerprint(store)) is None
    cache = FactTableCache.beside(store)
    found = _findings(shapes, cache.table(store, _plan(shapes)))
    assert cache.reads == 1 and cache.loads == 0
    assert found and found == _fresh(store, shapes)
    healed = FactTableCache.beside(store)  # the damaged file was replaced by the fresh read
    healed.table(store, _plan(shapes))
    assert healed.loads == 1
    store.close()


def test_an_in_memory_store_saves_nothing(shapes, deployments, tmp_path):
    store = OxigraphStore(None)
    _write(store, deployments, "sha256:one")
    cache = FactTableCache.beside(store)
    assert cache.directory is None
    cache.table(store, _plan(shapes))
    assert cache.reads == 1 and not list(tmp_path.iterdir())


def test_a_view_beside_the_writer_keeps_the_stamp_of_its_snapshot(tmp_path):
    """A read-only view sees the store as it was when opened; its stamp must be that moment's, not the writer's
    later one (else a table read from the old snapshot would be saved under the new data's fingerprint)."""
    writer = OxigraphStore(tmp_path / "store")
    try:
        writer.update("INSERT DATA { GRAPH <https://w3id.org/dge-graph/graph/data/x> { "
                      "<https://w3id.org/dge-graph/id/deployment/x> a <https://w3id.org/dge-graph/def#Deployment> } }")
        opened = writer.data_write_stamp
        view = OxigraphStore.read_only_view(tmp_path / "store")
        assert opened and view.data_write_stamp == opened
        writer.update("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert writer.data_write_stamp not in (None, opened)
        assert view.data_write_stamp == opened  # the snapshot still holds the deployment
        assert view.query("ASK { GRAPH ?g { ?s ?p ?o } }")
        view.close()
    finally:
        writer.close()


def test_without_a_stamp_file_the_stamp_is_unknown(tmp_path):
    """A lost mark (no stamp file) is never taken for one: nothing saved is reused until the next recorded write."""
    store = OxigraphStore(tmp_path / "store")
    try:
        store.update("INSERT DATA { <https://w3id.org/dge-graph/id/a> <https://w3id.org/dge-graph/def#b> 1 }")
        assert store.data_write_stamp
        (tmp_path / "store.data-writes").unlink()
        assert store.data_write_stamp is None
    finally:
        store.close()
