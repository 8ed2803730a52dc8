"""Media rows: every stored file (``media_assets``) and every image generation job
(``image_jobs``). Keys are stored; URLs are signed when read."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin


class AssetStatus(enum.StrEnum):
    # An upload URL was handed out; the bytes have not been checked yet.
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"


class AssetOrigin(enum.StrEnum):
    UPLOAD = "upload"
    GENERATED = "generated"


class MediaAsset(TimestampMixin, Base):
    __tablename__ = "media_assets"
    __label__ = "Media"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(512), unique=True)
    origin: Mapped[AssetOrigin] = mapped_column(String(20))
    status: Mapped[AssetStatus] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    max_bytes: Mapped[int | None] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(255))
    provider: Mapped[str | None] = mapped_column(String(40))
    prompt: Mapped[str | None] = mapped_column(Text)
    post_id: Mapped[str | None] = mapped_column(String(40), index=True)
    job_id: Mapped[str | None] = mapped_column(String(40), index=True)


class ImageJobStatus(enum.StrEnum):
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self is not ImageJobStatus.PROCESSING


class ImageJob(TimestampMixin, Base):
    """An asynchronous image generation (sparkvox post images, powerpost Generate Images).
    Its credits are reserved when it is accepted and settled once it ends."""

    __tablename__ = "image_jobs"
    __label__ = "Image generation"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    post_id: Mapped[str | None] = mapped_column(String(40), index=True)
    status: Mapped[ImageJobStatus] = mapped_column(String(20))
    prompt: Mapped[str] = mapped_column(Text)
    style: Mapped[str] = mapped_column(String(40))
    aspect_ratio: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(Integer, default=1)
    # Headline, persona colours, platform: what the builtin renderer designs a card from.
    design: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credits_reserved: Mapped[int] = mapped_column(Integer, default=0)
    credits_used: Mapped[int] = mapped_column(Integer, default=0)
    reservation_id: Mapped[str | None] = mapped_column(String(40))
    asset_keys: Mapped[list[Any]] = mapped_column(default=list)
    provider: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
