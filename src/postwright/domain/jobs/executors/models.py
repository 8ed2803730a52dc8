"""Rows for executor liveness: one per job-running process identity, and a takeover log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base


class Executor(Base):
    """A process identity that runs durable jobs (a worker, or an API process in-process).

    ``incarnation`` changes at every start, so a takeover is for one life of an executor: an
    executor that comes back under its old id starts a new life the survivors watch afresh.
    """

    __tablename__ = "job_executors"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    incarnation: Mapped[str] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    # Set on a clean shutdown: survivors take over at once instead of waiting for a timeout.
    stopped_at: Mapped[datetime | None]
    taken_over_by: Mapped[str | None] = mapped_column(String(200))
    # The takeover lease: a survivor claims it, recovers, then marks it done. A claim left
    # undone (the survivor died mid-takeover) lapses after the timeout and is claimed again.
    taken_over_at: Mapped[datetime | None]
    takeover_done_at: Mapped[datetime | None]


class ExecutorTakeover(Base):
    """Who took over which executor's unfinished workflows, when, and which ones."""

    __tablename__ = "job_executor_takeovers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    executor_id: Mapped[str] = mapped_column(
        ForeignKey("job_executors.id", ondelete="CASCADE"), index=True
    )
    incarnation: Mapped[str] = mapped_column(String(40))
    taken_over_by: Mapped[str] = mapped_column(String(200))
    taken_over_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(20))
    workflow_count: Mapped[int] = mapped_column(Integer)
    workflow_ids: Mapped[list[Any]]
