"""powerpost async content generations: one prompt, one output per requested platform."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin


class GenerationStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (GenerationStatus.COMPLETED, GenerationStatus.FAILED)


class ContentGeneration(TimestampMixin, Base):
    __tablename__ = "content_generations"
    __label__ = "Generation"
    __table_args__ = (
        Index("ix_content_generations_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(Text, default="")
    # An uploaded media reference ({"media_id": …} or {"media_url": …}); shape-checked only.
    media: Mapped[dict[str, Any] | None] = mapped_column()
    platforms: Mapped[list[Any]] = mapped_column()
    research_mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[GenerationStatus] = mapped_column(String(20))
    # Held while running, consumed on success, released (0) on failure.
    credits_used: Mapped[int] = mapped_column(Integer)
    reservation_id: Mapped[str] = mapped_column(String(40))
    outputs: Mapped[dict[str, Any] | None] = mapped_column()
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(String(500))
    provider: Mapped[str | None] = mapped_column(String(60))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
