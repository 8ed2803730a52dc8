"""Personas: a workspace's brand voices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin
from postwright.core.softdelete import SoftDeleteMixin


class Persona(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "personas"
    __label__ = "Persona"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    # The member who created it: the one (with workspace admins) who may change it.
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    default_prompt: Mapped[str] = mapped_column(Text, default="")
    target_audience: Mapped[str] = mapped_column(Text, default="")
    profession: Mapped[str] = mapped_column(String(500), default="")
    relevant_keywords: Mapped[str] = mapped_column(Text, default="")
    opinions: Mapped[str] = mapped_column(Text, default="")
    vocabulary: Mapped[str] = mapped_column(Text, default="")
    avoid_words: Mapped[str] = mapped_column(Text, default="")
    end_goal: Mapped[str] = mapped_column(Text, default="")
    custom_hashtag: Mapped[str] = mapped_column(String(500), default="")
    fix_cta: Mapped[str] = mapped_column(Text, default="")
    voice: Mapped[str] = mapped_column(String(500), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    example_posts: Mapped[list[Any]] = mapped_column(default=list)
