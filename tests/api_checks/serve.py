"""A real dge-graph server for the out-of-suite checks (``make screenshot``, ``make fuzz``).

``served_project()`` builds the project graph into a temporary store, stores a validation report
(``dge-graph validate``), starts ``dge-graph serve`` on 127.0.0.1 and a free port, yields its base URL, and stops it
by PID. Nothing leaves the machine: the server binds to the loopback interface only.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        port = free_port()
        env = dict(os.environ)
        env.pop("DGE_UPDATE_TOKEN", None)
        command = [cli, "serve", "--store", store, "--port", str(port), "--host", "127.0.0.1", "-q",
                   "--timeout-s", str(timeout_s)]
        if update_token:
            command += ["--update-token", update_token]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dge-graph serve did not start: {process.stderr.read().decode()[:2000]}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
