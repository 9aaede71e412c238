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

from dge_graph.kernel.namespaces import DCT, DGE, RDF, RDFS, SH, SKOS, LATEST_RESULT_GRAPH
from dge_graph.kernel.labels import (
    LABEL_PROPERTIES,
    NO_LANGUAGE,
    label_in,
    labels_by_language,
    language_order,
    local_name,
)
from dge_graph.kernel.terms import iri_ref
from dge_graph.rules.validate import Finding
from dge_graph.store import SelectResult, Store, to_ox

INCOMING_LIMIT = 500
"""Links to a resource shown at most (a class can have thousands of instances)."""


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

    def label(self, iri: str, lang: str) -> str | None:
        """The label of ``iri`` for a reader of ``lang`` (``kernel.labels`` policy); ``None`` when it has none."""
        return label_in(self.labels.get(iri), lang)

    def text(self, properties: Sequence[str], lang: str) -> str | None:
        """The resource's own literal for the first of ``properties`` present, in ``lang`` if there is one."""
        for prop in properties:
            values = [o for p, o in self.own() if str(p) == prop and isinstance(o, Literal)]
            for candidate in language_order(lang):
                for value in values:
                    if (value.language or NO_LANGUAGE) == candidate:
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
    return " ".join(iri_ref(i) for i in iris)


def _select(store: Store, sparql: str) -> SelectResult:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result


def describe(store: Store, iri: str, *, incoming_limit: int = INCOMING_LIMIT, links: bool = True) -> Description:
    """Describe ``iri`` (``ValueError`` if it is not a valid absolute IRI). ``links=False``: without
    ``described`` (which mentioned IRIs a page may link to), for an RDF response that only needs the labels."""
    me = iri_ref(iri)
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
    add_labels(store, description, links=links)
    return description


def add_labels(store: Store, description: Description, *, links: bool = True) -> None:
    """Fill ``labels`` and (``links``) ``described`` for every IRI the description mentions (batched VALUES
    queries)."""
    iris = description.mentioned_iris()
    label_properties = [iri_ref(str(p)) for p in LABEL_PROPERTIES]
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        batch = _values(chunk)
        # one VALUES block of (subject, property) pairs: Oxigraph looks each pair up in its index, where two separate
        # VALUES blocks made it scan the store and join (78 ms instead of 0.4 ms per page at 146k triples)
        pairs = " ".join(f"({iri_ref(x)} {p})" for x in chunk for p in label_properties)
        rows = _select(store, f"""
            SELECT ?x ?p ?label WHERE {{
              VALUES (?x ?p) {{ {pairs} }}
              ?x ?p ?label . FILTER(isLiteral(?label))
            }}""").rows
        pairs_by_subject: dict[str, list[tuple[Node, Node]]] = {}
        for row in rows:
            pairs_by_subject.setdefault(str(row["x"]), []).append((row["p"], row["label"]))
        for subject, found in pairs_by_subject.items():
            description.labels[subject] = dict(labels_by_language(found))
        if not links:
            continue
        rows = _select(store, f"""
            SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {batch} }} FILTER EXISTS {{ ?x ?p ?o }} }}""").rows
        description.described.update(str(r["x"]) for r in rows)


def validation_findings(store: Store, iri: str) -> tuple[bool, list[Finding]]:
    """(a validation run is stored, the findings of the latest run for the deployment ``iri``).

    The stored result holds one fact per finding (``<deployment> dge:missesRequirement <requirement>``); the rule
    identifier, severity, messages and legal source are read from the requirement (``dct:identifier``,
    ``dge:severity``, ``dge:missingText`` by the label policy's language order, ``dge:legalSource``)."""
    report_graph = iri_ref(str(LATEST_RESULT_GRAPH))
    has_report = store.query(f"ASK {{ GRAPH {report_graph} {{ ?s ?p ?o }} }}")
    if not has_report:
        return False, []
    rows = _select(store, f"""
        SELECT ?requirement ?rule ?severity ?message ?source WHERE {{
          VALUES ?r {{ {iri_ref(iri)} }}
          GRAPH {report_graph} {{ ?r {iri_ref(str(DGE.missesRequirement))} ?requirement }}
          OPTIONAL {{ ?requirement {iri_ref(str(DCT.identifier))} ?rule }}
          OPTIONAL {{ ?requirement {iri_ref(str(DGE.severity))} ?severity }}
          OPTIONAL {{ ?requirement {iri_ref(str(DGE.missingText))} ?message }}
          OPTIONAL {{ ?requirement {iri_ref(str(DGE.legalSource))} ?source }}
        }}""").rows
    grouped: dict[Node, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row["requirement"], {"rule": None, "severity": "", "messages": {}, "source": None})
        if isinstance(row.get("rule"), Literal):
            entry["rule"] = str(row["rule"])
        if isinstance(row.get("severity"), URIRef) and str(row["severity"]).startswith(str(SH)):
            entry["severity"] = str(row["severity"])[len(str(SH)):]
        if isinstance(row.get("source"), URIRef):
            entry["source"] = row["source"]
        message = row.get("message")
        if isinstance(message, Literal):
            entry["messages"].setdefault(message.language or NO_LANGUAGE, str(message))
    deployment = URIRef(iri)
    findings = [
        Finding(deployment=deployment, rule_id=e["rule"] or local_name(requirement), requirement=requirement,
                severity=e["severity"], message_nl=label_in(e["messages"], "nl") or "",
                message_en=label_in(e["messages"], "en") or "", legal_source=e["source"])
        for requirement, e in grouped.items()
    ]
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    findings.sort(key=lambda f: (order.get(f.severity, 3), str(f.requirement)))
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
        SELECT DISTINCT ?s WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o FILTER(isIRI(?s)) }} }}
        ORDER BY ?s LIMIT {int(limit) + 1}""").rows
    members = [r["s"] for r in rows]
    return members[:limit], len(members) > limit


def findings_description(store: Store, iri: str) -> Description:
    """The ``findings`` profile of a deployment (``data/profiles.ttl``): its facts of the latest stored validation
    result (``dge:subjectToRequirement``, ``dge:missesRequirement``, ``dge:holdsSafeguardType``,
    ``dge:satisfiesShape``), its types, the severity of each requirement it misses, and the validation run."""
    report_graph = iri_ref(str(LATEST_RESULT_GRAPH))
    me = iri_ref(iri)
    rows = _select(store, f"""
        SELECT ?s ?p ?o WHERE {{
          {{ GRAPH {report_graph} {{ {me} ?p ?o }} BIND({me} AS ?s) }}
          UNION {{ {me} {iri_ref(str(RDF.type))} ?o BIND({me} AS ?s) BIND({iri_ref(str(RDF.type))} AS ?p) }}
          UNION {{ GRAPH {report_graph} {{ ?s a {iri_ref(str(DGE.ValidationRun))} ; ?p ?o }} }}
          UNION {{ GRAPH {report_graph} {{ {me} {iri_ref(str(DGE.missesRequirement))} ?s }}
                   ?s {iri_ref(str(DGE.severity))} ?o BIND({iri_ref(str(DGE.severity))} AS ?p) }}
        }}""").rows
    description = Description(iri, outgoing=list(dict.fromkeys((r["s"], r["p"], r["o"]) for r in rows)))
    add_labels(store, description)
    return description
