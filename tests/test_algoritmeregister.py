"""The algorithm-register importer on fixtures in both formats (expected facts worked out by hand per record)."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from dge_graph.cli import main
from dge_graph.ingest.algoritmeregister import (
    SHIPPED_SNAPSHOT,
    SHIPPED_SNAPSHOT_GRAPH,
    RegisterError,
    impact_assessment_safeguards,
    read_register,
)
from dge_graph.ingest.build import build, discover_sources
from dge_graph.ingest.importing import import_graph_iri
from dge_graph.kernel.namespaces import DCT, DGE, FOAF, ID, PROV, RDF, SKOS
from dge_graph.store import OxigraphStore, quads_to_ntriples

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


# ---------------------------------------------------------------------------------------------------------------
# --from-api: a local HTTP server on 127.0.0.1 replays the register API's listing (POST, {page, limit} ->
# {results, total_count}) from the records of api_records.json


class ReplayedRegisterApi:
    """The register API's listing endpoint over a real socket, answering from a list of records.

    ``failures`` is a list of HTTP statuses to answer (in order) before answering properly; ``requests`` records
    every request body."""

    def __init__(self, records: list[dict], *, failures: list[int] | None = None, total_count: int | None = None,
                 payload: object | None = None):
        self.records, self.failures = records, list(failures or [])
        self.total_count = len(records) if total_count is None else total_count
        self.payload = payload
        self.requests: list[dict] = []

    def answer(self, body: dict) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(body)
        if self.failures:
            status = self.failures.pop(0)
            return status, ({"Retry-After": "0"} if status == 429 else {}), b'{"detail": "busy"}'
        if self.payload is not None:
            return 200, {}, json.dumps(self.payload).encode("utf-8")
        page, limit = int(body["page"]), int(body["limit"])
        results = self.records[(page - 1) * limit: page * limit]
        return 200, {}, json.dumps({"results": results, "total_count": self.total_count}).encode("utf-8")


@contextmanager
def serving(api: ReplayedRegisterApi):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, headers, content = api.answer(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/algoritme/NLD"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


API_RECORDS = FIXTURES / "api_records.json"


def api_records() -> list[dict]:
    return json.loads(API_RECORDS.read_text(encoding="utf-8"))


def import_graph_lines(location: str, graph: str) -> tuple[list[str], str]:
    """The sorted N-Triples of one import graph without its provenance (the graph's self-description and the
    import timestamps), and the graph's dge:contentHash."""
    store = OxigraphStore(location)
    try:
        quads = list(store.raw.quads_for_pattern(None, None, None, NamedNode(graph)))
    finally:
        store.close()
    kept = [q for q in quads if q.subject != NamedNode(graph) and q.predicate != NamedNode(str(PROV.generatedAtTime))]
    digest = [str(q.object.value) for q in quads if q.subject == NamedNode(graph) and q.predicate == NamedNode(str(DGE.contentHash))]
    lines = sorted(quads_to_ntriples(kept).decode("utf-8").splitlines())
    return lines, digest[0]


def test_from_api_imports_exactly_what_the_file_import_gives(tmp_path, capsys):
    api = ReplayedRegisterApi(api_records())
    via_api, via_file = str(tmp_path / "api"), str(tmp_path / "file")
    with serving(api) as url:
        assert main(["import", "algoritmeregister", "--from-api", url, "--page-size", "3", "--store", via_api]) == 0
    captured = capsys.readouterr()
    assert "7 deployments, 5 linked to 4 municipalities, 2 other organisations; imported" in captured.out
    assert "[3/3] register API: page 3 (7 of 7 records)" in captured.err  # the progress bar, one step a page
    assert api.requests == [{"page": "1", "limit": "3"}, {"page": "2", "limit": "3"}, {"page": "3", "limit": "3"}]
    assert main(["import", "algoritmeregister", str(API_RECORDS), "--store", via_file]) == 0
    api_graph = str(import_graph_iri("algoritmeregister", f"api-{url.split('/')[2]}"))
    file_graph = str(import_graph_iri("algoritmeregister", API_RECORDS.name))
    api_lines, api_hash = import_graph_lines(via_api, api_graph)
    file_lines, file_hash = import_graph_lines(via_file, file_graph)
    assert api_lines == file_lines and len(api_lines) > 7 * 8
    assert api_hash == file_hash


