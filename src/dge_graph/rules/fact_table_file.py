"""A fact table saved beside an embedded store, so that a validation does not read it again while the data is the same.

Reading the table out of the store (``FactTable.read``) serialises every value the shapes read: at national scale
(100k deployments) that is the largest cost of ``dge-graph validate``. The table read for a read plan is saved as
one NumPy ``.npz`` file in ``<store>.fact-tables/`` (beside the store directory, never inside RocksDB's), named
after the read plan, and records the data graphs' fingerprint (``fact_table.data_fingerprint``) it was read at.
It is used again only when the plan and the fingerprint are exactly those of the store now; a file that is stale,
truncated, corrupt (zip CRC), of another format version or inconsistent (offsets, row numbers out of range) is
ignored and replaced by a fresh read: never a wrong table. A store whose data graphs do not describe themselves has
no fingerprint, so nothing is saved or used for it. Saving is best-effort (a read-only directory only costs the
next read): the file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from rdflib import URIRef

from dge_graph.rules.fact_table import ROOT, FactTable, Level, NodeLevel, ReadPlan, Relation

FORMAT_VERSION = 1
DIRECTORY_SUFFIX = ".fact-tables"


class CorruptFactTable(ValueError):
    """A saved fact table that does not hold together (it is then ignored and read again from the store)."""


def directory_for(store_directory: Path) -> Path:
    """Where the fact tables of the store at ``store_directory`` are saved."""
    store_directory = Path(store_directory)
    return store_directory.with_name(store_directory.name + DIRECTORY_SUFFIX)


def _plan_json(plan: ReadPlan) -> list:
    return [[str(c) for c in plan.target_classes],
            [[[str(p) for p in level], str(predicate)] for level, predicate in plan.relations]]


def _fingerprint_json(fingerprint: tuple) -> list:
    return [[name, [list(pair) for pair in described]] for name, described in fingerprint]


def file_for(directory: Path, plan: ReadPlan) -> Path:
    digest = hashlib.sha256(json.dumps(_plan_json(plan)).encode("utf-8")).hexdigest()[:24]
    return Path(directory) / f"{digest}.npz"


def _keys_bytes(keys: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8)


def _keys(data: np.ndarray, count: int) -> list[str]:
    keys = data.tobytes().decode("utf-8").split("\n") if count else []
    if len(keys) != count:
        raise CorruptFactTable(f"{len(keys)} keys where {count} were recorded")
    return keys


def save(directory: Path, table: FactTable) -> Path | None:
    """Save a table as read (all rows live, no replaced rows) with its fingerprint; None when it cannot be (no
    fingerprint, an updated table, or the directory cannot be written)."""
    if table.fingerprint is None or not table.live.all() or any(level.older for level in table.levels.values()):
        return None
    levels = table.plan.levels()
    if list(table.focus.keys) != sorted(table.focus_classes):
        return None  # a table read by ``FactTable.read`` has exactly the focus nodes' classes, in key order
    classes = sorted({c for cs in table.focus_classes.values() for c in cs})
    class_row = {c: i for i, c in enumerate(classes)}
    focus_class_rows = [[class_row[c] for c in sorted(table.focus_classes[k])] for k in table.focus.keys]
    meta = {
        "version": FORMAT_VERSION,
        "plan": _plan_json(table.plan),
        "fingerprint": _fingerprint_json(table.fingerprint),
        "target_classes": [[str(t), [str(c) for c in cs]] for t, cs in sorted(table.target_classes.items())],
        "levels": [[[str(p) for p in level], len(table.levels[level])] for level in levels],
        "classes": classes,
    }
    arrays = {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)}
    for i, level in enumerate(levels):
        arrays[f"keys{i}"] = _keys_bytes(table.levels[level].keys)
    for i, key in enumerate(table.plan.relations):
        arrays[f"indptr{i}"] = table.relations[key].indptr
        arrays[f"values{i}"] = table.relations[key].values
    arrays["class_indptr"] = np.concatenate([[0], np.cumsum([len(r) for r in focus_class_rows])]).astype(np.int64)
    arrays["class_values"] = np.array([c for r in focus_class_rows for c in r], dtype=np.int32)
    target = file_for(directory, table.plan)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".writing-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return target


def load(directory: Path, plan: ReadPlan, fingerprint: tuple | None) -> FactTable | None:
    """The table saved for ``plan`` if it was read at ``fingerprint`` and holds together, else None."""
    if fingerprint is None:
        return None
    path = file_for(directory, plan)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return _table(data, plan, fingerprint)
    except (CorruptFactTable, OSError, EOFError, KeyError, ValueError, TypeError, IndexError,
            zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _table(data, plan: ReadPlan, fingerprint: tuple) -> FactTable | None:
    meta = json.loads(data["meta"].tobytes().decode("utf-8"))
    if meta.get("version") != FORMAT_VERSION or meta.get("plan") != _plan_json(plan):
        return None
    if meta.get("fingerprint") != _fingerprint_json(fingerprint):
        return None  # stale: the data changed since it was saved
    levels_order = plan.levels()
    if [[[str(p) for p in level]] for level in levels_order] != [[entry[0]] for entry in meta["levels"]]:
        raise CorruptFactTable("levels differ from the plan's")
    levels: dict[Level, NodeLevel] = {}
    for i, (level, (_, count)) in enumerate(zip(levels_order, meta["levels"])):
        levels[level] = NodeLevel.of(_keys(data[f"keys{i}"], int(count)))
        if len(levels[level]) != int(count):
            raise CorruptFactTable(f"level {i} has repeated keys")
    relations: dict[tuple[Level, URIRef], Relation] = {}
    for i, key in enumerate(plan.relations):
        level, predicate = key
        indptr = np.asarray(data[f"indptr{i}"])
        values = np.asarray(data[f"values{i}"])
        _check_csr(indptr, values, len(levels[level]), len(levels[(*level, predicate)]), f"relation {i}")
        relations[key] = Relation(indptr.astype(np.int64, copy=False), values.astype(np.int32, copy=False))
    classes = meta["classes"]
    class_indptr, class_values = np.asarray(data["class_indptr"]), np.asarray(data["class_values"])
    focus = levels[ROOT]
    _check_csr(class_indptr, class_values, len(focus), len(classes), "focus classes")
    bounds = class_indptr.tolist()
    codes = class_values.tolist()
    focus_classes = {k: frozenset(classes[c] for c in codes[bounds[r]:bounds[r + 1]])
                     for r, k in enumerate(focus.keys)}
    target_classes = {URIRef(t): tuple(URIRef(c) for c in cs) for t, cs in meta["target_classes"]}
    return FactTable(plan, target_classes, levels, relations, np.ones(len(focus), dtype=bool), fingerprint,
                     focus_classes)


def _check_csr(indptr: np.ndarray, values: np.ndarray, rows: int, value_rows: int, what: str) -> None:
    if indptr.ndim != 1 or values.ndim != 1 or len(indptr) != rows + 1:
        raise CorruptFactTable(f"{what}: {len(indptr)} offsets for {rows} rows")
    if indptr[0] != 0 or indptr[-1] != len(values) or (np.diff(indptr) < 0).any():
        raise CorruptFactTable(f"{what}: offsets out of order")
    if len(values) and (values.min() < 0 or values.max() >= value_rows):
        raise CorruptFactTable(f"{what}: row numbers out of range")
