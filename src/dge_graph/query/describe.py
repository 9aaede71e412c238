"""The description of one resource, for linked data: its concise bounded description (outgoing triples, following
blank nodes two levels), the links to it (incoming, capped), and the labels of everything it mentions.

Runs on any ``Store`` with plain SELECT queries (never rdflib's SPARQL engine). The resource IRI reaches SPARQL as a
``VALUES`` term checked by pyoxigraph's IRI parser, never by string formatting of user text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import DCT, DGE, GRAPH, RDF, RDFS, SH, SKOS
from dge_graph.kernel.sparql_text import checked_iri
from dge_graph.store import SelectResult, Store, to_ox

INCOMING_LIMIT = 500
"""Links to a resource shown at most (a class can have thousands of instances)."""

VALIDATION_GRAPH = f"{GRAPH}validation/latest"

LABEL_PROPERTIES = (str(SKOS.prefLabel), str(RDFS.label), str(DCT.title))
"""Label properties, in order of preference."""

DEFINITION_PROPERTIES = (str(SKOS.definition), str(RDFS.comment), str(DCT.description))


@dataclass
class Description:
    iri: str
    outgoing: list[tuple[Node, Node, Node]] = field(default_factory=list)
    """Triples of the CBD: the resource's own, and those of blank nodes it reaches (subject, predicate, object)."""
    incoming: list[tuple[Node, Node]] = field(default_factory=list)
    """(subject, predicate) of triples whose object is the resource."""
    incoming_truncated: bool = False
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    """IRI -> language ('' for none) -> label, for the resource and every IRI it mentions."""
    described: set[str] = field(default_factory=set)
    """IRIs mentioned here that are themselves subjects in the store (worth linking to)."""

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def own(self) -> list[tuple[Node, Node]]:
        """(predicate, object) of the resource's own triples."""
        me = URIRef(self.iri)
        return [(p, o) for s, p, o in self.outgoing if s == me]

    def types(self) -> list[URIRef]:
        return [o for p, o in self.own() if p == RDF.type and isinstance(o, URIRef)]

    def mentioned_iris(self) -> list[str]:
        seen: dict[str, None] = {self.iri: None}
        for s, p, o in self.outgoing:
            for term in (s, p, o):
                if isinstance(term, URIRef):
                    seen[str(term)] = None
                elif isinstance(term, Literal) and term.datatype is not None:
                    seen[str(term.datatype)] = None
        for s, p in self.incoming:
            for term in (s, p):
                if isinstance(term, URIRef):
                    seen[str(term)] = None
        return list(seen)

    def label(self, iri: str, lang: str, fallback_langs: Sequence[str] = ("nl", "en")) -> str | None:
        by_lang = self.labels.get(iri)
        if not by_lang:
            return None
        for candidate in (lang, *fallback_langs, ""):
            if candidate in by_lang:
                return by_lang[candidate]
        return next(iter(by_lang.values()))

    def text(self, properties: Sequence[str], lang: str) -> str | None:
        """The resource's own literal for the first of ``properties`` present, in ``lang`` if there is one."""
        for prop in properties:
            values = [o for p, o in self.own() if str(p) == prop and isinstance(o, Literal)]
            for candidate in (lang, "nl", "en", None):
                for value in values:
                    if value.language == candidate:
                        return str(value)
            if values:
                return str(values[0])
        return None

    def triples(self) -> list[ox.Triple]:
        """The description as RDF: CBD, incoming links, and the labels of what it mentions."""
        me = ox.NamedNode(self.iri)
        out = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in self.outgoing]
        out += [ox.Triple(to_ox(s), to_ox(p), me) for s, p in self.incoming]
        label_property = ox.NamedNode(str(RDFS.label))
        for iri, by_lang in self.labels.items():
            if iri == self.iri:
                continue
            for lang, text in by_lang.items():
                literal = ox.Literal(text, language=lang) if lang else ox.Literal(text)
                out.append(ox.Triple(ox.NamedNode(iri), label_property, literal))
        return list(dict.fromkeys(out))


def _values(iris: Iterable[str]) -> str:
    return " ".join(checked_iri(i) for i in iris)


def _select(store: Store, sparql: str) -> SelectResult:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result


