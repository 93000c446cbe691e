"""The HTTP service: a real uvicorn server on 127.0.0.1 in a subprocess, driven with httpx."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import numpy as np
import pytest
from PIL import Image

import attention_jxl
from browser import Chromium, find_chromium
from conftest import TESTDATA

FLOWER_PNG = TESTDATA / "jxl/flower/flower.png"
FLOWER_JPEG = TESTDATA / "jxl/flower/flower.png.im_q85_420.jpg"


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(*flags: str) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "attention_jxl", "serve", "--host", "127.0.0.1", "--port",
         str(port), *flags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stdout.read().decode()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not answer /healthz within 60 s")


def stop_server(server: Server) -> str:
    server.process.terminate()
    try:
        output, _ = server.process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        output, _ = server.process.communicate()
    return output.decode(errors="replace")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server("--max-concurrency", "2")
    yield running
    output = stop_server(running)
    assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def tight() -> Iterator[Server]:
    """One slot, one waiting request, small bodies and images."""
    running = start_server("--max-concurrency", "1", "--max-queue", "1", "--max-body-bytes",
                           "3000000", "--max-pixels", "4000000")
    yield running
    stop_server(running)


def png_bytes(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def test_health_and_metrics(server: Server) -> None:
    with server.client() as client:
        assert client.get("/healthz").json()["status"] == "ok"
        client.post("/center", content=FLOWER_PNG.read_bytes())
        text = client.get("/metrics").text
    for name in ("attention_jxl_requests_total", "attention_jxl_request_seconds_bucket",
                 "attention_jxl_queue_depth", "attention_jxl_running",
                 "attention_jxl_rejections"):
        assert name in text
    assert 'attention_jxl_requests_total{endpoint="/center",status="200"}' in text


def test_encode_is_center_first_at_the_predicted_center(server: Server) -> None:
    data = FLOWER_PNG.read_bytes()
    with server.client() as client:
        answer = client.post("/encode", content=data, params={"effort": 3, "distance": 2})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jxl"
    x, y = map(int, answer.headers["x-attention-center"].split(","))
    pixels = np.asarray(Image.open(FLOWER_PNG).convert("RGB"))
    assert (x, y) == attention_jxl.center(pixels)
    info = attention_jxl.probe(answer.content)
    gx, gy = info.first_group
    assert info.center_first and gx <= x < gx + 256 and gy <= y < gy + 256
    assert attention_jxl.decode(answer.content).shape == pixels.shape


def test_jpeg_is_recompressed_and_served_back_byte_for_byte(server: Server) -> None:
    jpeg = FLOWER_JPEG.read_bytes()
    with server.client() as client:
        jxl = client.post("/encode", content=jpeg, params={"center": "100,80"}).content
        assert client.post("/probe", content=jxl).json()["jpeg_reconstruction"] is True
        back = client.post("/jpeg", content=jxl)
    assert back.headers["content-type"] == "image/jpeg" and back.content == jpeg


def test_center_saliency_and_crop(server: Server) -> None:
    data = FLOWER_PNG.read_bytes()
    pixels = np.asarray(Image.open(FLOWER_PNG).convert("RGB"))
    with server.client() as client:
        found = client.post("/center", content=data).json()
        heat = client.post("/center", content=data, params={"format": "png"})
        values = client.post("/saliency", content=data).json()
        crop = client.post("/crop", content=data, params={"width": 300, "height": 200})
    assert found["center"] == list(attention_jxl.center(pixels))
    expected = attention_jxl.saliency(pixels)
    assert heat.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(heat.content)).size == expected.shape[::-1]
    assert np.allclose(np.array(values["saliency"]), expected, atol=1e-4)
    assert Image.open(io.BytesIO(crop.content)).size == (300, 200)
    assert len(crop.headers["x-attention-box"].split(",")) == 4


@pytest.mark.parametrize("path, body, params, status, match", [
    ("/encode", b"plain text", {}, 415, "unsupported media type"),
    ("/center", b"\xff\x0a" + bytes(40), {}, 415, "JPEG XL"),
    ("/encode", b"", {}, 400, "empty body"),
    ("/encode", b"\x89PNG\r\n\x1a\n" + bytes(30), {}, 400, "PNG"),
    ("/encode", b"\xff\xd8\xff" + bytes(30), {}, 400, ""),
    ("/encode", b"x", {"effort": "fast"}, 400, "effort must be a int"),
    ("/encode", b"x", {"center": "middle"}, 400, "center must be"),
    ("/crop", b"x", {}, 400, "width and height"),
    ("/jpeg", b"x", {}, 415, "JPEG XL"),
])
def test_bad_requests_get_json_errors(server: Server, path, body, params, status, match) -> None:
    with server.client() as client:
        answer = client.post(path, content=body, params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert match in answer.json()["error"] and "Traceback" not in answer.text


def test_a_png_file_has_no_jpeg_to_rebuild(server: Server) -> None:
    with server.client() as client:
        jxl = client.post("/encode", content=png_bytes(np.zeros((40, 40, 3), np.uint8)),
                          params={"effort": 1}).content
        answer = client.post("/jpeg", content=jxl)
    assert answer.status_code == 400 and "no JPEG reconstruction data" in answer.json()["error"]


def test_unknown_path_and_method(server: Server) -> None:
    with server.client() as client:
        assert client.get("/nothing").status_code == 404
        assert client.get("/encode").status_code == 405
        assert client.get("/nothing").json()["status"] == 404


def test_body_and_pixel_limits(tight: Server) -> None:
    with tight.client() as client:
        big_body = client.post("/encode", content=bytes(3_000_001))
        huge = client.post("/center", content=png_bytes(np.zeros((2100, 2000), np.uint8)))
        streamed = client.post("/encode", content=iter([bytes(1_000_000)] * 4))
    assert big_body.status_code == 413 and "limit" in big_body.json()["error"]
    assert huge.status_code == 413 and "pixels" in huge.json()["error"]
    assert streamed.status_code == 413


def test_a_full_queue_answers_503_with_retry_after(tight: Server) -> None:
    data = png_bytes(np.asarray(Image.open(FLOWER_PNG).convert("RGB"))[:700, :900])

    async def flood() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=tight.url, timeout=120) as client:
            return await asyncio.gather(*[client.post("/encode", content=data,
                                                      params={"effort": 3})
                                          for _ in range(8)])

    answers = asyncio.run(flood())
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) == {200, 503}, statuses
    refused = next(answer for answer in answers if answer.status_code == 503)
    assert refused.headers["retry-after"] == "1" and "overloaded" in refused.json()["error"]
    with tight.client() as client:
        metrics = client.get("/metrics").text
    assert 'attention_jxl_rejections_total{reason="overloaded"}' in metrics


def test_request_timeout_answers_503() -> None:
    server = start_server("--timeout", "0.05", "--max-concurrency", "1")
    try:
        with server.client() as client:
            answer = client.post("/encode", content=FLOWER_PNG.read_bytes())
            assert answer.status_code == 503 and "timed out" in answer.json()["error"]
            assert client.get("/healthz").status_code == 200
    finally:
        stop_server(server)


def test_cli_refuses_bad_limits() -> None:
    result = subprocess.run([sys.executable, "-m", "attention_jxl", "serve", "--timeout", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "request_timeout" in result.stderr


def test_chromium_shows_an_image_the_service_encoded(server: Server) -> None:
    executable = find_chromium()
    if executable is None:
        pytest.skip(reason="chromium not installed (Debian package chromium)")
    pixels = np.zeros((96, 128, 3), np.uint8)
    pixels[:, :64] = (200, 30, 30)
    pixels[:, 64:] = (30, 30, 200)
    source = base64.b64encode(png_bytes(pixels)).decode()
    script = f"""(async () => {{
        const png = Uint8Array.from(atob("{source}"), c => c.charCodeAt(0));
        const answer = await fetch("/encode?effort=3&lossless=true", {{method: "POST",
                                                                     body: png}});
        const image = document.createElement("img");
        image.src = URL.createObjectURL(await answer.blob());
        document.body.appendChild(image);
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
        const context = canvas.getContext("2d");
        context.drawImage(image, 0, 0);
        const left = Array.from(context.getImageData(10, 10, 1, 1).data);
        const right = Array.from(context.getImageData(100, 10, 1, 1).data);
        return JSON.stringify({{type: answer.headers.get("content-type"),
                               width: image.naturalWidth, height: image.naturalHeight,
                               left, right}});
    }})()"""
    with Chromium(executable) as browser:
        browser._call("Page.navigate", {"url": f"{server.url}/healthz"}, page=True)
        time.sleep(1)
        result = browser._call("Runtime.evaluate", {"expression": script, "awaitPromise": True,
                                                    "returnByValue": True}, page=True)
    value = result.get("result", {}).get("value")
    if value is None:
        details = result.get("exceptionDetails", {})
        if "decode" in json.dumps(details):
            pytest.skip(reason=f"{browser.version} does not decode JPEG XL: {details}")
        pytest.fail(f"chromium failed: {details}")
    shown = json.loads(value)
    assert shown["type"] == "image/jxl" and (shown["width"], shown["height"]) == (128, 96)
    assert shown["left"][:3] == [200, 30, 30] and shown["right"][:3] == [30, 30, 200]
