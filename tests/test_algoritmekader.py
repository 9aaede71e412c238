"""The Algoritmekader importer (ingest/algoritmekader.py) on small snapshots the tests write, the generated
data/algoritmekader.ttl against the project's requirements, and ``measures_for`` (query/algoritmekader.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from dge_graph.cli import main
from dge_graph.ingest.algoritmekader import (
    AlgoritmekaderError,
    Provenance,
    algoritmekader_turtle,
    detect_licence,
    read_algoritmekader,
    write_algoritmekader,
)
from dge_graph.kernel.namespaces import DGE, id_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.vocabulary import SAFEGUARDS
from dge_graph.query.algoritmekader import measures_for
from dge_graph.store import OxigraphStore, graph_to_ntriples

COMMIT = "0123456789abcdef0123456789abcdef01234567"
PROVENANCE = Provenance("MinBZK/task-registry", COMMIT, dt.date(2026, 6, 29), "EUPL-1.2")
AK = "urn:nl:ak:"


def record(urn: str, name: str, page: str, lifecycle: list[str], links: list[str]) -> str:
    lines = [f"name: {name}", "description: 'Lange toelichting die niet wordt overgenomen.'",
             "explanation: 'Nog meer proza.'", f"urn: {urn}", "language: nl", f"url: {page}", "lifecycle:"]
    lines += [f"- {phase}" for phase in lifecycle]
    lines += ["links:"] + [f"- {link}" for link in links] if links else ["links: []"]
    return "\n".join(lines) + "\n"


def page(kind: str, stem: str) -> str:
    return f"https://minbzk.github.io/Algoritmekader/voldoen-aan-wetten-en-regels/{kind}/{stem}/index.html"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    """Two requirements, three measures; one measure file declares its neighbour's URN (as upstream has done)."""
    root = tmp_path / "task-registry"
    (root / "requirements").mkdir(parents=True)
    (root / "measures").mkdir()
    (root / "LICENSE.EUPL-1.2.txt").write_text("EUPL v1.2\n", encoding="utf-8")
    files = {
        "requirements/avg-13-dpia.yaml": record(f"{AK}ver:avg-13", "Een DPIA is verplicht bij hoog risico.",
                                                page("vereisten", "avg-13-dpia"), ["ontwerp"], [f"{AK}mtr:owk-03"]),
        "requirements/aia-10-robuust.yaml": record(f"{AK}ver:aia-10", "Hoog-risico-AI is robuust \"en\" veilig",
                                                   page("vereisten", "aia-10-robuust"),
                                                   ["ontwikkelen", "monitoring-en-beheer"], []),
        "measures/4-owk-03-privacyrisico.yaml": record(f"{AK}mtr:owk-03", "Analyseer de privacyrisico's",
                                                       page("maatregelen", "4-owk-03-privacyrisico"),
                                                       ["ontwikkelen"], [f"{AK}ver:avg-13"]),
        "measures/4-owk-09-aanvallen.yaml": record(f"{AK}mtr:owk-09", "Bestand tegen aanvallen",
                                                   page("maatregelen", "4-owk-09-aanvallen"), ["ontwikkelen"],
                                                   [f"{AK}ver:aia-10"]),
        "measures/4-owk-10-lekken.yaml": record(f"{AK}mtr:owk-09", "Voorkom lekken via de output",
                                                page("maatregelen", "4-owk-10-lekken"), ["implementatie"],
                                                [f"{AK}ver:aia-10", f"{AK}ver:avg-13"]),
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def parsed(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


# --------------------------------------------------------------------------------------------------------------
# the importer


def test_snapshot_becomes_concepts_with_titles_pages_phases_and_links(snapshot):
    kader = read_algoritmekader(snapshot)
    graph = parsed(algoritmekader_turtle(kader, PROVENANCE))
    dpia = URIRef(f"{AK}ver:avg-13")
    assert (dpia, RDF.type, DGE.AlgoritmekaderRequirement) in graph
    assert graph.value(dpia, SKOS.notation) == Literal("avg-13")
    assert graph.value(dpia, SKOS.prefLabel) == Literal("Een DPIA is verplicht bij hoog risico.", lang="nl")
    assert graph.value(dpia, DCTERMS.source) == URIRef(page("vereisten", "avg-13-dpia"))
    assert set(graph.objects(dpia, DGE.lifecyclePhase)) == {id_iri("algoritmekader-phase", "ontwerp")}
    assert (URIRef(f"{AK}ver:aia-10"), SKOS.prefLabel, Literal('Hoog-risico-AI is robuust "en" veilig', lang="nl")) \
        in graph
    serves = {(str(m), str(r)) for m, r in graph.subject_objects(DGE.servesRequirement)}
    assert serves == {(f"{AK}mtr:owk-03", f"{AK}ver:avg-13"), (f"{AK}mtr:owk-09", f"{AK}ver:aia-10"),
                      (f"{AK}mtr:owk-10", f"{AK}ver:aia-10"), (f"{AK}mtr:owk-10", f"{AK}ver:avg-13")}
    assert set(graph.subjects(RDF.type, DGE.AlgoritmekaderMeasure)) == {
        URIRef(f"{AK}mtr:{c}") for c in ("owk-03", "owk-09", "owk-10")}
    text = algoritmekader_turtle(kader, PROVENANCE)
    assert "proza" not in text and "toelichting" not in text


def test_a_file_declaring_its_neighbours_urn_is_identified_by_its_file_name_and_the_fix_is_listed(snapshot):
    kader = read_algoritmekader(snapshot)
    assert kader.measures[f"{AK}mtr:owk-09"].title == "Bestand tegen aanvallen"
    assert kader.measures[f"{AK}mtr:owk-10"].title == "Voorkom lekken via de output"
    assert len(kader.corrections) == 1 and "4-owk-10-lekken.yaml declares urn:nl:ak:mtr:owk-09" in kader.corrections[0]
    assert "# Correction: measures/4-owk-10-lekken.yaml" in algoritmekader_turtle(kader, PROVENANCE)


def test_header_and_schemes_cite_repository_commit_date_and_licence(snapshot):
    text = algoritmekader_turtle(read_algoritmekader(snapshot), PROVENANCE)
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for fact in ("https://github.com/MinBZK/task-registry", COMMIT, "2026-06-29", "EUPL-1.2"):
        assert fact in header
    graph = parsed(text)
    for scheme in (id_iri("scheme", "algoritmekader-requirement"), id_iri("scheme", "algoritmekader-measure")):
        assert graph.value(scheme, PROV.wasDerivedFrom) == URIRef(f"https://github.com/MinBZK/task-registry/tree/{COMMIT}")
        assert graph.value(scheme, DCTERMS.license) == URIRef("http://spdx.org/licenses/EUPL-1.2")
        assert {label.language for label in graph.objects(scheme, SKOS.prefLabel)} == {"nl", "en"}


def test_output_is_deterministic_and_rewriting_changes_nothing(snapshot, tmp_path):
    out = tmp_path / "data" / "algoritmekader.ttl"
    first = write_algoritmekader(snapshot, out, PROVENANCE)
    content = out.read_bytes()
    second = write_algoritmekader(snapshot, out, PROVENANCE)
    assert first.changed and not second.changed
    assert out.read_bytes() == content == algoritmekader_turtle(read_algoritmekader(snapshot), PROVENANCE).encode()


def test_a_link_to_an_undeclared_urn_is_left_out_and_listed(snapshot):
    path = snapshot / "requirements" / "aia-10-robuust.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("links: []", f"links:\n- {AK}mtr:zzz-99"),
                    encoding="utf-8")
    kader = read_algoritmekader(snapshot)
    assert kader.dangling == (f"requirements/aia-10-robuust.yaml links to {AK}mtr:zzz-99, which no measure declares",)
    assert f"{AK}mtr:zzz-99" not in {m for m, _ in kader.serves}
    assert "# Dangling (left out): requirements/aia-10-robuust.yaml" in algoritmekader_turtle(kader, PROVENANCE)


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("requirements/avg-13-dpia.yaml", f"urn: {AK}ver:avg-13\n", "", "key 'urn': missing or empty"),
    ("requirements/avg-13-dpia.yaml", f"urn: {AK}ver:avg-13", f"urn: {AK}mtr:avg-13", "is not a URN urn:nl:ak:ver:"),
    ("requirements/avg-13-dpia.yaml", "- ontwerp", "- bouwen", "unknown lifecycle phase 'bouwen'"),
    ("requirements/avg-13-dpia.yaml", "name: Een", "name: [Een", "not valid YAML"),
    ("measures/4-owk-03-privacyrisico.yaml", "name: Analyseer de privacyrisico's\n", "", "key 'name': missing"),
    ("measures/4-owk-03-privacyrisico.yaml", "url: https://", "url: http://", "expected an https:// address"),
])
def test_a_defect_names_the_file_and_key_and_nothing_is_imported(snapshot, file, old, new, message):
    path = snapshot / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(AlgoritmekaderError) as caught:
        read_algoritmekader(snapshot)
    assert Path(file).name in str(caught.value) and message in str(caught.value)
    assert str(caught.value).endswith("nothing imported")


