"""Billing tables: plans, subscriptions, the credit ledger, reservations, quota counters and
the incoming webhook events already processed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.models import Base, TimestampMixin

FREE_PLAN_ID = "plan_free"


class SubscriptionStatus(enum.StrEnum):
    ACTIVE = "active"
    PAST_DUE = "past_due"  # a payment failed: still entitled until the period ends
    CANCELLED = "cancelled"  # cancelled at the end of its period
    EXPIRED = "expired"  # a paid period ran out without a renewal


ENTITLED_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})


class EntryKind(enum.StrEnum):
    GRANT = "grant"
    RESERVE = "reserve"
    CONSUME = "consume"
    RELEASE = "release"
    REFUND = "refund"
    ADJUST = "adjust"
    EXPIRE = "expire"


class ReservationStatus(enum.StrEnum):
    OPEN = "open"
    SETTLED = "settled"  # every reserved credit consumed or refunded
    RELEASED = "released"  # what was left went back to the balance


class Plan(TimestampMixin, Base):
    __tablename__ = "billing_plans"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    # Minor units (cents): exact on both backends.
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(20))
    features: Mapped[list[Any]]
    post_generation_limit: Mapped[int] = mapped_column(Integer)
    idea_generation_limit: Mapped[int] = mapped_column(Integer)
    persona_limit: Mapped[int] = mapped_column(Integer)
    image_creation_limit: Mapped[int] = mapped_column(Integer)
    comment_generation_limit: Mapped[int] = mapped_column(Integer)
    monthly_credits: Mapped[int] = mapped_column(Integer)
    ai_access: Mapped[bool] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean)

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0


class Subscription(TimestampMixin, Base):
    """One per workspace. zorbit calls it "the user's": ``user_id`` is who started it."""

    __tablename__ = "billing_subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    plan_id: Mapped[str] = mapped_column(ForeignKey("billing_plans.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    current_period_start: Mapped[datetime]
    current_period_end: Mapped[datetime]
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    # The payment provider's subscription id.
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)


class CreditBalance(Base):
    """Σ ledger amounts (``balance``) and Σ open reservations (``reserved``), kept in the same
    transaction as the entries under this row's lock."""

    __tablename__ = "credit_balances"

    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    balance: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class CreditLedgerEntry(Base):
    """Append-only. ``amount`` moves the balance, ``reserved_delta`` the reserved total."""

    __tablename__ = "credit_ledger"
    __table_args__ = (UniqueConstraint("workspace_id", "reference"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    reserved_delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    reservation_id: Mapped[str | None] = mapped_column(String(40), index=True)
    actor_user_id: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(500))
    # The job, request or generation this entry belongs to.
    related_id: Mapped[str | None] = mapped_column(String(200))
    # Idempotency reference: an entry with the same one is never applied twice.
    reference: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(index=True)


class CreditReservation(TimestampMixin, Base):
    __tablename__ = "credit_reservations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(Integer)
    consumed: Mapped[int] = mapped_column(Integer, default=0)
    refunded: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    related_id: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    # A metered call's hold: released by maintenance when still open after this time.
    expires_at: Mapped[datetime | None] = mapped_column(index=True)

    @property
    def remaining(self) -> int:
        return self.amount - self.consumed - self.refunded


class QuotaCounter(Base):
    """Units used of one quota type in one period (``personas``: one standing period)."""

    __tablename__ = "quota_counters"
    __table_args__ = (UniqueConstraint("workspace_id", "quota_type", "period_start"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    quota_type: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[datetime]
    used: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class QuotaHold(Base):
    """Quota units taken before a model call; settled (what was not used goes back) or
    released once, keyed by the call's usage id; maintenance releases expired ones."""

    __tablename__ = "quota_holds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    quota_type: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[datetime]
    units: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IncomingWebhookEvent(Base):
    """An incoming webhook already processed: a replay of the same id changes nothing."""

    __tablename__ = "incoming_webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(200))
    event_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
