"""Local server processes for the tests, page checks, conformance runner and benchmarks.

One way to do it everywhere: take a free port on the loopback interface, start the server process on it, poll a
probe URL until it answers 200 (or the process dies, or a deadline passes), and stop the process by its PID.
Only 127.0.0.1 is ever used.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
ASK_PROBE = {"query": "ASK {}"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def venv_binary(name: str) -> str:
    """A console script installed beside the running Python (``dge-graph``, ``oxigraph``)."""
    return str(Path(sys.executable).parent / name)


def oxigraph_serve_command(location: str | Path, port: int, *, timeout_s: float | None = None) -> list[str]:
    """``oxigraph serve`` with the union default graph, as the project's stores use it."""
    command = [venv_binary("oxigraph"), "serve", "--location", str(location), "--bind", f"{LOOPBACK}:{port}",
               "--union-default-graph"]
    if timeout_s is not None:
        command += ["--timeout-s", str(max(1, round(timeout_s)))]
    return command


def dge_graph_serve_command(store: str | Path, port: int, *extra: str) -> list[str]:
    """``dge-graph serve`` on the loopback interface."""
    return [venv_binary("dge-graph"), "serve", "--store", str(store), "--host", LOOPBACK, "--port", str(port),
            "--quiet", *extra]


class ServerDidNotStart(RuntimeError):
    """The server process exited, or did not answer its probe in time."""


@dataclass
class ServerProcess:
    process: subprocess.Popen
    port: int

    @property
    def base(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        """Terminate the process by its PID (kill it if it does not stop within 10 s)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(command_for_port: Callable[[int], Sequence[str]], probe_path: str, *,
                 probe_params: dict | None = None, ready_timeout_s: float = 120, env: dict | None = None,
                 name: str = "server") -> ServerProcess:
    """Start ``command_for_port(port)`` on a free port and wait until ``GET probe_path`` answers 200."""
    port = free_port()
    process = subprocess.Popen(list(command_for_port(port)), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    server = ServerProcess(process, port)
    deadline = time.monotonic() + ready_timeout_s
    with httpx.Client(timeout=2) as client:
        while True:
            if process.poll() is not None:
                raise ServerDidNotStart(f"{name} exited with {process.returncode}: {process.stderr.read()[-2000:]}")
            try:
                if client.get(server.base + probe_path, params=probe_params or {}).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise ServerDidNotStart(f"{name} did not answer within {ready_timeout_s:.0f} s")
            time.sleep(0.1)


@contextmanager
def running_server(command_for_port: Callable[[int], Sequence[str]], probe_path: str, **options) -> Iterator[str]:
    """``start_server`` as a context manager that yields the base URL and stops the server at the end."""
    server = start_server(command_for_port, probe_path, **options)
    try:
        yield server.base
    finally:
        server.stop()
