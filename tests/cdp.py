"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (stdlib only),
for the browser test of the generated docs: open a page in headless Chromium, collect the
console messages, exceptions and failed loads, read the page's text, take a screenshot.

The pipe (file descriptors 3 and 4 of the browser, JSON messages ended by NUL) needs no
websocket client and no port; Chromium's own process messages on stderr are ignored.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]


class Browser:
    def __init__(self, executable: str, user_data_dir: str, timeout: float = 60.0):
        to_child_r, self._w = os.pipe()
        self._r, from_child_w = os.pipe()
        # above 4, so that placing them at 3 and 4 in the child cannot clobber one another
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child_r, from_child_w)]
        for fd in (to_child_r, from_child_w):
            os.close(fd)

        def wire():  # the browser reads commands on fd 3 and writes replies on fd 4
            os.dup2(high[0], 3)  # dup2 makes them inheritable; the rest close on exec
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={user_data_dir}",
             "--window-size=1000,1400", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire)
        for fd in high:
            os.close(fd)
        self.timeout = timeout
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from the browser")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 16)
                if not chunk:
                    raise ConnectionError("the browser closed the pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            e = self._read_message(deadline)
            if e.get("method") == method:
                return e
            self.events.append(e)

    def open(self, url: str) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired")
        return Page(self, session)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, TimeoutError, ConnectionError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def evaluate(self, expression: str):
        res = self.browser.send("Runtime.evaluate", {"expression": expression,
                                                     "returnByValue": True}, self.session)
        return res["result"].get("value")

    def set_width(self, width: int, height: int = 900) -> None:
        """Lay the page out as on a screen `width` CSS pixels wide (a phone: 390)."""
        self.browser.send("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": height, "deviceScaleFactor": 1,
                           "mobile": True}, self.session)

    def emulate_media(self, media: str) -> None:
        """Apply the stylesheet for `media` ('print', or '' for the screen)."""
        self.browser.send("Emulation.setEmulatedMedia", {"media": media}, self.session)

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and failed loads of this page."""
        out = []
        for e in self.browser.events:
            if e.get("sessionId") != self.session:
                continue
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning", "assert"):
                out.append(f"console.{p['type']}: "
                           + " ".join(str(a.get("value", a.get("description")))
                                      for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('text')}")
            elif m == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
                out.append(f"log {p['entry']['level']}: {p['entry']['text']} "
                           f"({p['entry'].get('url', '')})")
            elif m == "Network.loadingFailed":
                out.append(f"failed to load: {p.get('errorText')} ({p.get('requestId')})")
        return out

    def screenshot(self, path: str) -> None:
        data = self.browser.send("Page.captureScreenshot", {"format": "png",
                                                            "captureBeyondViewport": True},
                                 self.session)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))
