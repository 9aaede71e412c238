"""The analytics fixture store: the fixture graph (tests/fixtures/analytics/graph.trig), the project's requirements
(data/requirements.ttl), and the result of running ``validate`` over the fixture deployments at the fixture's
evaluation date, stored as ``dge-graph validate`` stores it. No validation result is written by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox

from dge_graph.kernel.namespaces import graph_iri
from dge_graph.kernel.resources import resource_dir
from dge_graph.rules.validate import Parameters, store_report, validate_store
from dge_graph.store import OxigraphStore

FIXTURE = Path(__file__).parent / "fixtures" / "analytics"
EVALUATION_DATE = dt.date(2026, 11, 1)
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)


def load_fixture(store: OxigraphStore) -> OxigraphStore:
    store.raw.load(path=str(FIXTURE / "graph.trig"), format=ox.RdfFormat.TRIG)
    store.raw.load(path=str(resource_dir("data") / "requirements.ttl"), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(graph_iri("data/requirements.ttl"))))
    return store


def validated_fixture_store(store: OxigraphStore | None = None) -> OxigraphStore:
    store = load_fixture(store or OxigraphStore())
    store_report(store, validate_store(store, Parameters(evaluation_date=EVALUATION_DATE), now=NOW))
    return store
