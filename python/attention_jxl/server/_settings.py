"""The service's limits, one place for their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from attention_jxl._limits import DEFAULT_MAX_IMAGE_PIXELS


def _cores() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class ServerSettings:
    """Limits of `attention-jxl serve`.

    Attributes:
        max_body_bytes: largest request body; more is answered 413.
        max_pixels: largest image (width * height); more is answered 413.
            None: no limit (trusted clients only).
        max_concurrency: requests doing native work at once (default: cores).
        max_queue: requests waiting for a slot; beyond it 503 with Retry-After.
        request_timeout: seconds a request may wait and run; then 503.
        retry_after: seconds named in Retry-After of a 503.
    """

    max_body_bytes: int = 50 * 1024 * 1024
    max_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS
    max_concurrency: int = field(default_factory=_cores)
    max_queue: int | None = None  # default: aio's per-slot queue
    request_timeout: float = 60.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_pixels", "max_concurrency", "retry_after"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.max_queue is not None and self.max_queue < 0:
            raise ValueError(f"max_queue must be >= 0, got {self.max_queue}")
        if self.request_timeout <= 0:
            raise ValueError(f"request_timeout must be > 0, got {self.request_timeout}")
