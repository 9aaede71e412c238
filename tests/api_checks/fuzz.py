"""Fuzz the HTTP API from its OpenAPI spec with schemathesis: no request may get a 5xx.

Serves the project graph (with a validation report) on 127.0.0.1 and a free port, runs ``schemathesis run`` against
``/openapi.json`` with the ``not_a_server_error`` check, a bounded number of examples per operation, a fixed seed
and a time budget, then stops the server by PID. Any 5xx fails the run (a generated query slow enough for the 503
time limit would too: none has been). Needs the ``fuzz`` extra (``make fuzz`` installs it).

    python tests/api_checks/fuzz.py [--max-examples 30] [--max-time 300] [--seed 20261123] [--no-token]

By default the server gets a random update token and schemathesis sends it, so SPARQL Update and the Graph Store
Protocol are fuzzed too (on a temporary copy of the graph).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import served_project  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--max-time", type=int, default=300, help="time budget of the whole run in seconds")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--no-token", action="store_true",
                        help="serve without an update token (writes all answer 403) instead of fuzzing them too")
    args = parser.parse_args(argv)
    token = None if args.no_token else secrets.token_urlsafe(16)
    binary = Path(sys.executable).parent / "schemathesis"
    found = str(binary) if binary.exists() else shutil.which("schemathesis")
    if not found:
        print("fuzz: schemathesis is missing: pip install -e '.[fuzz]'", file=sys.stderr)
        return 2
    with served_project(timeout_s=5.0, update_token=token) as base:
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
        if token:  # the server is a throw-away copy of the project graph: let the fuzzer write to it too
            command += ["--header", f"Authorization: Bearer {token}"]
        completed = subprocess.run(command)
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
