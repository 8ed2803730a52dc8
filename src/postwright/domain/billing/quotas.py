"""Plan quotas: per-type counters per UTC month (``personas`` is a standing count).

``consume_quota`` raises 402 QUOTA_EXHAUSTED with zorbit's ``quota`` object; ``release_quota``
gives units back (a deleted persona, a generation that failed after consuming).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.clock import isoformat_z
from postwright.core.errors import PaymentRequired, ValidationFailed
from postwright.core.ids import new_id
from postwright.domain.billing.context import Acting, insert_if_absent
from postwright.domain.billing.models import Plan, QuotaCounter
from postwright.domain.billing.periods import STANDING_PERIOD, month_start, next_month_start
from postwright.domain.billing.subscriptions import (
    Entitlement,
    current_entitlement,
    ensure_subscription,
)


class QuotaType(enum.StrEnum):
    POST_GENERATION = "post_generation"
    IDEA_GENERATION = "idea_generation"
    PERSONAS = "personas"
    COMMENT_GENERATION = "comment_generation"
    IMAGE_CREATION = "image_creation"

    @property
    def standing(self) -> bool:
        return self is QuotaType.PERSONAS


_LIMITS = {
    QuotaType.POST_GENERATION: "post_generation_limit",
    QuotaType.IDEA_GENERATION: "idea_generation_limit",
    QuotaType.PERSONAS: "persona_limit",
    QuotaType.COMMENT_GENERATION: "comment_generation_limit",
    QuotaType.IMAGE_CREATION: "image_creation_limit",
}


@dataclass(frozen=True)
class QuotaStatus:
    type: QuotaType
    limit: int
    used: int
    reset_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def allows(self, units: int = 1) -> bool:
        return self.remaining >= units

    def as_quota(self) -> dict[str, Any]:
        """zorbit's ``quota`` object."""
        return {
            "type": self.type.value,
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "resetAt": isoformat_z(self.reset_at),
        }


def parse_quota_type(value: str | None) -> QuotaType:
    """400 on a missing or unknown type."""
    try:
        return QuotaType(value or "")
    except ValueError:
        allowed = ", ".join(t.value for t in QuotaType)
        raise ValidationFailed(
            f"type must be one of: {allowed}",
            details=[{"field": "type", "message": f"must be one of: {allowed}"}],
        ) from None


def _limit(plan: Plan | None, quota_type: QuotaType) -> int:
    return int(getattr(plan, _LIMITS[quota_type])) if plan is not None else 0


def _period(quota_type: QuotaType, now: datetime) -> tuple[datetime, datetime | None]:
    if quota_type.standing:
        return STANDING_PERIOD, None
    return month_start(now), next_month_start(now)


def _exhausted(status: QuotaStatus, units: int) -> PaymentRequired:
    return PaymentRequired(
        f"Quota exhausted: {status.type.value} needs {units}, {status.remaining} of "
        f"{status.limit} remaining",
        quota=status.as_quota(),
    )


async def quota_usage(session: AsyncSession, acting: Acting) -> dict[QuotaType, QuotaStatus]:
    """Read-only: every quota's limit, use and reset time as of now."""
    now = acting.now()
    entitlement = await current_entitlement(session, acting)
    rows = await session.execute(
        select(QuotaCounter.quota_type, QuotaCounter.period_start, QuotaCounter.used).where(
            QuotaCounter.workspace_id == acting.workspace_id,
            QuotaCounter.period_start.in_([STANDING_PERIOD, month_start(now)]),
        )
    )
    used: dict[QuotaType, int] = {}
    for type_name, period_start, count in rows.tuples():
        kind = QuotaType(type_name)
        if period_start == _period(kind, now)[0]:
            used[kind] = count
    return {
        kind: QuotaStatus(
            kind, _limit(entitlement.plan, kind), used.get(kind, 0), _period(kind, now)[1]
        )
        for kind in QuotaType
    }


async def check_quota(session: AsyncSession, acting: Acting, quota_type: QuotaType) -> QuotaStatus:
    """Read-only: the quota's state; ``status.allows(units)`` says whether use would pass."""
    return (await quota_usage(session, acting))[quota_type]


async def require_quota(
    session: AsyncSession, acting: Acting, quota_type: QuotaType, units: int = 1
) -> QuotaStatus:
    """Refuse (402 with ``quota``) before costly work when ``units`` would not pass; consumes
    nothing — ``consume_quota`` after success stays the binding check."""
    status = await check_quota(session, acting, quota_type)
    if not status.allows(units):
        raise _exhausted(status, units)
    return status


async def _locked_counter(
    session: AsyncSession, acting: Acting, quota_type: QuotaType
) -> QuotaCounter:
    now = acting.now()
    period_start, _ = _period(quota_type, now)
    await insert_if_absent(
        session,
        QuotaCounter,
        {
            "id": new_id("qc"),
            "workspace_id": acting.workspace_id,
            "quota_type": quota_type.value,
            "period_start": period_start,
            "used": 0,
            "updated_at": now,
        },
        ["workspace_id", "quota_type", "period_start"],
    )
    counter = await session.scalar(
        select(QuotaCounter)
        .where(
            QuotaCounter.workspace_id == acting.workspace_id,
            QuotaCounter.quota_type == quota_type.value,
            QuotaCounter.period_start == period_start,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert counter is not None
    return counter


def _status(
    entitlement: Entitlement, counter: QuotaCounter, quota_type: QuotaType, now: datetime
) -> QuotaStatus:
    return QuotaStatus(
        quota_type, _limit(entitlement.plan, quota_type), counter.used, _period(quota_type, now)[1]
    )


async def consume_quota(
    session: AsyncSession, acting: Acting, quota_type: QuotaType, units: int = 1
) -> QuotaStatus:
    """Use ``units`` of a quota, or raise 402 QUOTA_EXHAUSTED (with ``quota``) using none."""
    if units <= 0:
        raise ValidationFailed("units must be positive")
    entitlement = await ensure_subscription(session, acting)
    counter = await _locked_counter(session, acting, quota_type)
    now = acting.now()
    status = _status(entitlement, counter, quota_type, now)
    if not status.allows(units):
        raise _exhausted(status, units)
    counter.used += units
    counter.updated_at = now
    await session.flush()
    return _status(entitlement, counter, quota_type, now)


async def release_quota(
    session: AsyncSession, acting: Acting, quota_type: QuotaType, units: int = 1
) -> QuotaStatus:
    """Give units back to the current period (never below zero)."""
    if units <= 0:
        raise ValidationFailed("units must be positive")
    entitlement = await ensure_subscription(session, acting)
    counter = await _locked_counter(session, acting, quota_type)
    now = acting.now()
    counter.used = max(counter.used - units, 0)
    counter.updated_at = now
    await session.flush()
    return _status(entitlement, counter, quota_type, now)
