"""Batch work on a Dask cluster, reading and writing local paths or fsspec URLs.

The same records and guarantees as `attention_jxl.encode_files`, spread over
the workers of a `distributed` cluster. Tasks carry paths, never pixels: each
worker reads its input and writes its output itself, with the model it loaded
once (`ModelPlugin`). Needs the ``dask`` extra: ``pip install attention-jxl[dask]``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from typing import Any

import distributed
from distributed.diagnostics.plugin import WorkerPlugin

from attention_jxl import _batch, _codec
from attention_jxl._fsspec_files import FsspecFiles, plan_jobs
from attention_jxl._limits import max_image_pixels, set_max_image_pixels
from attention_jxl._model import Model

PLUGIN_NAME = "attention-jxl-model"


class ModelPlugin(WorkerPlugin):
    """Loads the attention center model once on each worker, as the worker starts.

    `path` is looked up on the worker as `find_model` does (None: the
    ``ATTENTION_JXL_MODEL`` variable of the worker, then the model bundled in
    the installed package, then the user cache).
    """

    idempotent = True  # a second batch keeps the loaded model

    def __init__(self, path: str | None = None, *, exact: bool = False) -> None:
        self.path, self.exact = path, exact
        self.model: Model | None = None

    def setup(self, worker: distributed.Worker) -> None:
        self.model = Model(self.path, exact=self.exact)

    def teardown(self, worker: distributed.Worker) -> None:
        self.model = None


def _worker_model() -> Model:
    plugin = distributed.get_worker().plugins.get(PLUGIN_NAME)
    if plugin is None or plugin.model is None:
        raise RuntimeError("this worker has no attention center model: the batch registers "
                           f"{PLUGIN_NAME} before it submits work")
    return plugin.model


def _run_on_worker(job: _batch.Job, work: _batch.Work, dry_run: bool, overwrite: bool,
                   files: FsspecFiles, pixel_limit: int | None) -> dict[str, Any]:
    # The caller's pixel limit applies on the workers (it is process-wide there).
    if max_image_pixels() != pixel_limit:
        set_max_image_pixels(pixel_limit)
    model = _worker_model() if work.needs_model else None
    return _batch.run_job(job, work.convert(model), dry_run, overwrite, files)


WINDOW_REFRESH = 64  # files between two looks at the cluster's size (it may scale)


def _window(client: distributed.Client) -> int:
    """Tasks kept submitted at once: twice the cluster's threads (at least 4), so
    workers never wait and the scheduler's memory stays flat."""
    return max(4, 2 * sum(client.nthreads().values()))


def _records(client: distributed.Client, planned: list[_batch.Job], work: _batch.Work,
             files: FsspecFiles, destination: str, overwrite: bool,
             dry_run: bool) -> Iterator[dict[str, Any]]:
    # One listing of the destination instead of a request per output; the
    # tasks then write without asking again, so a task retried after its
    # worker died replaces its own earlier output instead of calling it skipped.
    existing = set() if overwrite or dry_run else files.existing(destination)
    to_run = []
    for job in planned:
        # Collisions and outputs that are their own input are reported by the task.
        if job.target in existing and job.collides_with is None and job.target != job.source:
            yield _batch.make_record(job, "skipped", error=_batch.SKIPPED_BECAUSE)
        else:
            to_run.append(job)
    to_run.sort(key=lambda job: job.size, reverse=True)  # largest first, as locally
    pending = iter(to_run)
    window = _window(client)
    running: dict[distributed.Future, _batch.Job] = {}
    finished = distributed.as_completed()
    pixel_limit = max_image_pixels()

    def submit(job: _batch.Job) -> None:
        future = client.submit(_run_on_worker, job, work, dry_run, True, files, pixel_limit,
                               pure=False)
        running[future] = job
        finished.add(future)

    try:
        for job in pending:
            submit(job)
            if len(running) >= window:
                break
        for done, future in enumerate(finished, 1):
            job = running.pop(future)
            if future.status == "finished":
                record = future.result()
            else:  # e.g. the task's workers kept dying (KilledWorker), or it was cancelled
                error = future.exception() if future.status == "error" else None
                message = f"{type(error).__name__}: {error}" if error else future.status
                record = _batch.make_record(job, "error", error=message)
            future.release()
            if done % WINDOW_REFRESH == 0:
                window = _window(client)
            for next_job in pending:
                submit(next_job)
                if len(running) >= window:
                    break
            yield record
    finally:
        # Stopped early, interrupted or failed: nothing more starts. Files
        # being written finish their atomic write on their worker.
        finished.clear()
        if running:
            client.cancel(list(running))


def _client(client: distributed.Client | None) -> distributed.Client:
    if client is not None:
        return client
    try:
        return distributed.default_client()
    except ValueError:
        raise ValueError("no Dask client: pass client=, or create a distributed.Client "
                         "(connected to a scheduler, or on a LocalCluster) first") from None


