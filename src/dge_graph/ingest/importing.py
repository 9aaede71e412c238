"""Writing an import into the store: one named graph per imported file, replaced atomically, with provenance.

Both importers (``intake``, ``algoritmeregister``) hand over an rdflib graph of deployments. This module adds the
provenance (the graph describes itself by ``provenance.graph_provenance``, with ``dge:contentHash``; every
deployment gets ``prov:generatedAtTime``) and swaps the graph in
with ``Store.replace_graphs``. Re-importing content that yields the same triples writes nothing, so an import is
idempotent down to its timestamps; a changed file replaces the whole graph (records that disappeared go away).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from rdflib import Graph, URIRef

from dge_graph.ingest.provenance import graph_provenance, timestamp
from dge_graph.kernel.namespaces import DGE, GRAPH, PROV, RDF
from dge_graph.store import SelectResult, Store, graph_to_ntriples

IMPORT_GRAPH_PREFIX = f"{GRAPH}import/"

_STORED_HASH = """
SELECT ?hash WHERE { GRAPH ?graph { ?graph <https://w3id.org/dge-graph/def#contentHash> ?hash } }
"""


def import_graph_iri(kind: str, name: str) -> URIRef:
    """``graph/import/<kind>/<name>``, the name percent-encoded so any file name makes a valid IRI."""
    return URIRef(f"{IMPORT_GRAPH_PREFIX}{kind}/{quote(name, safe='-._~')}")


def content_hash(graph: Graph) -> str:
    """A hash of the graph's triples (sorted N-Triples; the importers write no blank nodes)."""
    lines = sorted(line for line in graph_to_ntriples(graph).decode("utf-8").splitlines() if line.strip())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WriteResult:
    graph: str
    triples: int
    written: bool  # False: the store already held exactly this content


def stored_hash(store: Store, graph: URIRef) -> str | None:
    result = store.query(_STORED_HASH, substitutions={"graph": graph})
    assert isinstance(result, SelectResult)
    values = [str(row["hash"]) for row in result.rows if "hash" in row]
    return values[0] if values else None


def write_import(store: Store, graph_name: URIRef, graph: Graph, *, source_file: str,
                 when: dt.datetime | None = None, replaces: Sequence[URIRef] = ()) -> WriteResult:
    """Replace the named graph ``graph_name`` with ``graph`` plus provenance, unless it holds the same content.

    ``replaces``: graphs this import supersedes (e.g. the shipped register snapshot): dropped in the same update,
    and recorded as ``dct:replaces`` so that ``build`` does not load them again."""
    digest = content_hash(graph)
    present = set(store.named_graphs()) if replaces else set()
    if stored_hash(store, graph_name) == digest and not any(str(g) in present for g in replaces):
        return WriteResult(str(graph_name), len(graph), written=False)
    when = (when or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    stamp = timestamp(when)
    out = Graph()
    for triple in graph:
        out.add(triple)
    for deployment in set(graph.subjects(RDF.type, DGE.Deployment)):
        out.add((deployment, PROV.generatedAtTime, stamp))
    for triple in graph_provenance(graph_name, source_file=source_file, triples=len(graph), when=when,
                                   content_hash=digest, replaces=replaces):
        out.add(triple)
    store.replace_graphs({str(graph_name): graph_to_ntriples(out)},
                         drop=[str(g) for g in replaces if str(g) in present])
    return WriteResult(str(graph_name), len(out), written=True)
