"""Is the stored validation result there, and is it about the data in the store? (docs/checks.md, "Report status")

The stored result (``graph/validation/latest``) describes the data at the time of its run (``dge:ValidationRun``,
``prov:generatedAtTime``). Every data graph describes itself too: build, import and generate write
``<graph> prov:generatedAtTime`` into the graph (``ingest/build.py``, ``ingest/importing.py``). So:

* ``missing``: there is no run in ``graph/validation/latest`` (never validated, or only one municipality was);
* ``stale``: some data graph was generated after the run (the findings may be of a graph that no longer exists);
* ``current``: the run is at least as new as every data graph.

For one municipality (``validation_status(store, "GM0363")``) the run is the newer of the full run and that
municipality's own run (``graph/validation/municipality/<code>``, written by ``validate --municipality``): a
profile reads the newest result of its municipality (``scope`` says which).

Writes through SPARQL Update that do not restamp a graph's ``prov:generatedAtTime`` are not seen (docs/checks.md).
Every page, named-query answer and CLI report that shows findings or measures says which status, run and date
it rests on (``api/validation_signal.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

from rdflib import Literal

from dge_graph.kernel.namespaces import DCT, DGE, GRAPH, PROV, VALIDATION_GRAPH_PREFIX
from dge_graph.kernel.ui_text import LANGUAGES, texts
from dge_graph.store import Store

RESULT_GRAPH = f"{GRAPH}validation/latest"
STATUSES = ("missing", "stale", "current")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

_RUN = """
SELECT ?run ?generated ?evaluationDate ?revised ?engine WHERE {{
  GRAPH <{graph}> {{
    ?run a <{run_class}> ; <{generated}> ?generated .
    OPTIONAL {{ ?run <{evaluation_date}> ?evaluationDate }}
    OPTIONAL {{ ?run <{revised}> ?revised }}
    OPTIONAL {{ ?run <{engine}> ?engine }}
  }}
}} ORDER BY DESC(?generated) LIMIT 1
"""

# the prefix is a constant of this module, not a parameter (see rules/validate.store_data_graph)
_DATA_TIME = f"""
SELECT (MAX(?time) AS ?dataTime) WHERE {{
  GRAPH ?g {{ ?g <{PROV.generatedAtTime}> ?time }}
  FILTER (!STRSTARTS(STR(?g), "{VALIDATION_GRAPH_PREFIX}"))
}}
"""

MESSAGES = MappingProxyType({lang: texts("validation-status", lang) for lang in LANGUAGES})
"""What is said about the stored result per language and status, from the UI-text catalogue (``kernel.ui_text``)."""


@dataclass(frozen=True)
class ValidationStatus:
    """The status of the stored result, the run it rests on and when the data last changed."""

    status: str
    run: str | None = None
    generated_at: str | None = None
    evaluation_date: str | None = None
    data_changed_at: str | None = None
    graph: str | None = None
    """The result graph the run is in (``graph/validation/latest`` or a municipality's)."""
    scope: str = "all"
    """``all`` (a full run) or the CBS code of the municipality of a one-municipality run."""
    engine: str | None = None
    """The engine of the run (``dge:validationEngine``: table, sparql, pyshacl); shown on pages, not in ``as_dict``."""

    @property
    def current(self) -> bool:
        return self.status == "current"

    def as_dict(self) -> dict:
        """The ``validation`` field of JSON answers."""
        return {"status": self.status, "run": self.run, "generatedAt": self.generated_at,
                "evaluationDate": self.evaluation_date, "dataChangedAt": self.data_changed_at, "scope": self.scope}

    def message(self, lang: str) -> str:
        return MESSAGES[lang][self.status]

    def header_value(self) -> str:
        """``X-Validation-Status``: the status, then the run and its time (ASCII)."""
        parts = [self.status]
        if self.run:
            parts.append(f"run=<{self.run}>")
        if self.generated_at:
            parts.append(f"generatedAt={self.generated_at}")
        if self.evaluation_date:
            parts.append(f"evaluationDate={self.evaluation_date}")
        return "; ".join(parts)

    def warning(self) -> str | None:
        """An RFC 7234 ``Warning`` (``299 - "..."``) when the result is missing or stale, else None."""
        if self.current:
            return None
        text = self.message("en").replace('"', "'").replace("`", "'")
        return f'299 - "{text}"'


NO_REPORT = ValidationStatus("missing")
"""The status before anything is read (a profile or comparison built without a store)."""


def _iso(term) -> str | None:
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(term)


def _aware(term) -> dt.datetime | None:
    value = term.toPython() if isinstance(term, Literal) else None
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def municipality_result_graph(code: str) -> str:
    """The result graph of a one-municipality run (``rules.report.result_graph_name``)."""
    return f"{GRAPH}validation/municipality/{code}"


def _newest_run(store: Store, graph: str):
    rows = store.query(_RUN.format(graph=graph, run_class=DGE.ValidationRun, generated=PROV.generatedAtTime,
                                   evaluation_date=DGE.evaluationDate, revised=DCT.modified,
                                   engine=DGE.validationEngine)).rows
    return rows[0] if rows else None


def validation_status(store: Store, municipality_code: str | None = None) -> ValidationStatus:
    """The status of the stored result against the data graphs of ``store``: the full run's, or for a municipality
    (a checked CBS code) the newer of the full run and its own run."""
    candidates = [(RESULT_GRAPH, "all")]
    if municipality_code is not None:
        candidates.append((municipality_result_graph(municipality_code), municipality_code))
    best = None
    for graph, scope in candidates:
        row = _newest_run(store, graph)
        if row is not None and (best is None or (_aware(row.get("generated")) or _EPOCH) >
                                (_aware(best[0].get("generated")) or _EPOCH)):
            best = (row, graph, scope)
    data_rows = store.query(_DATA_TIME).rows
    data_time = data_rows[0].get("dataTime") if data_rows else None
    if best is None:
        return ValidationStatus("missing", data_changed_at=_iso(data_time))
    row, graph, scope = best
    generated, changed = _aware(row.get("generated")), _aware(data_time)
    # an import re-validates the deployments it changes and stamps the run dct:modified (rules/incremental.py): the
    # result then describes the data as of that time
    revised = _aware(row.get("revised"))
    describes = max(t for t in (generated, revised) if t is not None) if generated or revised else None
    status = "stale" if describes is not None and changed is not None and changed > describes else "current"
    return ValidationStatus(status, run=str(row["run"]), generated_at=_iso(row.get("generated")),
                            evaluation_date=_iso(row.get("evaluationDate")), data_changed_at=_iso(data_time),
                            graph=graph, scope=scope, engine=str(row["engine"]) if row.get("engine") else None)


def reads_validation(sparql: str) -> bool:
    """Whether a query (a named query's text) reads a stored validation graph."""
    return VALIDATION_GRAPH_PREFIX in sparql