def test_two_files_claiming_a_urn_that_neither_file_name_carries_is_an_error(snapshot):
    path = snapshot / "measures" / "4-owk-09-aanvallen.yaml"
    path.rename(snapshot / "measures" / "4-owk-11-aanvallen.yaml")
    with pytest.raises(AlgoritmekaderError, match="urn:nl:ak:mtr:owk-09 is declared by 2 files"):
        read_algoritmekader(snapshot)


def test_licence_is_read_from_the_licence_file(snapshot, tmp_path):
    assert detect_licence(snapshot) == "EUPL-1.2"
    assert detect_licence(tmp_path) is None


def test_cli_writes_the_turtle_and_reports_corrections(snapshot, tmp_path, capsys):
    out = tmp_path / "ak.ttl"
    args = ["import", "algoritmekader", str(snapshot), "--turtle", str(out), "--repository", "MinBZK/task-registry",
            "--commit", COMMIT, "--date", "2026-06-29"]
    assert main(args) == 0
    captured = capsys.readouterr().out
    assert "2 requirements, 3 measures, 4 links" in captured and "corrected:" in captured
    assert out.read_text(encoding="utf-8") == algoritmekader_turtle(read_algoritmekader(snapshot), PROVENANCE)


@pytest.mark.parametrize(("change", "message"), [
    (["--commit", "abc"], "expected the 40 hex digits"),
    (["--repository", "task-registry"], "expected owner/name"),
])
def test_cli_refuses_bad_provenance_with_exit_2(snapshot, tmp_path, capsys, change, message):
    args = {"--repository": "MinBZK/task-registry", "--commit": COMMIT, "--date": "2026-06-29"}
    args[change[0]] = change[1]
    argv = ["import", "algoritmekader", str(snapshot), "--turtle", str(tmp_path / "x.ttl")]
    argv += [item for pair in args.items() for item in pair]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.ttl").exists()