def test_from_api_again_changes_nothing(tmp_path, capsys):
    location = str(tmp_path / "store")
    with serving(ReplayedRegisterApi(api_records())) as url:
        assert main(["import", "algoritmeregister", "--from-api", url, "--store", location, "-q"]) == 0
        first = all_quads(location)
        assert main(["import", "algoritmeregister", "--from-api", url, "--store", location, "-q"]) == 0
    assert "unchanged (already imported)" in capsys.readouterr().out
    assert all_quads(location) == first


def test_from_api_retries_busy_and_failing_pages(tmp_path, capsys):
    api = ReplayedRegisterApi(api_records(), failures=[503, 429, 502])
    with serving(api) as url:
        code = main(["import", "algoritmeregister", "--from-api", url, "--page-size", "4", "--retries", "3",
                     "--backoff", "0", "--store", str(tmp_path / "store"), "-q"])
    assert code == 0, capsys.readouterr().err
    assert len(api.requests) == 3 + 2  # three refused attempts of page 1, then pages 1 and 2
    assert "7 deployments" in capsys.readouterr().out


def test_from_api_gives_up_after_the_retries_and_writes_nothing(tmp_path, capsys):
    location = str(tmp_path / "store")
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location, "-q"]) == 0
    before = all_quads(location)
    api = ReplayedRegisterApi(api_records(), failures=[500, 500, 500])
    with serving(api) as url:
        code = main(["import", "algoritmeregister", "--from-api", url, "--retries", "2", "--backoff", "0",
                     "--store", location, "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "page 1: HTTP 500 (after 2 retries); nothing imported" in err
    assert len(api.requests) == 3
    assert all_quads(location) == before


def test_from_api_offline_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    location = tmp_path / "store"
    code = main(["import", "algoritmeregister", "--from-api", f"http://127.0.0.1:{port}/api/algoritme/NLD",
                 "--retries", "1", "--backoff", "0", "--store", str(location), "-q"])
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot reach the register API" in err and "is this machine online?" in err
    assert "nothing imported" in err
    assert not location.exists()  # the store was not even opened


def test_from_api_refuses_negative_retries(tmp_path, capsys):
    code = main(["import", "algoritmeregister", "--from-api", "http://127.0.0.1:9/api/algoritme/NLD",
                 "--retries", "-1", "--store", str(tmp_path / "s"), "-q"])
    assert code == 2 and "must not be negative" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(
    ("payload", "total_count", "reason"),
    [
        ({"items": []}, None, "key 'results' is not a list of records"),
        ({"results": [], "total_count": "7"}, None, "key 'total_count' is not a count"),
        (None, 9, "the API announced 9 records but gave 7 distinct ones"),
    ],
)
def test_from_api_refuses_answers_of_another_shape(tmp_path, capsys, payload, total_count, reason):
    api = ReplayedRegisterApi(api_records(), payload=payload, total_count=total_count)
    with serving(api) as url:
        code = main(["import", "algoritmeregister", "--from-api", url, "--store", str(tmp_path / "s"), "-q"])
    assert code == 2
    assert reason in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_a_record_repeated_across_shifted_pages_is_kept_once():
    from dge_graph.ingest.register_api import fetch_register

    records = api_records()
    shifted = records[:3] + records[2:]  # page 2 starts with the last record of page 1 again
    api = ReplayedRegisterApi(shifted, total_count=len(records))
    with serving(api) as url:
        pages = fetch_register(url, page_size=3, sleep=lambda _: None)
    assert [r["lars"] for r in pages.records] == [r["lars"] for r in records]
    assert pages.pages == 3


# ---------------------------------------------------------------------------------------------------------------
# the shipped snapshot: facts-only deterministic Turtle, built into the store, replaced by a register import


def write_fixture_snapshot(source: Path, out: Path) -> None:
    assert main(["import", "algoritmeregister", str(source), "--turtle", str(out), "--licence", "CC0-1.0",
                 "--snapshot-url", "https://github.com/schellevis/algoritmeregister/blob/"
                 "e9fde948e21b999929d25f50013eb26a4a89746b/data/algoritmes.json"]) == 0


def test_snapshot_turtle_is_the_import_without_texts(tmp_path):
    out = tmp_path / "snapshot.ttl"
    write_fixture_snapshot(FIXTURES / "standard_v1_0.json", out)
    text = out.read_text(encoding="utf-8")
    write_fixture_snapshot(FIXTURES / "standard_v1_0.json", tmp_path / "again.ttl")
    assert (tmp_path / "again.ttl").read_bytes() == out.read_bytes()  # deterministic
    assert "# Snapshot: repository schellevis/algoritmeregister, commit e9fde948e21b999929d25f50013eb26a4a89746b" in text
    assert "# Licence of the source data: CC0-1.0" in text
    assert "--turtle <this file>" in text and "No description texts are copied" in text
    import pyoxigraph

    assert list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))  # no base IRI needed
    parsed = Graph().parse(data=text, format="turtle")
    batch = read_register(FIXTURES / "standard_v1_0.json")
    expected = Graph()
    for triple in batch.graph:
        if triple[1] != DCT.description:
            expected.add(triple)
    about = URIRef("https://github.com/schellevis/algoritmeregister/blob/e9fde948e21b999929d25f50013eb26a4a89746b/"
                   "data/algoritmes.json")  # the snapshot, described by the file
    records = {t for t in parsed if t[0] != about}
    assert records == set(expected)  # every fact of the import, and nothing else
    assert (about, DCT.license, URIRef("https://creativecommons.org/publicdomain/zero/1.0/")) in parsed
    assert not list(parsed.objects(None, DCT.description))
    for record in json.loads((FIXTURES / "standard_v1_0.json").read_text(encoding="utf-8")):
        for key in ("description_short", "lawful_basis", "human_intervention"):
            if record.get(key):
                assert record[key] not in text


