"""The embedded store: pyoxigraph on disk (RocksDB) or in memory, in this process."""

from __future__ import annotations

import tempfile
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from dge_graph.kernel.namespaces import VALIDATION_GRAPH_PREFIX
from dge_graph.kernel.sparql_text import names_dataset, with_using
from dge_graph.store.protocol import (
    STAGING_PREFIX,
    Answer,
    NotSupported,
    QuerySyntaxError,
    Store,
    StoreError,
    bind_parameters,
    swap_update,
)
from dge_graph.store.streaming import ByteProgress, ReportingReader


def _graphs(uris: Sequence[str] | None) -> list[ox.NamedNode] | None:
    return [ox.NamedNode(u) for u in uris] if uris else None


class OxigraphStore(Store):
    """The embedded store: pyoxigraph on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        """``read_only`` marks a command that only reads: the store must already exist, and nothing is flushed.

        The store is opened exclusively (RocksDB lock) when it is free. When another process holds it (a running
        ``dge-graph serve``), a ``read_only`` store is opened as a read-only view beside it (``read_only_view``; no
        lock): the store as it was when opened, enough for one command. ``beside_writer`` then says so. A store
        opened to write cannot be shared: ``StoreError`` saying to write through the server instead.
        """
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.beside_writer = False
        self._memory_stamp = ""
        self._view_stamp: str | None = None  # read_only_view: the stamp its snapshot was opened with
        if self.path is None:
            self._store = ox.Store()
            return
        if read_only and not (self.path / "CURRENT").exists():
            raise StoreError(f"no store at {self.path}: run `dge-graph build --store {self.path}` first")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" not in str(exc).lower():
                raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
            if not read_only:
                raise StoreError(
                    f"the store at {self.path} is in use by another process (a running `dge-graph serve`?): "
                    "commands that only read work beside it; to write, stop it or write through the server, e.g. "
                    "--store http://127.0.0.1:8000/sparql --update-token TOKEN"
                ) from exc
            view = self.read_only_view(self.path)
            self._store, self._view_stamp = view._store, view._view_stamp
            self.beside_writer = True

    @classmethod
    def read_only_view(cls, path: str | Path) -> OxigraphStore:
        """A read-only view of an on-disk store that another process may hold open for writing (no lock taken).

        The view is the store as it was when opened: reopen it after the writer changed the store. For the server's
        query workers (``api.guard``), which reopen after every write the server makes."""
        view = cls.__new__(cls)
        view.path = Path(path)
        view.read_only = True
        view.beside_writer = True
        view._memory_stamp = ""
        if not (view.path / "CURRENT").exists():
            raise StoreError(f"no store at {view.path}: run `dge-graph build --store {view.path}` first")
        # the view keeps the stamp of the moment it was opened (its snapshot), not the writer's later ones; a write
        # while it opens leaves the stamp unknown (None: nothing saved or reused for this view)
        before = view._stamp_on_disk()
        view._store = _open_read_only(view.path)
        view._view_stamp = before if view._stamp_on_disk() == before else None
        return view

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path) if self.path else ':memory:'})"

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for engines that work on it directly, e.g. validation)."""
        return self._store

    def evaluate(self, sparql, *, substitutions=None, base_iri=None, default_graph_uris=None,
                 named_graph_uris=None, timeout_s=None) -> Answer:
        # the same binding as a remote store's (pyoxigraph's own ``substitutions`` reach only projected variables)
        sparql = bind_parameters(sparql, substitutions)
        kwargs = {}
        if default_graph_uris:
            kwargs["default_graph"] = _graphs(default_graph_uris)
        elif named_graph_uris:
            kwargs["default_graph"] = []  # SPARQL 1.1 Protocol: named graphs only -> an empty default graph
        elif not names_dataset(sparql):  # a query's own FROM/FROM NAMED wins over the union default graph
            kwargs["use_default_graph_as_union"] = True
        if named_graph_uris:
            kwargs["named_graphs"] = _graphs(named_graph_uris)
        if base_iri:
            kwargs["base_iri"] = base_iri
        try:
            result = self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            raise StoreError(str(exc)) from exc
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            return result
        return iter(result)

    def update(self, sparql: str, *, base_iri: str | None = None, using_graph_uris=None,
               using_named_graph_uris=None) -> None:
        """pyoxigraph takes no dataset for an update: ``using_graph_uris`` become ``USING`` clauses of the text."""
        if using_graph_uris or using_named_graph_uris:
            sparql = with_using(sparql, list(using_graph_uris or ()), list(using_named_graph_uris or ()))
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            raise StoreError(str(exc)) from exc
        finally:  # after the write: a table read before it carries the old mark
            self._data_written()

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop: Iterable[str] = ()) -> None:
        drop = list(drop)
        try:
            self._replace_graphs(graphs, drop)
        finally:
            self._data_written([*graphs, *drop])

    def _replace_graphs(self, graphs: Mapping[str, bytes], drop: list[str]) -> None:
        staging = {}
        try:
            for name, ntriples in graphs.items():
                stage = f"{STAGING_PREFIX}{uuid.uuid4()}"
                staging[name] = stage
                self._store.load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(stage))
            self._store.update(swap_update(staging, drop))
        except (OSError, SyntaxError) as exc:
            for stage in staging.values():
                node = ox.NamedNode(stage)
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
            raise StoreError(f"could not write to the store: {exc}") from exc

    def bulk_replace_graph(self, graph: str, ntriples_file: Path, *, progress: ByteProgress | None = None) -> None:
        """Replace one named graph with a large N-Triples file, streamed (RocksDB bulk load, not in memory).

        One parse: the file is bulk-loaded straight into the graph, and a malformed file changes nothing all the
        same. A graph that did not exist is removed again with whatever part of the file got in; an existing
        graph's content is first dumped to a scratch file next to the store (a write of the old triples, not a
        second parse of the new file) and loaded back. Not one transaction: for data the project generates itself
        (synthetic deployments, benchmarks), where ``replace_graphs`` would hold millions of triples in one
        transaction. ``progress`` is called with (bytes read, file size) as the load reads the file.
        """
        node = ox.NamedNode(graph)
        try:
            with tempfile.TemporaryDirectory(dir=self._scratch_parent()) as scratch:
                previous = None
                if self._store.contains_named_graph(node):
                    previous = Path(scratch) / "previous.nt"
                    self._store.dump(str(previous), ox.RdfFormat.N_TRIPLES, from_graph=node)
                    self._store.remove_graph(node)
                reader = None
                try:
                    if progress is not None:
                        reader = ReportingReader(ntriples_file, progress)
                        self._store.bulk_load(input=reader, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
                    else:
                        self._store.bulk_load(path=str(ntriples_file), format=ox.RdfFormat.N_TRIPLES, to_graph=node)
                except BaseException as exc:  # a malformed file, and an interrupt too: the graph as it was
                    if self._store.contains_named_graph(node):
                        self._store.remove_graph(node)
                    if previous is not None:
                        self._store.bulk_load(path=str(previous), format=ox.RdfFormat.N_TRIPLES, to_graph=node)
                    if not isinstance(exc, (SyntaxError, OSError)):
                        raise
                    where = f"{ntriples_file}:{exc.lineno}" if getattr(exc, "lineno", None) else str(ntriples_file)
                    raise StoreError(f"{where}: {exc}") from exc
                finally:
                    if reader is not None:
                        reader.close()
        finally:
            self._data_written([graph])

    def _scratch_parent(self) -> str | None:
        """Where a scratch file goes: beside an on-disk store (same file system), else the system's temp dir."""
        return str(self.path.parent) if self.path is not None else None

    def bulk_replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph with the given N-Triples content by a bulk load (no staging graph, no MOVE).

        Every content is parsed first, so a malformed one changes nothing; then each old graph is removed and the
        new content bulk-loaded. Not one transaction: for results the project computes itself (validation).
        """
        for name, ntriples in graphs.items():
            try:
                for _ in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
                    pass
            except SyntaxError as exc:
                raise StoreError(f"content for graph <{name}> does not parse: {exc}") from exc
        try:
            for name, ntriples in graphs.items():
                node = ox.NamedNode(name)
                if self._store.contains_named_graph(node):
                    self._store.remove_graph(node)
                self._store.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"could not write to the store: {exc}") from exc
        finally:
            self._data_written(list(graphs))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def unnamed_graph_triples(self) -> list[ox.Triple]:
        return list(self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=[ox.DefaultGraph()]))

    def quads(self) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(None, None, None, None)

    def _stamp_file(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".data-writes")

    def _data_written(self, graphs: Sequence[str] | None = None) -> None:
        """Change ``data_write_stamp`` unless only validation result graphs are written (``graphs``; None: any)."""
        if graphs is not None and all(g.startswith(VALIDATION_GRAPH_PREFIX) for g in graphs):
            return
        stamp = uuid.uuid4().hex
        self._memory_stamp = stamp
        target = self._stamp_file()
        if target is None:
            return
        temporary = target.with_name(f"{target.name}.{stamp}")
        try:
            temporary.write_text(stamp, encoding="ascii")
            temporary.replace(target)
        except OSError as exc:
            # the data is written; what is lost is the mark. Without a stamp file the stamp is unknown, so nothing
            # saved for the old data is reused (not raised: the write itself succeeded)
            temporary.unlink(missing_ok=True)
            try:
                target.unlink(missing_ok=True)
            except OSError:
                pass
            warnings.warn(f"cannot record a write next to the store at {self.path} ({exc}): saved fact tables "
                          "will not be reused until the next write is recorded", RuntimeWarning, stacklevel=2)

    def _stamp_on_disk(self) -> str | None:
        target = self._stamp_file()
        try:
            return target.read_text(encoding="ascii").strip() if target is not None else None
        except OSError:  # no stamp file (a store written before stamps, or a lost mark): unknown
            return None

    @property
    def data_write_stamp(self) -> str | None:
        if self._stamp_file() is None:
            return self._memory_stamp
        if self.beside_writer:
            return self._view_stamp
        return self._stamp_on_disk()

    @property
    def local_directory(self) -> Path | None:
        return self.path

    def open_read_only_view(self) -> OxigraphStore:
        if self.path is None:
            raise NotSupported("an in-memory store has no read-only view: use the store itself")
        return OxigraphStore.read_only_view(self.path)

    @property
    def written_only_through_this_handle(self) -> bool:
        return not self.beside_writer

    @property
    def answers_in_process(self) -> bool:
        return True

    def flush(self) -> None:
        if self.path is not None and not self.read_only and self._store is not None:
            self._store.flush()

    def close(self) -> None:
        # pyoxigraph closes the store when the object is released
        self.flush()
        self._store = None  # type: ignore[assignment]


READ_ONLY_OPEN_ATTEMPTS = 10


def _open_read_only(path: Path) -> ox.Store:
    """``pyoxigraph.Store.read_only``, tried again for a moment when the writer is replacing files as it opens.

    A read-only open reads the file list (the RocksDB MANIFEST) and then the files; a writer that flushes or compacts
    in between has deleted one of them ("Corruption: ... No such file or directory"). That is transient: the next
    attempt reads the new list. Anything else, or the same after every attempt, is a ``StoreError``."""
    for attempt in range(READ_ONLY_OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            racing = "No such file or directory" in str(exc) or "Corruption" in str(exc)
            if not racing or attempt == READ_ONLY_OPEN_ATTEMPTS - 1:
                raise StoreError(f"cannot open the store at {path} read-only: {exc}") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
