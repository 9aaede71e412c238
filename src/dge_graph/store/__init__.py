"""The graph store: one ``Store`` protocol (``protocol``), the embedded pyoxigraph store (``embedded``) and a remote
SPARQL 1.1 store (``remote``); ``open_store`` opens the one a ``--store`` value names.

Everything above this package speaks SPARQL 1.1 through the methods of ``Store`` (no caller branches on the class
of its store). Conventions shared by every implementation:

* data lives in named graphs; the query **default graph is the union of all named graphs** (like Fuseki's
  ``unionDefaultGraph`` and ``oxigraph serve --union-default-graph``), unless a query names its dataset;
* ``replace_graphs`` is atomic: new content is first written to staging graphs, then moved into place by a single
  SPARQL Update request (one transaction), so a failure leaves the previous content as it was;
* parameters reach SPARQL as typed terms (``substitutions``), never by string formatting, bound the same way on
  every store (``protocol.bind_parameters``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from dge_graph.store.embedded import OxigraphStore
from dge_graph.store.protocol import (
    STAGING_PREFIX,
    Answer,
    NotSupported,
    OxTerm,
    ParameterBindingError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    SelectResult,
    SerializedResult,
    Store,
    StoreError,
    bind_parameters,
    from_ox,
    ox_substitutions,
    query_form,
    to_ox,
)
from dge_graph.store.remote import OXIGRAPH, STANDARD, VIRTUOSO, RemoteDialect, RemoteStore

__all__ = [
    "OXIGRAPH", "STAGING_PREFIX", "STANDARD", "VIRTUOSO", "Answer",
    "NotSupported", "OxTerm", "OxigraphStore", "ParameterBindingError", "QueryResult", "QuerySyntaxError",
    "QueryTimeout", "RemoteDialect", "RemoteStore", "SelectResult", "SerializedResult", "Store", "StoreError",
    "bind_parameters", "from_ox", "graph_to_ntriples", "open_store", "ox_substitutions", "quads_to_ntriples",
    "query_form", "to_ox",
]


# --------------------------------------------------------------------------------------------------------------
# factory


def open_store(location: str | None, *, timeout_s: float = 60.0, read_only: bool = False,
               update_token: str | None = None) -> Store:
    """Open the store a ``--store`` value names: a directory path, ``:memory:``, or an ``http(s)://`` base URL.

    An ``http(s)://`` URL is an Oxigraph-style server (``/query``, ``/update``, ``/store``); a URL that already
    ends in ``/query`` or ``/sparql`` is a SPARQL 1.1 endpoint (``RemoteStore.for_endpoint``: ``oxigraph serve``'s
    ``/query``; Virtuoso's or a running ``dge-graph serve``'s ``/sparql``, whose dialect is recognised on first
    use), and writes send ``update_token`` as a bearer token. ``read_only`` is for commands that only read: a
    missing store directory is then an error, not a new store, and a directory another process holds (a running
    server) is read beside it (``OxigraphStore``).
    """
    if location is None or location == ":memory:":
        return OxigraphStore(None)
    if location.startswith(("http://", "https://")):
        if location.rstrip("/").endswith(("/query", "/sparql")):
            return RemoteStore.for_endpoint(location, timeout_s=timeout_s, update_token=update_token)
        return RemoteStore.for_oxigraph(location, timeout_s=timeout_s, update_token=update_token)
    return OxigraphStore(location, read_only=read_only)


def graph_to_ntriples(graph: Graph) -> bytes:
    """Serialise an rdflib graph as N-Triples bytes (the exchange format of ``replace_graphs``)."""
    buffer = io.BytesIO()
    graph.serialize(buffer, format="nt", encoding="utf-8")
    return buffer.getvalue()


def quads_to_ntriples(triples: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """Serialise pyoxigraph triples (or quads, ignoring their graph) as N-Triples bytes."""
    return ox.serialize(
        (ox.Triple(t.subject, t.predicate, t.object) for t in triples), format=ox.RdfFormat.N_TRIPLES
    ) or b""
