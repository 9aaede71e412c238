"""The knowledge data (data/values.ttl, rights.ttl, legal/, requirements.ttl, parameters.ttl, agenda.ttl) against
the domain spec (safeguard-rules.md §5-§6, hard-coded below as the expected tables) and the metadata shapes."""

from __future__ import annotations

import datetime as dt

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import SH, SKOS

from dge_graph.kernel.config import DEFAULT_HR_DATE
from dge_graph.kernel.namespaces import DGE, ELI, RDFS, XSD, id_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.kernel.vocabulary import SAFEGUARDS

DATA = resource_dir("data")
KNOWLEDGE_FILES = (
    "values.ttl", "rights.ttl", "requirements.ttl", "parameters.ttl", "agenda.ttl",
    *(f"legal/{p.name}" for p in sorted((DATA / "legal").glob("*.ttl"))),
)

GDPR = "http://data.europa.eu/eli/reg/2016/679/art_{}/oj"
AIA = "http://data.europa.eu/eli/reg/2024/1689/art_{}/oj"
DSA = "http://data.europa.eu/eli/reg/2022/2065/art_{}/oj"


def bwb(act: str, article: str) -> str:
    return f"https://wetten.overheid.nl/jci1.3:c:{act}&artikel={article}"


HR = "HR_DATE"
VNG = "https://vng.nl/nieuws/agenda-digitale-grondrechten-en-ethiek-2022-2026-uit"

# safeguard-rules.md §5 (kind, severity, from) and §6 (first stable IRI as an article IRI; Algoritmekader ids)
SPEC = {
    # id: (kind, severity, applies from, legal source, Algoritmekader requirement ids)
    "AIA-5-1-AB": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-C": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-D": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-E": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-F": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-G": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-5-1-H": ("P", "Violation", "2025-02-02", AIA.format(5), {"aia-00"}),
    "AIA-04": ("O", "Warning", "2025-02-02", AIA.format(4), {"aia-01"}),
    "AIA-50": ("O", "Violation", "2026-08-02", AIA.format(50), {"aia-28"}),
    "AIA-26-2": ("O", "Violation", HR, AIA.format(26), {"aia-21"}),
    "AIA-26-6": ("O", "Violation", HR, AIA.format(26), {"aia-23"}),
    "AIA-26-7": ("O", "Violation", HR, AIA.format(26), {"aia-24"}),
    "AIA-26-11": ("O", "Violation", HR, AIA.format(26), {"aia-26"}),
    "AIA-27": ("O", "Violation", HR, AIA.format(27), {"aia-27"}),
    "AIA-49": ("O", "Violation", HR, AIA.format(49), {"aia-25"}),
    "GDPR-06": ("O", "Violation", "2018-05-25", GDPR.format(6), {"avg-01"}),
    "GDPR-09": ("O", "Violation", "2018-05-25", GDPR.format(9), {"avg-08"}),
    "GDPR-13": ("O", "Violation", "2018-05-25", GDPR.format(13), {"avg-07"}),
    "GDPR-22": ("P", "Violation", "2018-05-25", GDPR.format(22), {"avg-10"}),
    "GDPR-30": ("O", "Violation", "2018-05-25", GDPR.format(30), {"avg-06"}),
    "GDPR-35": ("O", "Violation", "2018-05-25", GDPR.format(35), {"avg-13"}),
    "GDPR-35-2": ("O", "Violation", "2018-05-25", GDPR.format(35), {"avg-13"}),
    "NL-ALGREG": ("O", "Warning", "2022-12-21", "https://algoritmes.overheid.nl", {"bzk-01"}),
    "NL-GW151C-BASIS": ("O", "Violation", "2006-01-01", bwb("BWBR0005416", "151c"), set()),
    "NL-GW151C-SIGN": ("O", "Violation", "2006-01-01", bwb("BWBR0005416", "151c"), set()),
    "NL-GW151C-RET": ("O", "Violation", "2006-01-01", bwb("BWBR0005416", "151c"), set()),
    "NL-WOO": ("O", "Warning", "2022-05-01", bwb("BWBR0045754", "3.3"), {"woo-01"}),
    "NL-ARCH": ("O", "Warning", "1996-01-01", bwb("BWBR0007376", "3"), {"arc-01"}),
    "NL-BIO": ("O", "Warning", "2020-01-01", "https://www.bio-overheid.nl/", {"bio-01"}),
    "NL-WCAG": ("O", "Violation", "2020-09-23", bwb("BWBR0040936", "2"), set()),
    "NL-AWB": ("O", "Violation", "1994-01-01", bwb("BWBR0005537", "3:46"), {"awb-01", "awb-02"}),
    "NL-WOZ40": ("O", "Violation", "2016-01-01", bwb("BWBR0007119", "40"), set()),
    "NL-AMS-SENSOR": ("O", "Violation", "2021-12-01", "https://zoek.officielebekendmakingen.nl/gmb-2021-368183.html", set()),
    "NL-NONDISCR": ("P", "Violation", "1983-02-17", bwb("BWBR0001840", "1"), {"grw-02"}),
    "EU-DSA-16": ("O", "Warning", "2024-02-17", DSA.format(16), set()),
    "VNG-PART": ("O", "Warning", "2026-01-01", VNG, set()),
    "VNG-DOELM": ("O", "Warning", "2026-01-01", VNG, {"awb-01"}),
    "VNG-RAAD": ("O", "Warning", "2026-01-01", VNG, set()),
    "VNG-EIA": ("O", "Warning", "2026-01-01", VNG, {"grw-01"}),
    "VNG-GIBIT": ("O", "Warning", "2026-01-01", "https://vng.nl/nieuws/nieuwe-gemeentelijke-ict-inkooptoolbox-gibit", set()),
}
POLICY_RULES = {"NL-ALGREG", "NL-BIO", "NL-AMS-SENSOR", "VNG-PART", "VNG-DOELM", "VNG-RAAD", "VNG-EIA", "VNG-GIBIT"}
NO_SAFEGUARD_TYPE = {"NL-GW151C-RET"}  # fires on the fact footageRetentionDays (absent or > 28), not on a safeguard

