"""HTTP figures: our server (``dge-graph serve``) against a raw ``oxigraph serve`` on the same store directory.

Both servers run one after the other on 127.0.0.1 (never any other address) with the store built by the
``build`` stage; each is stopped by its PID. Per server we measure:

* memory at rest (RSS once it answers, before any load) and after the load;
* latency of every named-query case, one request at a time (p50/p95): on our server through the named-query
  endpoint (``/queries/{name}?param=value``) and through ``/sparql`` with the very text sent to raw Oxigraph
  (the query with its arguments as a trailing ``VALUES`` block, ``store.bind_parameters``), so that the ratio
  ``/sparql`` / raw is the cost of our HTTP layer alone;
* the analysts' pages (our server only): ``/municipalities/{code}`` and ``/compare?m=…&m=…`` as HTML and as JSON,
  one request at a time (p50/p95, and the first, cold request);
* dereference latency of a deployment, one request at a time over sampled deployments (p50/p95): our
  ``/id/deployment/<key>`` as Turtle and as HTML, raw Oxigraph's ``DESCRIBE <iri>`` as Turtle;
* linked-data dereference throughput under a bounded load from a second process: ``wrk`` (fixed connections and
  duration) when installed, else a thread pool with a fixed request count and a time cap. Our server serves
  ``/id/deployment/<key>`` as Turtle; raw Oxigraph answers ``DESCRIBE <iri>`` (its closest equivalent).

Every one-at-a-time series stops after ``cap_s`` of requests; the query cases together stop after ``budget_s``
(the cases left are recorded as skipped), so that a slow store cannot make the run unbounded.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from dge_graph.store import bind_parameters, ox_substitutions
from tests.local_server import (
    ASK_PROBE,
    ServerDidNotStart,
    ServerProcess,
    dge_graph_serve_command,
    oxigraph_serve_command,
)
from tests.local_server import start_server as start_server_process

from .measure import Latency, percentile, rss_mb
from .querysets import QueryCase

RESULTS_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
NAMED_ACCEPT = {"Accept": "application/json"}  # the named-query endpoint answers SPARQL JSON results


@dataclass
class Server:
    kind: str  # "dge-graph" | "oxigraph"
    running: ServerProcess

    @property
    def base(self) -> str:
        return self.running.base

    def stop(self) -> None:
        self.running.stop()


def start_server(kind: str, store_dir: Path, *, timeout_s: float, ready_timeout_s: float = 120) -> Server:
    """Start a server on a free loopback port and wait until it answers."""
    if kind == "dge-graph":
        def command(port: int) -> list[str]:
            return dge_graph_serve_command(store_dir, port, "--timeout-s", str(timeout_s))
        probe = "/sparql"
    else:
        def command(port: int) -> list[str]:
            return oxigraph_serve_command(store_dir, port, timeout_s=timeout_s)
        probe = "/query"
    try:
        running = start_server_process(command, probe, probe_params=ASK_PROBE, ready_timeout_s=ready_timeout_s,
                                       name=f"{kind} server")
    except ServerDidNotStart as exc:
        raise RuntimeError(str(exc)) from exc
    return Server(kind, running)


def _latency(client: httpx.Client, request: Callable[[], httpx.Response], repetitions: int,
             cap_s: float) -> dict:
    started = time.perf_counter()
    try:
        try:
            first = request()  # warm-up, and the status we report
        except (httpx.RemoteProtocolError, httpx.ReadError):  # a kept-alive connection the server just closed
            first = request()
    except httpx.TimeoutException:
        return {"timeout_s": client.timeout.read}
    except httpx.HTTPError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    first_ms = round((time.perf_counter() - started) * 1000, 3)
    if first.status_code != 200:
        return {"status": first.status_code, "error": first.text[:300]}
    samples: list[float] = []
    spent = first_ms / 1000
    for _ in range(repetitions if spent < cap_s else 0):
        start = time.perf_counter()
        try:
            request().read()
        except httpx.HTTPError as exc:
            return {"error": f"{type(exc).__name__}: {exc}", "completed": len(samples)}
        elapsed = time.perf_counter() - start
        samples.append(elapsed)
        spent += elapsed
        if spent >= cap_s:
            break
    if not samples:  # the warm-up alone used the time: it is the one sample
        samples = [first_ms / 1000]
    return {**Latency.of(samples).as_dict(), "bytes": len(first.content), "first_ms": first_ms}


def _cycled(paths: Sequence[str]) -> Callable[[], str]:
    position = [0]

    def following() -> str:
        path = paths[position[0] % len(paths)]
        position[0] += 1
        return path
    return following


def query_latencies(server: Server, cases: Sequence[QueryCase], repetitions: int, cap_s: float,
                    timeout_s: float, budget_s: float | None = None) -> dict:
    results = {}
    started = time.monotonic()
    with httpx.Client(timeout=timeout_s) as client:
        for case in cases:
            if budget_s is not None and time.monotonic() - started > budget_s:
                results[case.label] = {"skipped": f"the HTTP query budget of {budget_s:.0f} s was spent"}
                continue
            text = bind_parameters(case.query.sparql, ox_substitutions(case.substitutions))
            accept = {"Accept": RESULTS_JSON}
            entry = {}
            if server.kind == "dge-graph":
                named_url = f"{server.base}/queries/{case.query.name}"
                params = dict(case.arguments)
                entry["named"] = _latency(client, lambda: client.get(named_url, params=params, headers=NAMED_ACCEPT),
                                          repetitions, cap_s)
                entry["sparql"] = _latency(client, lambda: client.post(f"{server.base}/sparql", data={"query": text},
                                                                       headers=accept), repetitions, cap_s)
            else:
                entry["sparql"] = _latency(client, lambda: client.post(f"{server.base}/query", data={"query": text},
                                                                       headers=accept), repetitions, cap_s)
            results[case.label] = entry
    return results


PAGE_FORMATS = {"HTML": "text/html", "JSON": "application/json"}


def page_paths(profile: str, compare: Sequence[str]) -> dict[str, str]:
    """The analysts' pages the issue's targets name: one municipality's profile and a comparison."""
    return {"profile": f"/municipalities/{profile}", "compare": "/compare?" + urlencode([("m", c) for c in compare])}


