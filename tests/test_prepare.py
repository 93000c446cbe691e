"""The prepared model: its interface, its metadata and its outputs against the original."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter

from attention_jxl import _prepare as prepare


@pytest.fixture(scope="module")
def source(model_path) -> bytes:
    return model_path.read_bytes()


@pytest.fixture(scope="module")
def prepared(model_path, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("prepared")
    return {kind: prepare.prepare_model(model_path, folder / f"{kind}.tflite",
                                        exact=kind == "exact") for kind in ("exact", "fast")}


@pytest.fixture(scope="module")
def inputs(reference_inputs) -> dict[str, np.ndarray]:
    return {name: reference_inputs[name] for name in reference_inputs.files}


def _run(model: bytes | Path, batch: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Every output of `model` for each input; the string input, if any, gets b""."""
    content = model.read_bytes() if isinstance(model, Path) else model
    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    results = {}
    for name, image in batch.items():
        for detail in interpreter.get_input_details():
            value = image[None] if detail["dtype"] == np.float32 else np.array(b"")
            interpreter.set_tensor(detail["index"], value)
        interpreter.invoke()
        results[name] = [interpreter.get_tensor(d["index"]).copy()
                         for d in interpreter.get_output_details()]
    return results


@pytest.fixture(scope="module")
def original_centers(source, inputs) -> dict[str, np.ndarray]:
    return {name: outputs[0] for name, outputs in _run(source, inputs).items()}


@pytest.fixture(scope="module")
def outputs(prepared, inputs) -> dict[str, dict[str, list[np.ndarray]]]:
    return {kind: _run(path, inputs) for kind, path in prepared.items()}


def _gravity_center(weights: np.ndarray) -> np.ndarray:
    """(x, y) of a [1, H, W] map in float64, pixel (0, 0) at (0, 0)."""
    plane = weights[0].astype(np.float64)
    rows, columns = np.mgrid[0 : plane.shape[0], 0 : plane.shape[1]]
    return np.array([(plane * columns).sum(), (plane * rows).sum()]) / plane.sum()


@pytest.mark.parametrize("kind", ["exact", "fast"])
def test_interface_and_metadata(prepared, source, kind):
    interpreter = Interpreter(model_path=str(prepared[kind]), num_threads=1)
    (image,) = interpreter.get_input_details()
    assert image["name"] == "image:0" and list(image["shape"]) == [1, 480, 640, 3]
    center, saliency = interpreter.get_output_details()
    assert center["name"] == "center" and list(center["shape"]) == [1, 2]
    assert saliency["name"] == "saliency" and list(saliency["shape"]) == [1, 480, 640]
    assert center["dtype"] == saliency["dtype"] == np.float32
    signature = interpreter.get_signature_list()["serving_default"]
    assert signature["inputs"] == ["image"]
    assert sorted(signature["outputs"]) == ["center", "saliency"]
    import hashlib

    info = prepare.prepared_info(prepared[kind])
    assert info == {
        "source_sha256": hashlib.sha256(source).hexdigest(),
        "preparation_version": prepare.PREPARATION_VERSION,
        "graph": kind,
        "outputs": ["center", "saliency"],
    }
    assert prepare.prepared_info(prepared[kind].read_bytes()) == info
    assert not list(prepared[kind].parent.glob(".*")), "temporary files left behind"


def test_unprepared_model_has_no_info(source, model_path):
    assert prepare.prepared_info(source) is None
    assert prepare.prepared_info(model_path) is None


def test_exact_center_is_bit_identical(outputs, original_centers):
    for name, original in original_centers.items():
        center = outputs["exact"][name][0]
        assert center.tobytes() == original.tobytes(), (name, center, original)


def test_fast_center_is_close(outputs, original_centers, reference_centers):
    """The fast graph's centre is within 0.1 model px of the original's raw output
    (and so within 1 image px of the published pipeline's on photos up to ~6000 px)."""
    published = {entry["image"]: np.array(entry["model_xy"]) for entry in reference_centers}
    for name, original in original_centers.items():
        center = outputs["fast"][name][0][0]
        assert np.abs(center - original[0]).max() < 0.1, name
        assert np.abs(center - published[name]).max() < 0.1, name


