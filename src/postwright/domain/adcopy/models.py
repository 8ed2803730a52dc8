"""adcopy: projects, the products in them, and generation jobs (copy, static ads, videos).

adcopy's documents use UUIDs for every id, so this area does too.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin
from postwright.core.softdelete import SoftDeleteMixin


class AdProject(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "ad_projects"
    __label__ = "Project"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Hex colours (``#RRGGBB``) the renderers paint ads with; the first is the background.
    brand_colors: Mapped[list[Any]] = mapped_column(default=list)


class AdProduct(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "ad_products"
    __label__ = "Product"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[str] = mapped_column(
        ForeignKey("ad_projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[str | None] = mapped_column(String(50))


class AdJobType(enum.StrEnum):
    COPY = "copy"
    STATIC_AD = "static_ad"
    VIDEO = "video"


class AdJobStatus(enum.StrEnum):
    """How ``ad_jobs.status`` is stored; the states are ``JobState`` (``lifecycle.AD_JOBS``)."""

    PENDING = "pending"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    EXPIRED = "expired"


class AdJob(TimestampMixin, Base):
    """A generation: ``copy`` jobs finish in their request; static ads and videos run as
    durable jobs. ``assets`` holds storage keys only — URLs are signed when read."""

    __tablename__ = "ad_jobs"
    __label__ = "Job"
    # One job per user, endpoint and idempotency key; a refunded job gives its key up.
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "type", "idempotency_key"),
        Index("ix_ad_jobs_open_deadline", "status", "deadline_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(36))
    product_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[AdJobType] = mapped_column(String(20))
    status: Mapped[AdJobStatus] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assets: Mapped[list[Any]] = mapped_column(default=list)
    credits_used: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    deadline_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
