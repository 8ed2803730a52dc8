"""sparkvox projects: source material, the moments found in it, and their generation state.

A project's posts are rows of the shared ``posts`` table (``project_id``, ``moment_id``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin


class ProjectStatus(enum.StrEnum):
    """How ``projects.status`` is stored; the states are ``JobState`` (``workflow.PROJECTS``:
    extracting and generating are the two phases of a running project)."""

    QUEUED = "queued"
    EXTRACTING = "extracting"
    GENERATING = "generating"
    COMPLETED = "completed"
    FAILED = "failed"


class SourceType(enum.StrEnum):
    TRANSCRIPT = "transcript"
    ARTICLE = "article"
    NOTES = "notes"


class MomentStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class Project(TimestampMixin, Base):
    __tablename__ = "projects"
    __label__ = "Project"
    __table_args__ = (Index("ix_projects_workspace_created", "workspace_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    source_type: Mapped[SourceType] = mapped_column(String(20))
    source_filename: Mapped[str | None] = mapped_column(String(255))
    source_text: Mapped[str] = mapped_column(Text)
    persona_id: Mapped[str | None] = mapped_column(String(40))
    max_moments: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProjectStatus] = mapped_column(String(20))
    # Credits held for max_moments posts; settled per post, the rest released at the end.
    reservation_id: Mapped[str | None] = mapped_column(String(40))
    credits_per_post: Mapped[int] = mapped_column(Integer)
    credits_used: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]


class Moment(Base):
    __tablename__ = "project_moments"
    __table_args__ = (UniqueConstraint("project_id", "position"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    status: Mapped[MomentStatus] = mapped_column(String(20), default=MomentStatus.PENDING)
    post_id: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
