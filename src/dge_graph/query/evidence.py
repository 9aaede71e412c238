"""The evidence basis of one deployment as the stored result holds it (``rules/evidence.py`` writes it): the missing
safeguard types a source records as absent, those no source mentions, and its unknown decisive facts."""

from __future__ import annotations

from rdflib import URIRef

from dge_graph.kernel.namespaces import DGE, GRAPH
from dge_graph.kernel.terms import iri_ref
from dge_graph.store import Store

RESULT_GRAPH = f"{GRAPH}validation/latest"
KINDS = {str(DGE.recordedAbsent): "recordedAbsent", str(DGE.lacksEvidenceOf): "notEvidenced",
         str(DGE.unknownFact): "unknownFacts"}


def deployment_evidence(store: Store, iri: str) -> dict[str, list[URIRef]]:
    """``{"recordedAbsent": [...], "notEvidenced": [...], "unknownFacts": [...]}`` of the deployment ``iri``."""
    predicates = ", ".join(iri_ref(p) for p in KINDS)
    result = store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH {iri_ref(RESULT_GRAPH)} {{ {iri_ref(iri)} ?p ?o "
        f"FILTER (?p IN ({predicates})) }} }}")
    found: dict[str, list[URIRef]] = {kind: [] for kind in KINDS.values()}
    for row in result.rows:
        found[KINDS[str(row["p"])]].append(row["o"])
    return {kind: sorted(items, key=str) for kind, items in found.items()}