def describe(store: Store, iri: str, *, incoming_limit: int = INCOMING_LIMIT) -> Description:
    """Describe ``iri`` (``ValueError`` if it is not a valid absolute IRI)."""
    me = checked_iri(iri)
    description = Description(iri)
    rows = _select(store, f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ VALUES ?s {{ {me} }} ?s ?p ?o }}
          UNION {{ VALUES ?r {{ {me} }} ?r ?p1 ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
          UNION {{ VALUES ?r {{ {me} }} ?r ?p1 ?b . FILTER(isBlank(?b)) ?b ?p2 ?s . FILTER(isBlank(?s)) ?s ?p ?o }}
        }}""").rows
    description.outgoing = [(r["s"], r["p"], r["o"]) for r in rows]
    rows = _select(store, f"""
        SELECT DISTINCT ?s ?p WHERE {{ VALUES ?r {{ {me} }} ?s ?p ?r }}
        ORDER BY ?p ?s LIMIT {int(incoming_limit) + 1}""").rows
    description.incoming = [(r["s"], r["p"]) for r in rows[:incoming_limit]]
    description.incoming_truncated = len(rows) > incoming_limit
    add_labels(store, description)
    return description


def add_labels(store: Store, description: Description) -> None:
    """Fill ``labels`` and ``described`` for every IRI the description mentions (batched VALUES queries)."""
    iris = description.mentioned_iris()
    label_properties = [checked_iri(p) for p in LABEL_PROPERTIES]
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        batch = _values(chunk)
        # one VALUES block of (subject, property) pairs: Oxigraph looks each pair up in its index, where two separate
        # VALUES blocks made it scan the store and join (78 ms instead of 0.4 ms per page at 146k triples)
        pairs = " ".join(f"({checked_iri(x)} {p})" for x in chunk for p in label_properties)
        rows = _select(store, f"""
            SELECT ?x ?p ?label WHERE {{
              VALUES (?x ?p) {{ {pairs} }}
              ?x ?p ?label . FILTER(isLiteral(?label))
            }}""").rows
        ranked = sorted(rows, key=lambda r: LABEL_PROPERTIES.index(str(r["p"])))
        for row in ranked:
            lang = row["label"].language or ""
            description.labels.setdefault(str(row["x"]), {}).setdefault(lang, str(row["label"]))
        rows = _select(store, f"""
            SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {batch} }} FILTER EXISTS {{ ?x ?p ?o }} }}""").rows
        description.described.update(str(r["x"]) for r in rows)


@dataclass(frozen=True)
class Finding:
    result: Node
    severity: URIRef | None
    messages: dict[str, str]
    requirement: URIRef | None


def validation_findings(store: Store, iri: str) -> tuple[bool, list[Finding]]:
    """(a validation run is stored, the findings of the latest run for the deployment ``iri``).

    The stored result holds one fact per finding (``<deployment> dge:missesRequirement <requirement>``); severity
    and messages are read from the requirement (``dge:severity``, ``dge:missingText``)."""
    report_graph = checked_iri(VALIDATION_GRAPH)
    has_report = store.query(f"ASK {{ GRAPH {report_graph} {{ ?s ?p ?o }} }}")
    if not has_report:
        return False, []
    rows = _select(store, f"""
        SELECT ?requirement ?severity ?message WHERE {{
          VALUES ?r {{ {checked_iri(iri)} }}
          GRAPH {report_graph} {{ ?r {checked_iri(str(DGE.missesRequirement))} ?requirement }}
          OPTIONAL {{ ?requirement {checked_iri(str(DGE.severity))} ?severity }}
          OPTIONAL {{ ?requirement {checked_iri(str(DGE.missingText))} ?message }}
        }}""").rows
    grouped: dict[Node, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row["requirement"], {"severity": None, "messages": {}})
        if isinstance(row.get("severity"), URIRef):
            entry["severity"] = row["severity"]
        message = row.get("message")
        if isinstance(message, Literal):
            entry["messages"].setdefault(message.language or "", str(message))
    order = {str(SH.Violation): 0, str(SH.Warning): 1, str(SH.Info): 2}
    findings = [Finding(requirement, e["severity"], e["messages"], requirement) for requirement, e in grouped.items()]
    findings.sort(key=lambda f: (order.get(str(f.severity), 3), str(f.requirement or ""), str(f.result)))
    return True, findings


def describe_namespace_document(store: Store, namespace: str, document_iri: str) -> Description:
    """All resources whose IRI starts with ``namespace`` (a hash namespace such as ``…/def#``) as one document:
    their own triples and those of blank nodes they reach directly, plus labels."""
    namespace_literal = str(ox.Literal(namespace))
    rows = _select(store, f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ VALUES ?ns {{ {namespace_literal} }} ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns)) }}
          UNION {{ VALUES ?ns {{ {namespace_literal} }}
                  ?t ?p1 ?s FILTER(isIRI(?t) && STRSTARTS(STR(?t), ?ns) && isBlank(?s)) ?s ?p ?o }}
        }}""").rows
    description = Description(document_iri)
    description.outgoing = [(r["s"], r["p"], r["o"]) for r in rows]
    add_labels(store, description)
    return description


def graph_members(store: Store, graph: str, limit: int = 1000) -> tuple[list[URIRef], bool]:
    """IRIs that are subjects in a named graph (at most ``limit``; the flag says there are more)."""
    rows = _select(store, f"""
        SELECT DISTINCT ?s WHERE {{ GRAPH {checked_iri(graph)} {{ ?s ?p ?o FILTER(isIRI(?s)) }} }}
        ORDER BY ?s LIMIT {int(limit) + 1}""").rows
    members = [r["s"] for r in rows]
    return members[:limit], len(members) > limit


def findings_description(store: Store, iri: str) -> Description:
    """The ``findings`` profile of a deployment (``data/profiles.ttl``): its facts of the latest stored validation
    result (``dge:subjectToRequirement``, ``dge:missesRequirement``, ``dge:holdsSafeguardType``,
    ``dge:satisfiesShape``), its types, the severity of each requirement it misses, and the validation run."""
    report_graph = checked_iri(VALIDATION_GRAPH)
    me = checked_iri(iri)
    rows = _select(store, f"""
        SELECT ?s ?p ?o WHERE {{
          {{ GRAPH {report_graph} {{ {me} ?p ?o }} BIND({me} AS ?s) }}
          UNION {{ {me} {checked_iri(str(RDF.type))} ?o BIND({me} AS ?s) BIND({checked_iri(str(RDF.type))} AS ?p) }}
          UNION {{ GRAPH {report_graph} {{ ?s a {checked_iri(str(DGE.ValidationRun))} ; ?p ?o }} }}
          UNION {{ GRAPH {report_graph} {{ {me} {checked_iri(str(DGE.missesRequirement))} ?s }}
                   ?s {checked_iri(str(DGE.severity))} ?o BIND({checked_iri(str(DGE.severity))} AS ?p) }}
        }}""").rows
    description = Description(iri, outgoing=list(dict.fromkeys((r["s"], r["p"], r["o"]) for r in rows)))
    add_labels(store, description)
    return description
