"""Fuzz the HTTP API from its OpenAPI spec with schemathesis: no request may get a 5xx.

Serves the project graph (with a validation report) on 127.0.0.1 and a free port, runs ``schemathesis run`` against
``/openapi.json`` with the ``not_a_server_error`` check, a bounded number of examples per operation, a fixed seed
and a time budget, then stops the server by PID. Any 5xx fails the run (a generated query slow enough for the 503
time limit would too: none has been). Needs the ``fuzz`` extra (``make fuzz`` installs it).

    python tests/api_checks/fuzz.py [--max-examples 30] [--max-time 600] [--seed 20261123]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import served_project  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--max-time", type=int, default=900, help="time budget of the whole run in seconds")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    binary = Path(sys.executable).parent / "schemathesis"
    found = str(binary) if binary.exists() else shutil.which("schemathesis")
    if not found:
        print("fuzz: schemathesis is missing: pip install -e '.[fuzz]'", file=sys.stderr)
        return 2
    with served_project(timeout_s=5.0) as base:
        command = [
            found, "run", f"{base}/openapi.json",
            "--checks", "not_a_server_error",
            "--max-examples", str(args.max_examples),
            "--max-time", str(args.max_time),
            "--seed", str(args.seed),
            "--workers", "1",
            "--request-timeout", "30",
            "--phases", "examples,coverage,fuzzing",
            "--suppress-health-check", "all",
        ]
        completed = subprocess.run(command)
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
