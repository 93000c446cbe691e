"""A real Dask LocalCluster and the small photos the cluster tests convert."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import distributed

from conftest import TESTDATA

FLOWER = TESTDATA / "jxl/flower/flower.png"


@contextlib.contextmanager
def local_cluster(workers: int = 2, *, processes: bool = True) -> Iterator[distributed.Client]:
    """A client of a new LocalCluster of single-threaded workers (processes by default)."""
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


def small_photos(folder: Path, count: int) -> list[Path]:
    """`count` different 400x300 crops of the flower photo, as PNG files."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(FLOWER) as image:
        rgb = image.convert("RGB")
    paths = []
    for index in range(count):
        left, top = (index * 37) % (rgb.width - 400), (index * 23) % (rgb.height - 300)
        path = folder / f"photo{index:02d}.png"
        rgb.crop((left, top, left + 400, top + 300)).save(path, compress_level=1)
        paths.append(path)
    return paths


def wait_until_idle(client: distributed.Client, timeout: float = 60) -> None:
    """Waits until no worker runs a task (cancelled tasks finish their file first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = client.run(lambda dask_worker: dask_worker.state.executing_count)
        if not any(busy.values()):
            return
        time.sleep(0.1)
    raise TimeoutError(f"workers still busy after {timeout} s")
