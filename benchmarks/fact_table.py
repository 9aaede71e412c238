"""Measure the table engine against the SPARQL engine on a store (docs/checks.md, "Fact-table engine").

    nice python -m benchmarks.fact_table STORE [--sparql] [--date 2026-12-01]

Prints: reading the fact table, evaluating all rules (table engine; cold and warm), the SPARQL engine (with
``--sparql``), whether both agree, re-reading and re-evaluating one changed deployment, and peak memory. Timings
stay out of the tests; this script is how the figures in the docs were made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time

from dge_graph.rules.fact_table import FactTable
from dge_graph.rules.validate import Parameters, load_shapes, sparql_violations
from dge_graph.rules.vector_engine import read_plan, table_violations
from dge_graph.store import OxigraphStore


def _timed(label: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{label:<44} {time.perf_counter() - start:9.3f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--sparql", action="store_true", help="also run the SPARQL engine and compare")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 12, 1))
    args = parser.parse_args()
    store = OxigraphStore(args.store)
    shapes = load_shapes()
    parameters = Parameters(args.date)
    resolved = shapes.resolved(parameters)
    plan = read_plan(resolved, shapes.rules)
    table = _timed("read the fact table", lambda: FactTable.read(store, plan))
    print(f"  {len(table)} focus rows, {len(plan.relations)} columns, {table.nbytes() / 1e6:.1f} MB of arrays")
    found = _timed("table engine, all rules (first run)", lambda: table_violations(table, resolved, shapes.rules))
    _timed("table engine, all rules (again)", lambda: table_violations(table, resolved, shapes.rules))
    print(f"  {len(found)} findings")
    if args.sparql:
        fast = _timed("sparql engine, all rules", lambda: sparql_violations(store, resolved, shapes.rules))
        print(f"  identical findings: {fast == found}")
    focus = table.focus_node(int(table.live_rows()[len(table) // 2]))
    store.update(f"INSERT DATA {{ GRAPH <urn:dge-graph:bench:fact-table> {{ <{focus}> "
                 "<https://w3id.org/dge-graph/def#isAISystem> true } }")
    for attempt in range(3):
        start = time.perf_counter()
        rows = table.update_rows(store, [focus])
        read = time.perf_counter() - start
        table_violations(table, resolved, shapes.rules, rows=rows, parameters=parameters)
        total = time.perf_counter() - start
        print(f"incremental: one deployment, run {attempt + 1}{'':<16} {total * 1000:9.1f} ms "
              f"(re-read and append {read * 1000:.1f} ms)")
    store.update("DROP SILENT GRAPH <urn:dge-graph:bench:fact-table>")
    print(f"peak memory (max RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