@pytest.mark.parametrize("kind", ["exact", "fast"])
def test_saliency_is_the_normalised_map_of_the_center(outputs, kind):
    """saliency is in [0, 1] with max 1 and its centre of gravity is the centre output.

    Both graphs keep the original's float32 sum of the 307200 weighted pixels, which
    lands up to 0.19 px from the map's exact (float64) centre of gravity.
    """
    for name, (center, saliency) in outputs[kind].items():
        assert saliency.shape == (1, 480, 640) and saliency.dtype == np.float32
        assert saliency.min() >= 0 and saliency.max() == 1.0, name
        assert np.abs(_gravity_center(saliency) - center[0]).max() < 0.2, name


def test_extra_outputs(source, inputs):
    names = prepare.available_outputs(source)
    stage = "MobilenetV3/expanded_conv_6/project/GroupNorm/Reshape_2"
    assert stage in names and "center" not in names
    data = prepare.prepare_model_bytes(source, extra_outputs=[stage])
    interpreter = Interpreter(model_content=data, num_threads=1)
    details = interpreter.get_output_details()
    assert [d["name"] for d in details] == ["center", "saliency", stage]
    assert list(details[2]["shape"]) == [1, 30, 40, 48]
    assert prepare.prepared_info(data)["outputs"] == ["center", "saliency", stage]
    name = next(iter(inputs))
    center, _, features = _run(data, {name: inputs[name]})[name]
    assert np.isfinite(features).all() and features.std() > 0
    plain = _run(prepare.prepare_model_bytes(source), {name: inputs[name]})[name][0]
    assert center.tobytes() == plain.tobytes()


def test_unknown_extra_output(source):
    with pytest.raises(ValueError, match="no tensor named 'nope'.*valid names include"):
        prepare.prepare_model_bytes(source, extra_outputs=["nope"])


def test_bad_sources(source, tmp_path):
    for data in (b"", b"garbage" * 10, source[: len(source) // 3], source[:100],
                 b"\0\0\0\0TFL3" + b"\xff" * 64):
        with pytest.raises(ValueError):
            prepare.prepare_model_bytes(data)
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(source[: len(source) // 2])
    with pytest.raises(ValueError):
        prepare.prepare_model(bad, tmp_path / "out.tflite")
    assert not (tmp_path / "out.tflite").exists()
    with pytest.raises(ValueError, match="already prepared"):
        prepare.prepare_model_bytes(prepare.prepare_model_bytes(source))


@pytest.fixture(scope="module")
def synthetic() -> dict[str, np.ndarray]:
    """Inputs where group norms see flat groups (variance ~0) and unstructured noise."""
    bar = np.zeros((480, 640, 3), np.float32)
    bar[:, 540:] = 1
    return {
        "zeros": np.zeros((480, 640, 3), np.float32),
        "ones": np.ones((480, 640, 3), np.float32),
        "bar": bar,
        "noise": np.random.default_rng(1).random((480, 640, 3), dtype=np.float32),
    }


def test_synthetic_inputs(source, prepared, synthetic):
    original = _run(source, synthetic)
    exact, fast = (_run(prepared[kind], synthetic) for kind in ("exact", "fast"))
    for name in synthetic:
        assert exact[name][0].tobytes() == original[name][0].tobytes(), name
        # Normalising a flat group amplifies rounding noise by 1/sqrt(eps) = 1000 in any
        # arithmetic order, so the fast graph is only close here, but never NaN.
        assert np.isfinite(fast[name][0]).all() and np.isfinite(fast[name][1]).all(), name
        assert np.abs(fast[name][0] - original[name][0]).max() < 1.0, name


def test_compiled_model_loads_prepared(prepared, inputs, outputs):
    compiled_model = pytest.importorskip("ai_edge_litert.compiled_model")
    name = next(iter(inputs))
    for kind, path in prepared.items():
        model = compiled_model.CompiledModel.from_file(str(path))
        ins, outs = model.create_input_buffers(0), model.create_output_buffers(0)
        ins[0].write(inputs[name][None])
        model.run_by_index(0, ins, outs)
        details = model.get_output_tensor_details("serving_default")
        center = outs[list(details).index("center")].read(2, np.float32)
        assert np.allclose(center, outputs[kind][name][0][0], atol=1e-3), kind


def test_preparation_is_deterministic_with_unique_names(source):
    from ai_edge_litert import schema_py_generated as schema

    for exact in (False, True):
        data = prepare.prepare_model_bytes(source, exact=exact)
        assert data == prepare.prepare_model_bytes(source, exact=exact)
        graph = schema.ModelT.InitFromPackedBuf(bytearray(data), 0).subgraphs[0]
        names = [tensor.name for tensor in graph.tensors]
        assert len(names) == len(set(names))
