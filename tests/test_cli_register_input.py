"""Bad values in algorithm-register records (issue 14): refused where they enter, naming file, record and key, with
exit 2 and nothing written; a link that is not an IRI is left out with an explicit warning, never silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from dge_graph.cli import EXIT_ERROR, EXIT_OK, main
from dge_graph.ingest.algoritmeregister import RegisterError, read_register
from dge_graph.kernel.namespaces import DGE, FOAF, ID, XSD
from dge_graph.store import OxigraphStore


def standard_record(**changes) -> dict:
    """One record of the publication standard v1.0 with everything the importer reads."""
    record = {
        "lars": "95000001",
        "name": "Parkeerscan",
        "organization": "Gemeente Zaanstad",
        "status": "In gebruik",
        "begin_date": "2023-01",
        "publication_dt": "2024-03-05T10:00:00",
        "url": "https://www.zaanstad.nl/parkeren/scanauto",
        "lawful_basis_grouping": [{"title": "Wegenverkeerswet 1994", "link": "https://wetten.overheid.nl/BWBR0006622"}],
        "impacttoetsen_grouping": [{"title": "DPIA", "link": "https://www.zaanstad.nl/dpia-scanauto.pdf"}],
    }
    record.update(changes)
    return record


def write_records(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "register.json"
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return path


REFUSED = [
    # a lars id that cannot be part of an IRI crashed the import with an rdflib traceback
    ({"lars": "<>"}, "lars", "is not a register id"),
    # an impossible date was accepted as an invalid xsd:date: later queries that read it printed tracebacks
    ({"begin_date": "2026-02-30"}, "begin_date", "'2026-02-30' is not a date that exists"),
    ({"begin_date": "2026-13"}, "begin_date", "is not a date that exists"),
    ({"begin_date": "januari 2023"}, "begin_date", "is not a date written YYYY-MM or YYYY-MM-DD"),
    ({"publication_dt": "2024-02-30T10:00:00"}, "publication_dt", "is not a date that exists"),
]


@pytest.mark.parametrize(("changes", "key", "reason"), REFUSED, ids=[c[1] + ":" + str(c[0][c[1]]) for c in REFUSED])
def test_bad_value_is_refused_naming_record_and_key(tmp_path, changes, key, reason):
    path = write_records(tmp_path, standard_record(lars="95000000"), standard_record(**changes))
    with pytest.raises(RegisterError) as caught:
        read_register(path)
    assert caught.value.record.startswith("#2")
    assert caught.value.key == key
    assert reason in caught.value.reason


def test_scrape_dates_and_ids_are_checked_too(tmp_path):
    path = tmp_path / "scrape.json"
    record = {"id": "96000001", "title": "Parkeerscan", "organisatie": "Gemeente Zaanstad", "status": "In gebruik",
              "geregistreerd": "2024-02-30", "url": "https://algoritmes.overheid.nl/nl/algoritme/96000001"}
    path.write_text(json.dumps({"algoritmes": [record]}), encoding="utf-8")
    with pytest.raises(RegisterError, match="record #1 \\(lars 96000001\\), key 'geregistreerd'"):
        read_register(path)
    record.update(geregistreerd="2024-02-29", url="https://algoritmes.overheid.nl/nl/algoritme/<96000001>")
    path.write_text(json.dumps({"algoritmes": [record]}), encoding="utf-8")
    with pytest.raises(RegisterError, match="key 'url': not an http\\(s\\) IRI"):
        read_register(path)


@pytest.mark.parametrize("changes", [{"lars": "<>"}, {"begin_date": "2026-02-30"}])
def test_cli_refuses_with_exit_2_and_writes_nothing(tmp_path, capsys, changes):
    location = tmp_path / "store"
    path = write_records(tmp_path, standard_record(**changes))
    assert main(["import", "algoritmeregister", str(path), "--store", str(location)]) == EXIT_ERROR
    err = capsys.readouterr().err
    key = next(iter(changes))
    assert err.startswith(f"dge-graph: error: {path}, record #1 (lars {changes.get('lars', '95000001')}), "
                          f"key {key!r}: ")
    assert err.count("\n") == 1 and err.rstrip().endswith("nothing imported")
    assert not location.exists()


def test_a_valid_begin_date_is_kept(tmp_path):
    graph = read_register(write_records(tmp_path, standard_record(begin_date="2024-02"))).graph
    begin = graph.value(URIRef(f"{ID}deployment/algoritmeregister-95000001"), DGE.inServiceSince)
    assert (str(begin), begin.datatype) == ("2024-02-01", XSD.date)


def test_a_link_with_a_space_is_left_out_with_a_warning(tmp_path, capsys):
    """Issue 14: a URL with a space was dropped silently. It is left out (the record's other facts are imported)
    and reported, naming record and key, in the summary and on stderr."""
    bad_page = "https://www.zaanstad.nl/parkeren/scan auto"
    bad_dpia = "https://www.zaanstad.nl/dpia scanauto.pdf"
    record = standard_record(url=bad_page, impacttoetsen_grouping=[{"title": "DPIA", "link": bad_dpia}])
    path = write_records(tmp_path, record)
    batch = read_register(path)
    assert [(left.record, left.key, left.value) for left in batch.summary.left_out_links] == [
        ("#1 (lars 95000001)", "url", bad_page),
        ("#1 (lars 95000001)", "impacttoetsen_grouping[1].link", bad_dpia),
    ]
    deployment = URIRef(f"{ID}deployment/algoritmeregister-95000001")
    assert batch.graph.value(deployment, FOAF.page) is None
    dpia = URIRef(f"{deployment}/safeguard/dpia")
    assert (deployment, DGE.hasSafeguard, dpia) in batch.graph  # the assessment itself is still evidence
    assert batch.graph.value(dpia, FOAF.page) is None

    location = str(tmp_path / "store")
    assert main(["import", "algoritmeregister", str(path), "--store", location, "-q"]) == EXIT_OK
    captured = capsys.readouterr()
    assert f"warning: {path}: record #1 (lars 95000001), key 'url': {bad_page!r} is not an http(s) IRI, left out" \
        in captured.err
    assert "key 'impacttoetsen_grouping[1].link'" in captured.err
    store = OxigraphStore(location)
    try:
        assert store.query("ASK { ?d <http://purl.org/dc/terms/identifier> '95000001' }") is True
    finally:
        store.close()
