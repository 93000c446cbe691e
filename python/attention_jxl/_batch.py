"""Batch work on files on all cores: the engine behind `attention-jxl encode` and `reorder`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from attention_jxl import _codec, _files, _reorder
from attention_jxl._model import Model, default_model

IMAGE_SUFFIXES = frozenset(
    ".png .apng .jpg .jpeg .jpe .jfif .webp .tif .tiff .bmp .ppm .pgm .pbm .pnm .pam .gif".split()
)
JXL_SUFFIXES = frozenset({".jxl"})

# One file's work: (input bytes, file name, dry run) -> (output bytes, fields
# for its record such as the center, warnings).
Convert = Callable[[bytes, str, bool], tuple[bytes, dict[str, Any], list[str]]]


@dataclass(frozen=True)
class Job:
    """One input file and where its .jxl goes (local paths, or URLs on a cluster)."""

    source: Path | str
    target: Path | str
    collides_with: Path | str | None = None  # an earlier input with the same output
    size: int = 0  # bytes of the input where the listing gave it; 0 when unknown


@dataclass(frozen=True)
class Work:
    """What a batch does with each file, in a form that can be sent to another process.

    `make` is a module-level function building the file converter from the
    model and `settings`, so a cluster worker can rebuild it with its own model.
    """

    make: Callable[..., Convert]
    settings: dict[str, Any] = field(default_factory=dict)
    needs_model: bool = True
    suffixes: frozenset[str] = IMAGE_SUFFIXES
    output_suffix: str = ".jxl"

    def convert(self, model: Model | None) -> Convert:
        """The converter for one process, using `model` where the work needs one."""
        return self.make(model, **self.settings)


class Files(Protocol):
    """Where a batch reads its inputs and writes its outputs."""

    def exists(self, path: Any) -> bool: ...
    def same_file(self, first: Any, second: Any) -> bool: ...
    def read(self, path: Any) -> bytes: ...
    def write_atomically(self, path: Any, data: bytes) -> None: ...


class LocalFiles:
    """This machine's file system."""

    def exists(self, path: Path) -> bool:
        return Path(path).exists()

    def same_file(self, first: Path, second: Path) -> bool:
        return Path(first).resolve() == Path(second).resolve()

    def read(self, path: Path) -> bytes:
        return Path(path).read_bytes()

    def write_atomically(self, path: Path, data: bytes) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(Path(path), data)


LOCAL_FILES = LocalFiles()


def plan_jobs(inputs: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str],
              *, recursive: bool = False, suffixes: frozenset[str] = IMAGE_SUFFIXES,
              output_suffix: str = ".jxl") -> list[Job]:
    """Expands files and folders into jobs; outputs mirror each folder's tree.

    A file given directly lands in `outdir`; files found in a folder keep
    their path relative to that folder. Only files with `suffixes` are taken
    from folders; files named directly are always tried.
    """
    out = Path(outdir)
    jobs: list[Job] = []
    for item in map(Path, inputs):
        if item.is_dir():
            found = item.rglob("*") if recursive else item.iterdir()
            for source in sorted(p for p in found if p.is_file()):
                if source.suffix.lower() in suffixes:
                    relative = source.relative_to(item).with_suffix(output_suffix)
                    jobs.append(Job(source, out / relative))
        else:
            jobs.append(Job(item, out / (item.stem + output_suffix)))
    return mark_collisions(jobs)


def mark_collisions(jobs: list[Job]) -> list[Job]:
    """Marks each job whose output an earlier job already has.

    a.png and a.jpg would both become a.jxl: the first wins, the others fail.
    """
    first_with_target: dict[Path | str, Path | str] = {}
    for index, job in enumerate(jobs):
        first = first_with_target.setdefault(job.target, job.source)
        if first != job.source:
            jobs[index] = Job(job.source, job.target, collides_with=first, size=job.size)
    return jobs


def _input_size(job: Job) -> int:
    try:
        return Path(job.source).stat().st_size
    except OSError:
        return 0  # reported when the job runs


def make_record(job: Job, status: str, **fields: Any) -> dict[str, Any]:
    """The record of one file, as every batch yields it."""
    record = {"input": str(job.source), "output": str(job.target), "status": status,
              "center": None, "bytes_in": None, "bytes_out": None, "seconds": None,
              "error": None, "warnings": []}
    record.update(fields)
    return record


