"""Ctrl-C during `encode_files`: complete outputs only, every one reported, no threads left.

A batch interrupted at any point must leave each output either absent or
complete (no temporary files), report every output it wrote, and stop its
worker threads (the Python pool and libjxl's native workers alike) once the
interrupt has gone through or the caller has closed the generator.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import attention_jxl
from conftest import TESTDATA

FILES = 12
FLOWER = TESTDATA / "jxl/flower/flower.png"  # 2268x1512: about 0.4 s a file at e3
SMALL = TESTDATA / "external/wesaturate/500px/u76c0g_bliznaca_srgb8.png"


def inputs(tmp_path: Path, source: Path, count: int = FILES) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(count):
        shutil.copy(source, folder / f"photo{index:02d}{source.suffix}")
    return folder


def threads_now() -> tuple[list[str], int]:
    """Python threads by name, and how many threads the process has (libjxl's too).

    The count is read once it has not changed for 0.2 s: a thread that was
    joined is still listed for a moment while the system tears it down.
    """
    count, same_since = -1, time.monotonic()
    deadline = same_since + 10
    while time.monotonic() < deadline:
        now = len(os.listdir("/proc/self/task"))
        if now != count:
            count, same_since = now, time.monotonic()
        elif time.monotonic() - same_since >= 0.2:
            break
        time.sleep(0.01)
    return sorted(thread.name for thread in threading.enumerate()), count


def check_outputs(out: Path, records: list[dict[str, Any]], shape: tuple[int, ...]) -> int:
    """Only complete .jxl files, each reported; returns how many there are."""
    names = sorted(os.listdir(out))
    written = [name for name in names if name.endswith(".jxl") and not name.startswith(".")]
    assert names == written, "temporary files left behind"
    for name in written:
        assert attention_jxl.decode((out / name).read_bytes()).shape == shape
    reported = sorted(Path(r["output"]).name for r in records if r["status"] == "ok")
    assert reported == written
    return len(written)


@pytest.fixture
def warm_threads(tmp_path: Path) -> tuple[list[str], int]:
    """The process's threads once a first batch has loaded the model and its pool."""
    warm = tmp_path / "warm"
    warm.mkdir()
    list(attention_jxl.encode_files([inputs(warm, SMALL, 2)], warm / "out", jobs=2, effort=1))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    return threads_now()


def interrupt_main_in(seconds: float) -> threading.Timer:
    """Sends SIGINT to the main thread, as Ctrl-C would, after `seconds`."""
    timer = threading.Timer(seconds, signal.pthread_kill,
                            (threading.main_thread().ident, signal.SIGINT))
    timer.start()
    return timer


def wait_until_quiet(out: Path, quiet: float = 0.5, limit: float = 60) -> None:
    """Waits until no new output has appeared for `quiet` seconds."""
    deadline, count, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = len(list(out.glob("*.jxl")))
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.02)


# The library in a process of its own, interrupted by a real SIGINT from outside
# while its main thread iterates over the batch.
CHILD = r"""
import json, os, sys, threading, time
import attention_jxl

def threads_now():  # as in the test module
    count, same_since = -1, time.monotonic()
    while time.monotonic() - same_since < 0.2:
        now = len(os.listdir("/proc/self/task"))
        if now != count:
            count, same_since = now, time.monotonic()
        time.sleep(0.01)
    return sorted(t.name for t in threading.enumerate()), count

source, out, warm = sys.argv[1:4]
warm_up = [source + "/photo00.png", source + "/photo01.png"]
list(attention_jxl.encode_files(warm_up, warm, jobs=2, effort=1))  # the model and its pool
before = threads_now()
records = []
print("started", flush=True)
try:
    for record in attention_jxl.encode_files([source], out, jobs=2, effort=3):
        records.append(record)
    interrupted = False
except KeyboardInterrupt:
    interrupted = True
print(json.dumps({"interrupted": interrupted, "records": records, "before": before,
                  "after": threads_now()}))
"""


def test_sigint_while_a_library_caller_iterates(tmp_path: Path) -> None:
    source, out = inputs(tmp_path, FLOWER), tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(source), str(out),
                                str(tmp_path / "warm")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "started\n", process.communicate()
    deadline = time.monotonic() + 120
    while not list(out.glob("*.jxl")) and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    result = json.loads(stdout)
    assert result["interrupted"]
    assert result["after"] == result["before"]  # the pool and libjxl's threads are gone
    assert 1 <= check_outputs(out, result["records"], (1512, 2268, 3)) < FILES


def test_ctrl_c_forwarded_into_the_batch(tmp_path: Path,
                                         warm_threads: tuple[list[str], int]) -> None:
    """The command line's way: Ctrl-C lands in the caller's code, which throws it in.

    The caller is slow on the first record, so several files finish at once;
    Ctrl-C comes while it handles the next one. The batch must still report
    every file it wrote (those finished together included), then re-raise.
    """
    out = tmp_path / "out"
    records = attention_jxl.encode_files([inputs(tmp_path, SMALL)], out, jobs=2, effort=3)
    received: list[dict[str, Any]] = []
    timers: list[threading.Timer] = []
    with pytest.raises(KeyboardInterrupt):
        for record in records:
            received.append(record)
            try:
                if len(received) == 1:
                    wait_until_quiet(out)
                elif len(received) == 2:
                    timers.append(interrupt_main_in(0.05))
                    time.sleep(60)  # the caller's slow work, cut short by Ctrl-C
            except KeyboardInterrupt:
                received.append(records.throw(KeyboardInterrupt))
    assert len(timers) == 1
    timers[0].join()
    assert 3 <= check_outputs(out, received, (500, 500, 3)) < FILES
    assert threads_now() == warm_threads


def test_caller_stops_early_and_closes(tmp_path: Path,
                                       warm_threads: tuple[list[str], int]) -> None:
    """Ctrl-C in the caller's code, not passed on: closing the batch stops it."""
    out = tmp_path / "out"
    records: Iterator[dict[str, Any]] = attention_jxl.encode_files(
        [inputs(tmp_path, SMALL)], out, jobs=2, effort=3)
    received: list[dict[str, Any]] = []
    timers: list[threading.Timer] = []
    with pytest.raises(KeyboardInterrupt):
        for record in records:
            received.append(record)
            timers.append(interrupt_main_in(0.05))
            time.sleep(60)  # the caller's own work, cut short by Ctrl-C
    timers[0].join()
    assert len(received) == 1
    records.close()  # waits for the files being written, starts no other
    assert threads_now() == warm_threads
    names = sorted(os.listdir(out))
    assert all(name.endswith(".jxl") and not name.startswith(".") for name in names)
    for name in names:
        assert attention_jxl.decode((out / name).read_bytes()).shape == (500, 500, 3)
    assert 1 <= len(names) < FILES
