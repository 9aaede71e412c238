"""A real dge-graph server for the out-of-suite checks (``make screenshot``, ``make fuzz``).

``served_down_store()`` serves a store that is down: a remote store on a loopback port where nothing listens, so
every store call fails (the routes must answer 502/503, never 500).

``served_project()`` builds the project graph into a temporary store, stores a validation report
(``dge-graph validate``), starts ``dge-graph serve`` on 127.0.0.1 and a free port, yields its base URL, and stops it
by PID. Nothing leaves the machine: the server binds to the loopback interface only.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the local_server helper
from local_server import ASK_PROBE, dge_graph_serve_command, free_port, running_server

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def served_project(*, timeout_s: float = 10.0, update_token: str | None = None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="dge-serve-") as tmp:
        store = str(Path(tmp) / "store")
        cli = str(BIN / "dge-graph")
        subprocess.run([cli, "build", "--store", store, "-q"], check=True)
        validated = subprocess.run([cli, "validate", "--store", store, "-q", "--format", "csv"],
                                   stdout=subprocess.DEVNULL)
        if validated.returncode not in (0, 1):
            raise RuntimeError(f"dge-graph validate failed with exit code {validated.returncode}")
        env = dict(os.environ)
        env.pop("DGE_UPDATE_TOKEN", None)
        extra = ["--timeout-s", str(timeout_s)] + (["--update-token", update_token] if update_token else [])
        with running_server(lambda port: dge_graph_serve_command(store, port, *extra), "/sparql",
                            probe_params=ASK_PROBE, ready_timeout_s=60, env=env, name="dge-graph serve") as base:
            yield base


@contextlib.contextmanager
def served_down_store(*, timeout_s: float = 5.0, update_token: str | None = None) -> Iterator[str]:
    store = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    env = dict(os.environ)
    env.pop("DGE_UPDATE_TOKEN", None)
    extra = ["--timeout-s", str(timeout_s)] + (["--update-token", update_token] if update_token else [])
    with running_server(lambda port: dge_graph_serve_command(store, port, *extra), "/openapi.json",
                        ready_timeout_s=60, env=env, name="dge-graph serve (store down)") as base:
        yield base