def write_atomically(path: Path, data: bytes) -> None:
    """Writes `data` to a temporary file beside `path`, then renames it over.

    A reader (or an interrupted run) never sees a partial file at `path`.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


SKIPPED_BECAUSE = "output exists (use --overwrite)"


def run_job(job: Job, convert: Convert, dry_run: bool, overwrite: bool,
            files: Files = LOCAL_FILES) -> dict[str, Any]:
    """Converts one file and writes its output atomically; its record, never an exception."""
    started = time.perf_counter()
    try:
        if files.same_file(job.target, job.source):
            raise ValueError("the output would overwrite the input")
        if job.collides_with is not None:
            raise ValueError(f"{job.collides_with} has the same output name")
        if not overwrite and not dry_run and files.exists(job.target):
            return make_record(job, "skipped", error=SKIPPED_BECAUSE)
        data = files.read(job.source)
        name = job.source.name if isinstance(job.source, Path) else job.source.rsplit("/", 1)[-1]
        converted, fields, problems = convert(data, name, dry_run)
        if not dry_run:
            files.write_atomically(job.target, converted)
        return make_record(job, "dry-run" if dry_run else "ok", **fields,
                       bytes_in=len(data), bytes_out=None if dry_run else len(converted),
                       seconds=round(time.perf_counter() - started, 4), warnings=problems)
    except Exception as error:  # a failing file is reported, never fatal
        return make_record(job, "error", error=f"{type(error).__name__}: {error}",
                       seconds=round(time.perf_counter() - started, 4))


def _finished(running: set[Future]) -> Iterator[dict[str, Any]]:
    """Waits for files of `running` to finish and yields their records.

    A future leaves `running` only as its record is handed out: when Ctrl-C
    comes (or is thrown in) meanwhile, every file not yet reported is still there.
    """
    done, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in done:
        record = future.result()
        running.discard(future)
        yield record


def encode_files(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    jobs: int | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    model: Model | None = None,
    **options: Any,
) -> Iterator[dict[str, Any]]:
    """Encodes image files to center-first JPEG XL files in `outdir`, in parallel.

    Args:
        paths: files and folders (folders: their image files; see `recursive`).
        outdir: output folder; each input becomes ``<name>.jxl``, mirroring
            the tree below each input folder.
        jobs: files encoded at once (threads); default: one per core.
        recursive: descend into sub-folders.
        overwrite: replace existing outputs (otherwise they are skipped).
        dry_run: predict centers and report, write nothing.
        model: the model for center="auto"; by default the shared one.
        **options: `encode` settings (distance, effort, lossless, center,
            frame settings), ``jpeg_transcode`` (default True: JPEG files
            are recompressed losslessly instead of re-encoding their pixels)
            and ``strip`` (default False: the source's Exif and XMP are
            carried into the output).

    Yields:
        One record per input, as each finishes: input, output, status ("ok",
        "skipped", "dry-run" or "error"), center, bytes_in, bytes_out, seconds,
        error, warnings (e.g. unreadable EXIF metadata, which never stops a
        file). Outputs are written atomically; an input is never overwritten.
    """
    work = encode_work(options)
    return _run_all(_plan(paths, outdir, recursive, work), _local_convert(work, model),
                    jobs, dry_run, overwrite)


def _plan(paths: Iterable[str | os.PathLike[str]], outdir: str | os.PathLike[str],
          recursive: bool, work: Work) -> list[Job]:
    return plan_jobs(paths, outdir, recursive=recursive, suffixes=work.suffixes,
                     output_suffix=work.output_suffix)


def _local_convert(work: Work, model: Model | None) -> Convert:
    return work.convert((model or default_model()) if work.needs_model else model)


def _encode_convert(model: Model | None, options: dict[str, Any]) -> Convert:
    def convert(data: bytes, name: str, measure_only: bool):
        encoded, center, problems = _files.encode_file_bytes(
            data, name=name, model=model, threads=0, measure_only=measure_only, **options)
        return encoded, {"center": list(center) if center is not None else None}, problems

    return convert


def encode_work(options: dict[str, Any]) -> Work:
    """The work of `encode_files` with these `encode` options, checked."""
    _codec.check_encode_options(options)
    return Work(_encode_convert, {"options": dict(options)},
                needs_model=options.get("center", "auto") == "auto")


def reorder_files(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    center: _codec.Center = "auto",
    jobs: int | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    model: Model | None = None,
) -> Iterator[dict[str, Any]]:
    """Rewrites JPEG XL files into center-first order (`reorder`) in `outdir`, in parallel.

    Nothing is re-encoded. `paths`, `outdir`, `jobs`, `recursive`,
    `overwrite`, `dry_run` and the records yielded are as in `encode_files`
    (folders give their .jxl files). `center` is ``"auto"`` (predicted from
    each decoded file, `jxl_center`), one (x, y) for every file, or None for
    scanline order.
    """
    work = reorder_work(center)
    return _run_all(_plan(paths, outdir, recursive, work), _local_convert(work, model),
                    jobs, dry_run, overwrite)


def _reorder_convert(model: Model | None, center: _codec.Center) -> Convert:
    def convert(data: bytes, name: str, measure_only: bool):
        where = _reorder.jxl_center(data, model=model) if center == "auto" else center
        reordered = b"" if measure_only else _reorder.reorder(data, where)
        return reordered, {"center": list(where) if where is not None else None}, []

    return convert


def reorder_work(center: _codec.Center = "auto") -> Work:
    """The work of `reorder_files` with this `center`, checked."""
    if center != "auto" and center is not None:
        center = _codec.check_center(center)
    return Work(_reorder_convert, {"center": center}, needs_model=center == "auto",
                suffixes=JXL_SUFFIXES)


def crop_files(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    size: tuple[int, int] | None = None,
    aspect: str | float | None = None,
    format: str = "png",
    jobs: int | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    model: Model | None = None,
) -> Iterator[dict[str, Any]]:
    """Crops image files where people look (`crop_box`) into `outdir`, in parallel.

    Give `size` (width, height) or `aspect`. Each crop is cut from the image
    as shown (EXIF orientation applied) and written as ``<name>.<format>``:
    ``png``, ``jpg`` or ``jxl`` (center-first within the crop). `paths`,
    `jobs`, `recursive`, `overwrite` and `dry_run` are as in `encode_files`;
    the records also hold the ``box`` (x, y, w, h) and the ``center``.
    """
    work = crop_work(size, aspect, format)
    return _run_all(_plan(paths, outdir, recursive, work), _local_convert(work, model),
                    jobs, dry_run, overwrite)


def _crop_convert(model: Model | None, width: int | None, height: int | None,
                  aspect: str | float | None, format: str) -> Convert:
    def convert(data: bytes, name: str, measure_only: bool):
        return _files.crop_file_bytes(data, name=name, width=width, height=height,
                                      aspect=aspect, format=format, model=model,
                                      measure_only=measure_only)

    return convert


def crop_work(size: tuple[int, int] | None, aspect: str | float | None, format: str) -> Work:
    """The work of `crop_files` for this `size` or `aspect` and `format`, checked."""
    if format not in _files.CROP_FORMATS:
        raise ValueError(f"format must be one of {', '.join(_files.CROP_FORMATS)}, got {format!r}")
    if (size is None) == (aspect is None):
        raise ValueError("give either size or aspect")
    width, height = size if size is not None else (None, None)
    return Work(_crop_convert, {"width": width, "height": height, "aspect": aspect,
                                "format": format}, output_suffix=f".{format}")


def _run_all(planned: list[Job], convert: Convert, jobs: int | None, dry_run: bool,
             overwrite: bool) -> Iterator[dict[str, Any]]:
    # Largest files first, and every file may use every core: the last
    # files of a batch then do not run on one core while the others idle.
    planned.sort(key=_input_size, reverse=True)
    workers = max(1, jobs or os.cpu_count() or 1)
    pending = iter(planned)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="attention-jxl") as pool:
        running: set[Future] = set()
        try:
            for job in pending:
                running.add(pool.submit(run_job, job, convert, dry_run, overwrite))
                if len(running) >= 2 * workers:  # bounded queue: memory stays flat
                    yield from _finished(running)
            while running:
                yield from _finished(running)
        except KeyboardInterrupt:
            # Ctrl-C: drop what has not started, let running files finish their
            # atomic write and report them, then let the interrupt through.
            for future in running:
                future.cancel()
            yield from (f.result() for f in as_completed(running) if not f.cancelled())
            raise
        finally:
            for future in running:  # the caller stopped iterating early
                future.cancel()
