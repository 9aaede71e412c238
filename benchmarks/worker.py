"""``python -m benchmarks.worker STAGE JSON``: run one stage in this (fresh) process and print its result."""

from __future__ import annotations

import json
import sys

from .measure import RESULT_MARKER
from .stages import run_stage


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.worker STAGE JSON-PARAMETERS", file=sys.stderr)
        return 2
    result = run_stage(argv[0], json.loads(argv[1]))
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
