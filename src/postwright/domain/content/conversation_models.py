"""zorbit's conversations: threads of prompt/response messages, and the ideas they produced."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin
from postwright.core.softdelete import SoftDeleteMixin


class ThreadType(enum.StrEnum):
    POST = "post"
    IDEA = "idea"


class MessageRole(enum.StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class Thread(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "content_threads"
    __label__ = "Thread"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[ThreadType] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))


class ThreadMessage(Base):
    __tablename__ = "content_thread_messages"
    __label__ = "Message"
    __table_args__ = (
        UniqueConstraint("thread_id", "position", name="uq_content_thread_messages_position"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[str] = mapped_column(ForeignKey("content_threads.id", ondelete="CASCADE"))
    # Order within the thread: messages written in one request share a timestamp.
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[MessageRole] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)


class Idea(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "content_ideas"
    __label__ = "Idea"
    __table_args__ = (Index("ix_content_ideas_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[str] = mapped_column(String(40), index=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    key_takeaways: Mapped[list[Any]] = mapped_column(default=list)
    controversial_angle: Mapped[str] = mapped_column(Text, default="")
