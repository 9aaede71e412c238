"""One guarded path for every store call of every route: off the event loop, with a slot, under a deadline.

A route hands the guard a module-level function ``fn(store, *args, **kwargs)`` and awaits its result
(``await guarded(request, fn, ...)``). The guard takes one of the server's evaluation slots (``ServerBusy`` when
none frees up before the deadline) and runs ``fn`` where it can be stopped:

* **on-disk store** (``WorkerPoolGuard``): in one of a small pool of worker processes, each of which opens the store
  read-only (``OxigraphStore.read_only_view``; no lock, so the server keeps its own read-write handle for updates).
  pyoxigraph cannot cancel a running query in-process; a worker can be killed. When ``fn`` has not answered by the
  deadline (plus a short grace), the worker is killed (SIGKILL), replaced by a fresh one, and the caller gets
  ``QueryTimeout``: the query stops using CPU and its slot is free again at once. Workers are forked from a
  fork server that has the project modules preloaded (``multiprocessing`` "forkserver"), so a replacement is ready
  in milliseconds. After the server writes (SPARQL Update, Graph Store Protocol) it calls ``store_changed()``; each
  worker reopens its view before its next call. Workers die with the server (``PR_SET_PDEATHSIG``, and the fork
  server exits when the server does).
* **in-memory or remote store** (``ThreadGuard``): in a thread. An in-memory store cannot be shared with another
  process, and for a remote store the work happens elsewhere (the HTTP request is given the remaining time). The
  caller gets ``QueryTimeout`` at the deadline; the thread keeps its slot until ``fn`` returns (pyoxigraph's lazy
  evaluation stops most queries at the next solution past the deadline; an operator that must see all of its input
  first runs to its end). This is for tests and embedding: ``dge-graph serve`` serves an on-disk or remote store.

Failures cross the process boundary as (exception class, message) and are raised again in the caller, so the app's
exception handlers (``api.errors``) map them to the same statuses either way.
"""

from __future__ import annotations

import copyreg
import importlib
import io
import multiprocessing
import pickle
import queue
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from dge_graph.api.evaluation import ServerBusy
from dge_graph.store import OxigraphStore, QueryTimeout, Store, StoreError

KILL_GRACE_S = 0.25
"""How long past its deadline a worker may take to report its own timeout before it is killed."""

PRELOADED_MODULES = ("dge_graph.api.guard", "dge_graph.api.evaluation", "dge_graph.query.analytics", "dge_graph.query.describe",
                     "dge_graph.api.void", "dge_graph.query.named")
"""Imported once in the fork server, so that a worker forked from it starts without importing anything."""


