"""Prometheus metrics. One registry per app so tests and processes do not collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_latency = Histogram(
            "postwright_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "postwright_http_errors_total",
            "Error responses by route template and error code",
            ["method", "route", "status", "code"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "postwright_rate_limit_hits_total",
            "Requests refused by the rate limiter, by endpoint class",
            ["limit_class"],
            registry=self.registry,
        )

        self.executors_alive = Gauge(
            "postwright_job_executors_alive",
            "Job-running processes with a recent heartbeat",
            registry=self.registry,
        )
        self.workflows_taken_over = Gauge(
            "postwright_job_workflows_taken_over",
            "Workflows of dead executors taken over by live ones, in all",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
