"""The event types a workspace can subscribe an endpoint to."""

from __future__ import annotations

EVENT_TYPES = (
    "generation.completed",
    "generation.failed",
    "bulk_job.completed",
    "bulk_job.failed",
    "bulk_job.paused",
    "bulk_job.cancelled",
    "image.completed",
    "image.failed",
    "post.published",
    "post.failed",
)


def is_known(event_type: str) -> bool:
    return event_type in EVENT_TYPES
