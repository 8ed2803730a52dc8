"""Posts: the one table every dialect's posts live in (zorbit posts, voxburst bulk output,
sparkvox project drafts, powerpost publications)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin
from postwright.core.softdelete import SoftDeleteMixin


class ReviewStatus(enum.StrEnum):
    """sparkvox's approval states; other dialects create posts already approved."""

    PENDING = "pending"
    APPROVED = "approved"
    DISCARDED = "discarded"


class PublishState(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


class PostSource(enum.StrEnum):
    MANUAL = "manual"
    GENERATED = "generated"
    FEED = "feed"
    BULK = "bulk"
    PROJECT = "project"
    IMPORT = "import"


class Post(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "posts"
    __label__ = "Post"
    __table_args__ = (
        Index("ix_posts_workspace_created", "workspace_id", "created_at"),
        Index("ix_posts_due", "publish_state", "scheduled_on"),
        # Page/limit lists pick a page's ids from this index alone (a deferred join).
        Index(
            "ix_posts_live_workspace_created",
            "workspace_id",
            "created_at",
            "id",
            "source",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # The member who owns it (zorbit's "not post owner" is about this user).
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # No foreign key: system personas are not stored.
    persona_id: Mapped[str | None] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(40), default="post")
    title: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(40), default="linkedin")
    source: Mapped[PostSource] = mapped_column(String(20), default=PostSource.MANUAL)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    image_key: Mapped[str | None] = mapped_column(String(500))
    first_comment: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[ReviewStatus] = mapped_column(String(20), default=ReviewStatus.APPROVED)
    content_length: Mapped[str | None] = mapped_column(String(10))
    thread_id: Mapped[str | None] = mapped_column(String(40), index=True)
    is_liked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_disliked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_saved: Mapped[bool] = mapped_column(Boolean, default=False)
    # Stored in UTC; entered with a timezone.
    scheduled_on: Mapped[datetime | None]
    publish_state: Mapped[PublishState] = mapped_column(String(20), default=PublishState.DRAFT)
    publish_provider: Mapped[str | None] = mapped_column(String(40))
    publish_account_id: Mapped[str | None] = mapped_column(String(40))
    published_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(500))
    external_url: Mapped[str | None] = mapped_column(String(2000))
    publish_error: Mapped[str | None] = mapped_column(Text)
    project_id: Mapped[str | None] = mapped_column(String(40), index=True)
    moment_id: Mapped[str | None] = mapped_column(String(40))
    job_id: Mapped[str | None] = mapped_column(String(40), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PostCount(Base):
    """Live (not deleted) posts per workspace and source, kept exact by database triggers in
    the same transaction as every post write, whichever code path made it: an unfiltered
    page/limit list reads its ``totalCount`` here instead of counting rows."""

    __tablename__ = "post_counts"

    workspace_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    live: Mapped[int] = mapped_column(Integer)
