"""Connected accounts, OAuth sign-ins in progress, publication records, engagement history
and the outbox feed's entries."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    NEEDS_RECONNECT = "needs_reconnect"


class ConnectedAccount(TimestampMixin, Base):
    __tablename__ = "connected_accounts"
    __label__ = "Connected account"
    __table_args__ = (
        UniqueConstraint("workspace_id", "provider", "external_account_id"),
        Index("ix_connected_accounts_workspace_provider", "workspace_id", "provider"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # The member who connected it.
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(40))
    external_account_id: Mapped[str] = mapped_column(String(500))
    handle: Mapped[str | None] = mapped_column(String(500))
    display_name: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[AccountStatus] = mapped_column(String(20), default=AccountStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[str | None] = mapped_column(String(1000))
    token_expires_at: Mapped[datetime | None]
    # Fernet (core.security.SecretBox) over the JSON of the provider credentials.
    encrypted_credentials: Mapped[str] = mapped_column(Text)

    @property
    def needs_reconnect(self) -> bool:
        """The provider refused its credentials: publishing waits until the user reconnects."""
        return self.status == AccountStatus.NEEDS_RECONNECT


class OAuthSignIn(Base):
    """An OAuth authorization in progress: the callback finds it by ``state``, once."""

    __tablename__ = "oauth_sign_ins"

    state: Mapped[str] = mapped_column(String(200), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(40))
    encrypted_verifier: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # A dashboard path the callback sends the browser to; None: the API's JSON answer.
    return_to: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class PublicationStatus(enum.StrEnum):
    PENDING = "pending"  # claimed, no provider call yet
    IN_FLIGHT = "in_flight"  # a provider call started: it may have gone out
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (PublicationStatus.SUCCEEDED, PublicationStatus.FAILED)


class Publication(TimestampMixin, Base):
    """One attempt to publish one post, written before the provider is called. ``key`` is
    unique: a post is claimed for publishing once per round, whatever the concurrency."""

    __tablename__ = "publications"
    __label__ = "Publication"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[PublicationStatus] = mapped_column(
        String(20), default=PublicationStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    external_id: Mapped[str | None] = mapped_column(String(500))
    external_url: Mapped[str | None] = mapped_column(String(2000))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str | None] = mapped_column(Text)
    reconciled: Mapped[bool] = mapped_column(Boolean, default=False)


class EngagementSample(Base):
    """How one past post of an account performed: the history behind suggest-time."""

    __tablename__ = "engagement_samples"
    __table_args__ = (UniqueConstraint("account_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(
        ForeignKey("connected_accounts.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(500))
    posted_at: Mapped[datetime]
    engagement: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]


class OutboxEntryRecord(Base):
    """The builtin ``outbox`` provider's feed, one row per entry."""

    __tablename__ = "outbox_entries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "idempotency_key"),
        Index("ix_outbox_entries_workspace_published", "workspace_id", "published_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    reply_to: Mapped[str | None] = mapped_column(String(40))
    idempotency_key: Mapped[str | None] = mapped_column(String(300))