# Every article safeguard-rules.md §6 cites (legal source column), as the IRI of its resource.
CITED_PROVISIONS = (
    *(GDPR.format(n) for n in (5, 6, 9, 12, 13, 14, 22, 23, 30, 32, 35, 37)),
    *(AIA.format(n) for n in (4, 5, 26, 27, 49, 50, 71, 86, 111, 113)),
    *(DSA.format(n) for n in (16, 17, 93)),
    "http://data.europa.eu/eli/dir/2016/680/art_27/oj",
    "http://data.europa.eu/eli/treaty/char_2012/art_21/oj",
    *(bwb("BWBR0040940", n) for n in ("22", "29", "40", "41")),
    *(bwb("BWBR0045754", n) for n in ("2.5", "3.1", "3.3")),
    *(bwb("BWBR0005537", n) for n in ("1:3", "2:4", "3:2", "3:46", "3:47")),
    bwb("BWBR0005416", "151c"),
    *(bwb("BWBR0007376", n) for n in ("3", "5")),
    *(bwb("BWBR0040936", n) for n in ("2", "3", "4")),
    bwb("BWBR0007119", "40"),
    bwb("BWBR0022463", "4c"),
    bwb("BWBR0001840", "1"),
    "https://zoek.officielebekendmakingen.nl/gmb-2021-368183.html",
)
CITED_ACTS = (
    "http://data.europa.eu/eli/reg/2016/679/oj", "http://data.europa.eu/eli/reg/2024/1689/oj",
    "http://data.europa.eu/eli/reg/2022/2065/oj", "http://data.europa.eu/eli/dir/2016/680/oj",
    "http://data.europa.eu/eli/dir/2016/2102/oj", "https://wetten.overheid.nl/BWBR0040940",
    "https://wetten.overheid.nl/BWBR0045754", "https://wetten.overheid.nl/BWBR0005537",
    "https://wetten.overheid.nl/BWBR0005416", "https://wetten.overheid.nl/BWBR0007376",
    "https://wetten.overheid.nl/BWBR0040936", "https://wetten.overheid.nl/BWBR0007119",
    "https://wetten.overheid.nl/BWBR0022463", "https://wetten.overheid.nl/BWBR0042812",
    "https://wetten.overheid.nl/BWBR0001840", "https://wetten.overheid.nl/BWBR0006502",
)
REQUIRED_VALUES = (
    "privacy", "autonomy", "safety", "protection", "equality", "transparency", "accountability",
    "democratic-legitimacy", "participation", "inclusion", "digital-sovereignty", "truth-finding", "efficiency",
    "human-dignity", "information-security",
)
VALUE_CONFLICTS = {
    "privacy-vs-safety": {"privacy", "safety"},
    "autonomy-vs-protection": {"autonomy", "protection"},
    "democratisation-vs-legitimacy": {"participation", "democratic-legitimacy"},
    "commercial-vs-public": {"commercial-interest", "public-values-in-market"},
}
REQUIRED_RIGHTS = (
    *(f"charter-{n}" for n in (1, 7, 8, 10, 11, 12, 21, 24, 26, 41, 42, 47)),
    *(f"grondwet-{n}" for n in (1, 7, 10, 13)),
)
DPV_RIGHTS = "https://w3id.org/dpv/rights/eu#"


