"""Page layout in a real browser (issue 16 item 6): at 1280 px the editor's result table and its toolbar lie inside
the editor's column with every column visible; at 1280 px and at a phone's width (390 px) no page is wider than
the window. Headless Chromium loads a probe page of the test server that frames the real page (same origin),
measures it with the DOM's own geometry and writes the measurements into its body; ``--dump-dom`` returns them.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from html import unescape
from urllib.parse import quote

import pytest
import uvicorn
from analytics_support import validated_fixture_store
from fastapi.responses import HTMLResponse

from dge_graph.api import create_app
from dge_graph.kernel.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (apt-get install -y chromium)")

PROBE = """<!DOCTYPE html><html><body><iframe id="f" style="border:0" width="{width}" height="900"></iframe>
<script>
var frame = document.getElementById("f");
frame.src = {target};
function measure() {{
  var d = frame.contentDocument, w = frame.contentWindow, out = {{}};
  out.viewport = w.innerWidth;
  out.scrollWidth = d.documentElement.scrollWidth;
  out.overflowing = Array.from(d.querySelectorAll("body *")).filter(function (e) {{
    return e.getBoundingClientRect().right > w.innerWidth + 1 && !e.closest(".table-scroll, table"); }})
    .slice(-3).map(function (e) {{ return e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right); }});
  var table = d.querySelector("#yasgui .yasr_results table");
  if (table) {{
    var box = d.querySelector("#yasgui").getBoundingClientRect();
    out.editor = {{left: box.left, right: box.right}};
    out.table = {{left: table.getBoundingClientRect().left, right: table.getBoundingClientRect().right}};
    out.headers = Array.from(table.querySelectorAll("thead th")).map(function (th) {{
      var r = th.getBoundingClientRect(); return {{left: r.left, right: r.right}}; }});
    var controls = d.querySelector("#yasgui .tableControls");
    out.controls = controls ? controls.getBoundingClientRect().right : null;
  }}
  document.body.setAttribute("data-measured", JSON.stringify(out));
}}
frame.onload = function () {{ setTimeout(measure, {wait}); }};
</script></body></html>"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    app = create_app(Settings(store=str(tmp_path_factory.mktemp("unused-store"))), store=validated_fixture_store())

    @app.get("/_layout-probe", include_in_schema=False)
    async def probe(target: str, width: int, wait: int = 300) -> HTMLResponse:  # test-only route
        return HTMLResponse(PROBE.format(target=json.dumps(target), width=width, wait=wait))

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def measure(base_url: str, path: str, width: int, wait: int = 300) -> dict:
    url = f"{base_url}/_layout-probe?target={quote(path, safe='')}&width={width}&wait={wait}"
    profile = f"/tmp/dge-layout-probe-{threading.get_ident()}-{width}"
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             f"--user-data-dir={profile}", "--window-size=1400,1000",
                             "--virtual-time-budget=10000", "--dump-dom", url],
                            capture_output=True, text=True, timeout=120)
    found = re.search(r'data-measured="([^"]*)"', result.stdout)
    assert found, f"the probe measured nothing for {path}: {result.stderr[-500:]}"
    return json.loads(unescape(found.group(1)))


def test_editor_result_table_and_toolbar_stay_inside_the_editor_at_1280(base_url):
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
    found = measure(base_url, f"/editor?query={quote(query)}&run=1", 1280, wait=4000)
    assert "table" in found, "the editor showed no result table"
    editor, table = found["editor"], found["table"]
    assert editor["left"] - 1 <= table["left"] <= editor["left"] + 40  # starts at the editor's left edge
    assert table["right"] <= editor["right"] + 1  # not clipped
    assert found["headers"] and all(h["right"] <= editor["right"] + 1 for h in found["headers"])  # every column
    assert found["controls"] is not None and found["controls"] <= editor["right"] + 1  # the toolbar is visible
    assert found["scrollWidth"] <= found["viewport"]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", ["/?lang=nl", "/check?lang=nl", "/check?lang=en", "/municipalities?lang=nl",
                                  "/municipalities/GM0363?lang=nl", "/compare?m=GM0363&m=GM0392",
                                  "/queries?lang=nl", "/queries/municipality-measures?lang=nl", "/editor"])
def test_no_page_is_wider_than_the_window(base_url, path, width):
    found = measure(base_url, path, width)
    assert found["scrollWidth"] <= found["viewport"], found
