"""Measure incremental re-validation (``rules/incremental.py``) of one changed deployment on a validated store.

    nice python -m benchmarks.incremental STORE [--runs 5]

The store must hold a stored full result (``dge-graph validate``). Each run changes one deployment (a fact added in
a scratch graph, as an import would), then times ``Revalidator.before_write`` (the deployment as it was) and
``after_write`` (as it is, with the result and measures replaced), shapes already parsed (as in a long-lived
process; a new ``dge-graph import`` process also parses the shapes once, reported separately). The scratch graph is
removed and re-validated after every run, so the store is left as it was. ``benchmarks.run`` calls ``measure`` as
its ``incremental`` stage. Timings stay out of the tests.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from dge_graph.kernel.namespaces import DGE
from dge_graph.rules.incremental import Revalidator, stored_run
from dge_graph.rules.validate import load_shapes
from dge_graph.store import OxigraphStore

SCRATCH = "urn:dge-graph:bench:incremental"


class NoStoredResult(RuntimeError):
    """The store holds no validation result to re-validate against."""


def measure(store: OxigraphStore, runs: int, *, say=print) -> dict:
    """Re-validate one changed deployment ``runs`` times (a different deployment each time); times in ms."""
    if stored_run(store) is None:
        raise NoStoredResult(f"{store!r}: no stored validation result (run `dge-graph validate` first)")
    start = time.perf_counter()
    revalidator = Revalidator(load_shapes())
    shapes_ms = (time.perf_counter() - start) * 1000
    say(f"parse the shapes (once per process)            {shapes_ms:9.1f} ms")
    rows = store.query(f"SELECT ?d WHERE {{ ?d a <{DGE.Deployment}> }} LIMIT {runs}").rows
    timings = []
    changed = 0
    for number, row in enumerate(rows):
        deployment = row["d"]
        start = time.perf_counter()
        pending = revalidator.before_write(store, [deployment])
        store.update(f"INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{deployment}> <{DGE.isAISystem}> true }} }}")
        written = time.perf_counter()
        outcome = revalidator.after_write(store, pending)
        end = time.perf_counter()
        timings.append((written - start, end - written))
        changed += outcome is not None and outcome.findings_before != outcome.findings_after
        say(f"run {number + 1}: before {timings[-1][0] * 1000:7.1f} ms, after (evaluate + replace) "
            f"{timings[-1][1] * 1000:7.1f} ms; findings {outcome.findings_before} -> {outcome.findings_after}")
        pending = revalidator.before_write(store, [deployment])
        store.update(f"DROP SILENT GRAPH <{SCRATCH}>")
        revalidator.after_write(store, pending)
    total = [(b + a) * 1000 for b, a in timings]
    return {
        "runs": len(timings),
        "p50_ms": statistics.median(total) if total else None,
        "samples_ms": [round(t, 3) for t in total],
        "before_p50_ms": statistics.median(t[0] * 1000 for t in timings) if timings else None,
        "after_p50_ms": statistics.median(t[1] * 1000 for t in timings) if timings else None,
        "shapes_ms": shapes_ms,
        "runs_with_changed_findings": changed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    store = OxigraphStore(args.store)
    try:
        result = measure(store, args.runs)
    except NoStoredResult as exc:
        raise SystemExit(str(exc)) from exc
    finally:
        store.close()
    print(f"one deployment re-validated, p50 {result['p50_ms']:.1f} ms (before {result['before_p50_ms']:.1f} ms + "
          f"after {result['after_p50_ms']:.1f} ms); peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