class StoreGuard(Protocol):
    def call(self, deadline: float, fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
        """``fn(store, *args, **kwargs)`` under ``deadline`` (a ``time.monotonic()`` value); blocks the caller."""
        ...

    def store_changed(self) -> None:
        """The server wrote to the store: later calls must see the new content."""
        ...

    def close(self) -> None: ...


def guard_for(store: Store, slots: int) -> StoreGuard:
    """A worker pool for an on-disk embedded store, a thread guard for anything else."""
    if store.local_directory is not None:
        return WorkerPoolGuard(store.local_directory, slots)
    return ThreadGuard(store, slots)


def deadline_of(request: Request) -> float:
    """The ``time.monotonic()`` by which a call made for this request must end (the server's ``--timeout-s``)."""
    return time.monotonic() + request.app.state.settings.timeout_s


async def guarded(request: Request, fn: Callable, /, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(store, *args, **kwargs)`` through the app's guard, under the server's time limit, off the loop."""
    guard: StoreGuard = request.app.state.guard
    deadline = deadline_of(request)
    return await run_in_threadpool(lambda: guard.call(deadline, fn, *args, **kwargs))


def _timed_out() -> QueryTimeout:
    return QueryTimeout("the query ran past the time limit of this server and was stopped")


def _busy() -> ServerBusy:
    return ServerBusy("the server is busy with other queries and none finished within the time limit")


# --------------------------------------------------------------------------------------------------------------
# in-process (in-memory and remote stores)


class ThreadGuard:
    def __init__(self, store: Store, slots: int):
        self._store = store
        self.slots = threading.BoundedSemaphore(slots)

    def call(self, deadline, fn, /, *args, **kwargs):
        if not self.slots.acquire(timeout=max(deadline - time.monotonic(), 0)):
            raise _busy()
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                outcome["value"] = fn(self._store, *args, **kwargs)
            except Exception as exc:  # re-raised in the caller as (class, message): the frames hold thread-bound results
                outcome["error"] = (type(exc), _message(exc), getattr(exc, "status_code", None))
            finally:
                self.slots.release()
                done.set()

        threading.Thread(target=work, name="dge-graph store call", daemon=True).start()
        if not done.wait(max(deadline - time.monotonic(), 0) + KILL_GRACE_S):
            raise _timed_out()
        if "error" in outcome:
            raise _rebuilt(*outcome["error"])
        return outcome["value"]

    def store_changed(self) -> None:
        return None

    def close(self) -> None:
        return None


# --------------------------------------------------------------------------------------------------------------
# worker processes (on-disk store)


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOADED_MODULES))
    return context


class _Worker:
    def __init__(self, context, path: Path):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(str(path), child), daemon=True,
                                       name="dge-graph query worker")
        self.process.start()
        child.close()

    def stop(self, *, kill: bool) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                _send(self.connection, None)
            self.process.join(5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        except (OSError, ValueError):
            pass
        finally:
            self.connection.close()


class WorkerPoolGuard:
    """``slots`` worker processes; a call takes an idle one (or waits for one until its deadline)."""

    def __init__(self, path: Path, slots: int):
        self._path = Path(path)
        self._context = _context()
        self._generation = 0
        self._lock = threading.Lock()
        self._closed = False
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        for _ in range(slots):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self._path)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._start())

    def call(self, deadline, fn, /, *args, **kwargs):
        try:
            worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise _busy() from None
        reply = None
        try:
            _send(worker.connection, (self._generation, fn, args, kwargs))
            if worker.connection.poll(max(deadline - time.monotonic(), 0) + KILL_GRACE_S):
                reply = _receive(worker.connection)
        except (EOFError, OSError):
            reply = (False, (StoreError, "the query worker stopped unexpectedly (out of memory?)", None))
            reply_from_dead_worker = True
        else:
            reply_from_dead_worker = False
        if reply is None or reply_from_dead_worker:
            self._replace(worker)
        else:
            self._idle.put(worker)
        if reply is None:
            raise _timed_out()
        ok, payload = reply
        if ok:
            return payload
        raise _rebuilt(*_resolved(payload))

    def store_changed(self) -> None:
        self._generation += 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop(kill=True)

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (for tests and the load benchmark)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers if w.process.pid is not None)


def _dumps(value: Any) -> bytes:
    """Pickle, with read-only mappings (``types.MappingProxyType``, used by the analytics results) as well."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: _reduce_mapping_proxy}
    pickler.dump(value)
    return buffer.getvalue()


def _reduce_mapping_proxy(mapping: types.MappingProxyType):
    return read_only_mapping, (dict(mapping),)


def read_only_mapping(items: dict) -> types.MappingProxyType:
    return types.MappingProxyType(items)


def _send(connection, value: Any) -> None:
    connection.send_bytes(_dumps(value))


def _receive(connection) -> Any:
    return pickle.loads(connection.recv_bytes())


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the fork server) exits."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


EXPECTED_FAILURES = (StoreError, LookupError, ValueError)
"""Failures of a call that are answers (store down, unknown municipality, bad parameter), not bugs."""


def worker_main(path: str, connection) -> None:
    """A worker's loop: receive ``(generation, fn, args, kwargs)``, answer ``(True, value)`` or ``(False, error)``."""
    _die_with_parent()
    store: OxigraphStore | None = None
    generation: int | None = None
    while True:
        try:
            job = _receive(connection)
        except (EOFError, OSError):
            return
        if job is None:
            return
        job_generation, fn, args, kwargs = job
        try:
            if store is None or job_generation != generation:
                store = None
                store = OxigraphStore.read_only_view(path)
                generation = job_generation
            reply = (True, fn(store, *args, **kwargs))
        except Exception as exc:
            if not isinstance(exc, EXPECTED_FAILURES):  # a bug: keep its traceback in the server's log
                traceback.print_exc(file=sys.stderr)
            reply = (False, (f"{type(exc).__module__}:{type(exc).__qualname__}", _message(exc),
                             getattr(exc, "status_code", None)))
        try:
            message = _dumps(reply)
        except Exception as exc:  # a value that does not pickle is a bug in the route's function: say so
            traceback.print_exc(file=sys.stderr)
            message = _dumps((False, ("builtins:RuntimeError", f"result could not be sent back: {exc}", None)))
        connection.send_bytes(message)


def _message(exc: Exception) -> str:
    detail = getattr(exc, "detail", None)  # HTTPException
    return str(detail) if detail is not None else str(exc)


def _resolved(payload: tuple) -> tuple:
    name, message, status = payload
    if isinstance(name, type):
        return payload
    module, _, qualname = name.partition(":")
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        cls = RuntimeError
    return cls, message, status


def _rebuilt(cls: type, message: str, status: int | None) -> Exception:
    """The exception again, from its class and message (HTTPException from its status and detail)."""
    from fastapi import HTTPException

    if isinstance(cls, type) and issubclass(cls, HTTPException):
        return HTTPException(status or 500, message)
    try:
        return cls(message)
    except Exception:
        return RuntimeError(f"{cls.__name__}: {message}")
