"""``python -m benchmarks.load_test``: a bounded load test of ``dge-graph serve`` with runaway queries in the mix.

    python -m benchmarks.load_test                                  # 342 x 10 deployments, 4 clients, 30 s
    python -m benchmarks.load_test --municipalities 3 --per-municipality 2 --duration-s 3   # smoke size

A store is built (``dge-graph build``, then ``dge-graph generate --store`` for the synthetic deployments and
``dge-graph validate`` for a report, so profiles have findings) and served on 127.0.0.1 only, on a free port, with
``--timeout-s``. ``--clients`` threads then send, each for ``--duration-s`` seconds (and at most ``--max-requests``
requests), a fixed cycle of requests (``MIX``): linked-data dereferences (a deployment and a municipality as
Turtle), named queries with their first example's arguments, profile pages (HTML) and comparisons, and every
``--runaway-every``-th request a runaway query (a triple cross join, which no deadline-less server survives). What is
reported, per kind and in total: requests, requests/s, p50/p95 latency, statuses; errors are every transport error
and every status that is not the expected one (200, and 503 for a runaway: its deadline); 503s of other requests
are counted apart, as past the limit (the request itself took longer than ``--timeout-s``) or busy (no evaluation
slot freed in time). Server memory (the server process plus its query
workers) is read from /proc before and after the load, and ``ASK {}`` is timed once after it (the runaways must not
outlive their deadline). The figures go to ``benchmarks/results/load-latest.json``; ``--write-doc`` puts the table
into ``docs/benchmarks.md`` between its load-test markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.local_server import ASK_PROBE, dge_graph_serve_command, start_server, venv_binary

from .measure import PROJECT_ROOT, percentile, rss_mb

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- load-test:begin -->"
END = "<!-- load-test:end -->"
PUBLIC_BASE = "https://w3id.org/dge-graph/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TURTLE = {"Accept": "text/turtle"}
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class Request:
    kind: str  # dereference | named-query | profile | runaway
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def expected(self) -> int:
        return 503 if self.kind == "runaway" else 200


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0  # transport errors and statuses other than the expected one (the 503s below apart)
    deadline: int = 0  # 503 for a request that is not a runaway: it ran past the server's --timeout-s
    busy: int = 0  # 503 for a request that is not a runaway: no evaluation slot freed before its deadline

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.errors += other.errors
        self.deadline += other.deadline
        self.busy += other.busy

    def summary(self, seconds: float) -> dict:
        n = len(self.latencies)
        ms = [s * 1000 for s in self.latencies]
        return {"requests": n, "requests_per_s": round(n / seconds, 1) if seconds else None,
                "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                "p95_ms": round(percentile(ms, 95), 1) if ms else None,
                "statuses": dict(sorted(self.statuses.items())), "errors": self.errors,
                "deadline_503": self.deadline, "busy_503": self.busy}


def request_mix(store: str, runaway_every: int) -> list[Request]:
    """One cycle of requests: deployments and municipalities that exist in ``store``, every named query with its
    first example, profiles and a comparison, and one runaway per ``runaway_every`` requests."""
    from benchmarks.querysets import query_cases
    from dge_graph.store import open_store

    reader = open_store(store, read_only=True)
    try:
        rows = reader.query("""
            PREFIX dge: <https://w3id.org/dge-graph/def#> PREFIX dct: <http://purl.org/dc/terms/>
            SELECT ?deployment ?code WHERE { ?deployment a dge:Deployment ; dge:municipality ?m .
                                             ?m dct:identifier ?code } ORDER BY ?deployment LIMIT 200""").rows
    finally:
        reader.close()
    if not rows:
        raise SystemExit(f"{store}: no deployments with a municipality to request")
    codes = sorted({str(r["code"]) for r in rows})
    ordinary: list[Request] = []
    for index, row in enumerate(rows[:20]):
        ordinary.append(Request("dereference", "GET", "/" + str(row["deployment"])[len(PUBLIC_BASE):],
                                headers=tuple(TURTLE.items())))
        ordinary.append(Request("dereference", "GET", f"/id/municipality/{codes[index % len(codes)]}",
                                headers=tuple(TURTLE.items())))
    for case in query_cases():
        if case.arguments:  # with their first example: what a user clicks; the national views are the bench's
            ordinary.append(Request("named-query", "GET", f"/queries/{case.query.name}", case.arguments,
                                    tuple(JSON.items())))
    for code in codes[:5]:
        ordinary.append(Request("profile", "GET", f"/municipalities/{code}", headers=tuple(HTML.items())))
    ordinary.append(Request("profile", "GET", "/compare", tuple(("m", c) for c in codes[:3]), tuple(HTML.items())))
    # interleave the kinds (dereferences, queries and pages alternate), then one runaway every N requests
    by_kind: dict[str, list[Request]] = {}
    for item in ordinary:
        by_kind.setdefault(item.kind, []).append(item)
    interleaved: list[Request] = []
    longest = max(len(v) for v in by_kind.values())
    for i in range(longest):
        interleaved += [items[i] for items in by_kind.values() if i < len(items)]
    cycle: list[Request] = []
    for i, item in enumerate(interleaved, start=1):
        cycle.append(item)
        if runaway_every and i % (runaway_every - 1) == 0:
            cycle.append(Request("runaway", "POST", "/sparql", (("query", RUNAWAY),), (("Accept", "text/csv"),)))
    return cycle


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the query workers are children of the fork server, a child of the server)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            for task in Path(f"/proc/{parent}/task").iterdir():
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                pending += children
        except OSError:
            continue
    return found


def server_memory_mb(pid: int) -> dict:
    """RSS of the server process and of all its descendants (fork server, query workers), from /proc."""
    worker_mb = [m for m in (rss_mb(c) for c in descendants(pid)) if m is not None]
    server = rss_mb(pid)
    return {"server_mb": server, "workers_mb": round(sum(worker_mb), 1), "processes": 1 + len(worker_mb),
            "total_mb": round((server or 0) + sum(worker_mb), 1)}


def run_clients(base: str, cycle: Sequence[Request], *, clients: int, duration_s: float, max_requests: int,
                timeout_s: float) -> tuple[dict[str, Tally], float]:
    deadline = time.monotonic() + duration_s
    sent = 0
    lock = threading.Lock()

    def client(offset: int) -> dict[str, Tally]:
        nonlocal sent
        tallies: dict[str, Tally] = {}
        with httpx.Client(base_url=base, timeout=timeout_s) as http:
            index = offset * (len(cycle) // max(clients, 1))  # clients start at different places of the cycle
            while time.monotonic() < deadline:
                with lock:
                    if sent >= max_requests:
                        break
                    sent += 1
                item = cycle[index % len(cycle)]
                index += 1
                tally = tallies.setdefault(item.kind, Tally())
                start = time.perf_counter()
                try:
                    if item.method == "POST":  # a form body (the query must not be in the URL too: that is a 400)
                        response = http.post(item.path, data=dict(item.params), headers=dict(item.headers))
                    else:
                        response = http.get(item.path, params=list(item.params) or None, headers=dict(item.headers))
                    response.read()
                    status = str(response.status_code)
                    busy = "busy" in response.text[:300]
                except httpx.HTTPError as exc:
                    status, busy = type(exc).__name__, False
                tally.latencies.append(time.perf_counter() - start)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if status == "503" and item.kind != "runaway":
                    if busy:
                        tally.busy += 1
                    else:
                        tally.deadline += 1
                elif status != str(item.expected):
                    tally.errors += 1
        return tallies

    start = time.perf_counter()
    merged: dict[str, Tally] = {}
    with ThreadPoolExecutor(clients) as pool:
        for tallies in pool.map(client, range(clients)):
            for kind, tally in tallies.items():
                merged.setdefault(kind, Tally()).add(tally)
    return merged, time.perf_counter() - start


def prepare_store(store: Path, *, municipalities: int, per_municipality: int, seed: int) -> dict:
    cli = venv_binary("dge-graph")
    steps = [[cli, "build", "--store", str(store), "-q"],
             [cli, "generate", "--municipalities", str(municipalities), "--per-municipality", str(per_municipality),
              "--seed", str(seed), "--store", str(store), "-q"],
             [cli, "validate", "--store", str(store), "-q", "--format", "csv"]]
    for command in steps:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        if done.returncode not in (0, 1):  # validate: 1 = findings
            raise SystemExit(f"{' '.join(command[1:3])} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return {"municipalities": municipalities, "per_municipality": per_municipality,
            "synthetic_deployments": municipalities * per_municipality, "seed": seed}


def load_test(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="dge-load-") as scratch:
        store = Path(scratch) / "store"
        workload = prepare_store(store, municipalities=args.municipalities, per_municipality=args.per_municipality,
                                 seed=args.seed)
        cycle = request_mix(str(store), args.runaway_every)
        server = start_server(lambda port: dge_graph_serve_command(store, port, "--timeout-s", str(args.timeout_s)),
                              "/sparql", probe_params=ASK_PROBE, ready_timeout_s=120, name="dge-graph serve")
        try:
            time.sleep(1.0)  # the worker pool is up
            before = server_memory_mb(server.process.pid)
            tallies, seconds = run_clients(server.base, cycle, clients=args.clients, duration_s=args.duration_s,
                                           max_requests=args.max_requests,
                                           timeout_s=args.timeout_s + args.client_grace_s)
            after = server_memory_mb(server.process.pid)
            start = time.perf_counter()
            ask = httpx.get(f"{server.base}/sparql", params=ASK_PROBE, timeout=30)
            ask_ms = round((time.perf_counter() - start) * 1000, 1)
        finally:
            server.stop()
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    return {
        "when": dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "machine": {"cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1),
                    "python": platform.python_version()},
        "workload": workload,
        "settings": {"clients": args.clients, "duration_s": args.duration_s, "max_requests": args.max_requests,
                     "timeout_s": args.timeout_s, "runaway_every": args.runaway_every, "cycle": len(cycle)},
        "seconds": round(seconds, 2),
        "kinds": {kind: tally.summary(seconds) for kind, tally in sorted(tallies.items())},
        "total": total.summary(seconds),
        "memory_before": before,
        "memory_after": after,
        "ask_after_load": {"status": ask.status_code, "ms": ask_ms},
    }


def render(result: dict) -> str:
    w, s = result["workload"], result["settings"]
    lines = [
        f"Load test {result['when']}: {w['synthetic_deployments']:,} synthetic deployments "
        f"({w['municipalities']} x {w['per_municipality']}) plus the project's, {s['clients']} clients for "
        f"{result['seconds']} s on 127.0.0.1, `--timeout-s {s['timeout_s']}`, a runaway every {s['runaway_every']} "
        f"requests; {result['machine']['cpus']} CPUs, load average {result['machine']['load_average']} at the end.",
        "",
        "| requests | n | req/s | p50 ms | p95 ms | statuses | errors | 503 past the limit | 503 busy |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for kind, row in [*result["kinds"].items(), ("**all**", result["total"])]:
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        lines.append(f"| {kind} | {row['requests']} | {row['requests_per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
                     f"{statuses} | {row['errors']} | {row['deadline_503']} | {row['busy_503']} |")
    before, after = result["memory_before"], result["memory_after"]
    lines += ["", f"Server memory (server + {after['processes'] - 1} helper processes: fork server, query workers; RSS summed, so pages they share are counted in each): {before['total_mb']} MB "
                  f"before ({before['server_mb']} + {before['workers_mb']}), {after['total_mb']} MB after "
                  f"({after['server_mb']} + {after['workers_mb']}). `ASK {{}}` right after the load: "
                  f"{result['ask_after_load']['status']} in {result['ask_after_load']['ms']} ms."]
    return "\n".join(lines)


def update_document(doc: Path, table: str) -> None:
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc}: no {BEGIN} … {END} markers to put the load-test table between")
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    doc.write_text(f"{before}{BEGIN}\n{table}\n{END}{after}", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=342)
    parser.add_argument("--per-municipality", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration-s", type=float, default=30.0, help="how long the clients send (default 30)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests in all")
    parser.add_argument("--timeout-s", type=float, default=5.0, help="the server's --timeout-s (default 5)")
    parser.add_argument("--client-grace-s", type=float, default=10.0,
                        help="a client waits this much longer than the server's limit (default 10)")
    parser.add_argument("--runaway-every", type=int, default=10, help="one runaway per N requests (default 10)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--write-doc", action="store_true", help="put the table into --doc")
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args(argv)
    if args.runaway_every < 2:
        parser.error("--runaway-every must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = load_test(args)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "load-latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = render(result)
    print(table)
    if args.write_doc:
        update_document(args.doc, table)
    return 0 if result["total"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
