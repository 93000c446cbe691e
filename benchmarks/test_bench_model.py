"""Inference: the prepared graphs against the published model, one thread each.

The peers run the published center.tflite unchanged: on the same runtime
(ai-edge-litert's interpreter, the LiteRT release we link) and on TensorFlow's
tf.lite, the published pipeline's runtime. Memory per compiled copy is the
resident size a second concurrent caller adds.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import attention_jxl
from conftest import SHARED, note, record

REFERENCE_INPUT = np.load(SHARED / "reference/model_inputs.npz")["flower.png"]
PUBLISHED = SHARED / "models/center.tflite"
FAST = "inference, fast graph vs the published model (1 thread)"
EXACT = "inference, exact graph vs the published model (1 thread)"


@pytest.fixture(scope="module", params=[False, True], ids=["fast", "exact"])
def model(request) -> attention_jxl.Model:
    return attention_jxl.Model(PUBLISHED, threads=1, exact=request.param)


def test_inference_ours(compare, model) -> None:
    kind = "exact" if model.exact else "fast"
    compare(EXACT if model.exact else FAST, "ours", f"{kind} graph, LiteRT C API",
            model.predict, REFERENCE_INPUT, rounds=30)


def _interpreter_predict(interpreter):
    interpreter.allocate_tensors()
    index = {d["name"]: d["index"] for d in interpreter.get_input_details()}["image:0"]
    output = interpreter.get_output_details()[0]["index"]

    def predict() -> np.ndarray:
        interpreter.set_tensor(index, REFERENCE_INPUT[None])
        interpreter.invoke()
        return interpreter.get_tensor(output)

    return predict


def test_inference_peer_same_runtime(benchmark) -> None:
    from importlib.metadata import version

    from ai_edge_litert.interpreter import Interpreter

    predict = _interpreter_predict(Interpreter(model_path=str(PUBLISHED), num_threads=1))
    benchmark.pedantic(predict, rounds=10, warmup_rounds=1)
    label = f"published model, ai-edge-litert {version('ai-edge-litert')} interpreter"
    for comparison in (FAST, EXACT):
        record(comparison, "peer", benchmark.stats.stats.median, label)


def test_inference_peer_tensorflow(benchmark) -> None:
    tf = pytest.importorskip("tensorflow", reason="the published runtime needs TensorFlow")
    predict = _interpreter_predict(tf.lite.Interpreter(model_path=str(PUBLISHED), num_threads=1))
    benchmark.pedantic(predict, rounds=30, warmup_rounds=1)
    note(f"published model on TF {tf.__version__} tf.lite (1 thread): "
         f"{benchmark.stats.stats.median * 1000:.1f} ms per inference")


_COPY_MEMORY = """
import ctypes, sys, threading
import numpy as np
import attention_jxl

def rss_mib():
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

model = attention_jxl.Model(sys.argv[1], threads=1, exact=sys.argv[2] == "exact")
pixels = np.zeros((480, 640, 3), np.float32)
model.predict(pixels)
one = rss_mib()
barrier = threading.Barrier(2)

def call():
    barrier.wait()
    for _ in range(20):
        model.predict(pixels)

threads = [threading.Thread(target=call) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(one, rss_mib())
"""


@pytest.mark.parametrize("kind", ["fast", "exact"])
def test_memory_per_compiled_copy(kind: str) -> None:
    """Resident memory one more compiled copy adds (the pool's second copy)."""
    result = subprocess.run([sys.executable, "-c", _COPY_MEMORY, str(PUBLISHED), kind],
                            check=True, capture_output=True, text=True)
    one, two = map(float, result.stdout.split())
    note(f"memory per compiled copy, {kind} graph: {two - one:.1f} MiB "
         f"(process with one copy: {one:.0f} MiB)")
