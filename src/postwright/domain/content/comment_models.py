"""zorbit's comments: generated LinkedIn comments and ones entered by hand."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin
from postwright.core.softdelete import SoftDeleteMixin


class CommentSource(enum.StrEnum):
    MANUAL = "manual"
    GENERATED = "generated"


class Comment(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "content_comments"
    __label__ = "Comment"
    __table_args__ = (Index("ix_content_comments_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The person the comment is about or replies to (zorbit searches by these names).
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    quote: Mapped[str] = mapped_column(Text)
    image: Mapped[str] = mapped_column(String(2000), default="")
    profile_url: Mapped[str | None] = mapped_column(String(2000))
    platform: Mapped[str] = mapped_column(String(20), default="linkedin")
    source: Mapped[CommentSource] = mapped_column(String(20), default=CommentSource.MANUAL)
    post_content: Mapped[str | None] = mapped_column(Text)
