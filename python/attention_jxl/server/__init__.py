"""The HTTP service behind `attention-jxl serve` (needs the ``server`` extra:
``pip install attention-jxl[server]``)."""

from __future__ import annotations

try:
    import starlette  # noqa: F401
    import uvicorn
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError("the HTTP service needs the server extra: "
                      "pip install 'attention-jxl[server]'") from error

from attention_jxl.server._app import create_app
from attention_jxl.server._settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8000,
          settings: ServerSettings | None = None) -> None:
    """Runs the service with uvicorn until interrupted."""
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                # The body limit is enforced per request; this caps what
                # uvicorn buffers before the app sees it.
                h11_max_incomplete_event_size=64 * 1024)
