"""The one lifecycle every durable job goes through, whatever its kind or dialect.

    queued ─▶ running ─▶ completed
       │         ├─────▶ failed     (unused credits released)
       │         ├─────▶ paused ──▶ running (resume)
       └─────────┴─────▶ cancelled / expired (refunded)

Kinds keep the spelling their tables already store; ``api/<dialect>`` maps this enum to the
spelling its document uses.
"""

from __future__ import annotations

import enum


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def finished(self) -> bool:
        return self in (
            JobState.COMPLETED,
            JobState.FAILED,
            JobState.CANCELLED,
            JobState.EXPIRED,
        )
