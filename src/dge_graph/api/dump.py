"""``/dataset/dump.nq``: the whole store as N-Quads, streamed (the dataset's ``void:dataDump`` and the download URL
of its dump ``dcat:Distribution``, ``api/void.py``).

The dump is written in batches of ``BATCH_QUADS`` quads as it is read, never built in memory: on the embedded store
from one snapshot iterator over every quad (named graphs and the default graph); on a remote store one
``CONSTRUCT`` per named graph (a remote store's default graph is often the union of its named graphs, so it is not
written again). It is not bound by the query time limit: a full dump of a national store takes longer than a query
may. The iteration runs in Starlette's thread pool (a sync generator), not on the event loop; one guarded call
before it makes a failing or stuck store a 502/503 rather than a cut-off 200.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from dge_graph.api.deps import get_store
from dge_graph.api.guard import guarded
from dge_graph.api.routing import routes
from dge_graph.store import Store

router = APIRouter(tags=["linked data"])

BATCH_QUADS = 20_000
NQUADS = "application/n-quads"


def dump_batches(store: Store, batch_quads: int = BATCH_QUADS) -> Iterator[bytes]:
    """The store's quads as N-Quads, ``batch_quads`` at a time."""
    yield from _serialized(store.quads(), batch_quads)


def _serialized(quads, batch_quads: int) -> Iterator[bytes]:
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= batch_quads:
            yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS)
            batch = []
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS)


def named_graph_list(store: Store) -> list[str]:
    return store.named_graphs()


@routes(router, "/dataset/dump.nq", ("GET", "HEAD"), name="dataset_dump",
        summary="The whole dataset as N-Quads (streamed)", response_class=StreamingResponse,
        responses={200: {"content": {NQUADS: {}}}, 502: {}, 503: {}})
async def dataset_dump(request: Request, store: Store = Depends(get_store)) -> StreamingResponse:
    # one guarded call first: an unreachable or stuck store is a 502/503 before the 200 is sent, not a cut-off body
    await guarded(request, named_graph_list)
    return StreamingResponse(dump_batches(store), media_type=NQUADS,
                             headers={"Content-Disposition": 'attachment; filename="dge-graph.nq"'})
