"""The Algoritmekader measures that help with a requirement or a safeguard (``measures_for``).

The graph states which Algoritmekader measures serve which Algoritmekader requirement (``data/algoritmekader.ttl``)
and which Algoritmekader requirement each of the project's requirements corresponds to
(``dge:algoritmekaderRequirement`` in ``data/requirements.ttl``). The measures for a requirement, or for a safeguard
type, are derived from those two links by the named query ``measures-for-requirement`` (``queries/``), the one
place the derivation is written; this module runs it on a store or an rdflib graph and groups the rows by measure.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from dge_graph.kernel.namespaces import graph_iri
from dge_graph.query.named import find_named_query, load_named_queries
from dge_graph.store import OxigraphStore, Store, graph_to_ntriples

QUERY_NAME = "measures-for-requirement"


@dataclass(frozen=True)
class Measure:
    """An Algoritmekader measure, with the project requirements and Algoritmekader requirements it is found through."""

    iri: URIRef
    code: str
    title: str
    page: URIRef | None
    serves: tuple[URIRef, ...]
    """The Algoritmekader requirements (urn:nl:ak:ver:…) through which it was found."""
    rules: tuple[str, ...]
    """The project's rule ids through which it was found."""

    def as_dict(self) -> dict:
        return {
            "measure": str(self.iri),
            "code": self.code,
            "title": self.title,
            "page": str(self.page) if self.page else None,
            "algoritmekaderRequirements": [str(s) for s in self.serves],
            "requirements": list(self.rules),
        }


def _rows(source: Store | Graph, requirement: str | None, safeguard_type: URIRef | str | None) -> list[dict]:
    query = find_named_query(load_named_queries(), QUERY_NAME)
    substitutions = query.bind({"requirement": requirement, "safeguard": safeguard_type})
    if isinstance(source, Graph):  # the same engine as the store's (rdflib's own is slow on this join)
        store = OxigraphStore(None)
        store.replace_graphs({str(graph_iri("query/measures-for")): graph_to_ntriples(source)})
        source = store
    return list(source.query(query.sparql, substitutions=substitutions).rows)


def measures_for(source: Store | Graph, requirement: str | None = None,
                 safeguard_type: URIRef | str | None = None) -> list[Measure]:
    """The Algoritmekader measures for a requirement (its rule id, e.g. ``GDPR-35``), a safeguard type (its IRI), or
    both (only requirements that demand the safeguard count), ordered by measure code. Empty when the requirement
    has no Algoritmekader link or does not demand the safeguard."""
    if requirement is None and safeguard_type is None:
        raise ValueError("measures_for: give a requirement, a safeguard type, or both")
    found: dict[URIRef, dict] = {}
    for row in _rows(source, requirement, safeguard_type):
        entry = found.setdefault(row["measure"], {"code": str(row["code"]), "title": str(row["title"]),
                                                  "page": row.get("page"), "serves": set(), "rules": set()})
        entry["serves"].add(row["akRequirement"])
        entry["rules"].add(str(row["id"]))
    return sorted(
        (Measure(iri, e["code"], e["title"], e["page"], tuple(sorted(e["serves"], key=str)), tuple(sorted(e["rules"])))
         for iri, e in found.items()),
        key=lambda m: _code_key(m.code),
    )


def _code_key(code: str) -> tuple[str, int]:
    head, _, number = code.rpartition("-")
    return (head, int(number)) if number.isdigit() else (code, -1)


__all__ = ["Measure", "measures_for"]
