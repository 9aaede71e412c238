"""Incremental re-validation (``rules/incremental.py``): an import re-evaluates only the deployments it changes,
and the stored result and measures are then exactly those of a full re-validation of the new data."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from dge_graph.cli import main
from dge_graph.query.validation_status import validation_status
from dge_graph.rules.report import LATEST_RESULT_GRAPH, MEASURES_GRAPH
from dge_graph.rules.validate import Parameters, store_report, validate_store
from dge_graph.store import OxigraphStore

FIXTURES = Path(__file__).parent / "fixtures" / "intake"
DATE = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def validated_store(copy_built_project):
    """The project built and validated (full run, result stored), on disk."""
    path = Path(copy_built_project("incremental"))  # what `dge-graph build` writes (tests/conftest.py)
    store = OxigraphStore(path)
    store_report(store, validate_store(store, Parameters(DATE), decide=True))
    store.close()
    return path


def _stored(store: OxigraphStore) -> tuple[set, set, str]:
    """The result graph without the run's own triples, the measures graph, and deploymentsChecked; IRIs as text,
    literals by value (pyoxigraph terms: converting some 30,000 rows to rdflib terms was half of this module)."""
    values: dict = {}

    def value(term):
        if not isinstance(term, ox.Literal):
            return (type(term).__name__, term.value)  # an IRI is not a string literal with the same text
        key = (term.value, term.datatype.value, term.language)
        if key not in values:
            datatype = None if term.language else URIRef(term.datatype.value)
            values[key] = ("Literal", Literal(term.value, lang=term.language, datatype=datatype).toPython())
        return values[key]

    def as_set(query: str) -> set:
        return {(value(row["s"]), value(row["p"]), value(row["o"])) for row in store.evaluate(query)}

    result = as_set(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ ?s ?p ?o "
                    "FILTER NOT EXISTS { ?s a <https://w3id.org/dge-graph/def#ValidationRun> } } }")
    measures = as_set(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{MEASURES_GRAPH}> {{ ?s ?p ?o }} }}")
    checked = store.query(f"SELECT ?n WHERE {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ ?r "
                          "<https://w3id.org/dge-graph/def#deploymentsChecked> ?n } }").rows
    return result, measures, str(checked[0]["n"])


def _full_rerun(path: Path) -> tuple[set, set, str]:
    store = OxigraphStore(path)
    try:
        store_report(store, validate_store(store, Parameters(DATE), decide=True))
        return _stored(store)
    finally:
        store.close()


def _copy(path: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(path, target)
    return target


@pytest.mark.parametrize("file", ["good.yaml", "good.csv"])
def test_import_intake_updates_the_result_as_a_full_revalidation_would(validated_store, tmp_path, capsys, file):
    path = _copy(validated_store, tmp_path)
    store = OxigraphStore(path)
    before = _stored(store)
    store.close()
    assert main(["import", "intake", str(FIXTURES / file), "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "validation result updated for" in out and "no full re-validation" in out
    store = OxigraphStore(path)
    incremental = _stored(store)
    status = validation_status(store)
    store.close()
    assert incremental != before  # the imported deployments changed findings and measures
    assert incremental == _full_rerun(path)
    # the import's graph is newer than the full run, but the re-validated result describes it: not "stale"
    assert status.status == "current", status


def _imported_once(validated_store: Path, tmp_path: Path) -> tuple[Path, Path, str, tuple]:
    """A copy of the validated store with tests/fixtures/intake/good.yaml imported from ``one.yaml`` (which the
    test then rewrites and imports again), and the stored result after that first import."""
    path = _copy(validated_store, tmp_path)
    source = tmp_path / "one.yaml"
    text = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    assert main(["import", "intake", str(source), "--store", str(path)]) == 0
    store = OxigraphStore(path)
    first = _stored(store)
    store.close()
    return path, source, text, first


def test_changing_one_deployment_changes_its_municipalitys_measures(validated_store, tmp_path, capsys):
    path, source, text, first = _imported_once(validated_store, tmp_path)
    # the same deployment, now with a DPIA on record nowhere and the DPO consulted
    source.write_text(text.replace("hasDPIA: true", "hasDPIA: false").replace("dpoConsulted: false",
                                                                              "dpoConsulted: true"), encoding="utf-8")
    assert main(["import", "intake", str(source), "--store", str(path)]) == 0
    assert "validation result updated for 2 deployment(s)" in capsys.readouterr().out
    store = OxigraphStore(path)
    second = _stored(store)
    store.close()
    assert second[0] != first[0] and second[1] != first[1]
    assert second == _full_rerun(path)


def _bodycam_cell(store: OxigraphStore) -> tuple[int, int] | None:
    """GM0344's bodycam deployments not out of use and, of those, without a register entry (the measures graph)."""
    rows = store.query(f"""PREFIX dge: <https://w3id.org/dge-graph/def#>
SELECT ?live ?unregistered WHERE {{ GRAPH <{MEASURES_GRAPH}> {{
  ?cell dge:breakdownProperty dge:technologyKind ;
      dge:breakdownValue <https://w3id.org/dge-graph/id/technology-kind/bodycam> ;
      dge:forMunicipality <https://w3id.org/dge-graph/id/municipality/GM0344> ;
      dge:deploymentsNotOutOfUse ?live ; dge:deploymentsWithoutRegisterEntry ?unregistered }} }}""").rows
    return (int(rows[0]["live"]), int(rows[0]["unregistered"])) if rows else None


