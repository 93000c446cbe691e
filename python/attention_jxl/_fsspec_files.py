"""Batch inputs and outputs as fsspec URLs: listing, reading and atomic writes on any backend.

Paths are kept as the user wrote them (``s3://bucket/key``, ``memory://x``,
or a plain local path made absolute), so records read as they do locally and
a job can travel to another machine as text; each process opens the
filesystems itself from the same storage options.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from attention_jxl import _batch

# Object stores publish an object whole when its single PUT (or its
# multipart upload) completes, so one put is already atomic there; a rename
# would be a copy. The memory filesystem stores a file when it is closed.
_WHOLE_OBJECT_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory"})


def _protocols(fs: fsspec.AbstractFileSystem) -> set[str]:
    return {fs.protocol} if isinstance(fs.protocol, str) else set(fs.protocol)


class FsspecFiles:
    """Files named by fsspec URLs or local paths; an implementation of `_batch.Files`.

    Holds only the storage options (e.g. credentials, endpoint), which are
    passed to every filesystem opened; it is sent to workers as it is.
    """

    def __init__(self, storage_options: dict[str, Any] | None = None) -> None:
        self.storage_options = dict(storage_options or {})

    def open(self, url: str | os.PathLike[str]) -> tuple[fsspec.AbstractFileSystem, str]:
        """The filesystem and its own path for `url` (fsspec caches the filesystems)."""
        return fsspec.core.url_to_fs(str(url), **self.storage_options)

    def display(self, url: str | os.PathLike[str], fs: fsspec.AbstractFileSystem,
                path: str) -> str:
        """`path` of `fs` written like `url`: as a URL if `url` was one, else a plain path."""
        return fs.unstrip_protocol(path) if "://" in str(url) else path

    def exists(self, url: str) -> bool:
        fs, path = self.open(url)
        return fs.exists(path)

    def same_file(self, first: str, second: str) -> bool:
        (fs_a, path_a), (fs_b, path_b) = self.open(first), self.open(second)
        if isinstance(fs_a, LocalFileSystem) and isinstance(fs_b, LocalFileSystem):
            return os.path.realpath(path_a) == os.path.realpath(path_b)
        return _protocols(fs_a) == _protocols(fs_b) and path_a == path_b

    def read(self, url: str) -> bytes:
        fs, path = self.open(url)
        return fs.cat_file(path)

    def write_atomically(self, url: str, data: bytes) -> None:
        """Writes `data` at `url` so that no reader ever sees part of it.

        Local files: a temporary file beside it, renamed over. Object stores:
        one put. Other filesystems: a temporary name, then a move.
        """
        fs, path = self.open(url)
        if isinstance(fs, LocalFileSystem):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            _batch.write_atomically(Path(path), data)
        elif _protocols(fs) & _WHOLE_OBJECT_PROTOCOLS:
            fs.pipe_file(path, data)
        else:
            parent, _, name = path.rpartition("/")
            partial = f"{parent}/.{name}.{uuid.uuid4().hex}.part"
            try:
                fs.pipe_file(partial, data)
                fs.mv(partial, path)
            finally:
                if fs.exists(partial):
                    fs.rm(partial)

    def existing(self, url: str) -> set[str]:
        """Every file below the folder `url`, written like `url`, from one listing."""
        fs, path = self.open(url)
        fs.invalidate_cache(path)  # fsspec keeps listings; workers have written since
        if not fs.isdir(path):
            return set()
        return {self.display(url, fs, found) for found in fs.find(path)}


def plan_jobs(sources: Iterable[str | os.PathLike[str]], destination: str | os.PathLike[str],
              files: FsspecFiles, *, recursive: bool = False,
              suffixes: frozenset[str] = _batch.IMAGE_SUFFIXES,
              output_suffix: str = ".jxl") -> list[_batch.Job]:
    """Expands files and folders (local or URLs) into jobs, as `_batch.plan_jobs` does locally.

    Folders are listed once each, with the sizes of their files.
    """
    out_fs, out_path = files.open(destination)
    out = files.display(destination, out_fs, out_path.rstrip("/"))
    jobs: list[_batch.Job] = []
    for item in sources:
        fs, path = files.open(item)
        path = path.rstrip("/") or path
        fs.invalidate_cache(path)
        if fs.isdir(path):
            found = fs.find(path, maxdepth=None if recursive else 1, detail=True)
            for source in sorted(found):
                info = found[source]
                relative = PurePosixPath(source).relative_to(path)
                if info.get("type") != "file" or relative.suffix.lower() not in suffixes:
                    continue
                jobs.append(_batch.Job(files.display(item, fs, source),
                                       f"{out}/{relative.with_suffix(output_suffix)}",
                                       size=int(info.get("size") or 0)))
        else:
            name = PurePosixPath(path).stem + output_suffix
            jobs.append(_batch.Job(files.display(item, fs, path), f"{out}/{name}"))
    return _batch.mark_collisions(jobs)