@pytest.fixture(scope="module")
def knowledge() -> Graph:
    graph = Graph()
    for name in KNOWLEDGE_FILES:
        graph.parse(DATA / name, format="turtle")
    return graph


def labels(graph: Graph, subject, predicate=SKOS.prefLabel) -> dict[str, str]:
    return {o.language: str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language}


def requirement(rule_id: str) -> URIRef:
    return id_iri("requirement", rule_id)


# --------------------------------------------------------------------------------------------------------------
# files


@pytest.mark.parametrize("name", KNOWLEDGE_FILES)
def test_file_parses_and_uses_no_placeholder_iris(name):
    text = (DATA / name).read_text(encoding="utf-8")
    assert "example.org" not in text and "example.com" not in text
    assert len(Graph().parse(data=text, format="turtle")) > 0


def test_every_referenced_resource_is_described_with_nl_and_en_labels(knowledge):
    references = (DGE.legalSource, DCT.references, DGE.establishedBy, ELI.is_part_of, DGE.protectsRight,
                  DGE.protectsValue, DGE.valueInTension, DGE.servesValue, DGE.operationalisedBy,
                  DGE.appliesFromParameter, DGE.inRelation, DCT.isPartOf)
    dangling = sorted({str(o) for p in references for o in knowledge.objects(None, p)
                       if not {"nl", "en"} <= labels(knowledge, o).keys()})
    assert dangling == []


# --------------------------------------------------------------------------------------------------------------
# requirements


def test_exactly_the_40_requirements_of_the_spec(knowledge):
    ids = {str(knowledge.value(s, DCT.identifier)) for s in knowledge.subjects(RDF.type, DGE.Requirement)}
    assert len(SPEC) == 40
    assert ids == set(SPEC)


@pytest.mark.parametrize("rule_id", sorted(SPEC))
def test_requirement_matches_the_spec(knowledge, rule_id):
    kind, severity, start, source, algoritmekader = SPEC[rule_id]
    req = requirement(rule_id)
    assert knowledge.value(req, DCT.identifier) == Literal(rule_id)
    assert (req, RDF.type, DGE.Prohibition if kind == "P" else DGE.Obligation) in knowledge
    assert (req, RDF.type, DGE.Obligation if kind == "P" else DGE.Prohibition) not in knowledge
    assert knowledge.value(req, DGE.severity) == SH[severity]
    assert list(knowledge.objects(req, DGE.legalSource)) == [URIRef(source)]
    assert (req, DCT.references, URIRef(source)) in knowledge
    if start == HR:
        assert knowledge.value(req, DGE.appliesFromParameter) == id_iri("parameter", "hr-date")
        assert knowledge.value(req, DGE.appliesFrom) is None
    else:
        assert knowledge.value(req, DGE.appliesFrom) == Literal(start, datatype=XSD.date)
        assert knowledge.value(req, DGE.appliesFromParameter) is None
    urns = {str(o) for o in knowledge.objects(req, DGE.algoritmekaderRequirement)}
    assert urns == {f"urn:nl:ak:ver:{a}" for a in algoritmekader}