def page_latencies(server: Server, pages: dict[str, str], repetitions: int, cap_s: float, timeout_s: float) -> dict:
    results: dict = {}
    with httpx.Client(base_url=server.base, timeout=timeout_s) as client:
        for name, path in pages.items():
            for label, accept in PAGE_FORMATS.items():
                results[f"{name} {label}"] = {"path": path, **_latency(
                    client, lambda: client.get(path, headers={"Accept": accept}), repetitions, cap_s)}
    return results


def dereference_latencies(server: Server, paths: Sequence[str], repetitions: int, cap_s: float,
                          timeout_s: float) -> dict:
    """One request at a time, a different sampled deployment each time: Turtle (and HTML on our server)."""
    formats = {"Turtle": TURTLE, "HTML": "text/html"} if server.kind == "dge-graph" else {"Turtle": TURTLE}
    results: dict = {}
    with httpx.Client(base_url=server.base, timeout=timeout_s) as client:
        for label, accept in formats.items():
            following = _cycled(paths)
            results[label] = _latency(client, lambda: client.get(following(), headers={"Accept": accept}),
                                      repetitions, cap_s)
    return results


def dereference_paths(server_kind: str, deployments: Sequence[str], public_base: str) -> list[str]:
    if server_kind == "dge-graph":
        return ["/" + iri[len(public_base):] for iri in deployments]
    return ["/query?" + urlencode({"query": f"DESCRIBE <{iri}>"}, quote_via=quote) for iri in deployments]


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Accept"] = "text/turtle"})
end
done = function(summary, latency, requests)
  io.write(string.format('WRK-JSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, '
    .. '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def load_with_wrk(server: Server, paths: Sequence[str], *, connections: int, duration_s: int) -> dict:
    lua = WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration_s}s", "--timeout", "10s",
                               "-s", script.name, server.base + "/"],
                              capture_output=True, text=True, timeout=duration_s + 60)
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk reported nothing: {done.stdout[-500:]} {done.stderr[-500:]}")
    raw = json.loads(line[len("WRK-JSON "):])
    seconds = raw["duration_us"] / 1e6
    return {"tool": "wrk", "connections": connections, "requests": raw["requests"], "seconds": round(seconds, 2),
            "requests_per_s": round(raw["requests"] / seconds, 1), "errors": raw["errors"] + raw["non2xx"],
            "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000}


def load_with_threads(server: Server, paths: Sequence[str], *, connections: int, duration_s: int,
                      max_requests: int = 20_000) -> dict:
    """Fallback without wrk: ``connections`` threads, at most ``max_requests`` requests, at most ``duration_s``."""
    deadline = time.monotonic() + duration_s
    latencies: list[float] = []
    errors = 0

    def worker(offset: int) -> tuple[list[float], int]:
        mine, failed = [], 0
        with httpx.Client(base_url=server.base, timeout=10, headers={"Accept": TURTLE}) as client:
            index = offset
            while time.monotonic() < deadline and index < max_requests:
                start = time.perf_counter()
                try:
                    ok = client.get(paths[index % len(paths)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - start)
                failed += not ok
                index += connections
        return mine, failed

    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        for mine, failed in pool.map(worker, range(connections)):
            latencies += mine
            errors += failed
    seconds = time.perf_counter() - start
    return {"tool": "httpx-threads", "connections": connections, "requests": len(latencies),
            "seconds": round(seconds, 2), "requests_per_s": round(len(latencies) / seconds, 1), "errors": errors,
            "p50_ms": round(percentile(latencies, 50) * 1000, 2), "p95_ms": round(percentile(latencies, 95) * 1000, 2)}


def dereference_load(server: Server, paths: Sequence[str], *, connections: int, duration_s: int) -> dict:
    if shutil.which("wrk"):
        return load_with_wrk(server, paths, connections=connections, duration_s=duration_s)
    return load_with_threads(server, paths, connections=connections, duration_s=duration_s)


class _Profiler:
    """``py-spy record`` attached to a running server and its worker processes while a phase runs (or nothing)."""

    def __init__(self, pid: int, profile_to: Path | None):
        self.process = None
        py_spy = Path(sys.executable).with_name("py-spy")  # the bench extra's, beside this interpreter
        if profile_to is not None and py_spy.exists():
            profile_to.parent.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen(
                [str(py_spy), "record", "--format", "raw", "--nonblocking", "--subprocesses", "-r", "20", "-p",
                 str(pid), "-o", str(profile_to)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> _Profiler:
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def measure_server(kind: str, store_dir: Path, cases: Sequence[QueryCase], deployments: Sequence[str], *,
                   public_base: str, repetitions: int, cap_s: float, timeout_s: float, connections: int,
                   duration_s: int, log: Callable[[str], None], pages: dict[str, str] | None = None,
                   deref_repetitions: int = 50, query_budget_s: float | None = None,
                   profile_prefix: Path | None = None) -> dict:
    """``profile_prefix``: profile the dereference and page phases of our server with py-spy, to
    ``<prefix>-dereference.txt`` and ``<prefix>-pages.txt``."""
    server = start_server(kind, store_dir, timeout_s=timeout_s)

    def profiled(phase: str) -> _Profiler:
        target = None
        if profile_prefix is not None and kind == "dge-graph":
            target = profile_prefix.with_name(f"{profile_prefix.name}-{phase}.txt")
        return _Profiler(server.running.process.pid, target)

    try:
        time.sleep(1.0)
        result: dict = {"rss_at_rest_mb": rss_mb(server.running.process.pid)}
        paths = dereference_paths(kind, deployments, public_base)
        log(f"    {kind}: up on {server.base}, {result['rss_at_rest_mb']} MB at rest; dereference latency ...")
        with profiled("dereference"):
            result["dereference_latency"] = dereference_latencies(server, paths, deref_repetitions, cap_s, timeout_s)
        if kind == "dge-graph" and pages:
            log(f"    {kind}: pages ...")
            with profiled("pages"):
                result["pages"] = page_latencies(server, pages, repetitions, cap_s, timeout_s)
        log(f"    {kind}: queries ...")
        result["queries"] = query_latencies(server, cases, repetitions, cap_s, timeout_s, query_budget_s)
        with httpx.Client(base_url=server.base, timeout=timeout_s) as client:
            start = time.perf_counter()
            try:
                status = client.get(paths[0], headers={"Accept": TURTLE}).status_code
            except httpx.TimeoutException:
                status = None
            first_s = time.perf_counter() - start
        if status is None:
            log(f"    {kind}: one dereference takes more than {timeout_s:.0f} s; no load test")
            result["dereference"] = {"first_status": None, "timeout_s": timeout_s, "requests_per_s": 0.0}
        else:
            log(f"    {kind}: dereference load ({connections} connections, {duration_s} s; first answer {status} "
                f"in {first_s:.2f} s) ...")
            result["dereference"] = {**dereference_load(server, paths, connections=connections,
                                                        duration_s=duration_s),
                                     "first_status": status, "first_seconds": round(first_s, 3)}
        result["rss_after_load_mb"] = rss_mb(server.running.process.pid)
        return result
    finally:
        server.stop()
