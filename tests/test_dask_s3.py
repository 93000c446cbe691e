"""Cluster batches reading and writing S3, against moto's S3 server on 127.0.0.1.

moto stands in for S3, which cannot be reached here; the workers talk to it
over HTTP through s3fs exactly as they would to S3, with the credentials and
endpoint given as fsspec storage options.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import s3fs

import attention_jxl
import attention_jxl.dask as on_dask
from dask_cluster import local_cluster, small_photos

BUCKET = "photos"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"moto's S3 server did not start on {url}") from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def storage_options(s3_endpoint: str) -> dict:
    return {"key": "test-key", "secret": "test-secret",
            "client_kwargs": {"endpoint_url": s3_endpoint, "region_name": "eu-west-1"}}


@pytest.fixture(scope="module")
def bucket(storage_options: dict, tmp_path_factory) -> s3fs.S3FileSystem:
    """The bucket, holding 6 photos in photos/ and 2 more in photos/sub/."""
    s3 = s3fs.S3FileSystem(**storage_options)
    s3.mkdir(BUCKET)
    local = small_photos(tmp_path_factory.mktemp("s3_photos"), 8)
    for index, path in enumerate(local):
        folder = "photos/sub" if index >= 6 else "photos"
        s3.pipe_file(f"{BUCKET}/{folder}/{path.name}", path.read_bytes())
    s3.pipe_file(f"{BUCKET}/photos/readme.txt", b"not an image")
    return s3


@pytest.fixture(scope="module")
def client():
    with local_cluster(2) as client:
        yield client


def keys(s3: s3fs.S3FileSystem, prefix: str) -> list[str]:
    s3.invalidate_cache()
    return sorted(s3.find(f"{BUCKET}/{prefix}"))


def test_s3_to_s3_lists_reads_and_writes_whole_objects(client, bucket, storage_options) -> None:
    records = list(on_dask.encode_files([f"s3://{BUCKET}/photos"], f"s3://{BUCKET}/out",
                                        client=client, recursive=True,
                                        storage_options=storage_options))
    assert len(records) == 8 and {r["status"] for r in records} == {"ok"}
    assert {r["input"] for r in records} >= {f"s3://{BUCKET}/photos/sub/photo07.png"}
    expected = [f"{BUCKET}/out/photo{i:02d}.jxl" for i in range(6)] + [
        f"{BUCKET}/out/sub/photo06.jxl", f"{BUCKET}/out/sub/photo07.jxl"]
    assert keys(bucket, "out") == sorted(expected)  # no temporary object either
    for key in expected:
        assert attention_jxl.decode(bucket.cat_file(key)).shape == (300, 400, 3)
    for record in records:
        assert bucket.size(record["output"]) == record["bytes_out"]
    # A rerun lists the outputs once and skips them; overwrite=True redoes them.
    again = on_dask.encode_files([f"s3://{BUCKET}/photos"], f"s3://{BUCKET}/out",
                                 client=client, recursive=True, storage_options=storage_options)
    assert Counter(r["status"] for r in again) == {"skipped": 8}
    bucket.rm(f"{BUCKET}/out/sub/photo06.jxl")
    redo = on_dask.encode_files([f"s3://{BUCKET}/photos"], f"s3://{BUCKET}/out",
                                client=client, recursive=True, storage_options=storage_options)
    assert Counter(r["status"] for r in redo) == {"skipped": 7, "ok": 1}
    assert keys(bucket, "out") == sorted(expected)


def test_without_recursion_only_the_folder_itself(client, bucket, storage_options) -> None:
    records = list(on_dask.encode_files([f"s3://{BUCKET}/photos/"], f"s3://{BUCKET}/flat",
                                        client=client, storage_options=storage_options,
                                        dry_run=True))
    assert len(records) == 6 and {r["status"] for r in records} == {"dry-run"}
    assert all(r["center"] for r in records)
    assert keys(bucket, "flat") == []


def test_local_to_s3_and_s3_to_local(client, bucket, storage_options, tmp_path: Path) -> None:
    local = small_photos(tmp_path / "in", 2)
    up = list(on_dask.encode_files(local, f"s3://{BUCKET}/uploaded", client=client,
                                   storage_options=storage_options))
    assert {r["status"] for r in up} == {"ok"}
    assert keys(bucket, "uploaded") == [f"{BUCKET}/uploaded/photo00.jxl",
                                        f"{BUCKET}/uploaded/photo01.jxl"]
    down = list(on_dask.reorder_files([f"s3://{BUCKET}/uploaded"], tmp_path / "down",
                                      client=client, storage_options=storage_options))
    assert {r["status"] for r in down} == {"ok"}
    assert sorted(path.name for path in (tmp_path / "down").iterdir()) == [
        "photo00.jxl", "photo01.jxl"]


def test_a_missing_object_is_an_error_record(client, bucket, storage_options) -> None:
    records = list(on_dask.encode_files([f"s3://{BUCKET}/photos/nothing.png"],
                                        f"s3://{BUCKET}/missing", client=client,
                                        storage_options=storage_options))
    assert len(records) == 1 and records[0]["status"] == "error"
    assert records[0]["error"].startswith("FileNotFoundError")
    assert keys(bucket, "missing") == []
