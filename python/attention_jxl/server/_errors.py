"""Problems as HTTP answers: a status and a JSON message, never a traceback."""

from __future__ import annotations

from starlette.responses import JSONResponse

from attention_jxl._limits import ImageTooLargeError
from attention_jxl.aio import OverloadedError


class Problem(Exception):
    """A request that gets `status` with `message`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def problem_for(error: BaseException, retry_after: int) -> Problem:
    """The answer to an exception the codec raised."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, ImageTooLargeError):
        return Problem(413, str(error))
    if isinstance(error, OverloadedError):
        return Problem(503, "overloaded: every slot is busy and the queue is full; retry later",
                       {"Retry-After": str(retry_after)})
    if isinstance(error, TimeoutError):
        return Problem(503, f"timed out: {error}", {"Retry-After": str(retry_after)})
    if isinstance(error, (ValueError, TypeError)):
        return Problem(400, str(error))
    return Problem(500, "internal error")


def response(problem: Problem) -> JSONResponse:
    return JSONResponse({"error": problem.message, "status": problem.status},
                        status_code=problem.status, headers=problem.headers)