def test_register_entry_and_out_of_use_keep_the_kind_counts_of_a_full_run(validated_store, tmp_path, capsys):
    """municipalities-with-kind-without-register-entry reads per-kind counts: a deployment gaining a register
    entry leaves the unregistered count, one going out of use leaves both, each time as a full run counts."""
    path = _copy(validated_store, tmp_path)
    source = tmp_path / "one.yaml"
    text = (FIXTURES / "good.yaml").read_text(encoding="utf-8")
    counts = []
    for version in (text, text.replace("hasDPIA: true", "hasDPIA: true\n    registeredAlgorithmRegister: true"),
                    text.replace("status: in-use", "status: out-of-use")):
        source.write_text(version, encoding="utf-8")
        assert main(["import", "intake", str(source), "--store", str(path)]) == 0
        assert "validation result updated for" in capsys.readouterr().out
        store = OxigraphStore(path)
        incremental, cell = _stored(store), _bodycam_cell(store)
        store.close()
        assert incremental == _full_rerun(path)
        counts.append(cell)
    (live, unregistered), (live_registered, unregistered_registered), (live_out, unregistered_out) = counts
    assert unregistered >= 1 and unregistered_registered == unregistered - 1 and live_registered == live
    assert live_out == live - 1 and unregistered_out == unregistered - 1


def test_without_a_stored_result_an_import_validates_nothing(copy_built_project, capsys):
    path = copy_built_project("unvalidated")  # built, never validated
    assert main(["import", "intake", str(FIXTURES / "good.yaml"), "--store", str(path)]) == 0
    assert "validation result updated" not in capsys.readouterr().out
    store = OxigraphStore(path)
    assert not store.query(f"ASK {{ GRAPH <{LATEST_RESULT_GRAPH}> {{ ?s ?p ?o }} }}")
    store.close()


def test_a_result_stored_without_a_count_this_code_keeps_is_left_stale(validated_store, tmp_path, capsys):
    """A result stored by an earlier version (here: without the per-kind register counts) is not delta-updated:
    the delta would count only the re-imported deployments. The import leaves it, and it reads as stale."""
    path = _copy(validated_store, tmp_path)
    store = OxigraphStore(path)
    store.update(f"DELETE WHERE {{ GRAPH <{MEASURES_GRAPH}> {{ ?cell "
                 "<https://w3id.org/dge-graph/def#deploymentsWithoutRegisterEntry> ?n } }")
    before = _stored(store)
    store.close()
    assert main(["import", "intake", str(FIXTURES / "good.yaml"), "--store", str(path)]) == 0
    assert "validation result updated" not in capsys.readouterr().out
    store = OxigraphStore(path)
    try:
        assert _stored(store) == before
        assert validation_status(store).status == "stale"
    finally:
        store.close()


