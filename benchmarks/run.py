"""``python -m benchmarks.run``: run the benchmark at the given sizes and write results and the table.

    python -m benchmarks.run                         # size 10 (3,420 deployments), 1 run: about a minute
    python -m benchmarks.run --sizes 10 50 300 --runs 3 --write-doc

Per size (deployments per municipality, over all 342 municipalities unless ``--municipalities``):

1. generate the synthetic deployments (cached under ``--work-dir``);
2. ``bulk_store``: the store the later stages read: the synthetic file loaded into a fresh store by the project's
   load path (``dge-graph generate --store``; timed, with its peak memory), then the project's graphs beside it;
3. ``raw_load``: the baseline of that load, raw pyoxigraph ``bulk_load`` of the same file into a fresh store;
4. ``build``: the project's own atomic build of the same sources, ``--runs`` times (skipped above
   ``--build-max-deployments``, where it takes many minutes; the table says so);
5. ``validate``: all rules, end to end (default engine), ``--runs`` times; the result is stored; the
   compiled-SPARQL engine once as baseline;
6. ``pyshacl``: the reference engine on ``--pyshacl-sample`` deployments, our engine on the same graph;
7. ``incremental``: re-validation after changing one deployment, ``--incremental-runs`` times;
8. ``queries``: every named-query case through the store and on raw pyoxigraph (one worker per case, with a time
   limit, within ``--queries-budget-s``);
9. ``pages``: ``build_profile``/``build_comparison`` in process, and their queries replayed on raw pyoxigraph;
10. ``rdflib``: the same cases on rdflib's SPARQL engine (up to ``--rdflib-max-deployments``);
11. ``http``: our server and a raw ``oxigraph serve`` on 127.0.0.1: dereference latency (Turtle, HTML) and
    throughput, the profile and comparison pages (HTML, JSON), query latency, memory.

Results go to ``benchmarks/results/<timestamp>.json`` (git-ignored) and ``benchmarks/results/latest.json``, written
after every stage so an interrupted run keeps what it measured; ``--write-doc`` puts the table into
``docs/benchmarks.md`` between its markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from . import report
from .http_bench import measure_server, page_paths
from .measure import PROJECT_ROOT, WorkerError
from .measure import run_worker as measure_worker
from .querysets import query_cases
from .workload import ensure_workload, sample_deployments

DEFAULT_WORK_DIR = PROJECT_ROOT / "var" / "bench"
STAGE_NAMES = ("bulk_store", "raw_load", "build", "validate", "pyshacl", "incremental", "queries", "pages", "rdflib",
               "http")
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10],
                        help="deployments per municipality, one benchmark per size (default: 10)")
    parser.add_argument("--municipalities", type=int, default=342, help="how many municipalities (default: all 342)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions of build and validation (default: 1)")
    parser.add_argument("--repetitions", type=int, default=20, help="timed calls per query case (default: 20)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="generated data and stores")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--query-timeout-s", type=float, default=20.0,
                        help="a query case slower than this is reported as a timeout (default: 20)")
    parser.add_argument("--query-cap-s", type=float,
                        help="time spent repeating one query case, page or dereference series per engine; a first "
                        "call slower than this is the one sample (default: --query-timeout-s)")
    parser.add_argument("--build-max-deployments", type=int, default=20_000,
                        help="run the project build only up to this many deployments (default: 20000)")
    parser.add_argument("--build-timeout-s", type=float, default=900.0)
    parser.add_argument("--validate-timeout-s", type=float, default=3600.0)
    parser.add_argument("--build-runs", type=int, help="runs of the (slow) project build (default: --runs)")
    parser.add_argument("--validate-runs", type=int,
                        help="runs of validate within --stage-budget-s: the first is cold (nothing saved from an "
                        "earlier run), the next ones may reuse what it saved (default: --runs, at least 2)")
    parser.add_argument("--stage-budget-s", type=float, default=240.0,
                        help="stop repeating a stage once it has used this much time (default: 240)")
    parser.add_argument("--pyshacl-sample", type=int, default=300,
                        help="deployments given to pyshacl (with the whole knowledge graph; default: 300)")
    parser.add_argument("--rdflib-max-deployments", type=int, default=20_000,
                        help="run the rdflib baseline only up to this many deployments (default: 20000)")
    parser.add_argument("--rdflib-timeout-s", type=float,
                        help="per rdflib case: time limit, and time spent repeating it (default: --query-timeout-s)")
    parser.add_argument("--http-connections", type=int, default=4)
    parser.add_argument("--http-duration-s", type=int, default=10)
    parser.add_argument("--http-servers", nargs="+", choices=("dge-graph", "oxigraph"),
                        default=["dge-graph", "oxigraph"], help="servers to measure (default: both)")
    parser.add_argument("--query-workers", choices=("per-case", "shared"), default="per-case",
                        help="one worker per query case, killed after its time limit (default), or one for all "
                        "(faster to start; a runaway query then stalls the run)")
    parser.add_argument("--incremental-runs", type=int, default=5,
                        help="re-validations of one changed deployment (default: 5)")
    parser.add_argument("--queries-budget-s", type=float, default=1800.0,
                        help="query cases not started within this many seconds are skipped (default: 1800)")
    parser.add_argument("--http-query-budget-s", type=float, default=600.0,
                        help="per server, HTTP query cases not started within this many seconds are skipped")
    parser.add_argument("--deref-repetitions", type=int, default=50,
                        help="one-at-a-time dereference requests per format (default: 50)")
    parser.add_argument("--profile", default="GM0363", help="municipality of the profile page (default: GM0363)")
    parser.add_argument("--compare", nargs="+", default=["GM0363", "GM0344"],
                        help="municipalities of the comparison page (default: GM0363 GM0344)")
    parser.add_argument("--skip", nargs="*", default=[], choices=STAGE_NAMES,
                        help="stages to leave out (bulk_store: reuse the store a previous run left in --work-dir)")
    parser.add_argument("--py-spy-dir", type=Path,
                        help="run every worker under `py-spy record` (20 Hz), collapsed stacks in DIR/<size>-<stage>.txt "
                        "(summarise with `python -m benchmarks.profile_summary`)")
    parser.add_argument("--write-doc", action="store_true", help="update the table in docs/benchmarks.md")
    parser.add_argument("--doc", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    return parser.parse_args(argv)


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True).stdout.strip()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    import pyoxigraph
    import pyshacl
    import rdflib

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_at_start": load, "commit": commit or None, "pyoxigraph": pyoxigraph.__version__,
            "rdflib": rdflib.__version__, "pyshacl": pyshacl.__version__,
            "load_tool": "wrk" if shutil.which("wrk") else "httpx-threads"}


class Recorder:
    """The results document, written to disk after every stage."""

    def __init__(self, args: argparse.Namespace):
        args.results_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = args.results_dir / f"{stamp}.json"
        self.latest = args.results_dir / "latest.json"
        self.data: dict = {
            "started": stamp,
            "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "machine": machine(),
            "sizes": {},
        }

    def size(self, key: str) -> dict:
        return self.data["sizes"].setdefault(key, {})

    def save(self) -> None:
        text = json.dumps(self.data, indent=1, sort_keys=True)
        self.path.write_text(text, encoding="utf-8")
        self.latest.write_text(text, encoding="utf-8")


def _stage(record: dict, name: str, call) -> None:
    try:
        record[name] = call()
    except (WorkerError, RuntimeError, OSError, httpx.HTTPError) as exc:
        record[name] = {"error": str(exc)[-1500:]}
        _log(f"  {name}: FAILED {str(exc)[-300:]}")


def run_size(args: argparse.Namespace, per_municipality: int, recorder: Recorder) -> None:
    record = recorder.size(str(per_municipality))
    workload, created = ensure_workload(args.work_dir, args.municipalities, per_municipality, args.seed)
    record.update({"municipalities": args.municipalities, "per_municipality": per_municipality,
                   "deployments": workload.deployments, "workload": workload.path.name})
    _log(f"size {per_municipality}: {workload.deployments} deployments ({'generated' if created else 'cached'})")
    store_dir = args.work_dir / f"store-k{per_municipality}"
    scratch_dir = args.work_dir / f"build-k{per_municipality}"
    violations_file = args.work_dir / f"violations-k{per_municipality}.txt"
    params = {"store_dir": str(store_dir), "workload_file": str(workload.path)}
    log = _log

    def run_worker(stage: str, stage_params: dict, *, timeout_s: float, log) -> dict:
        profile_to = None
        if args.py_spy_dir is not None:
            label = stage_params.get("labels", [""])[0] if stage == "queries" else ""
            suffix = f"-{''.join(c if c.isalnum() else '_' for c in label)[:60]}" if label else ""
            profile_to = args.py_spy_dir / f"{per_municipality}-{stage}{suffix}.txt"
        return measure_worker(stage, stage_params, timeout_s=timeout_s, log=log, profile_to=profile_to)

    def repeated(stage: str, stage_params: dict, timeout_s: float, runs: int) -> dict:
        """Up to ``runs`` fresh workers; no new one once ``--stage-budget-s`` is spent (large sizes)."""
        results, started = [], time.monotonic()
        for _ in range(runs):
            results.append(run_worker(stage, stage_params, timeout_s=timeout_s, log=log))
            if time.monotonic() - started > args.stage_budget_s:
                break
        return {"runs": results}

    if "bulk_store" not in args.skip or not (store_dir / "CURRENT").exists():
        _log("  bulk_store ...")
        _stage(record, "bulk_store", lambda: repeated("bulk_store", params, args.build_timeout_s, args.runs))
        recorder.save()
    else:
        _log(f"  reusing the store in {store_dir}")
    if "raw_load" not in args.skip:
        _log("  raw_load (pyoxigraph bulk_load, the baseline of the load) ...")
        _stage(record, "raw_load", lambda: repeated(
            "raw_load", {**params, "store_dir": str(args.work_dir / f"raw-load-k{per_municipality}")},
            args.build_timeout_s, args.runs))
        recorder.save()
    if "build" not in args.skip:
        if workload.deployments <= args.build_max_deployments:
            _log("  build (project build) ...")
            _stage(record, "build", lambda: repeated(
                "build", {**params, "store_dir": str(scratch_dir)}, args.build_timeout_s,
                args.build_runs or args.runs))
            shutil.rmtree(scratch_dir, ignore_errors=True)
        else:
            record["build"] = {"skipped": f"more than {args.build_max_deployments} deployments"}
        recorder.save()
    if "validate" not in args.skip:
        _log("  validate ...")
        _stage(record, "validate", lambda: run_worker(
            "validate", {"store_dir": str(store_dir), "runs": args.validate_runs or max(2, args.runs),
                         "violations_file": str(violations_file),
                         "cap_s": args.stage_budget_s},
            timeout_s=args.validate_timeout_s, log=log))
        recorder.save()
    if "pyshacl" not in args.skip and violations_file.exists():
        _log(f"  pyshacl on {args.pyshacl_sample} deployments ...")
        _stage(record, "pyshacl", lambda: run_worker(
            "pyshacl", {"workload_file": str(workload.path), "violations_file": str(violations_file),
                        "sample_size": args.pyshacl_sample, "seed": args.seed}, timeout_s=3600, log=log))
        recorder.save()
    if "incremental" not in args.skip and "validate" in record and "error" not in record["validate"]:
        _log(f"  incremental: one deployment changed, {args.incremental_runs} runs ...")
        _stage(record, "incremental", lambda: run_worker(
            "incremental", {"store_dir": str(store_dir), "runs": args.incremental_runs},
            timeout_s=args.validate_timeout_s, log=log))
        recorder.save()
    # the cases the 50 ms target is about first, so that a spent budget skips knowledge-graph cases only
    cases = sorted(query_cases(), key=lambda case: not case.cross_municipality)
    if "queries" not in args.skip and args.query_workers == "shared":
        _log(f"  queries ({len(cases)} cases, one worker) ...")
        _stage(record, "queries", lambda: run_worker(
            "queries", {"store_dir": str(store_dir), "labels": [c.label for c in cases],
                        "repetitions": args.repetitions, "cap_s": args.query_cap_s or args.query_timeout_s},
            timeout_s=args.query_timeout_s * 5 * len(cases) + 60, log=log))
        recorder.save()
    elif "queries" not in args.skip:
        _log(f"  queries ({len(cases)} cases, one worker each) ...")
        results: dict = {}
        started = time.monotonic()
        for case in cases:
            if time.monotonic() - started > args.queries_budget_s:
                results[case.label] = {**case.as_dict(), "skipped": f"--queries-budget-s {args.queries_budget_s:.0f}"}
                continue
            try:
                results.update(run_worker("queries", {"store_dir": str(store_dir), "labels": [case.label],
                                                      "repetitions": args.repetitions,
                                                      "cap_s": args.query_cap_s or args.query_timeout_s},
                                          timeout_s=args.query_timeout_s * 4 + 30, log=log)["cases"])
            except WorkerError as exc:
                if exc.timed_out:
                    results[case.label] = {**case.as_dict(), "timeout_s": args.query_timeout_s}
                    _log(f"    {case.label}: no answer in time")
                else:
                    results[case.label] = {**case.as_dict(), "error": str(exc)[-300:]}
                    _log(f"    {case.label}: FAILED {str(exc)[-200:]}")
        record["queries"] = {"cases": results}
        recorder.save()
    if "pages" not in args.skip:
        _log(f"  pages: profile {args.profile}, comparison {' '.join(args.compare)} ...")
        _stage(record, "pages", lambda: run_worker(
            "pages", {"store_dir": str(store_dir), "profile": args.profile, "compare": args.compare,
                      "repetitions": args.repetitions, "cap_s": args.query_cap_s or args.query_timeout_s},
            timeout_s=args.query_timeout_s * 8 + 60, log=log))
        recorder.save()
    if "rdflib" not in args.skip:
        if workload.deployments <= args.rdflib_max_deployments:
            _log("  rdflib ...")
            _stage(record, "rdflib", lambda: run_worker(
                "rdflib", {"store_dir": str(store_dir), "repetitions": max(3, args.repetitions // 4),
                           "cap_s": args.rdflib_timeout_s or args.query_timeout_s,
                           "timeout_s": args.rdflib_timeout_s or args.query_timeout_s},
                timeout_s=7200, log=log))
        else:
            record["rdflib"] = {"skipped": f"more than {args.rdflib_max_deployments} deployments"}
        recorder.save()
    if "http" not in args.skip:
        deployments = sample_deployments(workload.path, 200, args.seed)
        http: dict = {}
        record["http"] = http
        for kind in args.http_servers:
            _log(f"  http: {kind} ...")
            _stage(http, kind, lambda: measure_server(
                kind, store_dir, cases, deployments, public_base="https://w3id.org/dge-graph/",
                repetitions=args.repetitions, cap_s=args.query_cap_s or args.query_timeout_s,
                timeout_s=args.query_timeout_s,
                connections=args.http_connections, duration_s=args.http_duration_s, log=log,
                pages=page_paths(args.profile, args.compare), deref_repetitions=args.deref_repetitions,
                query_budget_s=args.http_query_budget_s,
                profile_prefix=args.py_spy_dir / f"{per_municipality}-http" if args.py_spy_dir else None))
            recorder.save()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    recorder = Recorder(args)
    _log(f"benchmark: sizes {args.sizes}, {args.runs} run(s); results in {recorder.path}")
    for size in args.sizes:
        run_size(args, size, recorder)
    recorder.data["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    recorder.save()
    table = report.render(recorder.data)
    print(table)
    if args.write_doc:
        report.update_document(args.doc, table)
        _log(f"table written to {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
