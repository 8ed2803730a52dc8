"""Bulk generation jobs (voxburst) and their items."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin


class JobStatus(enum.StrEnum):
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.CANCELLED, JobStatus.FAILED)


class ItemStatus(enum.StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class BulkJob(TimestampMixin, Base):
    __tablename__ = "bulk_jobs"
    __label__ = "Job"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(40))
    persona_id: Mapped[str | None] = mapped_column(String(40))
    topic_hint: Mapped[str | None] = mapped_column(String(500))
    generate_images: Mapped[bool] = mapped_column(Boolean, default=False)
    credits_per_post: Mapped[int] = mapped_column(Integer)
    total_posts: Mapped[int] = mapped_column(Integer)
    status: Mapped[JobStatus] = mapped_column(String(20))
    completed_posts: Mapped[int] = mapped_column(Integer, default=0)
    failed_posts: Mapped[int] = mapped_column(Integer, default=0)
    skipped_posts: Mapped[int] = mapped_column(Integer, default=0)
    reservation_id: Mapped[str] = mapped_column(String(40))
    # Credits charged beyond the per-post reservation (images under-reserved by the client).
    extra_consumed: Mapped[int] = mapped_column(Integer, default=0)
    # Each resume starts a new workflow run; its id is derived from this counter.
    run: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    queued_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    @property
    def workflow_id(self) -> str:
        return f"bulk:{self.id}:run{self.run}"


class BulkJobItem(Base):
    __tablename__ = "bulk_job_items"
    __table_args__ = (UniqueConstraint("job_id", "position"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("bulk_jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    scheduled_for: Mapped[datetime]
    status: Mapped[ItemStatus] = mapped_column(String(20), default=ItemStatus.PENDING)
    post_id: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
