"""The Starlette app: routes, body and pixel limits, the bounded native pool, metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import attention_jxl
from attention_jxl import aio
from attention_jxl._model import default_model
from attention_jxl.server import _work
from attention_jxl.server._errors import Problem, problem_for, response
from attention_jxl.server._metrics import CONTENT_TYPE, Metrics
from attention_jxl.server._settings import ServerSettings

log = logging.getLogger("attention_jxl.server")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise Problem(413, f"body of {declared} bytes is over the limit of {limit}")
        except ValueError:
            raise Problem(400, f"invalid Content-Length {declared!r}") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _number(request: Request, name: str, kind: type, default: Any) -> Any:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        return kind(text)
    except ValueError:
        raise Problem(400, f"query parameter {name} must be a {kind.__name__}, "
                           f"got {text!r}") from None


def _flag(request: Request, name: str, default: bool) -> bool:
    text = request.query_params.get(name)
    if text is None:
        return default
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise Problem(400, f"query parameter {name} must be true or false, got {text!r}")


def _center(request: Request) -> Any:
    text = request.query_params.get("center", "auto")
    if text == "auto":
        return "auto"
    if text in ("none", "scanline"):
        return None
    try:
        x, y = (int(part) for part in text.split(","))
    except ValueError:
        raise Problem(400, f'query parameter center must be "auto", "none" or X,Y, '
                           f"got {text!r}") from None
    return (x, y)


def encode_options(request: Request) -> dict[str, Any]:
    return {"distance": _number(request, "distance", float, 1.0),
            "effort": _number(request, "effort", int, 7),
            "lossless": _flag(request, "lossless", False),
            "center": _center(request),
            "jpeg_transcode": _flag(request, "jpeg_transcode", True),
            "strip": _flag(request, "strip", False)}


def crop_options(request: Request) -> dict[str, Any]:
    aspect = request.query_params.get("aspect")
    width = _number(request, "width", int, None)
    height = _number(request, "height", int, None)
    if aspect is None and (width is None or height is None):
        raise Problem(400, "give width and height, or aspect (e.g. aspect=16:9)")
    return {"width": width, "height": height, "aspect": aspect,
            "format": request.query_params.get("format", "png")}


CROP_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jxl": "image/jxl"}


def create_app(settings: ServerSettings | None = None) -> Starlette:
    """The HTTP service; `attention-jxl serve` runs it with uvicorn.

    Endpoints (the image is the request body):
      POST /encode     center-first JPEG XL (query: distance, effort, lossless,
                       center=auto|none|X,Y, jpeg_transcode, strip)
      POST /center     JSON {"center": [x, y], ...}; ?format=png: the heat map
      POST /saliency   JSON {"saliency": [[...]], ...}; ?format=png: the heat map
      POST /crop       the crop (query: width and height, or aspect; format=png|jpg|jxl)
      POST /probe      JSON of `attention_jxl.probe` for a JPEG XL body
      POST /jpeg       the original JPEG of a transcoded JPEG XL file
      GET  /healthz    JSON {"status": "ok"}
      GET  /metrics    Prometheus text
    """
    settings = settings or ServerSettings()
    runner = aio.Runner(settings.max_concurrency, settings.max_queue)
    metrics = Metrics(runner)

    async def native(function: Callable[..., Any], *args: Any) -> Any:
        return await runner.run(function, *args, timeout=settings.request_timeout)

    def endpoint(name: str, handle: Callable[[Request], Awaitable[Response]]):
        async def answer(request: Request) -> Response:
            start = time.perf_counter()
            try:
                result = await handle(request)
            except Exception as error:  # every failure is answered in JSON
                problem = problem_for(error, settings.retry_after)
                if problem.status == 500:
                    log.exception("%s failed", name)
                if problem.status == 503:
                    reason = "overloaded" if isinstance(error, aio.OverloadedError) else "timeout"
                    metrics.rejections.labels(reason).inc()
                result = response(problem)
            metrics.observe(name, result.status_code, time.perf_counter() - start)
            return result
        return answer

    async def body(request: Request) -> bytes:
        return await read_body(request, settings.max_body_bytes)

    async def encode(request: Request) -> Response:
        options = encode_options(request)
        data = await body(request)
        encoded, headers = await native(_work.encode, data, options)
        return Response(encoded, media_type="image/jxl", headers=headers)

    async def center(request: Request) -> Response:
        as_png = request.query_params.get("format") == "png"
        data = await body(request)
        if as_png:
            return Response(await native(_work.saliency, data, True), media_type="image/png")
        return JSONResponse(await native(_work.center, data))

    async def saliency(request: Request) -> Response:
        as_png = request.query_params.get("format") == "png"
        data = await body(request)
        result = await native(_work.saliency, data, as_png)
        if as_png:
            return Response(result, media_type="image/png")
        return JSONResponse(result)

    async def crop(request: Request) -> Response:
        options = crop_options(request)
        if options["format"] not in CROP_TYPES:
            raise Problem(400, f"format must be one of {', '.join(CROP_TYPES)}")
        data = await body(request)
        cropped, headers = await native(_work.crop, data, options)
        return Response(cropped, media_type=CROP_TYPES[options["format"]], headers=headers)

    async def probe(request: Request) -> Response:
        return JSONResponse(_work.probe(await body(request)))  # headers only: microseconds

    async def jpeg(request: Request) -> Response:
        data = await body(request)
        return Response(await native(_work.reconstruct_jpeg, data), media_type="image/jpeg")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": attention_jxl.__version__,
                             "running": runner.running, "waiting": runner.waiting})

    async def metrics_text(request: Request) -> Response:
        return Response(metrics.text(), media_type=CONTENT_TYPE)

    async def not_found(request: Request, error: HTTPException) -> Response:
        return response(Problem(error.status_code, error.detail or "not found"))

    @asynccontextmanager
    async def lifespan(app: Starlette):
        attention_jxl.set_max_image_pixels(settings.max_pixels)
        await runner.run(default_model)  # loaded before the first request waits for it
        yield
        runner.shutdown()

    routes = [
        Route("/encode", endpoint("/encode", encode), methods=["POST"]),
        Route("/center", endpoint("/center", center), methods=["POST"]),
        Route("/saliency", endpoint("/saliency", saliency), methods=["POST"]),
        Route("/crop", endpoint("/crop", crop), methods=["POST"]),
        Route("/probe", endpoint("/probe", probe), methods=["POST"]),
        Route("/jpeg", endpoint("/jpeg", jpeg), methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={HTTPException: not_found})
