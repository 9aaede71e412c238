"""The ontology (ontology/*.ttl): headers, term metadata (SHACL), HermiT consistency, the vocabulary contract,
no example IRIs, every project term used is declared."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from dge_graph.kernel import vocabulary
from dge_graph.kernel.namespaces import DGE, ID, VANN
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.ontology_check import ReasoningError, check_consistency, merge_tbox, ontology_files

ONTOLOGY_DIR = resource_dir("ontology")
MODULE_FILES = ontology_files(ONTOLOGY_DIR)
METADATA_SHAPES = resource_dir("shapes") / "ontology-metadata.ttl"
DOCS = ONTOLOGY_DIR.parent / "docs"
PROJECT = "https://w3id.org/dge-graph/"
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
EXPECTED_MODULES = ("agenda", "core", "facts", "legal", "report", "safeguards", "values", "vocabularies")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in MODULE_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def metadata_shapes() -> Graph:
    return Graph().parse(METADATA_SHAPES, format="turtle")


def declared_terms(graph: Graph) -> dict[URIRef, set[URIRef]]:
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in TERM_KINDS:
        for term in graph.subjects(RDF.type, kind):
            kinds.setdefault(term, set()).add(kind)
    return kinds


# ---------------------------------------------------------------------------------------------------------------
# (1) every module parses and has its header


def test_the_expected_modules_exist():
    assert tuple(p.stem for p in MODULE_FILES) == EXPECTED_MODULES


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.name)
def test_module_parses_and_has_its_header(path: Path):
    graph = Graph().parse(path, format="turtle")
    module = URIRef(f"{PROJECT}def/{path.stem}")
    assert list(graph.subjects(RDF.type, OWL.Ontology)) == [module]
    assert graph.value(module, OWL.versionIRI) == URIRef(f"{module}/{graph.value(module, OWL.versionInfo)}")
    assert graph.value(module, VANN.preferredNamespacePrefix) == Literal("dge")
    assert graph.value(module, VANN.preferredNamespaceUri) == Literal(str(DGE))
    assert isinstance(graph.value(module, DCTERMS.license), URIRef)
    titles = {t.language for t in graph.objects(module, DCTERMS.title)}
    assert titles == {"nl", "en"}
    # every term the module defines says so
    for term in declared_terms(graph):
        if str(term).startswith(str(DGE)):
            assert graph.value(term, RDFS.isDefinedBy) == module, f"{term} in {path.name} is not rdfs:isDefinedBy {module}"


def test_imports_resolve_to_modules_of_the_folder(ontology: Graph):
    modules = set(ontology.subjects(RDF.type, OWL.Ontology))
    imported = set(ontology.objects(None, OWL.imports))
    assert imported and imported <= modules
    _, unresolved = merge_tbox(MODULE_FILES)
    assert unresolved == ()


def test_a_module_that_does_not_parse_is_reported_with_its_name(tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix dge: <https://w3id.org/dge-graph/def#> .\ndge:X a dge:Y ;\n")
    with pytest.raises(ReasoningError, match="broken.ttl"):
        merge_tbox([broken])


# ---------------------------------------------------------------------------------------------------------------
# (2) term metadata: the shapes pass on ontology/, and each kind of defect is reported


def validate_metadata(data: Graph, shapes: Graph):
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    results = {
        (report.value(r, SH.focusNode), report.value(r, SH.sourceShape))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    return conforms, results


def test_metadata_shapes_pass_on_the_ontology(ontology: Graph, metadata_shapes: Graph):
    conforms, results = validate_metadata(ontology, metadata_shapes)
    assert conforms, sorted(results)


def test_metadata_shapes_target_every_project_term(ontology: Graph, metadata_shapes: Graph):
    """Guard: the shapes reach all declared dge: terms and dgeid: concepts (a defect in any would be reported)."""
    stripped = Graph()
    for triple in ontology:
        if triple[1] not in (RDFS.label, SKOS.prefLabel):
            stripped.add(triple)
    _, results = validate_metadata(stripped, metadata_shapes)
    reported = {focus for focus, _ in results}
    project_terms = {
        s
        for kind in (*TERM_KINDS, SKOS.Concept, SKOS.ConceptScheme)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(PROJECT)
    }
    assert len(project_terms) > 150
    assert project_terms <= reported


SHAPE = "https://w3id.org/dge-graph/shapes/ontology-metadata#"


def area(code: str) -> URIRef:
    return vocabulary.concept("annex-iii-area", code)


def drop(subject, predicate, language=None):
    def damage(graph: Graph) -> None:
        for obj in list(graph.objects(subject, predicate)):
            if language is None or getattr(obj, "language", None) == language:
                graph.remove((subject, predicate, obj))

    return damage


def add(*triple):
    return lambda graph: graph.add(triple)


# defect: (damage, focus node that must be reported, shapes that must report it). Each defect hits its own term,
# so all are applied to one copy of the ontology and validated in one run.
DEFECTS = {
    "class without @en label": (drop(DGE.SafeguardInstance, RDFS.label, "en"), DGE.SafeguardInstance, {"EnglishLabelShape"}),
    "class without @nl label": (drop(DGE.LegalProvision, RDFS.label, "nl"), DGE.LegalProvision, {"DutchLabelShape"}),
    "property without definition": (drop(DGE.processesPersonalData, SKOS.definition), DGE.processesPersonalData, {"DefinitionShape"}),
    "property with only a Dutch definition": (drop(DGE.profiling, SKOS.definition, "en"), DGE.profiling, {"DefinitionShape"}),
    "definition without language": (add(DGE.largeScale, SKOS.definition, Literal("untagged")), DGE.largeScale, {"DefinitionShape"}),
    "concept without @en prefLabel": (drop(area("5a"), SKOS.prefLabel, "en"), area("5a"), {"EnglishLabelShape"}),
    "concept with two @en prefLabels": (
        add(area("5b"), SKOS.prefLabel, Literal("second", lang="en")), area("5b"), {"PrefLabelUniqueShape"}),
    "source given as a literal": (add(DGE.wozValuation, DCTERMS.source, Literal("Wet WOZ")), DGE.wozValuation, {"SourceShape"}),
    "source given as a blank node": (add(area("5c"), DCTERMS.source, BNode()), area("5c"), {"SourceShape"}),
    "new class with no metadata at all": (
        add(DGE.Undocumented, RDF.type, OWL.Class),
        DGE.Undocumented,
        {"DefinitionShape", "DutchLabelShape", "EnglishLabelShape"},
    ),
}


@pytest.fixture(scope="module")
def damaged_results(ontology: Graph, metadata_shapes: Graph) -> tuple[bool, set]:
    damaged = Graph()
    damaged += ontology
    for damage, _, _ in DEFECTS.values():
        damage(damaged)
    return validate_metadata(damaged, metadata_shapes)


@pytest.mark.parametrize("defect", DEFECTS, ids=list(DEFECTS))
def test_metadata_shapes_report_each_defect(defect: str, damaged_results):
    _, focus, shapes = DEFECTS[defect]
    _, results = damaged_results
    assert {shape for node, shape in results if node == focus} == {URIRef(SHAPE + s) for s in shapes}


def test_metadata_shapes_report_nothing_but_the_defects(damaged_results):
    conforms, results = damaged_results
    assert not conforms
    assert {node for node, _ in results} == {focus for _, focus, _ in DEFECTS.values()}


def test_terms_outside_the_project_namespace_need_no_metadata(ontology: Graph, metadata_shapes: Graph):
    foreign = URIRef("http://data.europa.eu/eli/ontology#LegalResource")
    assert (foreign, RDF.type, OWL.Class) in ontology and (foreign, SKOS.definition, None) not in ontology
    conforms, _ = validate_metadata(ontology, metadata_shapes)
    assert conforms


def test_metadata_shapes_work_on_data_without_the_ontology(metadata_shapes: Graph):
    """A data file (values, rights, agenda) is checked through explicit targets, without subclass reasoning."""
    value = ID["value/undocumented"]
    data = Graph()
    data.add((value, RDF.type, DGE.PublicValue))
    data.add((value, SKOS.prefLabel, Literal("ongedocumenteerd", lang="nl")))
    conforms, results = validate_metadata(data, metadata_shapes)
    assert not conforms
    assert {shape for _, shape in results} == {URIRef(SHAPE + "EnglishLabelShape"), URIRef(SHAPE + "DefinitionShape")}


# ---------------------------------------------------------------------------------------------------------------
# (3) HermiT


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent_with_every_class_satisfiable():
    report = check_consistency(MODULE_FILES)
    assert report.consistent, report.summary()
    assert report.unsatisfiable_classes == (), report.summary()
    assert report.unresolved_imports == ()
    assert report.ok
    # only xsd:date is outside the OWL 2 datatype map (it is what the facts and report dates need)
    assert set(report.ignored_datatypes) <= {str(XSD.date)}
    assert report.classes >= 40


REASONER_DEFECTS = {
    "unsatisfiable class": (
        "dge:BothKinds a owl:Class ; rdfs:subClassOf dge:Obligation , dge:Prohibition .",
        lambda r: r.consistent and r.unsatisfiable_classes == (str(DGE.BothKinds),),
    ),
    "inconsistent individual": (
        "<https://w3id.org/dge-graph/id/requirement/X> a dge:Obligation , dge:Prohibition .",
        lambda r: not r.consistent,
    ),
    "AI system stated not to be an algorithm": (
        "<https://w3id.org/dge-graph/id/deployment/x> dge:isAISystem true ; dge:isAlgorithm false .",
        lambda r: not r.consistent,
    ),
    "functional property with two values": (
        "<https://w3id.org/dge-graph/id/deployment/x> dge:safeguardStatus <https://w3id.org/dge-graph/id/safeguard-status/present> , "
        "<https://w3id.org/dge-graph/id/safeguard-status/absent> . "
        "<https://w3id.org/dge-graph/id/safeguard-status/present> owl:differentFrom <https://w3id.org/dge-graph/id/safeguard-status/absent> .",
        lambda r: not r.consistent,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("defect", REASONER_DEFECTS, ids=list(REASONER_DEFECTS))
def test_hermit_reports_defects(defect: str, tmp_path: Path):
    axioms, expected = REASONER_DEFECTS[defect]
    extra = tmp_path / "defect.ttl"
    extra.write_text(
        "@prefix dge: <https://w3id.org/dge-graph/def#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + axioms + "\n"
    )
    report = check_consistency([*MODULE_FILES, extra])
    assert expected(report), report
    assert not report.ok


# ---------------------------------------------------------------------------------------------------------------
# (4) every IRI that vocabulary.py can produce is declared with the right kind

DATATYPES = {"boolean": XSD.boolean, "date": XSD.date, "integer": XSD.integer, "string": XSD.string}


@pytest.mark.parametrize("fact", vocabulary.FACTS, ids=lambda f: f.name)
def test_every_fact_is_a_declared_property_with_its_range(fact: vocabulary.Fact, ontology: Graph):
    kinds = declared_terms(ontology).get(fact.iri, set())
    assert ontology.value(fact.iri, RDFS.domain) == DGE.Deployment
    assert ontology.value(fact.iri, DGE.specName) == Literal(fact.name)
    assert ontology.value(fact.iri, RDFS.isDefinedBy) == URIRef(f"{PROJECT}def/facts")
    functional = (fact.iri, RDF.type, OWL.FunctionalProperty) in ontology
    rng = ontology.value(fact.iri, RDFS.range)
    if fact.kind in DATATYPES:
        assert kinds == {OWL.DatatypeProperty}
        assert rng == DATATYPES[fact.kind]
        assert functional
    else:
        assert kinds == {OWL.ObjectProperty}
        assert functional == (fact.kind == "enum")
        # the range class is exactly the class of the scheme's concepts
        scheme = vocabulary.concept_scheme(fact.scheme)
        members = set(ontology.subjects(SKOS.inScheme, scheme))
        assert members and members == set(ontology.subjects(RDF.type, rng))


def test_facts_module_declares_no_property_outside_vocabulary():
    graph = Graph().parse(ONTOLOGY_DIR / "facts.ttl", format="turtle")
    props = {s for kind in (OWL.ObjectProperty, OWL.DatatypeProperty) for s in graph.subjects(RDF.type, kind)}
    assert props == {f.iri for f in vocabulary.FACTS}


@pytest.mark.parametrize("scheme", sorted(vocabulary.ENUMERATIONS))
def test_every_enumeration_is_a_concept_scheme_with_exactly_its_concepts(scheme: str, ontology: Graph):
    scheme_iri = vocabulary.concept_scheme(scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in ontology
    expected = {vocabulary.concept(scheme, code): code for code in vocabulary.ENUMERATIONS[scheme]}
    assert set(ontology.subjects(SKOS.inScheme, scheme_iri)) == set(expected)
    for iri, code in expected.items():
        assert (iri, RDF.type, SKOS.Concept) in ontology
        assert ontology.value(iri, SKOS.notation) == Literal(code)
        assert (iri, SKOS.topConceptOf, scheme_iri) in ontology


def test_every_safeguard_type_is_declared(ontology: Graph):
    scheme = vocabulary.concept_scheme("safeguard-type")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    assert set(ontology.subjects(SKOS.inScheme, scheme)) == {s.iri for s in vocabulary.SAFEGUARDS}
    for safeguard in vocabulary.SAFEGUARDS:
        assert (safeguard.iri, RDF.type, DGE.SafeguardType) in ontology
        assert (safeguard.iri, RDF.type, SKOS.Concept) in ontology
        assert ontology.value(safeguard.iri, DGE.specName) == Literal(safeguard.name)
    assert len(vocabulary.SAFEGUARDS) == 31


def test_prohibited_practices_align_to_dpv(ontology: Graph):
    for code in vocabulary.ENUMERATIONS["prohibited-practice"]:
        dpv = URIRef(f"https://w3id.org/dpv/legal/eu/aiact#ProhibitedAISystem-A{code}")
        assert (vocabulary.concept("prohibited-practice", code), SKOS.closeMatch, dpv) in ontology


# ---------------------------------------------------------------------------------------------------------------
# (5) no example IRIs


@pytest.mark.parametrize("path", [*MODULE_FILES, METADATA_SHAPES], ids=lambda p: p.name)
def test_no_example_iris(path: Path):
    assert not re.search(r"example\.(org|com)", path.read_text(encoding="utf-8"), re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------------------
# (6) meta-shape: every project IRI used in ontology/ is declared


def test_every_dge_term_used_in_the_ontology_is_declared(ontology: Graph):
    declared = set(declared_terms(ontology))
    used = {t for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(str(DGE))}
    assert used - declared == set()


def test_every_dgeid_resource_used_in_the_ontology_is_declared(ontology: Graph):
    declared = {
        s for kind in (SKOS.Concept, SKOS.ConceptScheme, OWL.NamedIndividual) for s in ontology.subjects(RDF.type, kind)
    }
    used = {t for triple in ontology for t in triple if isinstance(t, URIRef) and str(t).startswith(str(ID))}
    assert used and used - declared == set()


def test_no_term_is_both_object_and_datatype_property(ontology: Graph):
    """OWL 2 DL forbids punning between property kinds."""
    kinds = declared_terms(ontology)
    clashes = {t for t, k in kinds.items() if len(k & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}) > 1}
    assert clashes == set()


def dge_names_in(text: str) -> set[str]:
    return set(re.findall(r"\bdge:([A-Za-z_][A-Za-z0-9_]*)", text))


@pytest.mark.parametrize("doc", ["modelling.md", "fact-mapping.md", "ontology.md"])
def test_every_dge_term_named_in_the_docs_is_declared(doc: str, ontology: Graph):
    names = dge_names_in((DOCS / doc).read_text(encoding="utf-8"))
    assert names
    assert {n for n in names if DGE[n] not in declared_terms(ontology)} == set()


def test_every_dge_term_the_code_uses_is_declared(ontology: Graph):
    package = Path(__file__).resolve().parents[1] / "src" / "dge_graph"
    used = set()
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bDGE\.([A-Za-z_][A-Za-z0-9_]*)", text))
        used |= set(re.findall(r"\bDGE\[[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\]", text))
    assert used
    assert {n for n in used if DGE[n] not in declared_terms(ontology)} == set()


# ---------------------------------------------------------------------------------------------------------------
# `dge-graph ontology check`


@pytest.mark.slow
def test_cli_ontology_check_passes_on_the_project(capsys):
    from dge_graph.cli import main

    assert main(["ontology", "check"]) == 0
    out = capsys.readouterr().out
    assert "consistent" in out and "every class is satisfiable" in out


CLI_CASES = {
    "undocumented class": ("dge:Undocumented a owl:Class .", 1, "DefinitionShape"),
    "does not parse": ("dge:Broken a owl:Class ;", 2, "does not parse"),
}


@pytest.mark.parametrize("case", CLI_CASES, ids=list(CLI_CASES))
def test_cli_ontology_check_reports_problems(case: str, tmp_path: Path, capsys):
    from dge_graph.cli import main

    body, exit_code, expected = CLI_CASES[case]
    path = tmp_path / "module.ttl"
    path.write_text(
        "@prefix dge: <https://w3id.org/dge-graph/def#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n" + body + "\n"
    )
    assert main(["ontology", "check", "--no-reasoner", str(path)]) == exit_code
    captured = capsys.readouterr()
    assert expected in captured.out + captured.err
    if exit_code == 2:
        assert "module.ttl" in captured.err


def test_legal_sources_of_terms_are_resources_of_the_graph(ontology: Graph):
    """A dct:source in ELI or wetten.overheid.nl form is an act or article described in data/legal/ (linked data:
    the source of a term dereferences inside the graph). Other sources (EUR-Lex anchors of articles the graph does
    not describe, policy pages) are plain documents."""
    legal = Graph()
    for path in (resource_dir("data") / "legal").glob("*.ttl"):
        legal.parse(path, format="turtle")
    described = {s for kind in (DGE.LegalAct, DGE.LegalProvision) for s in legal.subjects(RDF.type, kind)}
    sources = {
        o
        for o in ontology.objects(None, DCTERMS.source)
        if str(o).startswith(("http://data.europa.eu/eli/", "https://wetten.overheid.nl/"))
    }
    assert len(sources) > 20
    assert sources - described == set()


def test_every_ontology_term_is_defined_in_dutch_and_english(ontology: Graph):
    """Stricter than the metadata shape (which data files must also pass): in ontology/ every project term has
    exactly one definition in Dutch and one in English."""
    terms = {
        s
        for kind in (*TERM_KINDS, SKOS.Concept, SKOS.ConceptScheme)
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(PROJECT)
    }
    assert len(terms) > 200
    defined = {
        t for t in terms if sorted(d.language for d in ontology.objects(t, SKOS.definition)) == ["en", "nl"]
    }
    assert terms - defined == set()
