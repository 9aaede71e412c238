# Fixtures of the browser checks, imported by test_pages.py (not a conftest.py: a second module named
# "conftest" would shadow tests/conftest.py for the tests that import helpers from it).
"""Fixtures of the browser checks (``make screenshot``; marked ``browser``, so ``make test`` runs without Chromium):
the project graph built and validated twice (an earlier evaluation date, then today: the council report has a
previous run to compare with), served by ``dge-graph serve`` on 127.0.0.1; one headless Chromium; the folder the
screenshots and PDFs go to (``$DGE_SCREENSHOTS``, else var/screenshots)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from chromium import Browser, chromium_binary
from local_server import ASK_PROBE, dge_graph_serve_command, running_server, venv_binary

ROOT = Path(__file__).resolve().parents[2]
EARLIER = "2025-06-01"
TODAY = "2026-12-01"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = chromium_binary()
    if not found:
        pytest.fail("the browser checks need headless Chromium: apt-get install -y chromium (make chromium)")
    return found


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    out = Path(os.environ.get("DGE_SCREENSHOTS", ROOT / "var" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("browser-store") / "store"
    cli = venv_binary("dge-graph")
    subprocess.run([cli, "build", "--store", str(store), "-q"], check=True)
    for day in (EARLIER, TODAY):
        done = subprocess.run([cli, "validate", "--store", str(store), "-q", "--date", day, "--format", "csv"],
                              stdout=subprocess.DEVNULL)
        assert done.returncode in (0, 1), f"dge-graph validate --date {day} failed with {done.returncode}"
    env = dict(os.environ)
    env.pop("DGE_UPDATE_TOKEN", None)
    with running_server(lambda port: dge_graph_serve_command(store, port, "--timeout-s", "120"), "/sparql",
                        probe_params=ASK_PROBE, ready_timeout_s=60, env=env, name="dge-graph serve") as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium_path):
    instance = Browser(chromium_path)
    try:
        yield instance
    finally:
        instance.close()
