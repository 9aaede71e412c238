"""The small kernels every stage shares: the IRI check, the label policy, the version, the media-type registry."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

import dge_graph
from dge_graph.kernel import labels
from dge_graph.kernel.terms import InvalidIRI, checked_iri, iri_problem, iri_ref, is_iri
from dge_graph.kernel.version import UNKNOWN_VERSION, software_iri, software_version

# ------------------------------------------------------------------------------------------------ the IRI check

GOOD_IRIS = [
    "https://w3id.org/dge-graph/id/right/charter-8",
    "http://example.test/a?b=c#d",
    "urn:dge-graph:staging:1",
    "unknownprefix:thing",  # a scheme need not be registered
    "https://w3id.org/dge-graph/id/deployment/caf%C3%A9",
    "https://voorbeeld.test/café",  # an IRI, unlike a URI, may hold non-ASCII letters
]

BAD_IRIS = [
    ("charter-8", "scheme"),
    ("", "scheme"),
    ("https://x.test/a b", "percent-encode"),
    ("x> } ; DROP ALL ; #", "'>'"),
    ("https://x.test/<script>", "'<'"),
    ('https://x.test/"quoted"', '\'"\''),
    ("https://x.test/a\nb", "percent-encode"),
]


@pytest.mark.parametrize("iri", GOOD_IRIS)
def test_a_good_iri_passes_unchanged(iri):
    assert iri_problem(iri) is None
    assert is_iri(iri)
    assert checked_iri(iri) == iri
    assert iri_ref(iri) == f"<{iri}>"


@pytest.mark.parametrize(("iri", "reason"), BAD_IRIS)
def test_a_bad_iri_is_refused_with_a_message_naming_it(iri, reason):
    assert not is_iri(iri)
    assert reason in iri_problem(iri)
    for check in (checked_iri, iri_ref):
        with pytest.raises(InvalidIRI) as caught:
            check(iri)
        assert caught.value.iri == iri
        assert repr(iri) in str(caught.value) and "is not a valid IRI" in str(caught.value)
        assert reason in str(caught.value)
        assert isinstance(caught.value, ValueError)  # callers that catch ValueError keep working


# ---------------------------------------------------------------------------------------------- the label policy

THING = URIRef("https://w3id.org/dge-graph/def#SomeThing")


def graph_with(*labelled: tuple[URIRef, Literal]) -> Graph:
    graph = Graph()
    for prop, value in labelled:
        graph.add((THING, prop, value))
    return graph


@pytest.mark.parametrize(
    ("lang", "order"),
    [("nl", ("nl", "", "en")), ("en", ("en", "", "nl")), ("de", ("de", "", "nl", "en"))],
)
def test_language_order(lang, order):
    assert labels.language_order(lang) == order


@pytest.mark.parametrize(
    ("labelled", "lang", "expected"),
    [
        # the requested language first
        ([(SKOS.prefLabel, Literal("ding", lang="nl")), (SKOS.prefLabel, Literal("thing", lang="en"))], "nl", "ding"),
        ([(SKOS.prefLabel, Literal("ding", lang="nl")), (SKOS.prefLabel, Literal("thing", lang="en"))], "en", "thing"),
        # then a label without a language tag (a name that is the same in every language)
        ([(RDFS.label, Literal("plain")), (RDFS.label, Literal("Sache", lang="de"))], "en", "plain"),
        ([(RDFS.label, Literal("plain")), (RDFS.label, Literal("ding", lang="nl"))], "en", "plain"),
        ([(RDFS.label, Literal("plain")), (RDFS.label, Literal("thing", lang="en"))], "en", "thing"),
        # then the other of nl/en
        ([(SKOS.prefLabel, Literal("thing", lang="en"))], "nl", "thing"),
        ([(SKOS.prefLabel, Literal("ding", lang="nl"))], "en", "ding"),
        # then the local name (a label in another language is not shown)
        ([(RDFS.label, Literal("Sache", lang="de"))], "nl", "SomeThing"),
        ([], "en", "SomeThing"),
        # within one language: skos:prefLabel, then rdfs:label, then dct:title
        ([(DCTERMS.title, Literal("title", lang="en")), (RDFS.label, Literal("label", lang="en"))], "en", "label"),
        ([(RDFS.label, Literal("label", lang="en")), (SKOS.prefLabel, Literal("pref", lang="en"))], "en", "pref"),
        ([(DCTERMS.title, Literal("titel", lang="nl"))], "en", "titel"),
        # the language decides before the property
        ([(SKOS.prefLabel, Literal("ding", lang="nl")), (DCTERMS.title, Literal("title", lang="en"))], "en", "title"),
        # several values of one property and language: the lexically first, whatever the order of the graph
        ([(SKOS.prefLabel, Literal("b", lang="en")), (SKOS.prefLabel, Literal("a", lang="en"))], "en", "a"),
    ],
)
def test_label_policy(labelled, lang, expected):
    graph = graph_with(*labelled)
    assert labels.graph_label(graph, THING, lang) == expected


def test_label_in_is_none_without_a_label_in_the_languages_and_a_fallback_replaces_the_local_name():
    assert labels.label_in({}, "nl") is None
    assert labels.label_in({"de": "Sache"}, "en") is None
    assert labels.display_label({}, "nl", THING, fallback="R12") == "R12"
    assert labels.display_label({"en": "thing"}, "nl", THING, fallback="R12") == "thing"


@pytest.mark.parametrize(
    ("iri", "name"),
    [("https://w3id.org/dge-graph/def#Deployment", "Deployment"), ("https://w3id.org/dge-graph/id/right/charter-8",
     "charter-8"), ("https://w3id.org/dge-graph/id/", "https://w3id.org/dge-graph/id/"), ("urn:x", "urn:x")],
)
def test_local_name(iri, name):
    assert labels.local_name(iri) == name


def test_on_the_real_ontology_every_term_reads_its_own_label_in_each_language():
    """Every ontology term has labels @nl and @en (a standard of the project): the policy gives those, not a fallback."""
    from dge_graph.kernel.resources import resource_dir

    graph = Graph()
    graph.parse(resource_dir("ontology") / "core.ttl", format="turtle")
    terms = {s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}
    assert len(terms) > 20
    for term in terms:
        for lang in ("nl", "en"):
            own = {str(o) for p in labels.LABEL_PROPERTIES for o in graph.objects(term, p)
                   if isinstance(o, Literal) and o.language == lang}
            assert labels.graph_label(graph, term, lang) in own, (term, lang)


# --------------------------------------------------------------------------------------------------- the version


def test_one_version_everywhere():
    assert dge_graph.__version__ == software_version() != UNKNOWN_VERSION  # the test environment installs it
    assert software_iri().endswith(f"/software/dge-graph/{software_version()}")


def test_an_invalid_iri_error_can_be_rebuilt_from_its_message():
    """The server's store guard re-raises an error in the request's thread from its class and message."""
    original = pytest.raises(InvalidIRI, checked_iri, "not an iri").value
    rebuilt = type(original)(str(original))
    assert str(rebuilt) == str(original) and isinstance(rebuilt, ValueError)


# ------------------------------------------------------------------------------------------- the media-type registry

from dge_graph.kernel import media_types  # noqa: E402


@pytest.mark.parametrize(
    ("given", "suffix", "expected"),
    [
        ("text/turtle", None, "TURTLE"),
        ("Text/Turtle; charset=utf-8", None, "TURTLE"),
        ("application/x-turtle", None, "TURTLE"),  # a synonym pyoxigraph reads
        ("text/plain", None, "N_TRIPLES"),
        ("application/ld+json", None, "JSON_LD"),
        ("application/json", None, "JSON_LD"),
        ("application/n-quads", None, "N_QUADS"),
        (None, "ttl", "TURTLE"),
        ("", ".TTL", "TURTLE"),
        ("application/octet-stream", "nt", "N_TRIPLES"),
        (None, "json", "JSON_LD"),
        (None, "rdf", "RDF_XML"),
        ("application/pdf", None, None),
        (None, "owl", None),
        (None, None, None),
    ],
)
def test_rdf_format_of_a_content_type_or_a_file_suffix(given, suffix, expected):
    found = media_types.rdf_format(given, suffix)
    assert found == (getattr(ox.RdfFormat, expected) if expected else None)


def test_the_registry_tables_agree_with_pyoxigraph_and_with_each_other():
    for fmt in media_types.FORMATS:
        if isinstance(fmt.oxigraph, ox.RdfFormat):
            assert fmt.oxigraph.media_type == fmt.media_type
            assert fmt.oxigraph.supports_datasets or fmt.kind == "graph"  # JSON-LD can hold named graphs too
            assert f".{fmt.oxigraph.file_extension}" in fmt.suffixes
            assert fmt.format_iri.startswith(media_types.W3C_FORMATS)
        if isinstance(fmt.oxigraph, ox.QueryResultsFormat):
            assert fmt.oxigraph.media_type.split(";")[0] == fmt.media_type
            assert fmt.format_iri.startswith(media_types.W3C_FORMATS)
    assert media_types.SELECT_MEDIA_TYPES[0] == "application/sparql-results+json"  # the default of SELECT
    assert media_types.GRAPH_MEDIA_TYPES[0] == "text/turtle"  # the default of CONSTRUCT
    assert set(media_types.TRIPLE_MEDIA_TYPES) < set(media_types.GRAPH_MEDIA_TYPES)
    assert "application/trig" not in media_types.TRIPLE_MEDIA_TYPES
    assert set(media_types.RDF_FORMATS) == set(media_types.GRAPH_MEDIA_TYPES)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"), ("ttl", "text/turtle"),
     ("jsonld", "application/ld+json"), ("nt", "application/n-triples"), ("trig", "application/trig"),
     ("html", "text/html"), ("tsv", "text/tab-separated-values")],
)
def test_short_names(name, media_type):
    assert media_types.SHORT_NAMES[name] == media_type


@pytest.mark.parametrize(("suffix", "media_type"), [(".ttl", "text/turtle"), ("yml", "application/yaml"),
                                                    (".CSV", "text/csv"), (".docx", None)])
def test_media_type_of_a_file_suffix(suffix, media_type):
    assert media_types.media_type_of_suffix(suffix) == media_type


# ------------------------------------------------------------------------------------------ the UI-text catalogue

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from dge_graph.kernel import ui_text  # noqa: E402

TEMPLATES = Path(ui_text.__file__).resolve().parents[1] / "api" / "templates"


@pytest.mark.parametrize("section", sorted(ui_text.SECTIONS))
def test_every_ui_text_exists_in_both_languages(section):
    for key, (nl, en) in ui_text.SECTIONS[section].items():
        assert nl.strip() and en.strip(), (section, key)
    assert set(ui_text.texts(section, "nl")) == set(ui_text.texts(section, "en")) == set(ui_text.SECTIONS[section])


def test_a_language_without_texts_is_refused():
    with pytest.raises(KeyError, match="'de'"):
        ui_text.texts("page", "de")


TEXT_SECTION = re.compile(r"\{#\s*text section:\s*([a-z-]+)\s*#\}")
"""A template whose ``text`` is another section than ``analytics`` names it: ``{# text section: overview #}``."""


def test_the_templates_take_their_texts_from_the_catalogue():
    """Every ``ui.x`` / ``text.x`` a template reads is in the catalogue, and no template carries a text of its own per
    language (nor picks ``label_nl`` / ``message_en`` of an object by language: objects have ``label(lang)``)."""
    page = set(ui_text.PAGE)
    templates = sorted(TEMPLATES.glob("*.html"))
    assert templates
    for template in templates:
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"""lang\s*==\s*["'](nl|en)["']""", source), f"{template.name} chooses a text by language"
        assert not re.search(r"\b(nl|en)\s+if\s+lang\b", source), f"{template.name} chooses a text by language"
        for key in re.findall(r"\bui\.([a-z_]+)", source):
            assert key in page, f"{template.name}: ui.{key} is not in kernel/ui_text.py"
        declared = TEXT_SECTION.search(source)
        section = declared.group(1) if declared else "analytics"
        assert section in ui_text.SECTIONS, f"{template.name}: no section {section!r} in kernel/ui_text.py"
        pattern = r"\b(?:text|t)\." if re.search(r"\{%\s*set t = text\s*%\}", source) else r"\btext\."
        for key in re.findall(pattern + r"([a-z_]+)", source):
            assert key in ui_text.SECTIONS[section], f"{template.name}: text.{key} is not in section {section}"


