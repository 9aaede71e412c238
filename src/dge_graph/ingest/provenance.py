"""The one provenance writer of the ingest stage: how a graph the project writes describes itself.

Every graph that ``build`` loads from a source file and every graph an import writes (intake files, register
batches) carries the same self-description, so provenance is queryable with the data:
``prov:Entity`` and ``void:Dataset``, ``dge:sourceFile`` (the file it came from), ``void:triples`` (its size),
``prov:generatedAtTime`` (when it was written), with ``dge:contentHash`` (an import's check for unchanged content),
``dct:replaces`` (graphs an import supersedes) and ``prov:wasGeneratedBy`` an activity (the build run, a
``prov:Activity`` ``prov:wasAssociatedWith`` this version of the software) where they apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from dge_graph.kernel.namespaces import DCT, DGE, PROV, RDF, VOID, XSD
from dge_graph.kernel.version import software_iri

Triple = tuple[Node, Node, Node]


def timestamp(when: dt.datetime) -> Literal:
    """``when`` as an ``xsd:dateTime`` literal."""
    return Literal(when.isoformat(), datatype=XSD.dateTime)


def graph_provenance(graph_name: str | URIRef, *, source_file: str, triples: int, when: dt.datetime,
                     activity: str | URIRef | None = None, content_hash: str | None = None,
                     replaces: Sequence[str | URIRef] = ()) -> list[Triple]:
    """The self-description of the named graph ``graph_name`` (see the module docstring)."""
    graph = URIRef(str(graph_name))
    stamp = timestamp(when)
    out: list[Triple] = [
        (graph, RDF.type, PROV.Entity),
        (graph, RDF.type, VOID.Dataset),
        (graph, DGE.sourceFile, Literal(source_file)),
        (graph, VOID.triples, Literal(triples, datatype=XSD.integer)),
        (graph, PROV.generatedAtTime, stamp),
    ]
    if content_hash is not None:
        out.append((graph, DGE.contentHash, Literal(content_hash)))
    out += [(graph, DCT.replaces, URIRef(str(replaced))) for replaced in replaces]
    if activity is not None:
        run = URIRef(str(activity))
        out += [
            (graph, PROV.wasGeneratedBy, run),
            (run, RDF.type, PROV.Activity),
            (run, PROV.startedAtTime, stamp),
            (run, PROV.wasAssociatedWith, URIRef(software_iri())),
        ]
    return out


def snapshot_provenance(origin: str, *, title: Literal, licence: str | None = None,
                        fetched_at: str | None = None) -> list[Triple]:
    """How a data file taken from an outside source (the register snapshot) describes that source: ``dct:title``,
    ``dct:license`` (an IRI) and ``prov:generatedAtTime`` (when it was fetched, its lexical form kept as given)."""
    subject = URIRef(origin)
    out: list[Triple] = [(subject, DCT.title, title)]
    if licence:
        out.append((subject, DCT.license, URIRef(licence)))
    if fetched_at:
        out.append((subject, PROV.generatedAtTime, Literal(fetched_at, datatype=XSD.dateTime, normalize=False)))
    return out