def test_cli_without_a_licence_file_asks_for_one(snapshot, tmp_path, capsys):
    (snapshot / "LICENSE.EUPL-1.2.txt").unlink()
    argv = ["import", "algoritmekader", str(snapshot), "--repository", "MinBZK/task-registry", "--commit", COMMIT,
            "--date", "2026-06-29"]
    assert main(argv) == 2
    assert "give --licence" in capsys.readouterr().err
    assert main(argv + ["--licence", "EUPL-1.2"]) == 0
    assert "<urn:nl:ak:ver:avg-13>" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------------------------
# the generated data file and the project's requirements


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = Graph()
    for name in ("requirements.ttl", "algoritmekader.ttl"):
        graph.parse(resource_dir("data") / name, format="turtle")
    graph.parse(resource_dir("ontology") / "vocabularies.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def knowledge_store(knowledge) -> OxigraphStore:
    store = OxigraphStore(None)
    store.replace_graphs({"https://w3id.org/dge-graph/graph/test/knowledge": graph_to_ntriples(knowledge)})
    return store


def test_every_algoritmekader_link_of_a_requirement_resolves(knowledge):
    links = set(knowledge.subject_objects(DGE.algoritmekaderRequirement))
    assert len({r for r, _ in links}) >= 30
    unresolved = sorted(
        f"{knowledge.value(r, DCTERMS.identifier)} -> {urn}" for r, urn in links
        if (urn, RDF.type, DGE.AlgoritmekaderRequirement) not in knowledge
        or knowledge.value(urn, SKOS.prefLabel) is None)
    assert unresolved == []


def test_every_link_and_phase_of_the_data_file_resolves(knowledge):
    measures = set(knowledge.subjects(RDF.type, DGE.AlgoritmekaderMeasure))
    requirements = set(knowledge.subjects(RDF.type, DGE.AlgoritmekaderRequirement))
    assert measures and requirements
    for measure, requirement in knowledge.subject_objects(DGE.servesRequirement):
        assert measure in measures and requirement in requirements
    phases = set(knowledge.subjects(SKOS.inScheme, id_iri("scheme", "algoritmekader-phase")))
    used = set(knowledge.objects(None, DGE.lifecyclePhase))
    assert used and used <= phases


def test_measures_for_a_safeguard_are_those_serving_the_linked_requirements_of_the_rules_demanding_it(
        knowledge, knowledge_store):
    """Independently of the named query: walk the triples for every safeguard type."""
    with_measures = 0
    for safeguard in SAFEGUARDS:
        rules = set(knowledge.subjects(DGE.requiresSafeguard, safeguard.iri))
        expected = {m for r in rules for ak in knowledge.objects(r, DGE.algoritmekaderRequirement)
                    for m in knowledge.subjects(DGE.servesRequirement, ak)}
        found = measures_for(knowledge_store, None, safeguard.iri)
        assert {m.iri for m in found} == expected, safeguard.name
        with_measures += bool(found)
    assert with_measures >= 20


def test_measures_for_a_requirement_and_a_safeguard_it_does_not_demand_is_empty(knowledge):
    dpia = id_iri("safeguard-type", "dpia")
    by_requirement = measures_for(knowledge, "GDPR-35")
    assert by_requirement and [m.iri for m in by_requirement] == [m.iri for m in measures_for(knowledge, "GDPR-35", dpia)]
    assert all(m.rules == ("GDPR-35",) and URIRef(f"{AK}ver:avg-13") in m.serves for m in by_requirement)
    assert measures_for(knowledge, "GDPR-35", id_iri("safeguard-type", "human-oversight")) == []
    assert measures_for(knowledge, "NO-SUCH-RULE") == []
    with pytest.raises(ValueError, match="give a requirement, a safeguard type, or both"):
        measures_for(knowledge)


def test_measures_for_gives_the_same_on_the_store_as_on_a_graph(project_graph_store, knowledge):
    for requirement, safeguard in (("GDPR-35", None), (None, id_iri("safeguard-type", "human-oversight")),
                                   ("NL-AWB", id_iri("safeguard-type", "decision-discloses-algorithm"))):
        on_store = measures_for(project_graph_store, requirement, safeguard)
        assert on_store and on_store == measures_for(knowledge, requirement, safeguard)