def test_snapshot_needs_a_known_licence(tmp_path, capsys):
    code = main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--turtle", str(tmp_path / "x.ttl"),
                 "--licence", "WTFPL"])
    assert code == 2 and "not a known SPDX id" in capsys.readouterr().err
    assert not (tmp_path / "x.ttl").exists()


def project_with_snapshot(tmp_path: Path, source: Path) -> Path:
    """A project root whose data/ holds only a register snapshot made from ``source``."""
    root = tmp_path / "project"
    write_fixture_snapshot(source, root / SHIPPED_SNAPSHOT)
    return root


def deployment_rows(location: str) -> tuple[int, int]:
    """(solutions of ?d a dge:Deployment in the union default graph, distinct deployments): equal when no
    deployment is stated twice."""
    store = OxigraphStore(location)
    try:
        rows = store.query("SELECT (COUNT(?d) AS ?n) (COUNT(DISTINCT ?d) AS ?distinct) "
                           "WHERE { ?d a <https://w3id.org/dge-graph/def#Deployment> }").rows[0]
        return int(rows["n"].toPython()), int(rows["distinct"].toPython())
    finally:
        store.close()


def test_a_whole_register_import_replaces_the_shipped_snapshot_and_the_build_leaves_it_out(tmp_path, capsys):
    root = project_with_snapshot(tmp_path, FIXTURES / "scrape.json")
    location = str(tmp_path / "store")
    store = OxigraphStore(location)
    build(store, discover_sources(root))
    store.close()
    assert deployment_rows(location) == (6, 6)
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location, "-q"]) == 0
    assert deployment_rows(location) == (6, 6)  # the same IRIs, stated once: the snapshot graph is gone
    graphs = {q.graph_name.value for q in all_quads(location)}
    assert str(SHIPPED_SNAPSHOT_GRAPH) not in graphs
    store = OxigraphStore(location)
    report = build(store, discover_sources(root))
    store.close()
    assert report.replaced == [SHIPPED_SNAPSHOT]
    assert deployment_rows(location) == (6, 6)
    first = all_quads(location)
    assert main(["import", "algoritmeregister", str(FIXTURES / "scrape.json"), "--store", location]) == 0
    assert "unchanged (already imported)" in capsys.readouterr().out
    assert all_quads(location) == first


def test_a_partial_file_that_restates_the_snapshot_is_refused(tmp_path, capsys):
    root = project_with_snapshot(tmp_path, FIXTURES / "standard_v1_0.json")
    location = str(tmp_path / "store")
    store = OxigraphStore(location)
    build(store, discover_sources(root))
    store.close()
    before = all_quads(location)
    capsys.readouterr()
    assert main(["import", "algoritmeregister", str(FIXTURES / "standard_v1_0.json"), "--store", location]) == 2
    err = capsys.readouterr().err
    assert "5 record(s) are already in the shipped register snapshot (data/register/algoritmeregister.ttl)" in err
    assert "--replace-snapshot" in err
    assert all_quads(location) == before
    assert main(["import", "algoritmeregister", str(FIXTURES / "standard_v1_0.json"), "--replace-snapshot",
                 "--store", location, "-q"]) == 0
    assert deployment_rows(location) == (5, 5)
    # a partial file without overlap is added next to the snapshot
    assert main(["import", "algoritmeregister", str(API_RECORDS), "--store", location, "-q"]) == 0
    assert deployment_rows(location) == (12, 12)
