"""The knowledge data (data/values.ttl, rights.ttl, legal/, requirements.ttl, parameters.ttl, agenda.ttl): its
internal consistency and the metadata shapes. What the rules say is not restated here: data/requirements.ttl is its
one source, and tests/shared/test_rules_spec_shared.py compares it with the domain specification."""

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

NO_SAFEGUARD_TYPE = {"NL-GW151C-RET"}  # fires on the fact footageRetentionDays (satisfied:NL-GW151C-RET), not a safeguard
LEGAL_IRI_FORMS = ("http://data.europa.eu/eli/", "https://wetten.overheid.nl/jci1.3:c:BWBR",
                   "https://zoek.officielebekendmakingen.nl/")
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


def requirement_ids(knowledge: Graph) -> list[str]:
    return sorted(str(knowledge.value(s, DCT.identifier)) for s in knowledge.subjects(RDF.type, DGE.Requirement))


def test_requirements_have_unique_identifiers_matching_their_iris(knowledge):
    requirements = list(knowledge.subjects(RDF.type, DGE.Requirement))
    ids = requirement_ids(knowledge)
    assert requirements and len(set(ids)) == len(requirements)
    for req in requirements:
        assert req == requirement(str(knowledge.value(req, DCT.identifier)))


def test_every_requirement_is_exactly_one_of_obligation_and_prohibition_with_one_start(knowledge):
    for req in knowledge.subjects(RDF.type, DGE.Requirement):
        kinds = {DGE.Obligation, DGE.Prohibition} & set(knowledge.objects(req, RDF.type))
        assert len(kinds) == 1, req
        assert knowledge.value(req, DGE.severity) in (SH.Violation, SH.Warning), req
        starts = list(knowledge.objects(req, DGE.appliesFrom)) + list(knowledge.objects(req, DGE.appliesFromParameter))
        assert len(starts) == 1, req
        until = knowledge.value(req, DGE.appliesUntil)
        start = knowledge.value(req, DGE.appliesFrom)
        if until is not None:
            assert until.datatype == XSD.date and (start is None or start.toPython() <= until.toPython()), req
        legal_source = list(knowledge.objects(req, DGE.legalSource))
        assert len(legal_source) == 1 and (req, DCT.references, legal_source[0]) in knowledge, req


def test_requirement_has_texts_safeguard_and_protects_something(knowledge):
    for req in knowledge.subjects(RDF.type, DGE.Requirement):
        rule_id = str(knowledge.value(req, DCT.identifier))
        for predicate in (SKOS.prefLabel, DGE.conditionText, DGE.missingText):
            assert labels(knowledge, req, predicate).keys() == {"nl", "en"}, (rule_id, predicate)
        safeguards = set(knowledge.objects(req, DGE.requiresSafeguard))
        if (req, RDF.type, DGE.Prohibition) in knowledge or rule_id in NO_SAFEGUARD_TYPE:
            assert safeguards == set(), rule_id
        else:
            assert safeguards and safeguards <= {s.iri for s in SAFEGUARDS}, rule_id
        protected = set(knowledge.objects(req, DGE.protectsRight)) | set(knowledge.objects(req, DGE.protectsValue))
        assert protected, rule_id


def test_legal_source_has_the_official_identifier_form(knowledge):
    for req in knowledge.subjects(RDF.type, DGE.Requirement):
        source = knowledge.value(req, DGE.legalSource)
        if (source, RDF.type, DGE.PolicyDocument) in knowledge:
            continue
        assert str(source).startswith(LEGAL_IRI_FORMS), source
        assert (source, RDF.type, DGE.LegalProvision) in knowledge, source


def test_every_safeguard_type_is_required_by_some_rule(knowledge):
    required = set(knowledge.objects(None, DGE.requiresSafeguard))
    assert {s.iri for s in SAFEGUARDS} == required


