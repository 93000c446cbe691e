"""Cluster batches against the local batch on the same photos, on this machine.

ours: `attention_jxl.dask.encode_files` on a LocalCluster of worker processes
(started, and the model loaded on every worker, before timing); peer: the
local `encode_files` with as many threads. Both read and write local files.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import distributed

import attention_jxl
import attention_jxl.dask as on_dask
from conftest import note, record

BIG = 6_000_000  # pixels from which the per-image overhead is judged
SMALL_COUNT = 24  # small photos, where the cluster's fixed cost per file shows most
OVERHEAD_ROUNDS = 3  # alternating local and cluster runs; the fastest of each counts


def _peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def _small_photos(folder: Path, source: Path) -> list[Path]:
    """`SMALL_COUNT` different 400x300 crops of `source`."""
    from PIL import Image

    folder.mkdir()
    with Image.open(source) as image:
        rgb = image.convert("RGB")
    paths = []
    for index in range(SMALL_COUNT):
        left, top = index * 37 % (rgb.width - 400), index * 23 % (rgb.height - 300)
        paths.append(folder / f"small{index:02d}.png")
        rgb.crop((left, top, left + 400, top + 300)).save(paths[-1], compress_level=1)
    return paths


def _pixels(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return image.width * image.height


def _timed(run, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    records = list(run(out))
    seconds = time.perf_counter() - started
    assert {r["status"] for r in records} == {"ok"}, [r["error"] for r in records]
    return seconds


@contextlib.contextmanager
def _cluster(workers: int, threads: int, warm_up: Path,
             out: Path) -> Iterator[tuple[distributed.Client, float]]:
    """A client of a new LocalCluster whose workers have loaded the model; its start time."""
    started = time.perf_counter()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=threads,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        list(on_dask.encode_files([warm_up], out, client=client, overwrite=True))
        yield client, time.perf_counter() - started


def _on(client: distributed.Client, sources: list[Path], out: Path) -> float:
    return _timed(lambda o: on_dask.encode_files(sources, o, client=client), out)


def _local(jobs: int, sources: list[Path], out: Path) -> float:
    return _timed(lambda o: attention_jxl.encode_files(sources, o, jobs=jobs), out)


def test_cluster_throughput_and_overhead(benchmark, photos: Path, tmp_path: Path) -> None:
    sources = sorted(photos.iterdir())
    warm_up = min(sources, key=_pixels)
    list(attention_jxl.encode_files([warm_up], tmp_path / "warm-up"))  # loads the local model
    count = len(sources)

    local_2 = benchmark.pedantic(_local, args=(2, sources, tmp_path / "local2"), rounds=1,
                                 iterations=1)
    with _cluster(2, 1, warm_up, tmp_path / "w") as (client, start_2):
        two_single = _on(client, sources, tmp_path / "c2x1")
        peaks = client.run(_peak_rss_mib)
    with _cluster(1, 2, warm_up, tmp_path / "w") as (client, start_1):
        one_double = _on(client, sources, tmp_path / "c1x2")
    label = f"{count} photos, 3.4-24 MP, 2 cores: seconds per image"
    record(label, "ours", two_single / count, "dask: 2 workers x 1 thread")
    record(label, "peer", local_2 / count, "local encode_files(jobs=2)")
    record(label, "peer 2", one_double / count, "dask: 1 worker x 2 threads")

    big = [source for source in sources if BIG <= _pixels(source) < 20_000_000]
    small = _small_photos(tmp_path / "small", photos / "flower.png")
    local_times, cluster_times, local_small, cluster_small = [], [], [], []
    with _cluster(1, 1, warm_up, tmp_path / "w") as (client, _):
        for _ in range(OVERHEAD_ROUNDS):
            local_times.append(_local(1, big, tmp_path / "local1"))
            cluster_times.append(_on(client, big, tmp_path / "c1x1"))
            local_small.append(_local(1, small, tmp_path / "local_small"))
            cluster_small.append(_on(client, small, tmp_path / "cluster_small"))
    local_1, one_single = min(local_times), min(cluster_times)
    fixed_cost = (min(cluster_small) - min(local_small)) / SMALL_COUNT
    label = f"{SMALL_COUNT} photos of 400x300 one at a time: seconds per image"
    record(label, "ours", min(cluster_small) / SMALL_COUNT, "dask: 1 worker x 1 thread")
    record(label, "peer", min(local_small) / SMALL_COUNT, "local encode_files(jobs=1)")
    label = f"{len(big)} photos of 12 MP one at a time: seconds per image"
    record(label, "ours", one_single / len(big), "dask: 1 worker x 1 thread")
    record(label, "peer", local_1 / len(big), "local encode_files(jobs=1)")
    note(f"cluster path overhead per 12 MP image (fastest of {OVERHEAD_ROUNDS} alternating "
         f"rounds): {(one_single - local_1) / len(big) * 1000:+.0f} ms "
         f"({(one_single / local_1 - 1) * 100:+.1f}%); with 2 workers on {count} photos "
         f"{(two_single / local_2 - 1) * 100:+.1f}% against local jobs=2 (one round)")
    note(f"cluster cost per file, from the 400x300 photos: {fixed_cost * 1000:+.1f} ms, "
         f"{fixed_cost / (local_1 / len(big)) * 100:+.2f}% of a local 12 MP encode")
    note(f"cluster start incl. model load on each worker: {start_2:.1f} s (2 workers), "
         f"{start_1:.1f} s (1 worker); peak RSS per worker after the {count} photos: "
         + ", ".join(f"{mib:.0f} MiB" for mib in peaks.values()))