def _run(work: _batch.Work, sources: Iterable[str | os.PathLike[str]],
         destination: str | os.PathLike[str], client: distributed.Client | None,
         recursive: bool, overwrite: bool, dry_run: bool,
         storage_options: dict[str, Any] | None, model_path: str | None,
         exact: bool) -> Iterator[dict[str, Any]]:
    client = _client(client)
    files = FsspecFiles(storage_options)
    planned = plan_jobs(sources, destination, files, recursive=recursive,
                        suffixes=work.suffixes, output_suffix=work.output_suffix)
    if work.needs_model:
        client.register_plugin(ModelPlugin(model_path, exact=exact), name=PLUGIN_NAME)
    return _records(client, planned, work, files, str(destination), overwrite, dry_run)


def encode_files(
    sources: Iterable[str | os.PathLike[str]],
    destination: str | os.PathLike[str],
    *,
    client: distributed.Client | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    storage_options: dict[str, Any] | None = None,
    model_path: str | None = None,
    exact: bool = False,
    **options: Any,
) -> Iterator[dict[str, Any]]:
    """Encodes image files to center-first JPEG XL on a Dask cluster, as `encode_files` does.

    Args:
        sources: files and folders, as local paths (as the workers see them)
            or fsspec URLs (``s3://``, ``gs://``, ``file://``, ``memory://``).
        destination: the output folder, a local path or an fsspec URL.
        client: the `distributed.Client` to run on; default: the current one.
        recursive, overwrite, dry_run: as in `attention_jxl.encode_files`.
        storage_options: passed to fsspec for every URL (credentials,
            ``client_kwargs={"endpoint_url": ...}``, ...).
        model_path: the model file on the workers; default: their lookup
            (`find_model`), e.g. the model bundled in the package.
        exact: load the exact graph instead of the fast one.
        **options: `encode` settings, as in `attention_jxl.encode_files`.

    Yields:
        The records of `attention_jxl.encode_files`, in completion order.
        Outputs already at the destination are skipped (reported first) unless
        `overwrite`; every output is written atomically (a temporary file
        renamed locally, one put on object stores).
    """
    return _run(_batch.encode_work(options), sources, destination, client, recursive,
                overwrite, dry_run, storage_options, model_path, exact)


def reorder_files(
    sources: Iterable[str | os.PathLike[str]],
    destination: str | os.PathLike[str],
    *,
    center: _codec.Center = "auto",
    client: distributed.Client | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    storage_options: dict[str, Any] | None = None,
    model_path: str | None = None,
    exact: bool = False,
) -> Iterator[dict[str, Any]]:
    """`attention_jxl.reorder_files` on a Dask cluster; arguments as in `encode_files` here."""
    return _run(_batch.reorder_work(center), sources, destination, client, recursive,
                overwrite, dry_run, storage_options, model_path, exact)


def crop_files(
    sources: Iterable[str | os.PathLike[str]],
    destination: str | os.PathLike[str],
    *,
    size: tuple[int, int] | None = None,
    aspect: str | float | None = None,
    format: str = "png",
    client: distributed.Client | None = None,
    recursive: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    storage_options: dict[str, Any] | None = None,
    model_path: str | None = None,
    exact: bool = False,
) -> Iterator[dict[str, Any]]:
    """`attention_jxl.crop_files` on a Dask cluster; arguments as in `encode_files` here."""
    return _run(_batch.crop_work(size, aspect, format), sources, destination, client,
                recursive, overwrite, dry_run, storage_options, model_path, exact)


def count_jobs(sources: Iterable[str | os.PathLike[str]], destination: str | os.PathLike[str],
               *, recursive: bool = False, suffixes: frozenset[str] = _batch.IMAGE_SUFFIXES,
               storage_options: dict[str, Any] | None = None) -> int:
    """How many files a batch over `sources` takes (for a progress bar)."""
    return len(plan_jobs(sources, destination, FsspecFiles(storage_options),
                         recursive=recursive, suffixes=suffixes))


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, local_workers: int | None = None,
            threads_per_worker: int | None = None) -> Iterator[distributed.Client]:
    """A client of the scheduler at `scheduler`, or of a new local cluster of
    `local_workers` worker processes; closed (with the local cluster) on exit."""
    if (scheduler is None) == (local_workers is None):
        raise ValueError("give either a scheduler address or a number of local workers")
    if scheduler is not None:
        with distributed.Client(scheduler, timeout="10s") as client:
            yield client
        return
    if local_workers < 1:
        raise ValueError(f"local_workers must be at least 1, got {local_workers}")
    threads = threads_per_worker or max(1, (os.cpu_count() or 1) // local_workers)
    with distributed.LocalCluster(n_workers=local_workers, threads_per_worker=threads,
                                  processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client


__all__ = ["ModelPlugin", "connect", "count_jobs", "crop_files", "encode_files",
           "reorder_files"]
