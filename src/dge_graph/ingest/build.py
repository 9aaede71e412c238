"""Build: load ``ontology/`` and ``data/`` into the store, one named graph per source file, with provenance.

A build is atomic. Every file is parsed before anything is written; a file that does not parse aborts the build
with a ``BuildError`` naming the file, line and column, and the store keeps its previous content. The new graphs
are then swapped in by ``Store.replace_graphs`` (staging graphs + one SPARQL Update), and graphs of source files
that no longer exist are dropped. Graphs that a build does not own (imports, validation reports) are left alone.

Each graph describes itself (``provenance.graph_provenance``: ``prov:Entity`` with ``dge:sourceFile``,
``prov:generatedAtTime``, ``prov:wasGeneratedBy`` the build activity, ``void:triples``), so provenance is queryable
with the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dge_graph.ingest.provenance import graph_provenance
from dge_graph.kernel.media_types import media_type_of_suffix
from dge_graph.kernel.namespaces import GRAPH, ID
from dge_graph.kernel.progress import Progress, silent
from dge_graph.kernel.resources import project_root
from dge_graph.store import Store, StoreError, to_ox

OWNED_GRAPH_PREFIXES = (f"{GRAPH}ontology/", f"{GRAPH}data/")
SOURCE_FOLDERS = ("ontology", "data")


class BuildError(Exception):
    """A source file could not be read or parsed; nothing was written."""

    def __init__(self, file: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.file = str(file)
        self.line = line
        self.column = column
        self.reason = message
        where = f"{self.file}:{line}:{column}" if line is not None else self.file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Source:
    path: Path
    relative: str

    @property
    def graph(self) -> str:
        return f"{GRAPH}{self.relative}"


@dataclass
class BuildReport:
    graphs: list[tuple[str, str, int]] = field(default_factory=list)  # (graph IRI, source file, triples)
    dropped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # source files left out: an import replaces their graph

    @property
    def triples(self) -> int:
        return sum(n for _, _, n in self.graphs)


def discover_sources(root: Path | None = None) -> list[Source]:
    """The RDF files under ``ontology/`` and ``data/`` of ``root`` (default: the project), in a stable order."""
    root = root or project_root()
    sources = []
    for folder in SOURCE_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and media_type_of_suffix(path.suffix) == "text/turtle":
                sources.append(Source(path, path.relative_to(root).as_posix()))
    return sources


def parse_source(source: Source) -> list[ox.Triple]:
    """Parse one Turtle file strictly; raise ``BuildError`` with file, line and column on a syntax error."""
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise BuildError(source.relative, f"cannot read: {exc.strerror}") from exc
    try:
        return list(ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=f"{GRAPH}{source.relative}"))
    except SyntaxError as exc:
        raise BuildError(source.relative, str(exc), exc.lineno, exc.offset) from exc


def provenance_triples(source: Source, triple_count: int, activity: ox.NamedNode, when: dt.datetime) -> list[ox.Triple]:
    """The self-description of a source's graph (``provenance.graph_provenance``), as pyoxigraph triples."""
    described = graph_provenance(source.graph, source_file=source.relative, triples=triple_count, when=when,
                                 activity=activity.value)
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in described]


_REPLACED_BY_IMPORTS = """
SELECT DISTINCT ?replaced WHERE { GRAPH ?import { ?import <http://purl.org/dc/terms/replaces> ?replaced } }
"""


def replaced_by_imports(store: Store) -> set[str]:
    """Build graphs that an import in the store says it replaces (``dct:replaces``, see ``importing.write_import``):
    e.g. the shipped register snapshot after a register refresh. The build leaves them out."""
    result = store.query(_REPLACED_BY_IMPORTS)
    return {str(row["replaced"]) for row in getattr(result, "rows", []) if "replaced" in row}


def build(store: Store, sources: Sequence[Source] | None = None, *, progress: Progress | None = None) -> BuildReport:
    """Parse every source, then atomically replace the store's build-owned graphs with the result.

    A source whose graph an import replaces (``replaced_by_imports``) is skipped and listed in ``report.replaced``."""
    progress = progress or silent()
    sources = list(sources) if sources is not None else discover_sources()
    replaced = replaced_by_imports(store)
    report = BuildReport(replaced=sorted(s.relative for s in sources if s.graph in replaced))
    sources = [s for s in sources if s.graph not in replaced]
    when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    activity = ox.NamedNode(f"{ID}build/{when.strftime('%Y%m%dT%H%M%SZ')}")
    payload: dict[str, bytes] = {}
    for index, source in enumerate(sources, start=1):
        triples = parse_source(source)
        progress.step(f"parsed {source.relative} ({len(triples)} triples)", index, len(sources))
        triples += provenance_triples(source, len(triples), activity, when)
        payload[source.graph] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        report.graphs.append((source.graph, source.relative, len(triples)))
    existing = [g for g in store.named_graphs() if g.startswith(OWNED_GRAPH_PREFIXES)]
    report.dropped = [g for g in existing if g not in payload]
    progress.step(f"writing {len(payload)} graphs to {store!r}")
    try:
        store.replace_graphs(payload, drop=report.dropped)
    except StoreError as exc:
        raise BuildError("(store)", str(exc)) from exc
    for relative in report.replaced:
        progress.step(f"left out {relative}: an import in the store replaces it")
    progress.done(f"built {len(payload)} graphs, {report.triples} triples")
    return report
