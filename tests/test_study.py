"""The attention study: masks, variants, embeddings, neural distances, report and resume."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

import attention_jxl
from attention_jxl import study
from attention_jxl.cli import main
from attention_jxl.study import report
from attention_jxl.study.embeddings import AttentionEmbedder
from attention_jxl.study.images import write_png
from attention_jxl.study.masks import foreground_mask, read_mask_file
from conftest import TESTDATA

SIZE = (480, 360)  # width, height of the generated scenes
PHOTOS = [TESTDATA / "jxl/flower/flower.png",
          TESTDATA / "external/wesaturate/500px/tmshre_riaphotographs_alpha.png"]


def scene(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A striped disc (the object a person looks at) on a soft green texture, and its mask."""
    rng = np.random.default_rng(seed)
    width, height = SIZE
    coarse = rng.normal(size=(height // 24, width // 24, 3)).astype(np.float32)
    texture = cv2.resize(coarse, SIZE, interpolation=cv2.INTER_CUBIC)
    texture += rng.normal(scale=0.15, size=(height, width, 3)).astype(np.float32)
    image = np.clip(np.array([90, 130, 80], np.float32) + 12 * texture, 0, 255).astype(np.uint8)
    mask = np.zeros((height, width), np.uint8)
    center = (int(rng.integers(150, 330)), int(rng.integers(110, 250)))
    cv2.circle(mask, center, int(rng.integers(55, 80)), 255, -1)
    rows, columns = np.mgrid[:height, :width]
    stripes = ((rows + columns) // 10) % 2 == 1
    drawn = np.where(stripes[:, :, None], np.uint8([250, 220, 30]), np.uint8([30, 20, 120]))
    image[mask > 0] = drawn[mask > 0]
    return image, mask > 0


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    """Four generated scenes as PNG files, with their true masks."""
    folder = tmp_path_factory.mktemp("scenes")
    found = []
    for seed in range(4):
        image, mask = scene(seed)
        path = folder / f"scene{seed}.png"
        write_png(path, image)
        found.append((path, mask))
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grabcut_seeded_by_saliency_covers_the_drawn_object(seed):
    image, truth = scene(seed)
    mask = study.grabcut_mask(image, attention_jxl.saliency(image, size=SIZE))
    assert iou(mask, truth) >= 0.7


def test_masks_come_from_a_file_then_alpha_then_grabcut(tmp_path):
    image, truth = scene(0)
    file = tmp_path / "scene0.png"
    write_png(file, truth.astype(np.uint8) * 255)
    never = lambda: pytest.fail("saliency is not needed")  # noqa: E731
    mask, source = foreground_mask(image, None, never, mask_file=file)
    assert source == "file" and np.array_equal(mask, truth)
    alpha = np.where(truth, 255, 0).astype(np.uint8)
    mask, source = foreground_mask(image, alpha, never)
    assert source == "alpha" and np.array_equal(mask, truth)
    mask, source = foreground_mask(image, None, lambda: attention_jxl.saliency(image, size=SIZE),
                                   method="grabcut")
    assert source == "grabcut" and iou(mask, truth) >= 0.7
    with pytest.raises(ValueError, match="transparent"):
        foreground_mask(image, None, never, method="alpha")
    with pytest.raises(ValueError, match="mask method must be one of"):
        foreground_mask(image, None, never, method="magic")


def test_a_mask_file_of_another_size_is_scaled(tmp_path):
    _, truth = scene(1)
    file = tmp_path / "half.png"
    write_png(file, cv2.resize(truth.astype(np.uint8) * 255, (240, 180),
                               interpolation=cv2.INTER_NEAREST))
    assert iou(read_mask_file(file, SIZE), truth) > 0.95


def test_rembg_missing_is_a_clear_error_naming_the_fix():
    pytest.importorskip("cv2")
    try:
        import rembg  # noqa: F401
    except ImportError:
        with pytest.raises(study.MaskUnavailableError, match="pip install rembg"):
            study.rembg_mask(scene(0)[0])
    else:
        pytest.skip("rembg is installed: its weights decide, see test_rembg_weights_missing")


def test_rembg_weights_missing_is_a_clear_error(monkeypatch, tmp_path):
    pytest.importorskip("rembg", reason="rembg is not installed")
    monkeypatch.setenv("U2NET_HOME", str(tmp_path))
    with pytest.raises(study.MaskUnavailableError, match="u2net.onnx"):
        study.rembg_mask(scene(0)[0])


def test_variants_keep_what_they_should():
    image, mask = scene(2)
    plain = study.no_background(image, mask)
    assert np.array_equal(plain[mask], image[mask]) and (plain[~mask] == 255).all()
    far = cv2.erode((~mask).astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    for method in study.INPAINT_METHODS:
        filled = study.no_foreground(image, mask, method)
        assert np.array_equal(filled[far], image[far])
        # The hole takes the texture's colours: far from the object's yellow and blue.
        assert abs(filled[mask].mean(axis=0) - image[far].mean(axis=0)).max() < 20
    with pytest.raises(ValueError, match="inpaint method must be one of"):
        study.no_foreground(image, mask, "blur")


@pytest.mark.parametrize("shape", [(7, 500), (300, 40), (24, 4800)])
def test_lanczos_resampling_is_opencvs(shape):
    matrix = np.random.default_rng(1).normal(size=(64, 120)).astype(np.float32)
    expected = cv2.resize(matrix, (shape[1], shape[0]), interpolation=cv2.INTER_LANCZOS4)
    resampled = study.lanczos_resample(matrix, shape)
    assert resampled.shape == shape and np.array_equal(resampled, expected)


def test_distances_order_synthetic_neural_data():
    """A smooth 'neural' signal sampled coarsely is nearest the embedding it was sampled
    from, then the ones with more and more noise added."""
    rows, columns = np.mgrid[0:24, 0:4800].astype(np.float32)
    signal = lambda r, c: np.sin(r / 5.0) * np.cos(c / 700.0)  # noqa: E731
    embedding = signal(rows, columns)
    # Sampled at the pixel centres OpenCV's resize aligns (24 -> 12 rows, 4800 -> 300 columns).
    coarse_rows, coarse_columns = np.meshgrid((np.arange(12) + 0.5) * 2 - 0.5,
                                              (np.arange(300) + 0.5) * 16 - 0.5, indexing="ij")
    neural = signal(coarse_rows, coarse_columns).astype(np.float32)
    target = study.lanczos_resample(neural, embedding.shape)
    noise = np.random.default_rng(2).normal(size=embedding.shape).astype(np.float32)
    distances = [study.l2_distance(target, embedding + level * noise) for level in (0, 0.3, 1)]
    assert distances == sorted(distances) and distances[0] < 0.1 * distances[1]
    test = study.paired_comparison([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2.0, 3.5, 3.2, 5.0, 7, 6.5])
    assert test["n"] == 6 and 0 < test["p_value"] < 0.1
    assert study.paired_comparison([1.0], [1.0])["p_value"] is None


def test_attention_embedding_is_the_second_stage():
    image, _ = scene(0)
    matrix = AttentionEmbedder().embed(image)
    assert matrix.shape == (24, 60 * 80) and matrix.dtype == np.float32
    with pytest.raises(ValueError, match="stage1"):
        AttentionEmbedder(layer="layer2")


def test_layer_model_outputs_named_stages_and_the_center():
    from attention_jxl._layers import LayerModel

    image, _ = scene(3)
    outputs = LayerModel().run(image)
    shapes = {name: value.shape for name, value in outputs.items()}
    assert shapes == {"center": (1, 2), "saliency": (1, 480, 640),
                      "stage1": (1, 120, 160, 16), "stage2": (1, 60, 80, 24),
                      "stage3": (1, 30, 40, 40), "stage4": (1, 30, 40, 48),
                      "stage5": (1, 15, 20, 96)}
    point = attention_jxl.Model().predict(attention_jxl.model_input(image))
    assert np.allclose(outputs["center"][0], point, atol=0.1)


def test_resnet50_layer2_shapes_with_random_weights():
    pytest.importorskip("torchvision", reason="torch and torchvision are not installed "
                        "(about 2.7 GB with CUDA packages; not in the test extra)")
    matrix = study.ResNet50Embedder(weights=None).embed(scene(0)[0])
    assert matrix.shape == (512, 28 * 28)


def test_resnet50_without_torch_or_weights_is_a_clear_error(monkeypatch, tmp_path):
    try:
        import torch
    except ImportError:
        with pytest.raises(study.EmbedderUnavailableError, match="pip install torch"):
            study.ResNet50Embedder()
        return
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(study.EmbedderUnavailableError, match="does not download"):
        study.ResNet50Embedder()


def read_rows(outdir):
    with (outdir / report.RESULTS_NAME).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_neural_equal_to_an_embedding_is_at_distance_zero(scenes, tmp_path):
    path, _ = scenes[0]
    original = AttentionEmbedder().embed(cv2.imread(str(path))[:, :, ::-1].copy())
    np.save(tmp_path / "meg.npy", original)
    run = study.run_study([path], tmp_path / "report", neural=[tmp_path / "meg.npy"], jobs=1)
    rows = {row["group"]: row for row in read_rows(tmp_path / "report")}
    distance = {g: float(rows[g]["distance:meg"]) for g in study.GROUPS}
    assert distance["original"] == pytest.approx(0, abs=1e-3)
    for group in study.GROUPS[1:]:
        assert distance[group] == pytest.approx(float(rows[group]["embedding_change"]), rel=1e-4)
    assert rows["original"]["center_on_foreground"] == "True"
    assert float(rows["no_foreground"]["saliency_on_foreground"]) < float(
        rows["original"]["saliency_on_foreground"])
    assert run.summary["groups"]["original"]["distance:meg"]["mean"] == pytest.approx(0, abs=1e-3)


def test_a_multi_core_run_reports_progress_and_resumes(scenes, tmp_path):
    outdir = tmp_path / "report"
    paths = [p for p, _ in scenes]
    calls = []
    first = study.run_study(paths[:3], outdir, jobs=2, max_side=320,
                            progress=lambda done, total, image: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)] and len(first.studied) == 3
    assert len(read_rows(outdir)) == 9
    # An image cut off mid-way (one group written) is done again, the others skipped.
    with (outdir / report.RESULTS_NAME).open("a", newline="") as handle:
        handle.write(f"{paths[3]},original,grabcut,0.1,320,240,1,1,False,0.1,0,0\n")
    second = study.run_study(paths, outdir, jobs=2, max_side=320)
    assert sorted(second.skipped) == sorted(map(str, paths[:3]))
    assert second.studied == [str(paths[3])]
    rows = read_rows(outdir)
    assert len(rows) == 12 and len({(r["image"], r["group"]) for r in rows}) == 12
    summary = json.loads((outdir / report.SUMMARY_NAME).read_text())
    assert summary["images"] == 4 and summary["groups"]["no_background"]["n"] == 4
    assert (outdir / "masks" / "scene3.png").is_file()
    assert (outdir / "variants" / "scene3_no_foreground.png").is_file()
    np.save(tmp_path / "meg.npy", np.ones((4, 4), np.float32))
    with pytest.raises(ValueError, match="same --neural files"):
        study.run_study(paths, outdir, neural=[tmp_path / "meg.npy"])


def test_bad_inputs_are_clear_errors(scenes, tmp_path):
    path, _ = scenes[0]
    np.save(tmp_path / "cube.npy", np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="2-D matrix"):
        study.run_study([path], tmp_path / "a", neural=[tmp_path / "cube.npy"])
    other = tmp_path / "x" / path.name
    other.parent.mkdir()
    other.write_bytes(path.read_bytes())
    with pytest.raises(ValueError, match="share the stem"):
        study.run_study([path, other], tmp_path / "b")
    with pytest.raises(ValueError, match="embedder must be one of"):
        study.run_study([path], tmp_path / "c", embedder="vgg")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    run = study.run_study([broken], tmp_path / "d")
    assert list(run.errors) == [str(broken)] and not read_rows(tmp_path / "d")


@pytest.mark.skipif(not all(p.is_file() for p in PHOTOS), reason="libjxl-testdata is missing")
def test_command_on_testdata_photos_writes_the_report(tmp_path, capsys):
    np.save(tmp_path / "meg.npy", np.random.default_rng(3).normal(size=(272, 281)))
    outdir = tmp_path / "report"
    status = main(["study", *map(str, PHOTOS), "--neural", str(tmp_path / "meg.npy"),
                   "--inpaint", "ns", "--max-side", "400", "-o", str(outdir)])
    assert status == 0
    assert "2 studied, 0 already in results.csv, 0 failed" in capsys.readouterr().out
    for name in ("results.csv", "summary.json", "distances.png", "attention.png",
                 "contact_sheet.png"):
        assert (outdir / name).stat().st_size > 0
    sources = {r["image"]: r["mask_source"] for r in read_rows(outdir)}
    assert sources == {str(PHOTOS[0]): "grabcut", str(PHOTOS[1]): "alpha"}
    summary = json.loads((outdir / "summary.json").read_text())
    assert set(summary["comparisons"]["meg"]) == {
        "original vs no_background", "original vs no_foreground",
        "no_background vs no_foreground"}
    assert main(["study", *map(str, PHOTOS), "-o", str(outdir), "--neural",
                 str(tmp_path / "meg.npy")]) == 0
    assert "0 studied, 2 already in results.csv" in capsys.readouterr().out


def test_rembg_asked_for_but_missing_fails_before_any_image(scenes, tmp_path):
    if study.masks.rembg_available():
        pytest.skip("rembg and its weights are installed")
    with pytest.raises(study.MaskUnavailableError, match="rembg"):
        study.run_study([scenes[0][0]], tmp_path / "r", mask_method="rembg")
    assert not (tmp_path / "r").exists()


def test_layers_graph_names_its_outputs_and_refuses_what_it_cannot_run(tmp_path, model_path):
    from attention_jxl._core import LayerModel as NativeLayerModel
    from attention_jxl._prepare import STAGES, prepare_model_bytes, prepared_info

    data = model_path.read_bytes()
    if prepared_info(data) is not None:
        pytest.skip("ATTENTION_JXL_MODEL is a prepared copy; these need the published model")
    prepared = prepare_model_bytes(data, extra_outputs={"second": STAGES["stage2"]})
    assert prepared_info(prepared)["outputs"] == ["center", "saliency", "second"]
    (tmp_path / "second.tflite").write_bytes(prepared)
    native = NativeLayerModel(str(tmp_path / "second.tflite"), 1)
    assert native.names == ["center", "saliency", "second"]
    image = attention_jxl.model_input(scene(0)[0])
    assert native.run(image)["second"].shape == (1, 60, 80, 24)
    with pytest.raises(ValueError, match="without the backbone stages"):
        attention_jxl.LayerModel(attention_jxl.prepared_model())
    with pytest.raises(ValueError, match="names one tensor twice"):
        prepare_model_bytes(data, extra_outputs={"a": STAGES["stage2"], "b": STAGES["stage2"]})
    with pytest.raises(ValueError, match="fast graph"):
        attention_jxl.prepared_model(exact=True, layers=True)
    with pytest.raises(FileNotFoundError):
        NativeLayerModel(str(tmp_path / "missing.tflite"), 1)
    (tmp_path / "junk.tflite").write_bytes(b"TFL3" * 100)
    with pytest.raises(ValueError, match="not a usable model"):
        NativeLayerModel(str(tmp_path / "junk.tflite"), 1)
