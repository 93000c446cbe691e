"""Parity with the published pipeline: resize, model output, mapped center."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import attention_jxl
from attention_jxl import _core
from conftest import TESTDATA, load_like_published_script, reference_source


def entries(reference_centers):
    return {entry["image"]: entry for entry in reference_centers}


def test_every_reference_image_is_checked(reference_centers, reference_inputs) -> None:
    names = {entry["image"] for entry in reference_centers}
    assert names == set(reference_inputs.files)
    assert len(names) >= 10


def test_resize_matches_tensorflow(reference_centers, reference_inputs) -> None:
    worst = {}
    for entry in reference_centers:
        pixels = load_like_published_script(reference_source(entry))
        expected = reference_inputs[entry["image"]]
        for form in (pixels, pixels.astype(np.float32) / 255):
            ours = attention_jxl.model_input(form)
            assert ours.shape == (480, 640, 3) and ours.dtype == np.float32
            worst[entry["image"]] = max(worst.get(entry["image"], 0.0),
                                        float(np.abs(ours - expected).max()))
    assert max(worst.values()) <= 2e-4, worst


@pytest.mark.parametrize("exact, tolerance", [(False, 0.1), (True, 1e-3)], ids=["fast", "exact"])
def test_model_output_matches_reference(model_path, reference_centers, reference_inputs,
                                        exact, tolerance) -> None:
    """Model pixels; the published pipeline ran the model on TensorFlow."""
    model = attention_jxl.Model(model_path, exact=exact)
    for entry in reference_centers:
        x, y = model.predict(reference_inputs[entry["image"]])
        assert abs(x - entry["model_xy"][0]) <= tolerance, entry["image"]
        assert abs(y - entry["model_xy"][1]) <= tolerance, entry["image"]


def test_center_matches_reference(reference_centers) -> None:
    for entry in reference_centers:
        pixels = load_like_published_script(reference_source(entry))
        assert pixels.shape[:2] == (entry["height"], entry["width"])
        x, y = attention_jxl.center(pixels)
        assert abs(x - entry["center"][0]) <= 1 and abs(y - entry["center"][1]) <= 1, entry


def test_mapping_of_reference_outputs_is_exact(reference_centers) -> None:
    for entry in reference_centers:
        mapped = _core.model_point_to_image(*entry["model_xy"], entry["width"], entry["height"])
        assert list(mapped) == entry["center"], entry["image"]


@pytest.mark.parametrize(
    "point,width,height,expected",
    [
        ((320.0, 10.0), 1000, 200, (500, 100)),     # in the top padding band
        ((320.0, 470.0), 1000, 200, (500, 100)),    # in the bottom band
        ((5.0, 240.0), 200, 1000, (100, 500)),      # in the left band
        ((635.0, 240.0), 200, 1000, (100, 500)),    # in the right band
        ((-1.0, 240.0), 640, 480, (320, 240)),      # outside the input
        ((320.0, 240.0), 640, 480, (320, 240)),     # same aspect: identity
        ((0.0, 0.0), 640, 480, (0, 0)),
        ((640.0, 480.0), 640, 480, (639, 479)),     # one past the edge stays inside
    ],
)
def test_mapping_rules(point, width, height, expected) -> None:
    assert _core.model_point_to_image(*point, width, height) == expected


def test_every_layout_sees_the_same_rgb() -> None:
    rgb = load_like_published_script(
        TESTDATA / "external/wesaturate/500px/tmshre_riaphotographs_srgb8.png")
    expected = attention_jxl.model_input(rgb)
    alpha = np.full(rgb.shape[:2] + (1,), 77, np.uint8)
    for form in (np.dstack([rgb, alpha]), rgb.astype(np.uint16) * 257,
                 rgb.astype(np.float32) / 255, np.asfortranarray(rgb), rgb[::-1][::-1]):
        np.testing.assert_allclose(attention_jxl.model_input(form), expected, atol=1e-5)
    gray = rgb[..., 1]
    gray_input = attention_jxl.model_input(gray)
    as_rgb = attention_jxl.model_input(np.dstack([gray] * 3))
    np.testing.assert_allclose(gray_input, as_rgb, atol=1e-6)
    with_alpha = attention_jxl.model_input(np.dstack([gray, gray]))
    np.testing.assert_allclose(with_alpha, gray_input, atol=1e-6)


def test_pil_images_are_accepted() -> None:
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, (120, 200, 3), dtype=np.uint8)
    expected = attention_jxl.center(rgb)
    assert attention_jxl.center(Image.fromarray(rgb)) == expected
    assert attention_jxl.center(Image.fromarray(rgb).convert("RGBA")) == expected
    assert attention_jxl.center(Image.fromarray(rgb).quantize(256)) == attention_jxl.center(
        np.asarray(Image.fromarray(rgb).quantize(256).convert("RGB")))


def test_tiny_and_extreme_aspect_images() -> None:
    rng = np.random.default_rng(1)
    for shape in [(1, 1, 3), (1, 5000, 3), (5000, 1, 3), (2, 3), (481, 641, 3)]:
        image = rng.integers(0, 256, shape, dtype=np.uint8)
        x, y = attention_jxl.center(image)
        assert 0 <= x < shape[1] and 0 <= y < shape[0]


def test_model_is_safe_from_many_threads(model_path) -> None:
    model = attention_jxl.Model(model_path)
    rng = np.random.default_rng(2)
    images = [rng.integers(0, 256, (200 + 10 * i, 300, 3), dtype=np.uint8) for i in range(6)]
    expected = [model.center(image) for image in images]
    results: dict[int, list] = {}

    def work(worker: int) -> None:
        results[worker] = [model.center(images[(worker + k) % 6]) for k in range(12)]

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker, got in results.items():
        assert got == [expected[(worker + k) % 6] for k in range(12)]
