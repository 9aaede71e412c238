"""Progress messages for long work, on standard error (so standard output stays machine-readable)."""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Progress:
    """Prints ``[i/n] message`` lines with elapsed time; silent when ``quiet``."""

    quiet: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    _start: float = field(default_factory=time.perf_counter)

    def step(self, message: str, index: int | None = None, total: int | None = None) -> None:
        if self.quiet:
            return
        counter = f"[{index}/{total}] " if index is not None and total is not None else ""
        elapsed = time.perf_counter() - self._start
        print(f"{counter}{message} ({elapsed:.1f}s)", file=self.stream, flush=True)

    def done(self, message: str) -> None:
        self.step(message)


def silent() -> Progress:
    return Progress(quiet=True)


def peak_memory_mb() -> float:
    """The largest resident set this process has had so far, in MB (Linux reports ``ru_maxrss`` in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def byte_progress(progress: Progress, label: str):
    """A ``(bytes read, size)`` callback printing ``label: 40% of 412 MB`` lines through ``progress``."""

    def report(done: int, size: int) -> None:
        share = f"{100 * done / size:.0f}%" if size else "100%"
        progress.step(f"{label}: {share} of {size / 1e6:,.0f} MB read")

    return report
