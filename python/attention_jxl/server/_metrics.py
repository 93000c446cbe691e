"""Prometheus metrics of the service: requests, latencies, queue depth, rejections."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from attention_jxl.aio import Runner

__all__ = ["CONTENT_TYPE", "Metrics"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """One registry per app, so that several apps in a process keep apart."""

    def __init__(self, runner: Runner) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("attention_jxl_requests", "Requests answered.",
                                ["endpoint", "status"], registry=self.registry)
        self.latency = Histogram("attention_jxl_request_seconds", "Time to answer a request.",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.rejections = Counter("attention_jxl_rejections",
                                  "Requests refused with 503: queue full or timed out.",
                                  ["reason"], registry=self.registry)
        queue = Gauge("attention_jxl_queue_depth", "Requests waiting for a native slot.",
                      registry=self.registry)
        queue.set_function(lambda: runner.waiting)
        running = Gauge("attention_jxl_running", "Requests doing native work.",
                        registry=self.registry)
        running.set_function(lambda: runner.running)

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, str(status)).inc()
        self.latency.labels(endpoint).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
