"""Finding, fetching and loading the attention center model."""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from attention_jxl import _core
from attention_jxl._image import as_image_array

MODEL_URL = "https://github.com/google/attention-center/raw/main/model/center.tflite"
MODEL_SHA256 = "8968fe8266a305c356334a1dcd5c58541b58be916decd32c55c6f51fe65273de"
MODEL_ENV = "ATTENTION_JXL_MODEL"
_MODEL_NAME = "center.tflite"


def cache_dir() -> Path:
    """The user cache folder where `download_model` puts the model."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "attention_jxl"


def _bundled_model() -> Path:
    return Path(__file__).resolve().parent / "models" / _MODEL_NAME


def find_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Returns the model file to use.

    Lookup order: `path`, then the ATTENTION_JXL_MODEL environment variable,
    then the copy bundled into the package, then the user cache folder.
    Raises FileNotFoundError naming every place looked and how to get the model.
    """
    if path is not None:
        explicit = Path(path)
        if not explicit.is_file():
            raise FileNotFoundError(f"model file not found: {explicit}")
        return explicit
    from_env = os.environ.get(MODEL_ENV)
    if from_env:
        if not Path(from_env).is_file():
            raise FileNotFoundError(f"model file not found: {from_env} (from ${MODEL_ENV})")
        return Path(from_env)
    candidates = [_bundled_model(), cache_dir() / _MODEL_NAME]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = "\n  ".join([f"${MODEL_ENV} (not set)"] + [str(c) for c in candidates])
    raise FileNotFoundError(
        f"the attention center model {_MODEL_NAME} was not found. Looked in:\n  {looked}\n"
        "Fetch it with `attention-jxl download-model`, or set "
        f"{MODEL_ENV} to the path of a copy."
    )


def download_model(
    destination: str | os.PathLike[str] | None = None, *, url: str = MODEL_URL, timeout: float = 60
) -> Path:
    """Downloads the official model, checks its sha256 and stores it atomically.

    Returns the stored path (by default in the user cache folder). Raises
    ConnectionError when the download fails and ValueError when the file
    downloaded is not the published model.
    """
    target = Path(destination) if destination is not None else cache_dir() / _MODEL_NAME
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ConnectionError(
            f"could not download the model from {url}: {reason}. "
            f"Without network access, copy center.tflite to {target} by hand "
            f"or set {MODEL_ENV} to its path."
        ) from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise ValueError(
            f"downloaded model has sha256 {digest}, expected {MODEL_SHA256}; not saved"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


class Model:
    """A loaded attention center model.

    Safe to use from many threads at once: each concurrent call runs on its
    own compiled copy of the model, kept in a pool. Inference releases the GIL.

    Args:
        path: the .tflite file; None looks it up as `find_model` does.
        threads: CPU threads one inference uses.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, threads: int = 1) -> None:
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be an integer >= 1, got {threads!r}")
        self._native = _core.Model(str(find_model(path)), threads)

    @property
    def path(self) -> str:
        """The model file this model was loaded from."""
        return self._native.path

    @property
    def threads(self) -> int:
        """CPU threads one inference uses."""
        return self._native.threads

    def center(self, image: Any, *, orientation: int = 1) -> tuple[int, int]:
        """The attention center (x, y) of `image` in its own pixel coordinates.

        `orientation` is the image's EXIF orientation (1..8): the model sees
        the image upright, the center is given in the stored pixels.
        """
        return self._native.center(as_image_array(image), orientation)

    def predict(self, model_input: np.ndarray) -> tuple[float, float]:
        """The raw model output (x, y) in model pixels for a 480x640x3 float32 input."""
        return self._native.infer(np.asarray(model_input, dtype=np.float32))

    def __repr__(self) -> str:
        return f"Model(path={self.path!r}, threads={self.threads})"


_default_model: Model | None = None
_default_model_lock = threading.Lock()


def default_model() -> Model:
    """The model shared by the module-level functions, loaded on first use."""
    global _default_model
    with _default_model_lock:
        if _default_model is None:
            _default_model = Model()
        return _default_model
