"""Finding, downloading and loading the model; the library stays quiet."""

from __future__ import annotations

import hashlib
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import attention_jxl
from attention_jxl import _model
from conftest import without_litert_notice


@pytest.fixture
def no_model_anywhere(monkeypatch, tmp_path):
    monkeypatch.delenv("ATTENTION_JXL_MODEL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_model, "_bundled_model", lambda: tmp_path / "bundle" / "center.tflite")
    return tmp_path


def test_lookup_order(model_path, no_model_anywhere, monkeypatch) -> None:
    root = no_model_anywhere
    cached = root / "cache" / "attention_jxl" / "center.tflite"
    bundled = root / "bundle" / "center.tflite"
    from_env = root / "env.tflite"
    for path in (cached, bundled, from_env):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(model_path.read_bytes())
    assert attention_jxl.find_model() == bundled
    bundled.unlink()
    assert attention_jxl.find_model() == cached
    monkeypatch.setenv("ATTENTION_JXL_MODEL", str(from_env))
    assert attention_jxl.find_model() == from_env
    assert attention_jxl.find_model(model_path) == model_path


def test_missing_model_names_every_place_and_the_fix(no_model_anywhere) -> None:
    with pytest.raises(FileNotFoundError) as info:
        attention_jxl.find_model()
    message = str(info.value)
    assert "ATTENTION_JXL_MODEL" in message
    assert str(no_model_anywhere / "bundle" / "center.tflite") in message
    assert str(no_model_anywhere / "cache" / "attention_jxl" / "center.tflite") in message
    assert "attention-jxl download-model" in message


def test_explicit_missing_path(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.tflite"):
        attention_jxl.Model(tmp_path / "nope.tflite")


def test_environment_variable_pointing_nowhere(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ATTENTION_JXL_MODEL", str(tmp_path / "gone.tflite"))
    with pytest.raises(FileNotFoundError, match="gone.tflite"):
        attention_jxl.find_model()


@pytest.mark.parametrize(
    "content",
    [b"", b"not a model at all", b"\x89PNG\r\n\x1a\n" + bytes(200), bytes(range(256)) * 64],
    ids=["empty", "text", "png", "noise"],
)
def test_files_that_are_not_models(tmp_path, content) -> None:
    path = tmp_path / "bad.tflite"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad.tflite"):
        attention_jxl.Model(path)


def test_damaged_copies_of_the_published_model(model_path, tmp_path) -> None:
    original = model_path.read_bytes()
    path = tmp_path / "center.tflite"
    for size in (8, 5000, len(original) // 2, len(original) - 1):
        path.write_bytes(original[:size])
        with pytest.raises(ValueError, match="damaged copy of the published center.tflite"):
            attention_jxl.Model(path)
    flipped = bytearray(original)
    flipped[len(original) // 3] ^= 0x40
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="sha256"):
        attention_jxl.Model(path)


def test_truncated_prepared_model(tmp_path) -> None:
    prepared = Path(_model.prepared_model()).read_bytes()
    path = tmp_path / "prepared.tflite"
    for size in (100, len(prepared) // 2, len(prepared) - 1):
        path.write_bytes(prepared[:size])
        with pytest.raises(ValueError, match="prepared.tflite"):
            attention_jxl.Model(path)


def test_loading_never_modifies_the_file(model_path, tmp_path) -> None:
    copy = tmp_path / "center.tflite"
    copy.write_bytes(model_path.read_bytes())
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    attention_jxl.Model(copy).center(np.zeros((50, 50, 3), np.uint8))
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before == _model.MODEL_SHA256


def test_model_threads_argument(model_path) -> None:
    assert attention_jxl.Model(model_path, threads=2).threads == 2
    with pytest.raises(ValueError, match="threads"):
        attention_jxl.Model(model_path, threads=0)


class _ServeBytes(http.server.BaseHTTPRequestHandler):
    payload = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args) -> None:
        pass


def _serve(payload: bytes):
    handler = type("Handler", (_ServeBytes,), {"payload": payload})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/center.tflite"


def test_download_checks_sha256_writes_atomically_and_prepares(
        model_path, tmp_path, no_model_anywhere) -> None:
    server, url = _serve(model_path.read_bytes())
    try:
        saved = attention_jxl.download_model(tmp_path / "m" / "center.tflite", url=url)
    finally:
        server.shutdown()
    assert saved.read_bytes() == model_path.read_bytes()
    assert [p.name for p in saved.parent.iterdir()] == ["center.tflite"]
    prepared = no_model_anywhere / "cache" / "attention_jxl" / "prepared"
    assert sorted(p.name.split("-")[1] for p in prepared.iterdir()) == ["exact", "fast"]


def test_download_rejects_a_different_file(tmp_path) -> None:
    server, url = _serve(b"something else")
    try:
        with pytest.raises(ValueError, match="sha256"):
            attention_jxl.download_model(tmp_path / "center.tflite", url=url)
    finally:
        server.shutdown()
    assert not any(tmp_path.iterdir())


def test_download_failure_says_so_plainly(tmp_path) -> None:
    with pytest.raises(ConnectionError, match="could not download the model"):
        attention_jxl.download_model(tmp_path / "center.tflite", url="http://127.0.0.1:9/x")


def _download_command(*args: str, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attention_jxl", "download-model", *args],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, XDG_CACHE_HOME=str(cache)))


def test_download_model_command_reports_failure(tmp_path) -> None:
    # Nothing listens on loopback port 9: the connection is refused.
    result = _download_command("--url", "http://127.0.0.1:9/center.tflite", cache=tmp_path)
    assert result.returncode == 1
    assert "could not download the model" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.rglob("*.tflite"))


def test_download_model_command_from_the_official_location(tmp_path) -> None:
    """Succeeds where GitHub is reachable; elsewhere it must say plainly why not."""
    result = _download_command(cache=tmp_path)
    saved = tmp_path / "attention_jxl" / "center.tflite"
    if result.returncode == 0:
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == _model.MODEL_SHA256
    else:
        assert result.returncode == 1
        assert "could not download the model from https://github.com/" in result.stderr
        assert "Traceback" not in result.stderr
        assert not saved.exists()


def test_library_is_quiet(model_path, tmp_path) -> None:
    code = (
        "import numpy as np, attention_jxl as a;"
        "img = np.random.default_rng(0).integers(0, 256, (300, 400, 3), dtype=np.uint8);"
        "a.decode(a.encode(img)); m = a.Model(threads=2); m.center(img)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, ATTENTION_JXL_MODEL=str(model_path)))
    assert result.returncode == 0, result.stderr
    assert without_litert_notice(result.stderr) == "" and result.stdout == ""


def _tiny_model(*, record: bool) -> bytes:
    """A valid TFLite graph that is not the attention model: image + 1."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    def tensor(name: str, shape: list[int], buffer: int) -> schema.TensorT:
        made = schema.TensorT()
        made.name, made.shape, made.buffer = name, shape, buffer
        made.type = schema.TensorType.FLOAT32
        return made

    one = schema.BufferT()
    one.data = np.frombuffer(np.float32(1).tobytes(), np.uint8)
    buffers = [schema.BufferT(), schema.BufferT(), one, schema.BufferT()]
    graph = schema.SubGraphT()
    graph.tensors = [tensor("image", [1, 480, 640, 3], 1), tensor("one", [1], 2),
                     tensor("out", [1, 480, 640, 3], 3)]
    add = schema.OperatorT()
    add.opcodeIndex, add.inputs, add.outputs = 0, [0, 1], [2]
    graph.operators, graph.inputs, graph.outputs = [add], [0], [2]
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.ADD
    code.version = 1
    model = schema.ModelT()
    model.version, model.operatorCodes, model.subgraphs, model.buffers = 3, [code], [graph], buffers
    if record:
        note = schema.BufferT()
        note.data = np.frombuffer(b'{"kind": "fast"}', np.uint8)
        model.buffers.append(note)
        entry = schema.MetadataT()
        entry.name, entry.buffer = "attention_jxl", len(model.buffers) - 1
        model.metadata = [entry]
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def test_foreign_models_name_what_is_missing(tmp_path) -> None:
    from attention_jxl import _core

    path = tmp_path / "foreign.tflite"
    path.write_bytes(_tiny_model(record=False))
    with pytest.raises(ValueError, match="no 'attention_jxl' preparation record"):
        _core.Model(str(path), 1)
    path.write_bytes(_tiny_model(record=True))
    with pytest.raises(ValueError, match="output 0 must be 'center'; it has outputs \\[out\\]"):
        _core.Model(str(path), 1)


def test_exact_and_fast_graphs(model_path, reference_inputs, reference_centers) -> None:
    fast = attention_jxl.Model(model_path)
    exact = attention_jxl.Model(model_path, exact=True)
    assert (fast.exact, exact.exact) == (False, True)
    assert Path(fast.path).name.endswith(f"-fast-v{_model.PREPARATION_VERSION}.tflite")
    published = {entry["image"]: entry["model_xy"] for entry in reference_centers}
    for name in reference_inputs.files:
        for model in (fast, exact):
            x, y = model.predict(reference_inputs[name])
            assert abs(x - published[name][0]) < 0.1 and abs(y - published[name][1]) < 0.1
    # A prepared file is used as it is, and only as the graph it was prepared as.
    assert attention_jxl.Model(exact.path, exact=True).path == exact.path
    with pytest.raises(ValueError, match="prepared exact graph"):
        attention_jxl.Model(exact.path)


def test_preparation_is_cached_by_sha256(model_path, no_model_anywhere) -> None:
    prepared = attention_jxl.prepared_model(model_path)
    assert prepared.parent == no_model_anywhere / "cache" / "attention_jxl" / "prepared"
    assert prepared.name.startswith(_model.MODEL_SHA256)
    before = prepared.stat().st_mtime_ns
    assert attention_jxl.prepared_model(model_path) == prepared
    assert prepared.stat().st_mtime_ns == before
    assert not [p for p in prepared.parent.iterdir() if p.name.startswith(".")]


def test_prepare_model_command(model_path, tmp_path) -> None:
    out = tmp_path / "exact.tflite"
    result = subprocess.run([sys.executable, "-m", "attention_jxl", "prepare-model",
                             str(model_path), str(out), "--exact"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert attention_jxl.Model(out, exact=True).center(np.zeros((40, 60, 3), np.uint8))
    result = subprocess.run([sys.executable, "-m", "attention_jxl", "prepare-model",
                             str(out), str(tmp_path / "again.tflite")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "already prepared" in result.stderr
    assert "Traceback" not in result.stderr
