"""The algorithm-register importer on fixtures in both formats (expected facts worked out by hand per record)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from dge_graph.cli import main
from dge_graph.ingest.algoritmeregister import RegisterError, impact_assessment_safeguards, read_register
from dge_graph.ingest.importing import import_graph_iri
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, ID, PROV, RDF, SKOS
from dge_graph.store import OxigraphStore

FIXTURES = Path(__file__).parent / "fixtures" / "algoritmeregister"
PRESENT = URIRef(f"{ID}safeguard-status/present")


def dep(lars: str) -> URIRef:
    return URIRef(f"{ID}deployment/algoritmeregister-{lars}")


def municipality(code: str) -> URIRef:
    return URIRef(f"{ID}municipality/{code}")


def safeguards(graph, deployment: URIRef) -> dict[str, URIRef]:
    """safeguard-type slug -> status."""
    found = {}
    for node in graph.objects(deployment, DGE.hasSafeguard):
        kind = str(graph.value(node, DGE.safeguardType)).rsplit("/", 1)[-1]
        found[kind] = graph.value(node, DGE.safeguardStatus)
    return found


@pytest.fixture(scope="module")
def standard():
    return read_register(FIXTURES / "standard_v1_0.json")


@pytest.fixture(scope="module")
def scrape():
    return read_register(FIXTURES / "scrape.json")


def test_formats_are_detected(standard, scrape):
    assert standard.record_format == "standard"
    assert scrape.record_format == "scrape"


# (organisation in the record, expected municipality) — spelling variants of the register and of people
MATCHES = [
    ("standard", "90000001", "GM0893"),  # "Gemeente Bergen (L)"   vs CBS "Bergen (L.)"
    ("standard", "90000002", "GM1970"),  # "Noardeast Fryslân"     vs "Noardeast-Fryslân", no "Gemeente"
    ("standard", "90000003", "GM0796"),  # "Gemeente 's-Hertogenbosch"
    ("scrape", "91000001", "GM0518"),  # "Gemeente Den Haag"     vs CBS "'s-Gravenhage"
    ("scrape", "91000002", "GM0820"),  # "Nuenen, Gerwen en Nederwetten" vs register "Nuenen c.a."
    ("scrape", "91000003", "GM1982"),  # "Gemeente Cuijk"        vs CBS "Land van Cuijk"
    ("scrape", "91000005", "GM1900"),  # "Gemeente Súdwest-Fryslân"
    ("scrape", "91000006", "GM1900"),  # "gemeente sudwest fryslan"
]


@pytest.mark.parametrize(("which", "lars", "code"), MATCHES)
def test_organisations_are_matched_to_municipalities(request, which, lars, code):
    graph = request.getfixturevalue(which).graph
    assert graph.value(dep(lars), DGE.municipality) == municipality(code)
    assert graph.value(dep(lars), DGE.deployer) == municipality(code)
    assert graph.value(dep(lars), DGE.deployerType) == URIRef(f"{ID}deployer-type/Municipality")


def test_summaries(standard, scrape):
    assert (standard.summary.deployments, standard.summary.linked_deployments,
            standard.summary.linked_municipalities, standard.summary.other_organisations) == (5, 3, 3, 2)
    assert (scrape.summary.deployments, scrape.summary.linked_deployments,
            scrape.summary.linked_municipalities, scrape.summary.other_organisations) == (6, 5, 4, 1)
    assert standard.summary.unmatched_municipal == [] == scrape.summary.unmatched_municipal


def test_other_organisations_are_public_bodies_or_private(standard, scrape):
    g = standard.graph
    province = g.value(dep("90000004"), DGE.deployer)
    assert province == URIRef(f"{ID}organisation/provincie-fryslan")
    assert (province, RDF.type, DGE.PublicBody) in g
    assert g.value(dep("90000004"), DGE.deployerType) == URIRef(f"{ID}deployer-type/OtherPublicAuthority")
    assert g.value(dep("90000004"), DGE.municipality) is None
    liander = [d for d in g.subjects(RDF.type, DGE.Deployment)
               if g.value(d, DCT.title) == Literal("Storingsvoorspelling netbeheer", lang="nl")][0]
    assert g.value(liander, DGE.deployerType) == URIRef(f"{ID}deployer-type/PrivateEntity")
    assert (g.value(liander, DGE.deployer), RDF.type, DGE.PublicBody) not in g
    sed = scrape.graph.value(dep("91000004"), DGE.deployer)
    assert sed == URIRef(f"{ID}organisation/sed-organisatie-gemeente-stede-broec-enkhuizen-drechterland")
    assert scrape.graph.value(dep("91000004"), DGE.municipality) is None


def test_identity_and_provenance(standard, scrape):
    g = standard.graph
    d = dep("90000001")
    url = URIRef("https://algoritmes.overheid.nl/nl/algoritme/90000001")
    assert (d, RDF.type, DGE.Deployment) in g
    assert (d, DCT.identifier, Literal("90000001")) in g
    assert (d, DCT.source, url) in g and (d, PROV.wasDerivedFrom, url) in g
    assert (d, DGE.recordKind, URIRef(f"{ID}record-kind/register-import")) in g
    assert (d, DCT.subject, Literal("Sociale zekerheid", lang="nl")) in g
    assert (d, DGE.supplier, URIRef(f"{ID}organisation/voorbeeld-analytics-b-v")) in g
    s = scrape.graph
    assert (dep("91000003"), DCT.source, URIRef("https://algoritmes.overheid.nl/nl/algoritme/91000003")) in s


def test_status_and_dates(standard, scrape):
    g = standard.graph
    assert g.value(dep("90000001"), DGE.deploymentStatus) == URIRef(f"{ID}deployment-status/in-use")
    assert g.value(dep("90000002"), DGE.deploymentStatus) == URIRef(f"{ID}deployment-status/in-development")
    assert g.value(dep("90000003"), DGE.deploymentStatus) == URIRef(f"{ID}deployment-status/out-of-use")
    assert scrape.graph.value(dep("91000003"), DGE.deploymentStatus) == URIRef(f"{ID}deployment-status/out-of-use")
    # begin_date "2023-01" is the first of that month; a full date is kept; no begin_date -> unknown
    assert g.value(dep("90000001"), DGE.inServiceSince) == Literal("2023-01-01", datatype=XSD.date)
    assert g.value(dep("90000003"), DGE.inServiceSince) == Literal("2021-06-15", datatype=XSD.date)
    assert g.value(dep("90000002"), DGE.inServiceSince) is None


def test_register_facts_become_evidence(standard):
    g = standard.graph
    first = safeguards(g, dep("90000001"))
    assert first == {"algorithm-register-entry": PRESENT, "legal-basis-documented": PRESENT, "dpia": PRESENT,
                     "fria": PRESENT, "ethical-impact-assessment": PRESENT}
    dpia = URIRef(f"{dep('90000001')}/safeguard/dpia")
    assert (dpia, FOAF.page, URIRef("https://www.bergen.nl/dpia-risicomodel.pdf")) in g
    basis = URIRef(f"{dep('90000001')}/safeguard/legal-basis-documented")
    assert (basis, FOAF.page, URIRef("https://wetten.overheid.nl/BWBR0015703")) in g
    entry = URIRef(f"{dep('90000001')}/safeguard/algorithm-register-entry")
    assert (entry, DCT.date, Literal("2024-03-05", datatype=XSD.date)) in g
    # a pre-scan is not a DPIA; an empty lawful_basis_grouping is no legal basis
    assert safeguards(g, dep("90000002")) == {"algorithm-register-entry": PRESENT}
    # "DPIA niet uitgevoerd" claims nothing (no false either); DEDA is an ethical impact assessment
    assert safeguards(g, dep("90000003")) == {"algorithm-register-entry": PRESENT,
                                              "ethical-impact-assessment": PRESENT}
    assert safeguards(g, dep("90000004")) == {"algorithm-register-entry": PRESENT,
                                              "legal-basis-documented": PRESENT}


def test_publication_category(standard):
    g = standard.graph
    assert g.value(dep("90000001"), DGE.isAISystem) == Literal(True)
    assert g.value(dep("90000001"), DGE.selfAssessedImpactful) == Literal(True)
    assert g.value(dep("90000002"), DGE.isAISystem) is None
    assert g.value(dep("90000002"), DGE.selfAssessedImpactful) == Literal(True)
    assert g.value(dep("90000003"), DGE.selfAssessedImpactful) == Literal(False)
    assert g.value(dep("90000001"), DGE.isAlgorithm) == Literal(True)


def test_scrape_impactassessment_is_never_a_safeguard(scrape):
    g = scrape.graph
    assert safeguards(g, dep("91000001")) == {"algorithm-register-entry": PRESENT, "legal-basis-documented": PRESENT}
    assert safeguards(g, dep("91000002")) == {"algorithm-register-entry": PRESENT}
    assert safeguards(g, dep("91000003")) == {"algorithm-register-entry": PRESENT, "legal-basis-documented": PRESENT}
    assert "impactassessment = Ja" in str(g.value(dep("91000001"), SKOS.editorialNote))
    assert g.value(dep("91000002"), SKOS.editorialNote) is None  # Onbekend says nothing


@pytest.mark.parametrize("which", ["standard", "scrape"])
def test_no_invented_negatives(request, which):
    g = request.getfixturevalue(which).graph
    assert not list(g.subjects(DGE.safeguardStatus, URIRef(f"{ID}safeguard-status/absent")))
    falses = {(p, o) for _, p, o in g if o == Literal(False)}
    assert falses <= {(DGE.selfAssessedImpactful, Literal(False))}  # only "Overige algoritmes" says so


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Data Protection Impact Assessment (DPIA)", ("hasDPIA",)),
        ("DPIA", ("hasDPIA",)),
        ("Pre-scan DPIA", ()),
        ("Privacy Quickscan", ()),
        ("DPIA niet nodig", ()),
        ("Impact Assessment Mensenrechten en Algoritmes (IAMA)", ("hasFRIA", "ethicalImpactAssessment")),
        ("Fundamentele Rechten en Algoritme Impact Assessment (FRAIA)", ("hasFRIA", "ethicalImpactAssessment")),
        ("De Ethische Data Assistant (DEDA)", ("ethicalImpactAssessment",)),
        ("Utrecht Uthiek Assessment", ("ethicalImpactAssessment",)),
        ("Toetsingskader Algemene Rekenkamer", ()),
        ("AI Impact Assesment (AIIA)", ()),
    ],
)
def test_impact_assessment_titles(title, expected):
    assert impact_assessment_safeguards(title) == expected


def test_record_without_lars_gets_a_stable_slug(standard):
    record_slugs = {str(d) for d in standard.graph.subjects(RDF.type, DGE.Deployment)}
    again = {str(d) for d in read_register(FIXTURES / "standard_v1_0.json").graph.subjects(RDF.type, DGE.Deployment)}
    assert record_slugs == again and len(record_slugs) == 5
    without_lars = [s for s in record_slugs if not s.rsplit("-", 1)[-1].startswith("9")]
    assert len(without_lars) == 1
    assert len(without_lars[0].rsplit("-", 1)[-1]) == 16


@pytest.mark.parametrize(
    ("name", "record", "key", "reason"),
    [
        ("bad_missing_organization.json", "#2 (lars 92000002)", "organization", "required field is missing"),
        ("bad_status.json", "#1 (lars 93000001)", "status", "unknown status 'gepauzeerd'"),
    ],
)
def test_bad_records_name_record_and_key(name, record, key, reason):
    with pytest.raises(RegisterError) as caught:
        read_register(FIXTURES / name)
    assert (caught.value.record, caught.value.key) == (record, key)
    assert reason in caught.value.reason


def test_wrong_format_is_refused():
    with pytest.raises(RegisterError, match="nothing imported"):
        read_register(FIXTURES / "scrape.json", record_format="standard")


# ---------------------------------------------------------------------------------------------------------------
# store: idempotent, atomic, unmatched municipal names refused


def all_quads(location: str) -> set:
    store = OxigraphStore(location)
    try:
        return set(store.raw.quads_for_pattern(None, None, None, None))
    finally:
        store.close()


def test_reimport_changes_nothing(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location]) == 0
    out = capsys.readouterr().out
    assert "6 deployments, 5 linked to 4 municipalities" in out
    first = all_quads(location)
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert all_quads(location) == first
    graphs = {q.graph_name.value for q in first}
    assert graphs == {str(import_graph_iri("algoritmeregister", "scrape.json"))}


def test_unmatched_municipal_organisation_refuses_the_file(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "algoritmeregister", str(FIXTURES / "standard_v1_0.json"), "--store", location]) == 0
    before = all_quads(location)
    capsys.readouterr()
    path = str(FIXTURES / "unmatched_municipal.json")
    assert main(["import", "algoritmeregister", path, "--store", location]) == 2
    assert "'Gemeente Haaren' (record #2 (lars 94000002))" in capsys.readouterr().err
    assert all_quads(location) == before
    assert main(["import", "algoritmeregister", path, "--store", location, "--allow-unmatched"]) == 0
    assert "unmatched municipal organisations: 1: Gemeente Haaren" in capsys.readouterr().out


def test_bad_file_leaves_the_store_as_it_was(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location]) == 0
    before = all_quads(location)
    assert main(["import", "algoritmeregister", str(FIXTURES / "bad_status.json"), "--store", location]) == 2
    assert "record #1 (lars 93000001), key 'status'" in capsys.readouterr().err
    assert all_quads(location) == before


def test_import_into_a_remote_store_is_idempotent(remote_store):
    from dge_graph.ingest.importing import write_import

    batch = read_register(FIXTURES / "scrape.json")
    graph = import_graph_iri("algoritmeregister", "scrape.json")
    first = write_import(remote_store, graph, batch.graph, source_file="scrape.json")
    assert first.written
    count = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/dge-graph/def#Deployment> }"
    assert int(remote_store.query(count).rows[0]["n"].toPython()) == 6
    again = write_import(remote_store, graph, batch.graph, source_file="scrape.json")
    assert not again.written
    assert remote_store.named_graphs() == [str(graph)]
