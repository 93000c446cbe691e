"""Finding, fetching, preparing and loading the attention center model.

The published ``center.tflite`` is the source; the core runs only prepared
copies of it (see ``_prepare``). A prepared copy is made at build time for the
bundled model, by ``download_model`` for the cache, and on first use of any
other source file, cached by the source's sha256.
"""

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
from attention_jxl._prepare import (
    PREPARATION_VERSION,
    STAGES,
    prepare_model,
    prepare_model_bytes,
    prepared_file_name,
    prepared_info,
    write_atomically,
)

MODEL_URL = "https://github.com/google/attention-center/raw/main/model/center.tflite"
MODEL_SHA256 = "8968fe8266a305c356334a1dcd5c58541b58be916decd32c55c6f51fe65273de"
MODEL_SIZE = 2_111_740
MODEL_ENV = "ATTENTION_JXL_MODEL"
_MODEL_NAME = "center.tflite"


def cache_dir() -> Path:
    """The user cache folder: the downloaded model and prepared copies."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "attention_jxl"


def _bundled_dir() -> Path:
    return Path(__file__).resolve().parent / "models"


def _bundled_model() -> Path:
    """The bundled model; the build installs its prepared copies beside it."""
    return _bundled_dir() / prepared_file_name(exact=False)


def find_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Returns the model file to use (a published or a prepared model).

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


def _check_not_damaged(source: Path, data: bytes) -> str:
    """The source's sha256; a copy of the published model that differs is refused."""
    digest = hashlib.sha256(data).hexdigest()
    looks_published = source.name == _MODEL_NAME or len(data) == MODEL_SIZE
    if looks_published and digest != MODEL_SHA256:
        raise ValueError(
            f"{source} is a damaged copy of the published {_MODEL_NAME}: it has "
            f"{len(data):,} bytes and sha256 {digest}, expected {MODEL_SIZE:,} bytes and "
            f"sha256 {MODEL_SHA256}. Fetch it again with `attention-jxl download-model`."
        )
    return digest


def prepared_model(
    path: str | os.PathLike[str] | None = None, *, exact: bool = False, layers: bool = False
) -> Path:
    """A prepared model file for `path` (looked up as `find_model` does).

    A prepared file is used as it is. A published model is prepared once and
    the copy cached by its sha256 and the preparation version; the bundled
    model was prepared at build time. `layers=True` asks for the fast graph
    with the backbone stages (`STAGES`) as extra outputs, which `LayerModel` runs.
    """
    if layers and exact:
        raise ValueError("the layers graph is a fast graph; exact=True cannot be combined with it")
    source = find_model(path)
    if path is None and source.parent == _bundled_dir():
        bundled = _bundled_dir() / prepared_file_name(exact, layers=layers)
        if bundled.is_file():
            return bundled
    data = source.read_bytes()
    try:
        info = prepared_info(data)
    except ValueError as error:
        _check_not_damaged(source, data)
        raise ValueError(f"{source} is not a model: {error}") from None
    if info is not None:
        if info["graph"] != ("exact" if exact else "fast"):
            raise ValueError(
                f"{source} is a prepared {info['graph']} graph, but exact={exact} asks for the "
                "other one; pass the published model so it can be prepared as asked"
            )
        if layers and not set(STAGES) <= set(info["outputs"]):
            raise ValueError(
                f"{source} is a prepared graph without the backbone stages "
                f"({', '.join(STAGES)}); pass the published center.tflite so it can be "
                "prepared with them"
            )
        return source
    digest = _check_not_damaged(source, data)
    target = cache_dir() / "prepared" / prepared_file_name(exact, stem=digest, layers=layers)
    if not target.is_file():
        try:
            prepared = prepare_model_bytes(
                data, exact=exact, extra_outputs=STAGES if layers else ())
        except ValueError as error:
            raise ValueError(
                f"{source} cannot be prepared as the attention model: {error}"
            ) from None
        write_atomically(target, prepared)
    return target


def download_model(
    destination: str | os.PathLike[str] | None = None, *, url: str = MODEL_URL, timeout: float = 60
) -> Path:
    """Downloads the published model, checks its sha256 and stores it atomically.

    Both prepared copies are made beside the cache at once, so the next load
    does no preparation. Returns the stored path (by default in the user cache
    folder). Raises ConnectionError when the download fails and ValueError
    when the file downloaded is not the published model.
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
    write_atomically(target, data)
    for exact in (False, True):
        prepared_model(target, exact=exact)
    return target


class Model:
    """A loaded attention center model.

    Safe to use from many threads at once: each concurrent call runs on its
    own compiled copy of the model, kept in a pool. Inference releases the GIL.

    Args:
        path: the published ``center.tflite`` or a prepared copy; None looks it
            up as `find_model` does.
        threads: CPU threads one inference uses.
        exact: run the exact graph, whose outputs are bit-identical to the
            published model's on LiteRT; the default fast graph is about twice
            as fast and within a tenth of a model pixel of it.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, threads: int = 1, *, exact: bool = False
    ) -> None:
        if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
            raise ValueError(f"threads must be an integer >= 1, got {threads!r}")
        self._exact = bool(exact)
        self._native = _core.Model(str(prepared_model(path, exact=self._exact)), threads)

    @property
    def path(self) -> str:
        """The prepared model file this model was loaded from."""
        return self._native.path

    @property
    def threads(self) -> int:
        """CPU threads one inference uses."""
        return self._native.threads

    @property
    def exact(self) -> bool:
        """Whether this is the exact graph (else the fast one)."""
        return self._exact

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
        return f"Model(path={self.path!r}, threads={self.threads}, exact={self.exact})"


_default_model: Model | None = None
_default_model_lock = threading.Lock()


def default_model() -> Model:
    """The model shared by the module-level functions, loaded on first use."""
    global _default_model
    with _default_model_lock:
        if _default_model is None:
            _default_model = Model()
        return _default_model


__all__ = [
    "MODEL_SHA256",
    "PREPARATION_VERSION",
    "MODEL_URL",
    "Model",
    "cache_dir",
    "default_model",
    "download_model",
    "find_model",
    "prepare_model",
    "prepared_model",
]
