"""asyncio API: the codec's native work off the event loop, with backpressure.

Every call runs in a bounded pool of threads (the native code releases the
GIL). At most ``max_concurrency`` calls run at once; up to ``max_queue`` more
wait for a slot, and a call beyond that raises `OverloadedError` at once
instead of letting the backlog (and the memory its inputs hold) grow.

``timeout`` covers waiting and running. A call that is cancelled or times out
while waiting never starts. Native work cannot be interrupted: once running, a
call finishes in its thread (keeping its slot until then) and its result is
dropped.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

import attention_jxl
from attention_jxl._codec import Center
from attention_jxl._model import Model

T = TypeVar("T")

#: Waiting calls allowed per running one by default.
DEFAULT_QUEUE_PER_SLOT = 32
#: How much lower the pool threads' CPU priority is than the event loop's
#: (Linux nice levels): with every core busy the loop still answers at once.
DEFAULT_NICENESS = 5


class OverloadedError(RuntimeError):
    """All slots are busy and the wait queue is full: retry later."""


class Runner:
    """A bounded pool for native calls: `max_concurrency` running, `max_queue` waiting.

    One runner may serve several event loops (each call waits on its own loop).
    """

    def __init__(self, max_concurrency: int | None = None, max_queue: int | None = None,
                 *, niceness: int = DEFAULT_NICENESS) -> None:
        """
        Args:
            max_concurrency: calls running at once; default one per core.
            max_queue: calls waiting for a slot; default
                ``DEFAULT_QUEUE_PER_SLOT * max_concurrency``. 0 rejects any
                call that finds every slot busy.
            niceness: added to the pool threads' nice level (and so to the
                libjxl threads they start) where the system has per-thread
                priorities (Linux); 0 leaves it.
        """
        self.max_concurrency = int(max_concurrency or os.cpu_count() or 1)
        if self.max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        self.max_queue = (DEFAULT_QUEUE_PER_SLOT * self.max_concurrency if max_queue is None
                          else int(max_queue))
        if self.max_queue < 0:
            raise ValueError(f"max_queue must be >= 0, got {max_queue}")
        self._lock = threading.Lock()
        self._running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._rejected = 0
        self._executor = ThreadPoolExecutor(self.max_concurrency,
                                            thread_name_prefix="attention-jxl-aio",
                                            initializer=_lower_priority, initargs=(niceness,))

    @property
    def running(self) -> int:
        """Calls holding a slot (running or about to)."""
        return self._running

    @property
    def waiting(self) -> int:
        """Calls waiting for a slot: the queue depth."""
        return len(self._waiters)

    @property
    def rejected(self) -> int:
        """Calls refused with `OverloadedError` so far."""
        return self._rejected

    async def run(self, function: Callable[..., T], /, *args: Any,
                  timeout: float | None = None, **kwargs: Any) -> T:
        """Runs ``function(*args, **kwargs)`` in the pool and returns its result.

        Raises:
            OverloadedError: every slot is busy and the queue is full.
            TimeoutError: `timeout` seconds passed (waiting, or running: then
                the call still finishes and its result is dropped).
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        await self._acquire(loop, timeout)
        try:
            work: Future[T] = self._executor.submit(function, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        # The slot frees when the work ends, even if nobody awaits it any more.
        work.add_done_callback(lambda _: self._release())
        waited = asyncio.shield(asyncio.wrap_future(work, loop=loop))
        if deadline is None:
            return await waited
        try:
            return await asyncio.wait_for(waited, max(deadline - loop.time(), 0))
        except asyncio.TimeoutError:
            raise TimeoutError(f"the call took more than {timeout} s; its result is "
                               "dropped when it finishes") from None

    async def _acquire(self, loop: asyncio.AbstractEventLoop, timeout: float | None) -> None:
        with self._lock:
            if self._running < self.max_concurrency and not self._waiters:
                self._running += 1
                return
            if len(self._waiters) >= self.max_queue:
                self._rejected += 1
                raise OverloadedError(
                    f"overloaded: {self._running} calls running and {len(self._waiters)} "
                    f"waiting (max_concurrency={self.max_concurrency}, "
                    f"max_queue={self.max_queue}); retry later")
            granted: asyncio.Future[None] = loop.create_future()
            self._waiters.append(granted)
        try:
            if timeout is None:
                await granted
            else:
                await asyncio.wait_for(granted, timeout)
        except BaseException as error:
            with self._lock:
                if granted in self._waiters:
                    self._waiters.remove(granted)
                    holds_slot = False
                else:  # handed a slot already; a cancelled hand-over passes it on itself
                    holds_slot = granted.done() and not granted.cancelled()
            if holds_slot:
                self._release()
            if isinstance(error, asyncio.TimeoutError):
                raise TimeoutError(f"waited more than {timeout} s for a free slot; the call "
                                   "did not start") from None
            raise

    def _release(self) -> None:
        with self._lock:
            if not self._waiters:
                self._running -= 1
                return
            granted = self._waiters.popleft()  # the slot passes straight to it
        granted.get_loop().call_soon_threadsafe(self._hand_over, granted)

    def _hand_over(self, granted: asyncio.Future[None]) -> None:
        if granted.done():  # cancelled meanwhile: the next waiter gets the slot
            self._release()
        else:
            granted.set_result(None)

    def shutdown(self) -> None:
        """Stops the threads once running calls end."""
        self._executor.shutdown(wait=False)


def _lower_priority(niceness: int) -> None:
    if niceness and sys.platform == "linux":
        try:  # on Linux a thread id names one thread
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        except OSError:
            pass  # a priority we may not set: run at the loop's


_default_runner: Runner | None = None
_default_lock = threading.Lock()


def default_runner() -> Runner:
    """The runner calls use without ``runner=``: one slot per core."""
    global _default_runner
    with _default_lock:
        if _default_runner is None:
            _default_runner = Runner()
        return _default_runner


def configure(max_concurrency: int | None = None, max_queue: int | None = None) -> Runner:
    """Replaces the default runner (calls already in the old one finish there)."""
    global _default_runner
    with _default_lock:
        _default_runner = Runner(max_concurrency, max_queue)
        return _default_runner


def _runner(runner: Runner | None) -> Runner:
    return runner if runner is not None else default_runner()


async def center(image: Any, *, orientation: int = 1, model: Model | None = None,
                 timeout: float | None = None, runner: Runner | None = None) -> tuple[int, int]:
    """`attention_jxl.center`, awaitable."""
    return await _runner(runner).run(attention_jxl.center, image, orientation=orientation,
                                     model=model, timeout=timeout)


async def saliency(image: Any, *, orientation: int = 1, model: Model | None = None,
                   size: tuple[int, int] | None = None, timeout: float | None = None,
                   runner: Runner | None = None) -> np.ndarray:
    """`attention_jxl.saliency`, awaitable."""
    return await _runner(runner).run(attention_jxl.saliency, image, orientation=orientation,
                                     model=model, size=size, timeout=timeout)


async def encode(image: Any, *, center: Center = "auto", threads: int = 1,
                 timeout: float | None = None, runner: Runner | None = None,
                 **options: Any) -> bytes:
    """`attention_jxl.encode`, awaitable; one encoder thread per call by default
    (the pool runs calls in parallel)."""
    return await _runner(runner).run(attention_jxl.encode, image, center=center,
                                     threads=threads, timeout=timeout, **options)


async def transcode_jpeg(data: bytes, *, center: Center = "auto", threads: int = 1,
                         timeout: float | None = None, runner: Runner | None = None,
                         **options: Any) -> bytes:
    """`attention_jxl.transcode_jpeg`, awaitable."""
    return await _runner(runner).run(attention_jxl.transcode_jpeg, data, center=center,
                                     threads=threads, timeout=timeout, **options)


async def reorder(data: bytes, center: Center = "auto", *, model: Model | None = None,
                  timeout: float | None = None, runner: Runner | None = None) -> bytes:
    """`attention_jxl.reorder`, awaitable."""
    return await _runner(runner).run(attention_jxl.reorder, data, center, model=model,
                                     timeout=timeout)


async def decode(data: bytes, *, partial: bool = False, threads: int = 1,
                 metadata: bool = False, timeout: float | None = None,
                 runner: Runner | None = None) -> Any:
    """`attention_jxl.decode`, awaitable."""
    return await _runner(runner).run(attention_jxl.decode, data, partial=partial,
                                     threads=threads, metadata=metadata, timeout=timeout)


async def reconstruct_jpeg(data: bytes, *, threads: int = 1, timeout: float | None = None,
                           runner: Runner | None = None) -> bytes:
    """`attention_jxl.reconstruct_jpeg`, awaitable."""
    return await _runner(runner).run(attention_jxl.reconstruct_jpeg, data, threads=threads,
                                     timeout=timeout)
