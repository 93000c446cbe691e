"""Folder throughput: the published pipeline's shape vs `attention-jxl encode -j 2`.

The peer is what google/attention-center's script does: one Python process
computes every center (Pillow + TensorFlow's tf.lite interpreter, the published
runtime, or ai-edge-litert's where TensorFlow is not installed), then runs one
`cjxl` per image with the same settings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import attention_jxl
from conftest import SHARED, note, record


def _published_interpreter():
    """TensorFlow's tf.lite interpreter class where installed, else ai-edge-litert's."""
    try:
        import tensorflow as tf

        return tf.lite.Interpreter, f"TF {tf.__version__} tf.lite"
    except ImportError:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "ai-edge-litert interpreter"


def published_pipeline(folder: Path, out: Path, model_path: str) -> None:
    from PIL import Image, ImageOps

    interpreter = _published_interpreter()[0](model_path=model_path, num_threads=1)
    interpreter.allocate_tensors()
    index = {d["name"]: d["index"] for d in interpreter.get_input_details()}["image:0"]
    output = interpreter.get_output_details()[0]["index"]
    out.mkdir()
    for source in sorted(folder.iterdir()):
        with Image.open(source) as image:
            rgb = ImageOps.exif_transpose(image).convert("RGB")
        width, height = rgb.size
        scale = min(640 / width, 480 / height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        canvas = np.zeros((480, 640, 3), np.float32)
        left, top = (640 - size[0]) // 2, (480 - size[1]) // 2
        resized = np.asarray(rgb.resize(size, Image.BICUBIC), np.float32) / 255
        canvas[top:top + size[1], left:left + size[0]] = resized
        interpreter.set_tensor(index, canvas[None])
        interpreter.invoke()
        x, y = interpreter.get_tensor(output)[0]
        center = (min(width - 1, max(0, int((x - left) / scale))),
                  min(height - 1, max(0, int((y - top) / scale))))
        subprocess.run(["cjxl", "--group_order", "1", "--center_x", str(center[0]),
                        "--center_y", str(center[1]), "-d", "1", "-e", "7", str(source),
                        str(out / (source.stem + ".jxl"))], check=True, capture_output=True)


def test_folder_throughput(benchmark, photos: Path, tmp_path: Path) -> None:
    model_path = SHARED / "models/center.tflite"  # the published file, as the peer uses it
    count = len(list(photos.iterdir()))
    started = time.perf_counter()
    published_pipeline(photos, tmp_path / "peer", str(model_path))
    peer_seconds = time.perf_counter() - started

    def ours() -> None:
        shutil.rmtree(tmp_path / "ours", ignore_errors=True)
        subprocess.run([sys.executable, "-m", "attention_jxl", "encode", str(photos),
                        "-o", str(tmp_path / "ours"), "-j", "2"], check=True, capture_output=True)

    benchmark.pedantic(ours, rounds=1, iterations=1)
    ours_seconds = benchmark.stats.stats.median
    label = f"{count} photos, 3.4-24 MP"
    record(f"folder of {label}: seconds per image", "ours", ours_seconds / count,
           "attention-jxl encode -j 2")
    record(f"folder of {label}: seconds per image", "peer", peer_seconds / count,
           f"Python centers ({_published_interpreter()[1]}) + one cjxl per image")

    for source in sorted(photos.iterdir()):
        ours_file = tmp_path / "ours" / (source.stem + ".jxl")
        peer_file = tmp_path / "peer" / (source.stem + ".jxl")
        if source.suffix == ".jpg":  # lossless recompression: the JPEG comes back
            for which, path in (("ours", ours_file), ("peer", peer_file)):
                subprocess.run(["djxl", str(path), str(tmp_path / f"{which}.jpg")],
                               check=True, capture_output=True)
            assert (tmp_path / "ours.jpg").read_bytes() == source.read_bytes()
            assert (tmp_path / "peer.jpg").read_bytes() == source.read_bytes()
        else:
            np.testing.assert_array_equal(attention_jxl.decode(ours_file.read_bytes()),
                                          attention_jxl.decode(peer_file.read_bytes()))


def test_peak_memory_per_worker_24mp(photos: Path, tmp_path: Path) -> None:
    """Peak RSS added by one worker encoding a 24 MP PNG, in a fresh process."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    # (this test process) across exec.
    code = (
        "import attention_jxl as a, sys;"
        "hwm = lambda: next(int(l.split()[1]) for l in open('/proc/self/status')"
        " if l.startswith('VmHWM'));"
        "m = a.Model(); m.center(__import__('numpy').zeros((8, 8, 3), 'uint8'));"
        "base = hwm();"
        "r = list(a.encode_files([sys.argv[1]], sys.argv[2], jobs=1, model=m));"
        "assert r[0]['status'] == 'ok', r;"
        "print(base, hwm())"
    )
    result = subprocess.run([sys.executable, "-c", code, str(photos / "flower_24mp.png"),
                             str(tmp_path)], check=True, capture_output=True, text=True)
    base_kib, peak_kib = map(int, result.stdout.split())
    # The peer: cjxl alone on the same file, in a fresh process (ru_maxrss of
    # the children of a fresh Python: only cjxl counts).
    peer = subprocess.run(
        [sys.executable, "-c",
         "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True,"
         " capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
         "cjxl", str(photos / "flower_24mp.png"), str(tmp_path / "peer.jxl"), "-e", "7"],
        check=True, capture_output=True, text=True)
    note(f"peak memory of one worker encoding a 24 MP PNG: {(peak_kib - base_kib) / 1024:.0f} MiB"
         f" above a loaded model ({peak_kib / 1024:.0f} MiB process peak); cjxl alone on the"
         f" same file: {int(peer.stdout) / 1024:.0f} MiB")