@pytest.mark.parametrize("rule_id", sorted(SPEC))
def test_requirement_has_texts_safeguard_and_protects_something(knowledge, rule_id):
    req = requirement(rule_id)
    for predicate in (SKOS.prefLabel, DGE.conditionText, DGE.missingText):
        assert labels(knowledge, req, predicate).keys() == {"nl", "en"}, predicate
    safeguards = set(knowledge.objects(req, DGE.requiresSafeguard))
    if SPEC[rule_id][0] == "P" or rule_id in NO_SAFEGUARD_TYPE:
        assert safeguards == set()
    else:
        assert safeguards and safeguards <= {s.iri for s in SAFEGUARDS}
    protected = set(knowledge.objects(req, DGE.protectsRight)) | set(knowledge.objects(req, DGE.protectsValue))
    assert protected


@pytest.mark.parametrize("rule_id", sorted(SPEC))
def test_legal_source_has_the_official_identifier_form(knowledge, rule_id):
    source = str(knowledge.value(requirement(rule_id), DGE.legalSource))
    if rule_id in POLICY_RULES:
        assert (URIRef(source), RDF.type, DGE.PolicyDocument) in knowledge or rule_id == "NL-AMS-SENSOR"
    else:
        assert source.startswith(("http://data.europa.eu/eli/", "https://wetten.overheid.nl/jci1.3:c:BWBR"))
        assert (URIRef(source), RDF.type, DGE.LegalProvision) in knowledge


def test_every_safeguard_type_is_required_by_some_rule(knowledge):
    required = set(knowledge.objects(None, DGE.requiresSafeguard))
    assert {s.iri for s in SAFEGUARDS} == required


def test_hr_date_parameter_has_both_readings(knowledge):
    parameter = id_iri("parameter", "hr-date")
    assert knowledge.value(parameter, DGE.defaultValue).toPython() == DEFAULT_HR_DATE
    assert knowledge.value(parameter, DGE.alternativeValue).toPython() == dt.date(2026, 8, 2)
    users = {str(knowledge.value(s, DCT.identifier)) for s in knowledge.subjects(DGE.appliesFromParameter, parameter)}
    assert users == {rule for rule, row in SPEC.items() if row[2] == HR}


# --------------------------------------------------------------------------------------------------------------
# legal provisions


@pytest.mark.parametrize("iri", CITED_PROVISIONS)
def test_cited_provision_exists_with_titles_act_and_date(knowledge, iri):
    provision = URIRef(iri)
    assert (provision, RDF.type, DGE.LegalProvision) in knowledge
    assert labels(knowledge, provision).keys() == {"nl", "en"}
    assert labels(knowledge, provision, DCT.title).keys() == {"nl", "en"}
    act = knowledge.value(provision, ELI.is_part_of)
    assert act is not None and labels(knowledge, act, DCT.title).keys() == {"nl", "en"}
    dated = [knowledge.value(x, p) for x in (provision, act)
             for p in (ELI.first_date_entry_in_force, ELI.date_applicability)]
    assert any(d is not None for d in dated), "no in-force or applicability date on the provision or its act"
    protects = {p: set(knowledge.objects(provision, p)) for p in (DGE.protectsRight, DGE.protectsValue)}
    if not any(protects.values()):  # a procedural article protects what its act protects, and says so
        assert labels(knowledge, provision, SKOS.scopeNote).keys() == {"nl", "en"}
        assert set(knowledge.objects(act, DGE.protectsRight)) | set(knowledge.objects(act, DGE.protectsValue))


@pytest.mark.parametrize("iri", CITED_ACTS)
def test_cited_act_exists_with_identifier_and_titles(knowledge, iri):
    act = URIRef(iri)
    assert (act, RDF.type, DGE.LegalAct) in knowledge
    assert labels(knowledge, act, DCT.title).keys() == {"nl", "en"}
    local_id = str(knowledge.value(act, ELI.id_local))
    if iri.startswith("https://wetten.overheid.nl/"):
        assert iri == f"https://wetten.overheid.nl/{local_id}"  # the BWB id
    else:  # the CELEX number, with the EUR-Lex page of the act
        assert URIRef(f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{local_id}") in set(
            knowledge.objects(act, RDFS.seeAlso))


def test_eu_article_iris_follow_the_eli_pattern_and_point_to_eur_lex(knowledge):
    for provision in knowledge.subjects(RDF.type, DGE.LegalProvision):
        if not str(provision).startswith("http://data.europa.eu/eli/"):
            continue
        act = str(knowledge.value(provision, ELI.is_part_of))
        number = str(knowledge.value(provision, ELI.number))
        assert str(provision) == act.removesuffix("/oj") + f"/art_{number}/oj"
        anchors = {str(o) for o in knowledge.objects(provision, RDFS.seeAlso)}
        celex = str(knowledge.value(URIRef(act), ELI.id_local))
        assert f"https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}#art_{number}" in anchors


