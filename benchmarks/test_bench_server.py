"""Load test of `attention-jxl serve`: closed-loop clients at 2x and 10x its capacity.

The server (a real uvicorn subprocess on 127.0.0.1) has 2 native slots and a
queue of 2: its capacity is 4 requests in flight. Each client sends POST
/center with a 640x427 JPEG again as soon as it is answered, for DURATION
seconds. Every answer must be 200 or 503 (with Retry-After); the server's
resident memory is sampled throughout and must stay bounded. There is no
peer service to run side by side: the figures are the service's own, and
one client alone gives the latency without contention.
"""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from conftest import FLOWER, note

SLOTS, QUEUE = 2, 2
CAPACITY = SLOTS + QUEUE
DURATION = 20.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.fixture(scope="module")
def server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "attention_jxl", "serve", "--port", str(port),
         "--max-concurrency", str(SLOTS), "--max-queue", str(QUEUE)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, process
    process.terminate()
    process.wait(20)


@pytest.fixture(scope="module")
def body() -> bytes:
    with Image.open(FLOWER) as image:
        out = io.BytesIO()
        image.convert("RGB").resize((640, 427)).save(out, format="JPEG", quality=85)
        return out.getvalue()


async def load(url: str, body: bytes, clients: int) -> tuple[Counter, list[float], list[float]]:
    statuses: Counter = Counter()
    ok, refused = [], []
    stop = time.monotonic() + DURATION
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        async def one_client() -> None:
            while time.monotonic() < stop:
                start = time.perf_counter()
                answer = await client.post("/center", content=body)
                seconds = time.perf_counter() - start
                statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    ok.append(seconds)
                else:
                    assert answer.headers.get("retry-after"), answer.text
                    refused.append(seconds)
        await asyncio.gather(*[one_client() for _ in range(clients)])
    return statuses, ok, refused


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


@pytest.mark.parametrize("clients", [1, 2 * CAPACITY, 10 * CAPACITY],
                         ids=["one client", "2x capacity", "10x capacity"])
def test_load(server, body, clients: int) -> None:
    url, process = server
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_mib(process.pid))
            time.sleep(0.1)

    before = rss_mib(process.pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        statuses, ok, refused = asyncio.run(load(url, body, clients))
    finally:
        done.set()
        sampler.join()
    assert process.poll() is None, "the server died"
    assert set(statuses) <= {200, 503}, statuses
    total = sum(statuses.values())
    note(f"load of {clients} client(s) ({SLOTS} slots + {QUEUE} queued, "
         f"POST /center 640x427 JPEG, {DURATION:.0f} s): {total} requests, "
         f"{statuses[200]} x 200 ({statuses[200] / DURATION:.1f}/s), {statuses[503]} x 503; "
         f"200s p50 {percentile(ok, 50):.0f} ms p99 {percentile(ok, 99):.0f} ms; "
         f"503s p50 {percentile(refused, 50):.0f} ms p99 {percentile(refused, 99):.0f} ms; "
         f"server RSS {before:.0f} MiB before, peak {max(samples):.0f} MiB")
    assert max(samples) < before + 200, "server memory grew with the load"