def test_all_deployment_facts_read_by_tsv_equal_the_per_deployment_query(project_graph_store):
    """``deployment_facts(store)`` (one TSV query per property) gives the facts of the restricted SPARQL query."""
    from dge_graph.rules.report import deployment_facts

    everything = deployment_facts(project_graph_store)
    some = sorted(everything.municipality)[:400]
    restricted = deployment_facts(project_graph_store, some)
    assert len(some) == 400 and restricted.municipality == {d: everything.municipality[d] for d in some}
    assert restricted.in_use == everything.in_use & set(some) and restricted.in_use
    assert restricted.out_of_use == everything.out_of_use & set(some)
    assert restricted.claims == {d: c for d, c in everything.claims.items() if d in some} and restricted.claims
    for prop, by_deployment in everything.values.items():
        assert restricted.values[prop] == {d: v for d, v in by_deployment.items() if d in some}


def test_graph_store_put_of_one_deployment_updates_the_profile_without_a_full_run(validated_store, tmp_path):
    """The API's write path: a Graph Store PUT of a graph with one deployment re-validates it alone; the very next
    profile request (JSON) shows its municipality's new findings, and the result is that of a full run."""
    from api_support import TOKEN, client_for
    from rdflib import Graph

    from dge_graph.ingest.intake import read_intake

    path = _copy(validated_store, tmp_path)
    store = OxigraphStore(path)
    graph = Graph()
    batch = read_intake(FIXTURES / "good.yaml")
    deployment = next(iri for ident, iri in batch.deployments if ident == "test-bodycams")
    for triple in batch.graph.triples((deployment, None, None)):
        graph.add(triple)
        for more in batch.graph.triples((triple[2], None, None)):  # its safeguard instances
            graph.add(more)
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    with client_for(store, update_token=TOKEN) as client:
        before = client.get("/municipalities/GM0344", headers={"Accept": "application/json"})
        answer = client.put("/rdf-graph-store", params={"graph": "urn:dge-graph:test:incremental"},
                            content=graph.serialize(format="turtle"),
                            headers={**headers, "Content-Type": "text/turtle"})
        assert answer.status_code == 201, answer.text
        after = client.get("/municipalities/GM0344", headers={"Accept": "application/json"})
    assert before.status_code == after.status_code == 200
    assert before.json() != after.json()
    incremental = _stored(store)
    store.close()
    assert incremental == _full_rerun(path)


def test_moving_a_deployment_and_changing_its_supplier_keep_the_counts_of_a_full_run(validated_store, tmp_path,
                                                                                    capsys):
    """The municipalities counted per requirement (per province, nationally) and per supplier, and the province
    medians, are kept as deltas: a deployment moving to a municipality in another province and a deployment
    changing supplier leave them exactly as a full re-validation writes them."""
    path, source, text, first = _imported_once(validated_store, tmp_path)
    moved = text.replace("municipality: GM0344", "municipality: GM0363").replace(
        "supplier: Taxatiebureau Voorbeeld B.V.", "supplier: Waarderingskamer Leverancier B.V.")
    assert moved != text
    source.write_text(moved, encoding="utf-8")
    assert main(["import", "intake", str(source), "--store", str(path)]) == 0
    assert "validation result updated for 2 deployment(s)" in capsys.readouterr().out
    store = OxigraphStore(path)
    second = _stored(store)
    store.close()
    assert second[1] != first[1]
    assert second == _full_rerun(path)
