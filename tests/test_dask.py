"""Batches on a real Dask LocalCluster: records, skips, worker deaths, cancelling, the CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import fsspec
import numpy as np
import pytest

import attention_jxl
import attention_jxl.dask as on_dask
from dask_cluster import local_cluster, small_photos, wait_until_idle

BATCH = 24


@pytest.fixture(scope="module")
def client():
    with local_cluster(2) as client:
        yield client


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    small_photos(folder, BATCH)
    return folder


def leftovers(folder: Path) -> list[Path]:
    """Anything in `folder` that is not a finished output."""
    return [path for path in folder.rglob("*") if path.is_file() and path.suffix != ".jxl"]


def assert_outputs_decode(folder: Path, count: int) -> None:
    outputs = sorted(folder.glob("*.jxl"))
    assert len(outputs) == count
    for output in outputs:
        assert attention_jxl.decode(output.read_bytes()).shape == (300, 400, 3)


def test_records_match_the_local_batch(client, photos: Path, tmp_path: Path) -> None:
    sources = sorted(photos.iterdir())[:4]
    local = {r["input"]: r for r in attention_jxl.encode_files(sources, tmp_path / "local")}
    cluster = list(on_dask.encode_files(sources, tmp_path / "cluster", client=client))
    assert len(cluster) == 4
    for record in cluster:
        mine = local[record["input"]]
        assert record.keys() == mine.keys()
        assert record["status"] == mine["status"] == "ok"
        assert record["center"] == mine["center"]
        assert record["bytes_out"] == mine["bytes_out"]
        assert record["output"] == str(tmp_path / "cluster" / Path(record["input"]).name
                                       ).replace(".png", ".jxl")
        assert Path(record["output"]).read_bytes() == Path(mine["output"]).read_bytes()


def loaded_models(dask_worker) -> int:
    return id(dask_worker.plugins[on_dask.PLUGIN_NAME].model)


def test_each_worker_loads_the_model_once(client, photos: Path, tmp_path: Path) -> None:
    sources = sorted(photos.iterdir())[:4]
    list(on_dask.encode_files(sources, tmp_path / "first", client=client))
    models = client.run(loaded_models)
    assert len(models) == 2
    list(on_dask.encode_files(sources, tmp_path / "second", client=client))
    assert client.run(loaded_models) == models  # the same model objects, not reloaded


def test_rerun_skips_existing_outputs_unless_overwrite(client, photos: Path,
                                                       tmp_path: Path) -> None:
    sources = sorted(photos.iterdir())[:3]
    out = tmp_path / "out"
    assert {r["status"] for r in on_dask.encode_files(sources, out, client=client)} == {"ok"}
    (out / "photo00.jxl").unlink()
    again = {Path(r["input"]).name: r for r in on_dask.encode_files(sources, out, client=client)}
    assert again["photo00.png"]["status"] == "ok"
    assert again["photo01.png"]["status"] == again["photo02.png"]["status"] == "skipped"
    assert "use --overwrite" in again["photo01.png"]["error"]
    forced = on_dask.encode_files(sources, out, client=client, overwrite=True)
    assert {r["status"] for r in forced} == {"ok"}


def test_corrupt_input_is_one_error_and_the_batch_goes_on(client, photos: Path,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for source in sorted(photos.iterdir())[:5]:
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (folder / "notes.txt").write_text("not an image suffix: not taken from a folder")
    records = list(on_dask.encode_files([folder], tmp_path / "out", client=client))
    assert len(records) == 6
    errors = [r for r in records if r["status"] == "error"]
    assert [Path(r["input"]).name for r in errors] == ["broken.png"]
    assert errors[0]["error"].startswith("ValueError: invalid PNG data")
    assert_outputs_decode(tmp_path / "out", 5)
    assert leftovers(tmp_path / "out") == []


def test_the_callers_pixel_limit_applies_on_the_workers(client, photos: Path, tmp_path: Path,
                                                        pixel_limit) -> None:
    source = sorted(photos.iterdir())[0]
    pixel_limit(400 * 300 - 1)
    (refused,) = on_dask.encode_files([source], tmp_path / "limited", client=client)
    assert refused["status"] == "error" and "ImageTooLargeError" in refused["error"]
    pixel_limit(attention_jxl.DEFAULT_MAX_IMAGE_PIXELS)
    (accepted,) = on_dask.encode_files([source], tmp_path / "default", client=client)
    assert accepted["status"] == "ok"


def test_killed_worker_mid_batch_loses_and_duplicates_nothing(client, photos: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    records = on_dask.encode_files([photos], out, client=client)
    seen = [next(records)]
    pids = client.run(os.getpid)
    victim = sorted(pids)[0]
    os.kill(pids[victim], signal.SIGKILL)  # no clean shutdown: the process just vanishes
    seen.extend(records)
    counts = Counter(r["input"] for r in seen)
    assert len(counts) == BATCH and set(counts.values()) == {1}
    assert {r["status"] for r in seen} == {"ok"}, [r["error"] for r in seen]
    assert_outputs_decode(out, BATCH)
    # Only the killed process may have left its temporary file (named with
    # its pid), had it died in the middle of a write.
    stray = leftovers(out)
    assert len(stray) <= 1 and all(f".{pids[victim]}." in path.name for path in stray), stray
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the worker
    assert pids[victim] not in client.run(os.getpid).values()


def test_cancelling_stops_the_rest_and_leaves_no_temporary_file(client, photos: Path,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    records = on_dask.encode_files([photos], out, client=client)
    reported = [next(records), next(records)]
    records.close()  # the caller gives up: the batch cancels what has not started
    wait_until_idle(client)
    written = sorted(out.glob("*.jxl"))
    assert len(reported) <= len(written) < BATCH
    assert leftovers(out) == []
    for output in written:
        attention_jxl.decode(output.read_bytes())
    # A rerun does only the missing work.
    rerun = Counter(r["status"] for r in on_dask.encode_files([photos], out, client=client))
    assert rerun == {"skipped": len(written), "ok": BATCH - len(written)}
    assert_outputs_decode(out, BATCH)


def test_file_urls_reorder_and_crop(client, photos: Path, tmp_path: Path) -> None:
    sources = [f"file://{path}" for path in sorted(photos.iterdir())[:2]]
    encoded = list(on_dask.encode_files(sources, f"file://{tmp_path}/jxl", client=client,
                                        effort=3))
    assert {r["status"] for r in encoded} == {"ok"}
    assert encoded[0]["input"].startswith("file://")
    reordered = list(on_dask.reorder_files([f"file://{tmp_path}/jxl"],
                                           f"file://{tmp_path}/reordered", client=client))
    assert {r["status"] for r in reordered} == {"ok"} and len(reordered) == 2
    crops = list(on_dask.crop_files(sources, tmp_path / "crops", size=(100, 80),
                                    client=client))
    assert {r["status"] for r in crops} == {"ok"}
    from PIL import Image

    with Image.open(tmp_path / "crops" / "photo00.png") as crop:
        assert crop.size == (100, 80)


def test_bad_options_are_clear_errors_before_any_work(client, photos: Path,
                                                      tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="unknown frame setting.*colour"):
        on_dask.encode_files([photos], tmp_path, client=client, colour=1)
    with pytest.raises(ValueError, match="give either size or aspect"):
        on_dask.crop_files([photos], tmp_path, client=client)
    assert list(tmp_path.iterdir()) == []


def test_no_client_is_a_clear_error(photos: Path, tmp_path: Path) -> None:
    code = ("import attention_jxl.dask as d, sys\n"
            "try:\n    d.encode_files([sys.argv[1]], sys.argv[2])\n"
            "except ValueError as error:\n    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code, str(photos), str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=True)
    assert "no Dask client" in result.stdout


def test_memory_urls_on_a_threaded_cluster(photos: Path) -> None:
    # memory:// lives in one process, so the workers must be threads of this one.
    memory = fsspec.filesystem("memory")
    for source in sorted(photos.iterdir())[:3]:
        memory.pipe_file(f"/in/{source.name}", source.read_bytes())
    memory.pipe_file("/in/nested/deeper.png", (photos / "photo05.png").read_bytes())
    with local_cluster(2, processes=False) as threads:
        flat = list(on_dask.encode_files(["memory://in"], "memory://out", client=threads))
        deep = list(on_dask.encode_files(["memory://in"], "memory://deep", client=threads,
                                         recursive=True))
    assert len(flat) == 3 and len(deep) == 4
    assert {r["status"] for r in flat + deep} == {"ok"}
    assert sorted(memory.find("/deep")) == ["/deep/nested/deeper.jxl", "/deep/photo00.jxl",
                                            "/deep/photo01.jxl", "/deep/photo02.jxl"]
    image = attention_jxl.decode(memory.cat_file("/deep/nested/deeper.jxl"))
    assert image.shape == (300, 400, 3) and image.dtype == np.uint8
    memory.rm("/", recursive=True)


def test_cli_on_a_local_cluster(photos: Path, tmp_path: Path) -> None:
    sources = tmp_path / "in"
    sources.mkdir()
    for source in sorted(photos.iterdir())[:3]:
        (sources / source.name).write_bytes(source.read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "attention_jxl", "encode", str(sources), "-o", str(tmp_path / "out"),
         "--dask-local", "2", "-j", "1", "--json"],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 3 and {r["status"] for r in records} == {"ok"}
    assert_outputs_decode(tmp_path / "out", 3)


def test_cli_rejects_two_places_to_run(photos: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "attention_jxl", "encode", str(photos), "-o", str(tmp_path),
         "--dask-local", "2", "--scheduler", "tcp://127.0.0.1:1"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_cli_on_a_running_scheduler_with_urls(client, photos: Path, tmp_path: Path) -> None:
    source = f"file://{sorted(photos.iterdir())[0]}"
    result = subprocess.run(
        [sys.executable, "-m", "attention_jxl", "encode", source, "-o", f"file://{tmp_path}/out",
         "--scheduler", client.scheduler.address, "--json"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["status"] == "ok" and record["input"] == source
    assert_outputs_decode(tmp_path / "out", 1)


def test_cli_unreachable_scheduler_is_a_clear_error(photos: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run(
        [sys.executable, "-m", "attention_jxl", "encode", str(photos), "-o", str(tmp_path),
         "--scheduler", f"tcp://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
