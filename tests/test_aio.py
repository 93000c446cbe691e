"""attention_jxl.aio: the same results as serial calls, a free event loop, bounded backlog."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

import attention_jxl
from attention_jxl import aio
from conftest import TESTDATA

FLOWER_JPEG = TESTDATA / "jxl/flower/flower.png.im_q85_420.jpg"


def images(count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    result = []
    for index in range(count):
        height, width = 120 + 8 * (index % 5), 160 + 12 * (index % 7)
        image = np.zeros((height, width, 3), np.uint8)
        y, x = rng.integers(0, height - 20), rng.integers(0, width - 20)
        image[y : y + 20, x : x + 20] = 255  # a bright spot the model looks at
        result.append(image)
    return result


async def ticker(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


def test_64_concurrent_calls_match_serial_and_the_loop_stays_free() -> None:
    pictures = images(32)
    jpeg = FLOWER_JPEG.read_bytes()
    serial_centers = [attention_jxl.center(image) for image in pictures]
    serial_files = [attention_jxl.encode(image, center=(10, 10), effort=1) for image in pictures]
    serial_transcode = attention_jxl.transcode_jpeg(jpeg, center=(300, 200))

    async def main():
        runner = aio.Runner(max_concurrency=2, max_queue=64)
        stop, gaps = asyncio.Event(), []
        tick = asyncio.create_task(ticker(stop, gaps))
        calls = [aio.center(image, runner=runner) for image in pictures]
        calls += [aio.encode(image, center=(10, 10), effort=1, runner=runner)
                  for image in pictures]
        results = await asyncio.gather(*calls)
        transcoded = await aio.transcode_jpeg(jpeg, center=(300, 200), runner=runner)
        rebuilt = await aio.reconstruct_jpeg(transcoded, runner=runner)
        decoded = await aio.decode(serial_files[0], runner=runner)
        reordered = await aio.reorder(serial_files[0], (100, 50), runner=runner)
        heat = await aio.saliency(pictures[0], runner=runner)
        stop.set()
        await tick
        assert runner.running == 0 and runner.waiting == 0
        return results, transcoded, rebuilt, decoded, reordered, heat, gaps

    results, transcoded, rebuilt, decoded, reordered, heat, gaps = asyncio.run(main())
    assert results[:32] == serial_centers
    assert results[32:] == serial_files
    assert transcoded == serial_transcode and rebuilt == jpeg
    assert np.array_equal(decoded, attention_jxl.decode(serial_files[0]))
    assert reordered == attention_jxl.reorder(serial_files[0], (100, 50))
    assert np.array_equal(heat, attention_jxl.saliency(pictures[0]))
    assert len(gaps) > 5 and max(gaps) < 0.05, f"the loop stalled {max(gaps) * 1000:.0f} ms"


def blocker() -> tuple[threading.Event, list[int], object]:
    release, started = threading.Event(), []

    def work(tag: int) -> int:
        started.append(tag)
        release.wait(10)
        return tag

    return release, started, work


def test_a_full_queue_is_refused_at_once() -> None:
    release, started, work = blocker()

    async def main():
        runner = aio.Runner(max_concurrency=2, max_queue=3)
        tasks = [asyncio.create_task(runner.run(work, tag)) for tag in range(5)]
        await asyncio.sleep(0.05)
        assert runner.running == 2 and runner.waiting == 3
        with pytest.raises(aio.OverloadedError, match="max_queue=3"):
            await runner.run(work, 99)
        assert runner.rejected == 1
        release.set()
        return await asyncio.gather(*tasks)

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
    assert 99 not in started


def test_timeout_while_waiting_never_starts_and_while_running_drops_the_result() -> None:
    release, started, work = blocker()

    async def main():
        runner = aio.Runner(max_concurrency=1, max_queue=4)
        running = asyncio.create_task(runner.run(work, 1, timeout=0.1))
        await asyncio.sleep(0.02)
        with pytest.raises(TimeoutError, match="did not start"):
            await runner.run(work, 2, timeout=0.05)
        with pytest.raises(TimeoutError, match="result is dropped"):
            await running
        assert runner.running == 1  # the call still runs and holds its slot
        waiting = asyncio.create_task(runner.run(work, 3))
        await asyncio.sleep(0.02)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        return await runner.run(lambda: "next", timeout=5)

    assert asyncio.run(main()) == "next"
    assert started == [1]


def test_one_runner_serves_successive_event_loops() -> None:
    runner = aio.Runner(max_concurrency=1)
    image = images(1)[0]
    first = asyncio.run(aio.center(image, runner=runner))
    second = asyncio.run(aio.center(image, runner=runner))
    assert first == second == attention_jxl.center(image)


def test_errors_come_through_and_free_the_slot() -> None:
    async def main():
        runner = aio.Runner(max_concurrency=1, max_queue=0)
        with pytest.raises(ValueError, match="signature"):
            await aio.decode(b"not jpeg xl", runner=runner)
        return runner.running

    assert asyncio.run(main()) == 0


def test_bad_limits() -> None:
    with pytest.raises(ValueError, match="max_queue"):
        aio.Runner(max_concurrency=1, max_queue=-1)