def test_the_catalogue_long_date_writes_the_month_out():
    assert ui_text.long_date("2026-12-01", "nl") == "1 december 2026"
    assert ui_text.long_date("2027-08-02T10:00:00Z", "en") == "2 August 2027"
    assert ui_text.long_date(None, "en") == "–"
    assert len(ui_text.MONTH) == 12


SOURCES = Path(ui_text.__file__).resolve().parents[1]


def _language_dicts(path: Path) -> list[int]:
    """The lines of ``path`` with a dict literal that has both "nl" and "en" among its keys."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"nl", "en"} <= keys:
                lines.append(node.lineno)
    return lines


def test_no_ui_text_dict_outside_the_catalogue():
    """A new ``{"nl": ..., "en": ...}`` outside kernel/ui_text.py fails: UI texts belong in the catalogue, domain
    labels in ontology/ and data/ (read by the label policy). There are no exceptions: code that needs a text per
    language builds it from the catalogue (``{lang: texts(section, lang) for lang in LANGUAGES}``)."""
    found = {}
    for path in sorted(SOURCES.rglob("*.py")):
        name = path.relative_to(SOURCES).as_posix()
        if name == "kernel/ui_text.py":
            continue
        if lines := _language_dicts(path):
            found[name] = lines
    assert not found, f"nl/en text dicts outside kernel/ui_text.py (move them to the catalogue): {found}"


def test_the_language_dict_scan_finds_a_dict_keyed_nl_and_en(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('WORDS = {"nl": {"title": "Titel"}, "en": {"title": "Title"}}\nOTHER = {"nl": 1}\n')
    assert _language_dicts(sample) == [1]


LANGUAGE_FALLBACK = re.compile(r"""\.get\(\s*lang\s*\)\s+or\s+[\w.]*\.get\(\s*["'](nl|en)["']\s*\)""")
"""A hand-written language fallback (``labels.get(lang) or labels.get("nl")``): the label policy's job."""


def test_no_language_fallback_outside_the_label_policy():
    """Choosing a label by language is ``kernel.labels.label_in`` (one order everywhere, an untagged name included);
    a module or template that writes its own fallback fails."""
    templates = SOURCES / "api" / "templates"
    found = [path.relative_to(SOURCES).as_posix() for path in sorted([*SOURCES.rglob("*.py"), *templates.glob("*.html")])
             if path.name != "labels.py" and LANGUAGE_FALLBACK.search(path.read_text(encoding="utf-8"))]
    assert not found, f"hand-written language fallbacks (use kernel.labels.label_in): {found}"


def test_the_language_fallback_scan_finds_one():
    assert LANGUAGE_FALLBACK.search('return self.labels.get(lang) or self.labels.get("nl") or self.code')
    assert not LANGUAGE_FALLBACK.search("return label_in(self.labels, lang) or self.code")
