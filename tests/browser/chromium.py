"""Headless Chromium for the browser checks: one browser process driven over the DevTools protocol (a websocket;
``websockets`` in the test extra), and ``--print-to-pdf`` for PDFs.

``Browser.open(url, width, height)`` loads a page at a window width (1280 px, a phone's 390 px) and returns a
``Page`` to evaluate JavaScript in and to take a PNG screenshot of. The browser is started on the loopback interface
with a throw-away profile and stopped by its PID.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from websockets.sync.client import connect

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--disable-extensions", "--remote-debugging-address=127.0.0.1")


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Page:
    def __init__(self, socket):
        self._socket = socket
        self._ids = itertools.count(1)

    def call(self, method: str, timeout_s: float = 60.0, **params):
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout_s
        while True:
            message = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_for(self, event: str, timeout_s: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            message = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("method") == event:
                return message.get("params", {})

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout_s: float = 30.0) -> bool:
        """Poll a JavaScript condition (scripts that render after the load event, e.g. YASGUI's result table)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.evaluate(f"Boolean({expression})"):
                return True
            time.sleep(0.25)
        return False

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    def __init__(self, binary: str):
        self.binary = binary
        self._profile = tempfile.TemporaryDirectory(prefix="dge-chromium-")
        self._process = subprocess.Popen(
            [binary, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={self._profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        active = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not active.is_file() or not active.read_text().strip():
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.close()
                raise RuntimeError(f"{binary} did not start its DevTools endpoint")
            time.sleep(0.1)
        self.endpoint = f"http://127.0.0.1:{active.read_text().split()[0]}"

    def open(self, url: str, width: int, height: int = 900, *, mobile: bool = False) -> Page:
        target = httpx.put(f"{self.endpoint}/json/new?about:blank", timeout=30).json()
        stack = contextlib.ExitStack()
        socket = stack.enter_context(connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=30))
        page = Page(socket)
        page.closing = stack
        page.target_id = target["id"]
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=mobile)
        page.call("Page.navigate", url=url)
        page.wait_for("Page.loadEventFired", timeout_s=120)
        return page

    def close_page(self, page: Page) -> None:
        try:
            httpx.get(f"{self.endpoint}/json/close/{page.target_id}", timeout=10)
        finally:
            page.closing.close()

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._profile.cleanup()


def print_to_pdf(binary: str, url: str, pdf: Path, *, timeout_s: float = 180.0) -> Path:
    """``chromium --headless --print-to-pdf`` (the print CSS decides the page size and margins; no browser header or
    footer: the page's own running header is what is checked)."""
    with tempfile.TemporaryDirectory(prefix="dge-chromium-pdf-") as profile:
        subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        "--virtual-time-budget=20000", f"--print-to-pdf={pdf}", url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout_s, check=True)
    return pdf
