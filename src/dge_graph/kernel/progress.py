"""Progress messages for long work, on standard error (so standard output stays machine-readable)."""

from __future__ import annotations

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
