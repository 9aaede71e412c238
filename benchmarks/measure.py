"""Small statistics and process helpers shared by the harness: percentiles, medians, peak memory, workers."""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULT_MARKER = "BENCH-RESULT "


class WorkerError(RuntimeError):
    """A benchmark worker process failed; the message carries its stage and the tail of its stderr."""

    def __init__(self, message: str, *, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    """Latencies of repeated calls, in milliseconds."""

    p50_ms: float
    p95_ms: float
    n: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(round(percentile(ms, 50), 3), round(percentile(ms, 95), 3), len(ms))

    def as_dict(self) -> dict:
        return asdict(self)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def repeat_timed(call: Callable[[], Any], repetitions: int, *, warmup: int = 1,
                 cap_s: float | None = None) -> tuple[list[float], Any]:
    """Time ``call`` ``repetitions`` times after ``warmup`` untimed calls; stop early once ``cap_s`` is spent.

    When the warm-up alone takes ``cap_s`` or more, its last call is the one sample (a slow query is not run twice
    more just to be timed)."""
    value = None
    for _ in range(warmup):
        seconds, value = timed(call)
        if cap_s is not None and seconds >= cap_s:
            return [seconds], value
    samples: list[float] = []
    spent = 0.0
    for _ in range(repetitions):
        seconds, value = timed(call)
        samples.append(seconds)
        spent += seconds
        if cap_s is not None and spent >= cap_s:
            break
    return samples, value


def paired_timed(ours: Callable[[], Any], baseline: Callable[[], Any], repetitions: int, *,
                 cap_s: float | None = None) -> tuple[tuple[list[float], Any], tuple[list[float], Any]]:
    """Time ``ours`` and ``baseline`` alternately (one warm-up each, then ours, baseline, ours, …), so that neither
    gets the other's warm caches or a quieter moment; each stops once it has spent ``cap_s`` (a warm-up that alone
    takes ``cap_s`` is that side's one sample)."""
    sides = [ours, baseline]
    samples: list[list[float]] = [[], []]
    values: list[Any] = [None, None]
    spent = [0.0, 0.0]
    done = [False, False]
    for index, call in enumerate(sides):
        seconds, values[index] = timed(call)
        if cap_s is not None and seconds >= cap_s:
            samples[index], done[index] = [seconds], True
    for _ in range(repetitions):
        for index, call in enumerate(sides):
            if done[index]:
                continue
            seconds, values[index] = timed(call)
            samples[index].append(seconds)
            spent[index] += seconds
            done[index] = cap_s is not None and spent[index] >= cap_s
        if all(done):
            break
    return (samples[0], values[0]), (samples[1], values[1])


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb(pid: int) -> float | None:
    """Current resident memory of a process, from /proc (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def directory_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


PY_SPY_RATE_HZ = 20
"""Samples per second when a worker runs under ``py-spy record`` (low, so the figures stay those of the stage)."""


def run_worker(stage: str, params: Mapping[str, Any], *, timeout_s: float, log: Callable[[str], None],
               profile_to: Path | None = None) -> dict:
    """Run ``benchmarks.worker <stage>`` in a fresh interpreter and return the JSON it reports; with ``profile_to``,
    under ``py-spy record`` writing collapsed stacks there (``python -m benchmarks.profile_summary`` reads them)."""
    command = [sys.executable, "-m", "benchmarks.worker", stage, json.dumps(dict(params))]
    if profile_to is not None:
        profile_to.parent.mkdir(parents=True, exist_ok=True)
        command = [str(Path(sys.executable).with_name("py-spy")), "record", "--format", "raw", "--nonblocking",
                   "-r", str(PY_SPY_RATE_HZ), "-o", str(profile_to), "--", *command]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    # its own process group: on a time-out the worker goes with py-spy (which does not pass a kill on to it)
    worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    try:
        stdout, stderr = worker.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.communicate()
        raise WorkerError(f"stage {stage}: no result within {timeout_s:.0f} s", timed_out=True) from exc
    for line in stderr.splitlines():
        log(f"    [{stage}] {line}")
    results = [line[len(RESULT_MARKER):] for line in stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if worker.returncode != 0 or not results:
        tail = "\n".join(stderr.splitlines()[-15:])
        raise WorkerError(f"stage {stage} failed (exit {worker.returncode}):\n{tail}")
    return json.loads(results[-1])
