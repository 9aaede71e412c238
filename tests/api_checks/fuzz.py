"""Fuzz the HTTP API from its OpenAPI spec with schemathesis: no request may get a 5xx.

Serves the project graph (with a validation report) on 127.0.0.1 and a free port, runs ``schemathesis run`` against
``/openapi.json`` with the ``not_a_server_error`` check, a bounded number of examples per operation, a fixed seed
and a time budget, then stops the server by PID. Any 5xx fails the run (a generated query slow enough for the 503
time limit would too: none has been). Needs the ``fuzz`` extra (``make fuzz`` installs it).

    python tests/api_checks/fuzz.py [--max-examples 30] [--max-time 300] [--seed 20261123] [--no-token] [--store-down]

``--store-down`` serves a store that is down (a remote store where nothing listens): every route must then answer
502/503 or a 4xx, never another 5xx, so the ``not_a_server_error`` check is given 502 and 503 as expected
(check ``no_unexpected_server_error`` in ``fuzz_hooks.py``; with the store up every 5xx fails).

By default the server gets a random update token and schemathesis sends it, so SPARQL Update and the Graph Store
Protocol are fuzzed too (on a temporary copy of the graph).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import served_down_store, served_project  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--max-time", type=int, default=300, help="time budget of the whole run in seconds")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--no-token", action="store_true",
                        help="serve without an update token (writes all answer 403) instead of fuzzing them too")
    parser.add_argument("--store-down", action="store_true", help="serve a store that is down (every call fails)")
    args = parser.parse_args(argv)
    token = None if args.no_token else secrets.token_urlsafe(16)
    binary = Path(sys.executable).parent / "schemathesis"
    found = str(binary) if binary.exists() else shutil.which("schemathesis")
    if not found:
        print("fuzz: schemathesis is missing: pip install -e '.[fuzz]'", file=sys.stderr)
        return 2
    serving = served_down_store if args.store_down else served_project
    with serving(timeout_s=10.0, update_token=token) as base:
        command = [
            found, "run", f"{base}/openapi.json",
            "--checks", "no_unexpected_server_error",
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
        env = dict(os.environ, SCHEMATHESIS_HOOKS="fuzz_hooks",
                   DGE_FUZZ_ALLOWED_5XX="502,503" if args.store_down else "",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                            os.environ.get("PYTHONPATH")])))
        completed = subprocess.run(command, env=env)
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