def test_hr_date_parameter_defaults_to_the_settings_value(knowledge):
    parameter = id_iri("parameter", "hr-date")
    assert knowledge.value(parameter, DGE.defaultValue).toPython() == DEFAULT_HR_DATE
    for alternative in knowledge.objects(parameter, DGE.alternativeValue):
        assert alternative.toPython() != DEFAULT_HR_DATE
    users = set(knowledge.subjects(DGE.appliesFromParameter, parameter))
    assert users, "no requirement starts at the hr-date parameter"
    assert all(knowledge.value(u, DGE.appliesFrom) is None for u in users)


def test_a_replaced_rule_ends_the_day_before_its_successor_starts(knowledge):
    for successor, replaced in knowledge.subject_objects(DCT.replaces):
        if (successor, RDF.type, DGE.Requirement) not in knowledge:
            continue
        end = knowledge.value(replaced, DGE.appliesUntil)
        start = knowledge.value(successor, DGE.appliesFrom)
        assert end is not None and start is not None, (successor, replaced)
        assert start.toPython() - end.toPython() == dt.timedelta(days=1), (successor, replaced)


# --------------------------------------------------------------------------------------------------------------
# legal provisions


def cited_provisions(knowledge: Graph) -> list[URIRef]:
    cited = {o for r in knowledge.subjects(RDF.type, DGE.Requirement)
             for p in (DGE.legalSource, DCT.references) for o in knowledge.objects(r, p)}
    return sorted(c for c in cited if (c, RDF.type, DGE.PolicyDocument) not in knowledge
                  and (c, RDF.type, DGE.LegalAct) not in knowledge)


def cited_acts(knowledge: Graph) -> list[URIRef]:
    cited = {o for r in knowledge.subjects(RDF.type, DGE.Requirement) for o in knowledge.objects(r, DCT.references)}
    acts = {c for c in cited if (c, RDF.type, DGE.LegalAct) in knowledge}
    return sorted(acts | {knowledge.value(p, ELI.is_part_of) for p in cited_provisions(knowledge)})


def test_cited_provision_exists_with_titles_act_and_date(knowledge):
    provisions = cited_provisions(knowledge)
    assert provisions
    for provision in provisions:
        assert (provision, RDF.type, DGE.LegalProvision) in knowledge, provision
        assert labels(knowledge, provision).keys() == {"nl", "en"}, provision
        assert labels(knowledge, provision, DCT.title).keys() == {"nl", "en"}, provision
        act = knowledge.value(provision, ELI.is_part_of)
        assert act is not None and labels(knowledge, act, DCT.title).keys() == {"nl", "en"}, provision
        dated = [knowledge.value(x, p) for x in (provision, act)
                 for p in (ELI.first_date_entry_in_force, ELI.date_applicability)]
        assert any(d is not None for d in dated), f"{provision}: no in-force or applicability date"
        protects = {p: set(knowledge.objects(provision, p)) for p in (DGE.protectsRight, DGE.protectsValue)}
        if not any(protects.values()):  # a procedural article protects what its act protects, and says so
            assert labels(knowledge, provision, SKOS.scopeNote).keys() == {"nl", "en"}, provision
            assert set(knowledge.objects(act, DGE.protectsRight)) | set(knowledge.objects(act, DGE.protectsValue))


def test_cited_act_exists_with_identifier_and_titles(knowledge):
    for act in cited_acts(knowledge):
        assert (act, RDF.type, DGE.LegalAct) in knowledge, act
        assert labels(knowledge, act, DCT.title).keys() == {"nl", "en"}, act
        local_id = str(knowledge.value(act, ELI.id_local))
        iri = str(act)
        if iri.startswith("https://wetten.overheid.nl/"):
            assert iri == f"https://wetten.overheid.nl/{local_id}"  # the BWB id
        elif iri.startswith("http://data.europa.eu/eli/"):  # the CELEX number, with the EUR-Lex page of the act
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
    vng = {r for r in requirement_ids(knowledge) if r.startswith("VNG-")}
    assert vng and vng <= operationalised


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
