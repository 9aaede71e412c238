"""Query evaluation for the endpoint: under a deadline and a row limit, fully serialised before anything is sent.

``evaluate_query`` runs through the app's guard (``api.guard``): in a worker process for an on-disk store (killed
when it outlives its deadline), in a thread otherwise. It asks the store for a lazy result (``Store.evaluate``),
pulls solutions or triples one at a time, and stops with ``QueryTimeout`` when the deadline passes, and with
``ResultTooLarge`` past ``max_rows``. Only a complete result is serialised, so a client never gets a 200 with a
truncated body.

Operators that must see all their input before their first solution (ORDER BY, GROUP BY/aggregates, a huge OFFSET)
cannot be interrupted inside pyoxigraph: in a worker process the guard kills the worker at the deadline; in a thread
(in-memory store) the thread finishes that operator, holding its slot. A remote store gets the remaining time as the
HTTP timeout; whether it stops evaluating then is up to that store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from dge_graph.api.serializers import JsonLdForm, serialize_boolean, serialize_graph, serialize_solutions
from dge_graph.store import QueryTimeout, Store, StoreError

MAX_CONCURRENT_QUERIES = 4
"""Store calls running at once per server (worker processes for an on-disk store; the rest wait, within their
own time limit, and get 503 if none frees up)."""


class ResultTooLarge(StoreError):
    """The result has more rows (solutions or triples) than the server's limit."""


class ServerBusy(QueryTimeout):
    """Every evaluation slot stayed taken until the query's deadline."""


class NotAcceptable(StoreError):
    """None of the result formats the client accepts exists for this query form."""


@dataclass(frozen=True)
class Evaluated:
    body: bytes
    media_type: str
    form: str  # SELECT | ASK | CONSTRUCT (covers DESCRIBE)
    rows: int


MediaTypeChooser = Callable[[str], "str | None"]
"""Given a query form (``SELECT``, ``ASK``, ``CONSTRUCT``), the media type to answer in, or ``None`` (406)."""


def negotiated_media_type(accept: str | None, formats: tuple[str, ...], form: str) -> str | None:
    """The result media type for an ``Accept`` header, the ``format``-style parameter values (read per query form,
    the first that names a format of the form wins) and a query form; with ``functools.partial`` a
    ``MediaTypeChooser`` that can be sent to a worker process."""
    from dge_graph.kernel import conneg
    from dge_graph.kernel.media_types import GRAPH_MEDIA_TYPES as GRAPH_TYPES
    from dge_graph.kernel.media_types import SELECT_MEDIA_TYPES as SELECT_TYPES

    if form == "CONSTRUCT":
        return conneg.result_media_type(accept, formats, GRAPH_TYPES, conneg.GRAPH_RESULT_ALIASES)
    return conneg.result_media_type(accept, formats, SELECT_TYPES, conneg.SELECT_RESULT_ALIASES)


def evaluate_query(
    store: Store,
    sparql: str,
    *,
    choose_media_type: MediaTypeChooser,
    deadline: float,
    max_rows: int,
    cancelled: threading.Event | None = None,
    base_iri: str | None = None,
    default_graph_uris: Sequence[str] | None = None,
    named_graph_uris: Sequence[str] | None = None,
    prefixes: dict[str, str] | None = None,
    slots: threading.Semaphore | None = None,
    jsonld: JsonLdForm | None = None,
) -> Evaluated:
    """Evaluate and serialise. ``slots`` (optional) bounds how many evaluations run at once; the app bounds them
    with its guard instead."""

    def check(count: int) -> None:
        if (cancelled is not None and cancelled.is_set()) or time.monotonic() > deadline:
            raise QueryTimeout("the query ran past the time limit and was cancelled")
        if count > max_rows:
            raise ResultTooLarge(
                f"the result has more than {max_rows} rows, the limit of this server: add a LIMIT, or page with "
                "OFFSET/LIMIT"
            )

    if slots is not None and not slots.acquire(timeout=max(deadline - time.monotonic(), 0)):
        raise ServerBusy("the server is busy with other queries and none finished within the time limit")
    # pyoxigraph result objects are bound to the thread that made them: they must not outlive this call, not even
    # in the frame of an exception passed to the event loop, so failures are re-raised after dropping them.
    try:
        return _evaluate(store, sparql, check, choose_media_type, deadline, base_iri, default_graph_uris,
                         named_graph_uris, prefixes, jsonld)
    except StoreError as exc:
        failure = (type(exc), str(exc))  # keep neither the exception nor its traceback (frames hold the result)
    except (OSError, RuntimeError) as exc:  # raised while pulling solutions (I/O; a SERVICE endpoint failing)
        failure = (StoreError, f"evaluation failed: {exc}")
    finally:
        if slots is not None:
            slots.release()
    raise failure[0](failure[1])


def _evaluate(store, sparql, check, choose_media_type, deadline, base_iri, default_graph_uris, named_graph_uris,
              prefixes, jsonld) -> Evaluated:
    remaining = max(deadline - time.monotonic(), 0.001)
    result = store.evaluate(
        sparql,
        base_iri=base_iri,
        default_graph_uris=default_graph_uris,
        named_graph_uris=named_graph_uris,
        timeout_s=remaining,
    )
    check(0)
    if isinstance(result, ox.QueryBoolean):
        media_type = _chosen(choose_media_type, "ASK")
        return Evaluated(serialize_boolean(media_type, bool(result)), media_type, "ASK", 1)
    if isinstance(result, ox.QuerySolutions):
        media_type = _chosen(choose_media_type, "SELECT")
        variables = [v.value for v in result.variables]
        rows = []
        for solution in result:
            rows.append(tuple(solution[v] for v in variables))
            check(len(rows))
        del result  # release the store's snapshot before serialising
        return Evaluated(serialize_solutions(media_type, variables, rows), media_type, "SELECT", len(rows))
    media_type = _chosen(choose_media_type, "CONSTRUCT")
    triples = []
    for triple in result:
        triples.append(triple)
        check(len(triples))
    del result
    return Evaluated(serialize_graph(media_type, triples, prefixes, jsonld), media_type, "CONSTRUCT", len(triples))


def _chosen(choose: MediaTypeChooser, form: str) -> str:
    media_type = choose(form)
    if media_type is None:
        raise NotAcceptable(f"no acceptable result format for a {form} query")
    return media_type
