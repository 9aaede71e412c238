"""Screenshot check of the analysts' pages: serve the analytics fixture graph, open the profile and comparison pages
(nl and en) in headless Chromium, and check that each page rendered its charts and that its CSV is a plain table.

    python tests/api_checks/screenshot_analytics.py [--out var/screenshots] [--chromium chromium]

Exit code 0 when every page has its SVG charts in the rendered DOM and a non-trivial PNG; 1 otherwise; 2 when
Chromium is missing (``apt-get install -y chromium``). Used by ``make screenshot-analytics``.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import uvicorn

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the local_server helper
from local_server import free_port

from dge_graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is tests/api_checks/…)
FIXTURE = ROOT / "tests" / "fixtures" / "analytics" / "graph.trig"
PAGES = (
    ("profile-GM0344-nl", "/municipalities/GM0344?lang=nl", 4),
    ("profile-GM0363-en", "/municipalities/GM0363?lang=en", 4),
    ("compare-en", "/compare?m=GM0363&m=GM0344&m=GM0307&lang=en", 3),
    ("compare-nl", "/compare?m=GM0363&m=GM0392&lang=nl", 3),
)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")


def chromium(binary: str, profile: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "")
    args = parser.parse_args(argv)
    if not args.chromium:
        print("chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)

    sys.path.insert(0, str(ROOT / "tests"))
    from analytics_support import validated_fixture_store

    store = validated_fixture_store()  # the analytics fixture with the result of validate
    port = free_port()
    app = create_app(Settings.from_env(store=":memory:", port=port), store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.1)

    failures = []
    try:
        with tempfile.TemporaryDirectory() as profile:
            for name, path, charts_expected in PAGES:
                url = base + path
                dom = chromium(args.chromium, profile, "--dump-dom", url).stdout
                charts = dom.count('class="pygal-chart"')
                png = args.out / f"{name}.png"
                chromium(args.chromium, profile, f"--screenshot={png}", "--window-size=1280,2600", url)
                size = png.stat().st_size if png.exists() else 0
                with urllib.request.urlopen(url + "&format=csv") as response:
                    rows = list(csv.reader(io.StringIO(response.read().decode("utf-8"))))
                widths = {len(row) for row in rows}
                ok = charts >= charts_expected and size > 30_000 and len(rows) > 2 and len(widths) == 1
                print(f"{'ok ' if ok else 'FAIL'} {name}: {charts} charts in the DOM, {png} {size} bytes, "
                      f"CSV {len(rows)} rows x {widths}")
                if not ok:
                    failures.append(name)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