# --------------------------------------------------------------------------------------------------------------
# values, rights, agenda


def test_required_values_exist(knowledge):
    for key in REQUIRED_VALUES:
        assert (id_iri("value", key), RDF.type, DGE.PublicValue) in knowledge, key


@pytest.mark.parametrize("key", sorted(VALUE_CONFLICTS))
def test_value_conflict_has_its_two_values_and_an_example(knowledge, key):
    conflict = id_iri("value-conflict", key)
    assert (conflict, RDF.type, DGE.ValueConflict) in knowledge
    assert set(knowledge.objects(conflict, DGE.valueInTension)) == {id_iri("value", v) for v in VALUE_CONFLICTS[key]}
    assert labels(knowledge, conflict, DGE.conflictExample).keys() == {"nl", "en"}


@pytest.mark.parametrize("key", REQUIRED_RIGHTS)
def test_required_right_exists_with_article_and_dpv_alignment(knowledge, key):
    right = id_iri("right", key)
    assert (right, RDF.type, DGE.FundamentalRight) in knowledge
    article = knowledge.value(right, DGE.establishedBy)
    assert (article, RDF.type, DGE.LegalProvision) in knowledge
    assert set(knowledge.objects(right, DGE.expressesValue)) <= set(knowledge.subjects(RDF.type, DGE.PublicValue))
    assert set(knowledge.objects(right, DGE.expressesValue)), "no value"
    matches = [str(o) for o in knowledge.objects(right, SKOS.exactMatch)]
    if key.startswith("charter-"):
        number = key.removeprefix("charter-")
        assert len(matches) == 1 and matches[0].startswith(f"{DPV_RIGHTS}A{number}-")
    else:
        assert matches == []  # DPV has no Dutch constitutional rights


def test_value_conflicts_are_illustrated_by_example_deployments(project_graph_store):
    result = project_graph_store.query(
        "PREFIX dge: <https://w3id.org/dge-graph/def#> "
        "SELECT ?conflict ?deployment ?typed WHERE { ?conflict dge:illustratedBy ?deployment "
        "BIND (EXISTS { ?deployment a dge:Deployment } AS ?typed) }"
    )
    conflicts = {str(row["conflict"]).rsplit("/", 1)[1] for row in result.rows}
    assert conflicts == set(VALUE_CONFLICTS)
    assert all(row["typed"].toPython() for row in result.rows), "illustratedBy points to a missing deployment"


def test_agenda_structure(knowledge):
    def count(cls):
        return len(set(knowledge.subjects(RDF.type, cls)))

    assert (count(DGE.AgendaRelation), count(DGE.DevelopmentLine), count(DGE.AgendaMethod)) == (3, 6, 3)
    for line in knowledge.subjects(RDF.type, DGE.DevelopmentLine):
        assert knowledge.value(line, DGE.inRelation) is not None
        assert set(knowledge.objects(line, DGE.servesValue)), line
        commitments = set(knowledge.subjects(DCT.isPartOf, line)) & set(knowledge.subjects(RDF.type, DGE.Commitment))
        assert commitments, f"{line} has no commitment"


def test_every_vng_rule_operationalises_a_commitment(knowledge):
    operationalised = {str(knowledge.value(r, DCT.identifier)) for r in knowledge.objects(None, DGE.operationalisedBy)}
    assert {r for r in SPEC if r.startswith("VNG-")} <= operationalised


# --------------------------------------------------------------------------------------------------------------
# metadata shapes (shapes/ontology-metadata.ttl), with the ontology in the data graph for subclass targets


def test_knowledge_data_passes_the_metadata_shapes(knowledge):
    shapes_file = resource_dir("shapes") / "ontology-metadata.ttl"
    data = Graph()
    for triple in knowledge:
        data.add(triple)
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        data.parse(path, format="turtle")
    conforms, report, text = validate(data, shacl_graph=Graph().parse(shapes_file, format="turtle"),
                                      inference="rdfs", allow_warnings=True)
    assert conforms, text[:4000]
