"""Metered calls: hold, call with no transaction open, settle once.

    held = await hold(session, actor, usage_id=..., ttl=..., credits=2)  # reserved
    result = await call_unlocked(session, actor, held, lambda: engine.run(task))
    await settle(session, actor, held)                                  # keyed by usage id

``call_unlocked`` commits what the request did so far together with the hold (transaction 1),
awaits the call while the session holds no connection and no lock, and releases the hold in
a short transaction of its own if the call fails. ``settle`` runs in the request's next
transaction; settling twice (a retried step) changes nothing, and a hold whose process died
before settling is released by ``release_expired`` once it expires.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import commit_point
from postwright.domain.billing import batcher, fast
from postwright.domain.billing.context import Acting, SystemActor
from postwright.domain.billing.errors import AiSubscriptionRequired, insufficient_credits
from postwright.domain.billing.ledger import release_reservation, reserve_credits
from postwright.domain.billing.models import (
    CreditReservation,
    QuotaCounter,
    QuotaHold,
    ReservationStatus,
)
from postwright.domain.billing.quotas import QuotaStatus, QuotaType, _period, consume_quota
from postwright.domain.billing.subscriptions import current_entitlement

_log = logging.getLogger("postwright.billing")
T = TypeVar("T")


@dataclass
class Hold:
    usage_id: str
    credits: int = 0
    reservation_id: str | None = None
    quota_type: QuotaType | None = None
    quota_units: int = 0
    # Known after the credits were settled: what the workspace has left.
    available_after: int | None = None


async def hold_credits(
    session: AsyncSession,
    acting: Acting,
    *,
    usage_id: str,
    amount: int,
    reason: str,
    ttl: timedelta,
) -> Hold:
    """Check AI access and reserve ``amount`` (0: access only). The fast path does both in
    one statement on PostgreSQL; otherwise the full checks and the slow path apply."""
    expires_at = acting.now() + ttl
    if amount:
        # PostgreSQL: batched with this process's concurrent reservations for the workspace,
        # committed on return (the commit point follows anyway); SQLite: in this transaction.
        reserve = batcher.reserve if fast.is_postgres(session) else fast.try_reserve
        held = await reserve(
            session,
            acting,
            amount,
            reason=reason,
            related_id=usage_id,
            expires_at=expires_at,
            need_ai=True,
        )
        if held is not None:
            return Hold(usage_id, amount, held.reservation_id)
    entitlement = await current_entitlement(session, acting)
    if not entitlement.ai_access:
        raise AiSubscriptionRequired()
    if not amount:
        return Hold(usage_id)
    short = await fast.shortfall(session, acting, amount, need_ai=True)
    if short is not None:
        raise insufficient_credits(amount, short)
    reservation = await reserve_credits(
        session, acting, amount, reason=reason, related_id=usage_id, expires_at=expires_at
    )
    return Hold(usage_id, amount, reservation.id)


async def hold_quota(
    session: AsyncSession,
    acting: Acting,
    quota_type: QuotaType,
    *,
    usage_id: str,
    units: int,
    ttl: timedelta,
) -> tuple[Hold, QuotaStatus]:
    """Take ``units`` of a quota now (402 + ``quota`` when they are not there); ``settle``
    gives back what the call did not use."""
    status = await consume_quota(session, acting, quota_type, units=units)
    now = acting.now()
    session.add(
        QuotaHold(
            id=usage_id,
            workspace_id=acting.workspace_id,
            quota_type=quota_type.value,
            period_start=_period_start(quota_type, now),
            units=units,
            used=0,
            status=ReservationStatus.OPEN.value,
            expires_at=now + ttl,
            created_at=now,
            updated_at=now,
        )
    )
    return Hold(usage_id, quota_type=quota_type, quota_units=units), status


def _period_start(quota_type: QuotaType, now: datetime) -> datetime:
    return _period(quota_type, now)[0]


async def call_unlocked(
    session: AsyncSession, acting: Acting, held: Hold | None, call: Callable[[], Awaitable[T]]
) -> T:
    """Commit, then ``call`` with no transaction open; a failure (of the commit too: a
    batched hold committed on its own) releases ``held``."""
    try:
        await commit_point(session)
        return await call()
    except BaseException:
        if held is not None:
            try:
                await session.rollback()  # a failed commit left the session unusable
                await release(session, acting, held)
                await session.commit()
            except Exception:  # the hold expires and maintenance releases it
                await session.rollback()
                _log.warning("releasing hold %s failed", held.usage_id, exc_info=True)
        raise


async def settle(
    session: AsyncSession, acting: Acting, held: Hold, *, quota_used: int | None = None
) -> Hold:
    """Charge the held credits and give back unused quota units, once per usage id."""
    if held.reservation_id is not None:
        after = await fast.try_consume_all(
            session, acting, held.reservation_id, reference=f"{held.usage_id}:consume"
        )
        if after is not None:
            held.available_after = after[0] - after[1]
    if held.quota_type is not None:
        used = held.quota_units if quota_used is None else quota_used
        await _close_quota(session, acting, held.usage_id, used=used, status="settled")
    return held


async def release(session: AsyncSession, acting: Acting, held: Hold) -> None:
    """Give the whole hold back (the call failed)."""
    if held.reservation_id is not None:
        await release_reservation(session, acting, held.reservation_id)
    if held.quota_type is not None:
        await _close_quota(
            session, acting, held.usage_id, used=0, status=ReservationStatus.RELEASED.value
        )


async def _close_quota(
    session: AsyncSession, acting: Acting, hold_id: str, *, used: int, status: str
) -> None:
    closed = (
        await session.execute(
            update(QuotaHold)
            .where(
                QuotaHold.id == hold_id,
                QuotaHold.workspace_id == acting.workspace_id,
                QuotaHold.status == ReservationStatus.OPEN.value,
            )
            .values(used=used, status=status, updated_at=acting.now())
            .returning(QuotaHold.units, QuotaHold.quota_type, QuotaHold.period_start)
        )
    ).first()
    if closed is None:
        return  # settled or released before: nothing to give back twice
    unused = int(closed[0]) - min(used, int(closed[0]))
    if unused:
        await session.execute(
            update(QuotaCounter)
            .where(
                QuotaCounter.workspace_id == acting.workspace_id,
                QuotaCounter.quota_type == closed[1],
                QuotaCounter.period_start == closed[2],
            )
            .values(used=QuotaCounter.used - unused, updated_at=acting.now())
        )


async def release_expired(session: AsyncSession, *, now: datetime) -> int:
    """Maintenance: release holds whose call never settled (its process died)."""
    released = 0
    reservations = (
        await session.execute(
            select(CreditReservation.id, CreditReservation.workspace_id).where(
                CreditReservation.status == ReservationStatus.OPEN.value,
                CreditReservation.expires_at.is_not(None),
                CreditReservation.expires_at < now,
            )
        )
    ).all()
    for reservation_id, workspace_id in reservations:
        await release_reservation(session, SystemActor(workspace_id, now), reservation_id)
        released += 1
    quota_holds = (
        await session.execute(
            select(QuotaHold.id, QuotaHold.workspace_id).where(
                QuotaHold.status == ReservationStatus.OPEN.value, QuotaHold.expires_at < now
            )
        )
    ).all()
    for hold_id, workspace_id in quota_holds:
        await _close_quota(
            session,
            SystemActor(workspace_id, now),
            hold_id,
            used=0,
            status=ReservationStatus.RELEASED.value,
        )
        released += 1
    return released
