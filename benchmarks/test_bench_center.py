"""Inference and center prediction, ours vs the published pipeline's parts."""

from __future__ import annotations

import numpy as np
import pytest

import attention_jxl
from attention_jxl import _core
from conftest import SHARED, photo

REFERENCE_INPUT = np.load(SHARED / "reference/model_inputs.npz")["flower.png"]


@pytest.fixture(scope="module")
def model() -> attention_jxl.Model:
    return attention_jxl.Model(threads=1)


@pytest.fixture(scope="module")
def image_12mp() -> np.ndarray:
    return photo(4000, 3000)


def test_inference_ours(compare, model) -> None:
    compare("model inference (1 thread)", "ours", "LiteRT C API 1.4.0",
            model.predict, REFERENCE_INPUT, rounds=30)


def test_inference_peer_litert_python(compare, model) -> None:
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=model.path, num_threads=1)
    interpreter.allocate_tensors()
    index = {d["name"]: d["index"] for d in interpreter.get_input_details()}["image:0"]
    output = interpreter.get_output_details()[0]["index"]

    def predict() -> np.ndarray:
        interpreter.set_tensor(index, REFERENCE_INPUT[None])
        interpreter.invoke()
        return interpreter.get_tensor(output)

    compare("model inference (1 thread)", "peer", "ai-edge-litert Python interpreter",
            predict, rounds=30)


def test_center_12mp_ours(compare, model, image_12mp) -> None:
    compare("center() on 12 MP uint8 RGB (1 thread)", "ours", "resize + inference + mapping",
            model.center, image_12mp)


def test_center_12mp_peer_published(compare, model, image_12mp) -> None:
    tf = pytest.importorskip("tensorflow", reason="the published pipeline needs TensorFlow")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    interpreter = tf.lite.Interpreter(model_path=model.path, num_threads=1)
    interpreter.allocate_tensors()
    index = {d["name"]: d["index"] for d in interpreter.get_input_details()}["image:0"]
    output = interpreter.get_output_details()[0]["index"]

    def published_center(pixels: np.ndarray) -> np.ndarray:
        # The published script's steps: to float, TF resize_with_pad, TFLite.
        tensor = tf.constant(pixels.astype(np.float32)[None] / 255.0)
        resized = tf.image.resize_with_pad(tensor, 480, 640, method="bicubic", antialias=True)
        interpreter.set_tensor(index, resized.numpy())
        interpreter.invoke()
        return interpreter.get_tensor(output)

    compare("center() on 12 MP uint8 RGB (1 thread)", "peer",
            f"TF {tf.__version__} resize_with_pad + TFLite", published_center, image_12mp, rounds=5)


def test_resize_24mp_ours(compare) -> None:
    image = photo(6000, 4000)
    target = _core.resize_simd_target()
    compare("resize_with_pad on 24 MP", "ours", f"C++, {target}", attention_jxl.model_input, image,
            rounds=20)


def test_resize_24mp_peer_tensorflow(compare) -> None:
    tf = pytest.importorskip("tensorflow", reason="the published pipeline needs TensorFlow")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tensor = tf.constant(photo(6000, 4000).astype(np.float32)[None] / 255.0)

    def resize() -> np.ndarray:
        return tf.image.resize_with_pad(tensor, 480, 640, method="bicubic", antialias=True).numpy()

    compare("resize_with_pad on 24 MP", "peer", "tf.image.resize_with_pad", resize, rounds=5)
