"""Headless Debian chromium driven over the DevTools protocol (websocket-client), for
the browser tests (test_viz.py, test_site_browser.py): start it, talk to a page, read
its console errors and network events. Tests skip when /usr/bin/chromium is absent."""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (run scripts/ci-system-deps.sh)",
)


def chromium_args(user_dir: Path) -> list[str]:
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={user_dir}",
        "--window-size=1200,800",
    ]


class DevTools:
    """A minimal DevTools-protocol client for one page target."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def _recv(self) -> dict:
        msg = json.loads(self.ws.recv())
        if msg.get("method") == "Page.javascriptDialogOpening":
            self.events.append(msg)
            raise AssertionError(f"the page opened a dialog: {msg['params']}")
        return msg

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg = self._recv()
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)
        raise AssertionError(f"no answer to {method}")

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._recv()
            self.events.append(msg)
            if msg.get("method") == event:
                return msg
        raise AssertionError(f"no {event} within {timeout}s")

    def js(self, expr: str):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def errors(self) -> list[dict]:
        out = []
        for m in self.events:
            meth, p = m.get("method"), m.get("params", {})
            if (
                meth == "Runtime.exceptionThrown"
                or (meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"))
                or (meth == "Log.entryAdded" and p["entry"].get("level") == "error")
            ):
                out.append(m)
        return out

    def close(self) -> None:
        self.ws.close()


@contextlib.contextmanager
def chromium(
    tmp_path: Path, domains: tuple[str, ...] = ("Page", "Runtime", "Log")
) -> Iterator[DevTools]:
    """A headless Chromium with remote debugging on a free loopback port, its first page
    target connected and the DevTools `domains` enabled."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (run scripts/ci-system-deps.sh)")
    user = tmp_path / "chromium-profile"
    proc = subprocess.Popen(
        [
            *chromium_args(user),
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = user / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        for _ in range(100):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages:
                break
            time.sleep(0.1)
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        for domain in domains:
            tools.call(f"{domain}.enable")
        yield tools
        tools.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
