"""center() and its resize, ours vs the published pipeline's steps, one thread each."""

from __future__ import annotations

import numpy as np
import pytest

import attention_jxl
from conftest import SHARED, photo

SIZES = {"6 MP": (3000, 2000), "12 MP": (4000, 3000), "24 MP": (6000, 4000)}
PUBLISHED = SHARED / "models/center.tflite"


@pytest.fixture(scope="module")
def model() -> attention_jxl.Model:
    return attention_jxl.Model(PUBLISHED, threads=1)


@pytest.fixture(scope="module", params=list(SIZES), ids=lambda size: size.replace(" ", ""))
def sized_photo(request) -> tuple[str, np.ndarray]:
    return request.param, photo(*SIZES[request.param])


def test_center_ours(compare, model, sized_photo) -> None:
    size, pixels = sized_photo
    compare(f"center() on {size} uint8 RGB (1 thread)", "ours",
            "resize + fast graph + mapping", model.center, pixels)


def test_center_peer_published(compare, sized_photo) -> None:
    tf = pytest.importorskip("tensorflow", reason="the published pipeline needs TensorFlow")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    interpreter = tf.lite.Interpreter(model_path=str(PUBLISHED), num_threads=1)
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

    size, pixels = sized_photo
    compare(f"center() on {size} uint8 RGB (1 thread)", "peer",
            f"TF {tf.__version__} resize_with_pad + tf.lite", published_center, pixels, rounds=5)


def test_resize_24mp_ours(compare) -> None:
    image = photo(6000, 4000)
    target = attention_jxl.resize_simd_target()
    compare("resize_with_pad on 24 MP", "ours", f"C++, {target}", attention_jxl.model_input, image,
            rounds=20)


def test_resize_24mp_peer_tensorflow(compare) -> None:
    tf = pytest.importorskip("tensorflow", reason="the published pipeline needs TensorFlow")
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tensor = tf.constant(photo(6000, 4000).astype(np.float32)[None] / 255.0)

    def resize() -> np.ndarray:
        return tf.image.resize_with_pad(tensor, 480, 640, method="bicubic", antialias=True).numpy()

    compare("resize_with_pad on 24 MP", "peer", "tf.image.resize_with_pad", resize, rounds=5)
