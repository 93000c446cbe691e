"""A real browser painting partial JPEG XL downloads.

`ImageServer` serves a page that shows one image at its natural size, and the
image's first N bytes under a Content-Length of the whole file; then it holds
the connection open, so the browser believes the rest is on its way and
paints what it has, as it would on a slow network. `Chromium` drives headless
Chromium over the DevTools protocol and screenshots the image once its paint
has stopped changing.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

BACKGROUND = (255, 0, 255)  # magenta: a colour no photo here has whole areas of
# Blink repaints an image that is still downloading at most once a second
# (ImageResource's kFlushDelay): bytes arriving after the first ones can take
# this long to show.
FLUSH_DELAY = 1.0
# The first write of an image's bytes, and the pause before the rest.
HEAD_BYTES = 256
HEAD_PAUSE = 0.1
# Screenshots larger than this many pixels are watched at a smaller scale:
# a full-size PNG of a 4-megapixel page takes Chromium over a second.
PROBE_PIXELS = 512 * 512
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The Chromium executable: $ATTENTION_JXL_CHROMIUM, else the first one on PATH."""
    chosen = os.environ.get("ATTENTION_JXL_CHROMIUM")
    if chosen:
        return chosen
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


class BrowserError(RuntimeError):
    """The browser or the server did not do what was waited for in time."""


@dataclass
class _Image:
    data: bytes
    width: int
    height: int


@dataclass
class _Request:
    """One visit's image download: its prefix sent, then held until released."""

    sent: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class ImageServer:
    """HTTP on 127.0.0.1 serving /page/<key>?bytes=N&n=<visit> and /img/<key>?bytes=N&n=<visit>."""

    def __init__(self) -> None:
        self._images: dict[str, _Image] = {}
        self._requests: dict[str, _Request] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._visits = itertools.count()
        server = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1, so that a body shorter than its Content-Length reads
            # as "still arriving", not as the end of the file.
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True, name="ImageServer")
        self._thread.start()

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, key: str, data: bytes, width: int, height: int) -> None:
        """Serves `data`, a `width` x `height` image, under `key`."""
        with self._lock:
            self._images[key] = _Image(bytes(data), width, height)

    def image(self, key: str) -> tuple[int, int, int]:
        """Width, height and byte count of image `key`."""
        image = self._images[key]
        return image.width, image.height, len(image.data)

    def visit(self, key: str, size: int) -> tuple[str, _Request]:
        """A fresh URL of the page showing `key` cut to `size` bytes, and its download."""
        if key not in self._images:
            raise KeyError(f"no image {key!r} on the server")
        # A new URL per visit: the browser must not reuse an earlier
        # download or decoded image of the same bytes.
        visit = str(next(self._visits))
        request = _Request()
        with self._lock:
            self._requests[visit] = request
        return f"{self.origin}/page/{key}?bytes={size}&n={visit}", request

    def close(self) -> None:
        self._closing.set()  # ends every held download
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = parse_qs(url.query)
        kind, _, key = url.path.strip("/").partition("/")
        image = self._images.get(key)
        if kind not in ("page", "img") or image is None:
            handler.send_error(404)
            return
        size = max(0, min(int(query.get("bytes", [len(image.data)])[0]), len(image.data)))
        visit = query.get("n", [""])[0]
        if kind == "page":
            body = self._html(key, size, visit, image).encode()
            self._headers(handler, "text/html; charset=utf-8", len(body))
            handler.wfile.write(body)
            return
        with self._lock:
            request = self._requests.pop(visit, None) or _Request()
        self._headers(handler, "image/jxl", len(image.data))
        self._send(handler, image.data[:size])
        request.sent.set()
        if size < len(image.data):
            self._hold(handler, request)

    def _send(self, handler: BaseHTTPRequestHandler, data: bytes) -> None:
        # Two writes, so that what Chromium paints does not depend on where
        # the network happens to cut the bytes. It does: sent in one write,
        # the same prefix sometimes stayed painted short of what had arrived,
        # for good (2 of 8 visits; none of 60 with two writes). The first
        # write holds the image header (of a file without a large ICC
        # profile), so Blink knows the size, updates the image at once with
        # it, and then takes the rest in as a whole at its next flush.
        handler.wfile.write(data[:HEAD_BYTES])
        handler.wfile.flush()
        if len(data) > HEAD_BYTES:
            time.sleep(HEAD_PAUSE)
            handler.wfile.write(data[HEAD_BYTES:])
            handler.wfile.flush()

    def _hold(self, handler: BaseHTTPRequestHandler, request: _Request) -> None:
        """Leaves the response unfinished until released, the server closes or the browser
        hangs up."""
        connection = handler.connection
        while not (request.released.is_set() or self._closing.is_set()):
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable:
                try:
                    if not connection.recv(4096):
                        break
                except OSError:
                    break
        handler.close_connection = True

    @staticmethod
    def _headers(handler: BaseHTTPRequestHandler, content_type: str, length: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(length))
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()

    @staticmethod
    def _html(key: str, size: int, visit: str, image: _Image) -> str:
        # width and height are the natural size: the layout, and with it the
        # screenshot's clip, is fixed before a single pixel has arrived.
        red, green, blue = BACKGROUND
        return (
            "<!doctype html><html><head><meta charset=utf-8><style>"
            f"html,body{{margin:0;padding:0;background:rgb({red},{green},{blue})}}"
            "img{display:block}</style></head><body>"
            f'<img src="/img/{key}?bytes={size}&n={visit}" '
            f"width={image.width} height={image.height}></body></html>"
        )


