"""The intake format: good files become the expected RDF, bad files are refused naming row, key and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from dge_graph.cli import main
from dge_graph.ingest.importing import import_graph_iri
from dge_graph.ingest.intake import PUBLIC_VALUES, IntakeError, intake_schema, read_intake
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, ID, RDF
from dge_graph.kernel.resources import project_root
from dge_graph.kernel.vocabulary import FACTS, SAFEGUARDS
from dge_graph.store import OxigraphStore

FIXTURES = Path(__file__).parent / "fixtures" / "intake"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def deployment(slug: str) -> URIRef:
    return URIRef(f"{ID}deployment/{slug}")


def safeguard_status(graph, dep: URIRef, slug: str) -> URIRef | None:
    node = URIRef(f"{dep}/safeguard/{slug}")
    if (dep, DGE.hasSafeguard, node) not in graph:
        return None
    assert (node, DGE.safeguardType, URIRef(f"{ID}safeguard-type/{slug}")) in graph
    return graph.value(node, DGE.safeguardStatus)


# ---------------------------------------------------------------------------------------------------------------
# good files


def test_yaml_facts_become_typed_properties_and_concepts():
    batch = read_intake(FIXTURES / "good.yaml")
    g = batch.graph
    bodycams, woz = deployment("test-bodycams"), deployment("test-woz")
    assert batch.deployments == [("test-bodycams", bodycams), ("test-woz", woz)]
    assert (bodycams, RDF.type, DGE.Deployment) in g
    assert (bodycams, DGE.municipality, URIRef(f"{ID}municipality/GM0344")) in g
    # without a 'deployer' key the municipality runs it
    assert (bodycams, DGE.deployer, URIRef(f"{ID}municipality/GM0344")) in g
    assert (bodycams, DGE.processesPersonalData, Literal(True)) in g
    assert (bodycams, DGE.inServiceSince, Literal("2021-03-01", datatype=XSD.date)) in g
    assert (bodycams, DGE.footageRetentionDays, Literal(28, datatype=XSD.integer)) in g
    assert (bodycams, DGE.dataProtectionRegime, URIRef(f"{ID}data-protection-regime/LED-Wpg")) in g
    assert (bodycams, DGE.annexIIIArea, URIRef(f"{ID}annex-iii-area/None")) in g
    assert (bodycams, DGE.technologyKind, URIRef(f"{ID}technology-kind/bodycam")) in g
    assert set(g.objects(bodycams, DGE.valueAtStake)) == {URIRef(f"{ID}value/privacy"), URIRef(f"{ID}value/safety")}
    assert (bodycams, DGE.recordKind, URIRef(f"{ID}record-kind/intake")) in g
    # a YAML scalar for a multi-valued key is one value; a YAML number for an enum code is the code
    assert set(g.objects(woz, DGE.prohibitedPractice)) == {URIRef(f"{ID}prohibited-practice/5-1-c")}
    assert (woz, DGE.annexIIIArea, URIRef(f"{ID}annex-iii-area/5a")) in g
    # Frisian name without diacritics resolves
    assert (woz, DGE.municipality, URIRef(f"{ID}municipality/GM1900")) in g
    # a named private deployer is an organisation, not the municipality
    deployer = g.value(woz, DGE.deployer)
    assert deployer == URIRef(f"{ID}organisation/taxatiebureau-voorbeeld-b-v")
    assert (deployer, DGE.PublicBody) not in set(g.predicate_objects(deployer))


def test_safeguards_are_evidence_with_status():
    g = read_intake(FIXTURES / "good.yaml").graph
    bodycams, woz = deployment("test-bodycams"), deployment("test-woz")
    assert safeguard_status(g, bodycams, "dpia") == URIRef(f"{ID}safeguard-status/present")
    assert safeguard_status(g, bodycams, "dpo-consulted") == URIRef(f"{ID}safeguard-status/absent")
    assert safeguard_status(g, woz, "woz-underlying-data") == URIRef(f"{ID}safeguard-status/planned")
    eia = URIRef(f"{bodycams}/safeguard/ethical-impact-assessment")
    assert (eia, DCT.date, Literal("2020-11-01", datatype=XSD.date)) in g
    assert (eia, FOAF.page, URIRef("https://www.utrecht.nl/uthiek")) in g
    assert (eia, RDF.type, DGE.SafeguardInstance) in g


def test_absent_keys_write_nothing():
    g = read_intake(FIXTURES / "good.yaml").graph
    woz = deployment("test-woz")
    assert g.value(woz, DGE.processesPersonalData) is None
    assert safeguard_status(g, woz, "dpia") is None
    assert g.value(woz, DCT.description) is None
    # unknown stays unknown: no false was invented for any fact the file does not state
    stated = {p for p in g.predicates(woz, None)}
    assert DGE.hasDPIA not in stated and DGE.isAISystem not in stated


def test_csv_rows_with_lists_booleans_and_empty_cells():
    g = read_intake(FIXTURES / "good.csv").graph
    fraude, sensor = deployment("csv-fraude"), deployment("csv-sensor")
    assert (fraude, DGE.municipality, URIRef(f"{ID}municipality/GM0373")) in g  # "Gemeente Bergen (NH.)"
    assert (sensor, DGE.municipality, URIRef(f"{ID}municipality/GM0363")) in g  # register id gm0363
    assert set(g.objects(fraude, DGE.apDpiaListCategory)) == {
        URIRef(f"{ID}ap-dpia-category/AP-Fraudebestrijding"),
        URIRef(f"{ID}ap-dpia-category/AP-Profilering"),
    }
    assert set(g.objects(fraude, DGE.valueAtStake)) == {URIRef(f"{ID}value/equality"), URIRef(f"{ID}value/privacy")}
    assert safeguard_status(g, fraude, "dpia") == URIRef(f"{ID}safeguard-status/absent")
    assert (sensor, DGE.processesPersonalData, Literal(False)) in g
    # empty cells are unknown
    assert g.value(sensor, DGE.profiling) is None
    assert g.value(sensor, DGE.annexIIIArea) is None
    assert safeguard_status(g, sensor, "dpia") is None


def test_example_intake_files_in_docs_are_valid():
    examples = sorted((DOCS / "examples").glob("*.yaml")) + sorted((DOCS / "examples").glob("*.csv"))
    assert examples, "docs/examples/ should hold example intake files"
    for path in examples:
        assert read_intake(path).deployments


# ---------------------------------------------------------------------------------------------------------------
# bad files: (file, row, key, words in the reason)

BAD_FILES = [
    ("unknown-key.yaml", 2, "hasDPIa", "unknown key (did you mean 'hasDPIA'?)"),
    ("wrong-type.yaml", 1, "processesPersonalData", "wrong type"),
    ("bad-enum.yaml", 3, "annexIIIArea", "'9' is not an allowed value"),
    ("unknown-municipality.yaml", 1, "municipality", "unknown municipality"),
    ("ambiguous-municipality.yaml", 1, "municipality", "ambiguous"),
    ("missing-title.yaml", 1, "title", "required key is missing"),
    ("duplicate-id.yaml", 2, "id", "duplicate id 'same'"),
    ("bad-safeguard.yaml", 1, "hasDPIA", "'maybe' is not valid"),
    ("bad-date.csv", 2, "inServiceSince", "not a valid date"),
    ("bad-multi-enum.csv", 3, "prohibitedPractice", "'5-1-z' is not an allowed value"),
    ("bad-boolean.csv", 2, "profiling", "wrong type"),
    ("unknown-column.csv", 0, "gemeente", "unknown key"),
    ("not-yaml.yaml", 0, None, "not valid YAML"),
    ("no-deployments.yaml", 0, None, "top-level 'deployments:' list"),
    ("yes-is-not-a-boolean.yaml", 1, "profiling", "'yes' is not of type boolean"),
    ("semicolon-separated.csv", 0, None, "looks semicolon-separated"),
    # issue 14: these crashed with a traceback (a space in a URL at serialisation; an impossible unquoted date in
    # the YAML parser, without file, row or key)
    ("source-with-a-space.yaml", 1, "source", "is not a valid IRI"),
    ("source-with-a-space.csv", 2, "source", "percent-encode it: a space is %20"),
    ("impossible-unquoted-date.yaml", 2, "inServiceSince", "'2026-02-30' is not a valid date"),
    ("bad-safeguard-mapping.yaml", 1, "hasDPIA.date", "'2026-13-01' is not a valid date"),
]


@pytest.mark.parametrize(("name", "row", "key", "reason"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_refused_naming_row_key_and_reason(name, row, key, reason):
    with pytest.raises(IntakeError) as caught:
        read_intake(FIXTURES / "bad" / name)
    error = caught.value
    assert (error.row, error.key) == (row, key)
    assert reason in error.reason
    assert name in str(error)
    if key:
        assert repr(key) in str(error)


@pytest.mark.parametrize("command", [["check", "--date", "2026-11-23"], ["import", "intake"]])
@pytest.mark.parametrize("name", ["source-with-a-space.yaml", "impossible-unquoted-date.yaml"])
def test_cli_refuses_bad_input_with_exit_2_and_writes_nothing(tmp_path, capsys, command, name):
    """Issue 14: `check` and `import intake` crashed (exit 1, a traceback) on these; now exit 2, one message naming
    file, row and key, and no store is created or changed."""
    location = tmp_path / "store"
    bad = FIXTURES / "bad" / name
    code = main([*command, str(bad), "--store", str(location)] if command[0] == "import"
                else [*command, str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"dge-graph: error: {bad}: 1 problem(s), nothing imported")
    assert "Traceback" not in err and "row " in err and "key '" in err
    assert not location.exists()


def test_unquoted_yaml_dates_are_still_dates(tmp_path):
    path = tmp_path / "dates.yaml"
    path.write_text("deployments:\n  - id: d\n    title: D\n    inServiceSince: 2024-02-29\n"
                    "    hasDPIA: {status: present, date: 2024-01-31}\n", encoding="utf-8")
    g = read_intake(path).graph
    assert (deployment("d"), DGE.inServiceSince, Literal("2024-02-29", datatype=XSD.date)) in g
    assert (URIRef(f"{deployment('d')}/safeguard/dpia"), DCT.date, Literal("2024-01-31", datatype=XSD.date)) in g


def test_all_bad_fixtures_are_in_the_table():
    assert {p.name for p in (FIXTURES / "bad").iterdir()} == {case[0] for case in BAD_FILES}


def test_every_problem_of_a_file_is_listed(tmp_path):
    path = tmp_path / "two-bad-rows.yaml"
    path.write_text("deployments:\n  - id: a\n    title: A\n    profiling: 3\n  - id: b\n    bogus: 1\n",
                    encoding="utf-8")
    with pytest.raises(IntakeError) as caught:
        read_intake(path)
    assert [(p.row, p.key) for p in caught.value.problems] == [(1, "profiling"), (2, "bogus")]
    assert "row 1 (line 4), key 'profiling'" in str(caught.value)


# ---------------------------------------------------------------------------------------------------------------
# the schema


def test_published_schema_equals_the_code():
    published = json.loads((DOCS / "intake.schema.json").read_text(encoding="utf-8"))
    assert published == intake_schema(), (
        "docs/intake.schema.json is stale: run `dge-graph import intake-schema > docs/intake.schema.json`"
    )


def test_schema_keys_are_exactly_the_spec_names_plus_identity_keys():
    keys = set(intake_schema()["$defs"]["deployment"]["properties"])
    spec = {f.name for f in FACTS} | {s.name for s in SAFEGUARDS}
    assert spec <= keys
    assert keys - spec == {"id", "title", "description", "municipality", "deployer", "technology", "supplier",
                           "source", "valuesAtStake", "status", "recordKind"}


def test_public_values_exist_in_the_values_data():
    from rdflib import Graph

    g = Graph().parse(project_root() / "data" / "values.ttl")
    for slug in PUBLIC_VALUES:
        assert (URIRef(f"{ID}value/{slug}"), RDF.type, DGE.PublicValue) in g, slug


# ---------------------------------------------------------------------------------------------------------------
# into the store: atomic, idempotent


def quads(store: OxigraphStore) -> set:
    return set(store.raw.quads_for_pattern(None, None, None, None))


def test_cli_import_is_idempotent(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "intake", str(FIXTURES / "good.yaml"), "--store", location]) == 0
    assert "2 deployments, 2 municipalities, imported" in capsys.readouterr().out
    store = OxigraphStore(location)
    before = quads(store)
    graph = str(import_graph_iri("intake", "good"))
    assert store.named_graphs() == [graph]
    store.close()
    assert main(["import", "intake", str(FIXTURES / "good.yaml"), "--store", location]) == 0
    assert "unchanged" in capsys.readouterr().out
    store = OxigraphStore(location)
    assert quads(store) == before
    store.close()


def test_failed_import_leaves_the_store_as_it_was(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "intake", str(FIXTURES / "good.csv"), "--store", location]) == 0
    store = OxigraphStore(location)
    before = quads(store)
    assert before
    store.close()
    bad = FIXTURES / "bad" / "bad-enum.yaml"
    assert main(["import", "intake", str(bad), "--store", location]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "'annexIIIArea'" in err and "nothing imported" in err
    store = OxigraphStore(location)
    assert quads(store) == before
    store.close()


def test_import_records_provenance(tmp_path):
    location = str(tmp_path / "store")
    assert main(["import", "intake", str(FIXTURES / "good.yaml"), "--store", location, "-q"]) == 0
    store = OxigraphStore(location)
    result = store.query(
        "PREFIX dge: <https://w3id.org/dge-graph/def#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT ?file ?when (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?g dge:sourceFile ?file ; prov:generatedAtTime ?when . "
        "?d a dge:Deployment ; prov:generatedAtTime ?when } } GROUP BY ?file ?when"
    )
    assert [(str(r["file"]), int(r["n"].toPython())) for r in result.rows] == [("good.yaml", 2)]
    store.close()


# ---------------------------------------------------------------------------------------------------------------
# data/deployments/ is generated from docs/examples/agenda-cases.yaml


def test_example_deployments_in_data_match_their_intake_file():
    from rdflib import Graph
    from rdflib.compare import isomorphic

    batch = read_intake(DOCS / "examples" / "agenda-cases.yaml")
    folder = project_root() / "data" / "deployments"
    union = Graph()
    for ident, _ in batch.deployments:
        union.parse(folder / f"{ident}.ttl")
    assert isomorphic(union, batch.graph), (
        "data/deployments/ is stale: run `dge-graph import intake-turtle docs/examples/agenda-cases.yaml "
        "--out data/deployments`"
    )


def test_example_deployments_are_marked_and_sourced():
    g = read_intake(DOCS / "examples" / "agenda-cases.yaml").graph
    documented = URIRef(f"{ID}record-kind/documented")
    illustrative = URIRef(f"{ID}record-kind/illustrative")
    deployments = set(g.subjects(RDF.type, DGE.Deployment))
    assert len(deployments) >= 12
    for d in deployments:
        kind = g.value(d, DGE.recordKind)
        assert kind in (documented, illustrative), d
        # documented <=> it carries a source
        assert (g.value(d, DCT.source) is not None) == (kind == documented), d
        assert list(g.objects(d, DGE.valueAtStake)), d
        assert g.value(d, DGE.municipality) is not None, d
        assert g.value(d, DGE.deployerType) is not None, d