Box = tuple[int, int, int, int]  # x, y, width, height in image pixels


class Chromium:
    """Headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, executable: str, *, timeout: float = 30.0,
                 extra_args: Sequence[str] = ()) -> None:
        import websocket

        self.timeout = timeout
        self._ids = itertools.count(1)
        self._socket: Any = None
        self._events: deque[dict[str, Any]] = deque()
        self._profile = Path(tempfile.mkdtemp(prefix="attention-jxl-chromium-"))
        # A file, not a pipe: nothing reads Chromium's chatter while it runs,
        # and a full pipe would stall it.
        self._log = open(self._profile / "stderr.log", "wb")  # noqa: SIM115
        # setpriv: should this process die without closing it (SIGKILL, a
        # crash), the kernel ends Chromium too instead of leaving it behind.
        # (The death is of the thread that starts it: start it from one that
        # lives as long as it.)
        setpriv = shutil.which("setpriv")
        guard = [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []
        self._process = subprocess.Popen(
            [*guard, executable, "--headless=new", "--remote-debugging-port=0",
             f"--user-data-dir={self._profile / 'profile'}", "--no-sandbox", "--disable-gpu",
             "--window-size=2600,2000", "--hide-scrollbars", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--mute-audio",
             # Screenshots then hold the decoded sRGB values, whatever display
             # profile the machine has.
             "--force-color-profile=srgb",
             # A headless page is never visible; it must still paint at once.
             "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
             "--disable-backgrounding-occluded-windows",
             *extra_args, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
            start_new_session=True)
        try:
            self._socket = websocket.create_connection(self._browser_url(), timeout=timeout,
                                                       suppress_origin=True)
            self.version: str = self._call("Browser.getVersion")["product"]
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session: str = self._call(
                "Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", page=True)
            self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, page=True)
        except BaseException:
            self.close()
            raise

    def _browser_url(self) -> str:
        """The browser's DevTools WebSocket, from the file Chromium writes once it listens."""
        active = self._profile / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited with status {self._process.returncode} "
                                   f"before opening DevTools; its stderr ends:\n"
                                   f"{self.log()[-3000:]}")
            lines = active.read_text().splitlines() if active.is_file() else []
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise BrowserError(f"timed out after {self.timeout:.0f} s waiting for chromium to "
                           f"write {active}; its stderr ends:\n{self.log()[-3000:]}")

    def _receive(self, what: str, deadline: float) -> dict[str, Any]:
        """The next message from Chromium; `what` names what it is waited for."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BrowserError(f"timed out after {self.timeout:.0f} s waiting for {what}")
        self._socket.settimeout(remaining)
        try:
            return json.loads(self._socket.recv())
        except Exception as error:
            raise BrowserError(f"no {what}: {error!r}") from error

    def _call(self, method: str, params: dict[str, Any] | None = None, *,
              page: bool = False) -> dict[str, Any]:
        """Sends one DevTools command (to the page when `page`) and returns its result."""
        message: dict[str, Any] = {"id": next(self._ids), "method": method,
                                   "params": params or {}}
        if page:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(f"answer from chromium to {method}", deadline)
            if "method" in reply:
                self._events.append(reply)
                continue
            if reply.get("id") != message["id"]:
                continue  # the answer to a command given up on
            if "error" in reply:
                raise BrowserError(f"chromium refused {method}: {reply['error']}")
            return reply.get("result", {})

    def _wait_for_event(self, method: str, what: str, timeout: float,
                        accept: Callable[[dict[str, Any]], bool]) -> None:
        """Waits for the page's event `method` whose params `accept`, dropping earlier ones."""
        deadline = time.monotonic() + timeout
        while True:
            while self._events:
                event = self._events.popleft()
                if event["method"] == method and accept(event.get("params", {})):
                    return
            message = self._receive(what, deadline)
            if "method" in message:
                self._events.append(message)

    def _capture(self, box: Box, scale: float = 1.0) -> str:
        """A PNG (base64) of `box` of the page as it is painted now, scaled by `scale`."""
        x, y, width, height = box
        return self._call("Page.captureScreenshot", {
            "format": "png", "optimizeForSpeed": True, "captureBeyondViewport": False,
            "clip": {"x": x, "y": y, "width": width, "height": height, "scale": scale}},
            page=True)["data"]

    def _settled(self, box: Box, what: str, start: float, timeout: float) -> str:
        """A screenshot of `box` once two in a row are equal.

        A big box is watched through cheap scaled-down screenshots, which
        still show any repaint of what a flush brings (whole 256x256 groups,
        or the whole DC image), and taken at full size once two agree, then
        checked once more.
        """
        scale = min(1.0, math.sqrt(PROBE_PIXELS / (box[2] * box[3])))
        previous = None
        while True:
            probe = self._capture(box, scale)
            if probe == previous:
                if scale == 1.0:
                    return probe
                shot = self._capture(box)
                if self._capture(box, scale) == probe:
                    return shot
                probe = None
            if time.monotonic() > start + timeout:
                raise BrowserError(f"timed out after {timeout:.0f} s waiting for the "
                                   f"paint of {what} to settle (two equal screenshots in "
                                   f"a row)")
            previous = probe

    def _decoded(self, what: str) -> None:
        """Waits until the page's image has decoded completely."""
        result = self._call("Runtime.evaluate", {
            "expression": "document.images[0].decode().then(() => '', String)",
            "awaitPromise": True, "returnByValue": True}, page=True)
        problem = result.get("result", {}).get("value")
        if problem != "":
            raise BrowserError(f"chromium did not decode {what}: "
                               f"{problem or result.get('exceptionDetails')}")

    def show(self, server: ImageServer, key: str, size: int, *, box: Box | None = None,
             settle: float = 0.3, timeout: float = 30.0) -> np.ndarray:
        """What the browser paints of image `key` when only its first `size` bytes came.

        Returns `box` of the image (all of it by default) as HxWx3 uint8, once
        the paint has settled: for the whole file, once the image has decoded
        and `settle` seconds later; for a prefix, `FLUSH_DELAY` + `settle`
        seconds after the server sent it; then until two screenshots in a
        row are equal.
        """
        from PIL import Image

        width, height, total = server.image(key)
        box = box or (0, 0, width, height)
        # One CSS pixel per device pixel, and the viewport is the image.
        self._call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            page=True)
        url, request = server.visit(key, size)
        what = f"image {key!r} cut to {size} of {total} bytes"
        try:
            start = time.monotonic()
            self._events.clear()
            frame = self._call("Page.navigate", {"url": url}, page=True)
            if "errorText" in frame:
                raise BrowserError(f"chromium could not open {url}: {frame['errorText']}")
            # Screenshots are only possible once the new page is in place:
            # wait until its HTML is parsed (which does not wait for images).
            self._wait_for_event(
                "Page.lifecycleEvent", f"chromium to show the page of {what}", timeout,
                lambda event: event.get("name") == "DOMContentLoaded"
                and event.get("loaderId") == frame.get("loaderId"))
            if not request.sent.wait(max(0.0, start + timeout - time.monotonic())):
                raise BrowserError(f"timed out after {timeout:.0f} s waiting for chromium to "
                                   f"request {what}")
            if size >= total:
                self._decoded(what)
                earliest = time.monotonic() + settle
            else:
                earliest = time.monotonic() + FLUSH_DELAY + settle
            time.sleep(max(0.0, earliest - time.monotonic()))
            shot = self._settled(box, what, start, timeout)
        finally:
            # Chromium keeps an unfinished image download open even after the
            # page is left; six of them would use up its connections to the
            # server, and the next page would never load.
            request.released.set()
        with Image.open(io.BytesIO(base64.b64decode(shot))) as image:
            pixels = np.asarray(image.convert("RGB"))
        if pixels.shape[:2] != (box[3], box[2]):
            raise BrowserError(f"the screenshot of {what} is {pixels.shape[1]}x"
                               f"{pixels.shape[0]}, not the {box[2]}x{box[3]} asked for")
        return pixels

    def log(self) -> str:
        """What Chromium has written to stderr."""
        return (self._profile / "stderr.log").read_text(errors="replace")

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._call("Browser.close")
            except BrowserError:
                pass  # gone already; the process is ended below anyway
            self._socket.close()
            self._socket = None
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        # Chromium started in a session of its own: its process group is it
        # and its helpers (zygote, renderer, ...), which leave a moment after
        # it. Nothing of it may outlive the tests.
        deadline = time.monotonic() + 5
        while _group_alive(self._process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(self._process.pid):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
