"""The hot credit paths in as few round trips as the backend allows.

A reservation is one conditional ``UPDATE credit_balances … RETURNING`` guarded by
everything the slow path would otherwise read first (an entitled subscription whose period is
current, this month's plan grant already applied, enough available credits), with the
reservation and ledger rows inserted from its result. On PostgreSQL the three statements are
one data-modifying CTE, one round trip; SQLite (whose write transactions are exclusive
anyway) runs them one after another. When the guard does not hold (first use, a period to
roll, a grant due, too few credits) nothing is written and the caller takes the slow path,
which knows how to do all of that under the workspace's billing locks.

The balance row's own row lock serializes concurrent reservations, and the guard is
re-evaluated on the locked row, so ``available >= 0`` holds under any concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, insert, literal, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.ids import new_id
from postwright.domain.billing.context import Acting
from postwright.domain.billing.models import (
    ENTITLED_STATUSES,
    CreditBalance,
    CreditLedgerEntry,
    CreditReservation,
    EntryKind,
    Plan,
    ReservationStatus,
    Subscription,
)
from postwright.domain.billing.periods import month_label


@dataclass(frozen=True)
class Held:
    reservation: dict[str, Any]  # the inserted row's values
    balance: int
    reserved: int

    @property
    def reservation_id(self) -> str:
        return str(self.reservation["id"])


def is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def entitled_guard(workspace_id: str, now: datetime, *, need_ai: bool) -> Any:
    """True when the slow path would neither roll the subscription nor grant credits."""
    monthly = f"monthly:{month_label(now)}"
    granted = exists().where(
        CreditLedgerEntry.workspace_id == workspace_id, CreditLedgerEntry.reference == monthly
    )
    conditions = [
        Subscription.workspace_id == workspace_id,
        Subscription.status.in_([s.value for s in ENTITLED_STATUSES]),
        Subscription.current_period_end > now,
        or_(Plan.price_cents != 0, Plan.monthly_credits <= 0, granted),
    ]
    if need_ai:
        conditions.append(Plan.ai_access.is_(true()))
    return (
        select(literal(1))
        .select_from(Subscription)
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(and_(*conditions))
        .exists()
    )


async def try_reserve(
    session: AsyncSession,
    acting: Acting,
    amount: int,
    *,
    reason: str | None,
    related_id: str | None,
    expires_at: datetime | None = None,
    need_ai: bool = False,
) -> Held | None:
    """Reserve ``amount`` in one round trip (PostgreSQL) when the guard holds, else None
    with nothing written."""
    now = acting.now()
    workspace_id = acting.workspace_id
    reservation_id = new_id("crs")
    bump = (
        update(CreditBalance)
        .where(
            CreditBalance.workspace_id == workspace_id,
            CreditBalance.balance - CreditBalance.reserved >= amount,
            entitled_guard(workspace_id, now, need_ai=need_ai),
        )
        .values(reserved=CreditBalance.reserved + amount, updated_at=now)
        .returning(CreditBalance.balance, CreditBalance.reserved)
    )
    reservation = {
        "id": reservation_id,
        "workspace_id": workspace_id,
        "amount": amount,
        "consumed": 0,
        "refunded": 0,
        "status": ReservationStatus.OPEN.value,
        "related_id": related_id,
        "reason": reason,
        "expires_at": expires_at,
        "created_at": now,
        "updated_at": now,
    }
    entry = {
        "id": new_id("cle"),
        "workspace_id": workspace_id,
        "kind": EntryKind.RESERVE.value,
        "amount": 0,
        "reserved_delta": amount,
        "reservation_id": reservation_id,
        "actor_user_id": acting.user_id,
        "reason": reason,
        "related_id": related_id,
        "reference": None,
        "created_at": now,
    }
    if is_postgres(session):
        bumped = bump.cte("bumped")
        held = (
            insert(CreditReservation)
            .from_select(
                list(reservation),
                select(
                    *(
                        literal(v, CreditReservation.__table__.c[k].type)
                        for k, v in reservation.items()
                    )
                ).select_from(bumped),
            )
            .returning(CreditReservation.id)
            .cte("held")
        )
        ledger = insert(CreditLedgerEntry).from_select(
            [*entry, "balance_after"],
            select(
                *(literal(v, CreditLedgerEntry.__table__.c[k].type) for k, v in entry.items()),
                bumped.c.balance,
            )
            .select_from(bumped)
            .where(exists(select(held.c.id))),
        )
        ledger_cte = ledger.returning(CreditLedgerEntry.id).cte("entry")
        row = (
            await session.execute(
                select(
                    bumped.c.balance, bumped.c.reserved, select(ledger_cte.c.id).scalar_subquery()
                )
            )
        ).first()
        if row is None:
            return None
        return Held(reservation, int(row[0]), int(row[1]))
    found = (await session.execute(bump)).first()
    if found is None:
        return None
    await session.execute(insert(CreditReservation).values(**reservation))
    await session.execute(insert(CreditLedgerEntry).values(**entry, balance_after=found[0]))
    return Held(reservation, int(found[0]), int(found[1]))


async def shortfall(
    session: AsyncSession, acting: Acting, amount: int, *, need_ai: bool = False
) -> int | None:
    """After ``try_reserve`` found nothing: the credits available when the only reason was
    too few of them (the caller answers 402 without taking the slow path's locks — a
    contended UPDATE that failed its recheck may still hold the balance row, and the slow
    path locks the subscription first), else None."""
    now = acting.now()
    row = (
        await session.execute(
            select(
                CreditBalance.balance,
                CreditBalance.reserved,
                entitled_guard(acting.workspace_id, now, need_ai=need_ai),
            ).where(CreditBalance.workspace_id == acting.workspace_id)
        )
    ).first()
    if row is None or not row[2]:
        return None
    available = int(row[0]) - int(row[1])
    return available if available < amount else None


async def try_consume_all(
    session: AsyncSession, acting: Acting, reservation_id: str, *, reference: str
) -> tuple[int, int] | None:
    """Consume a whole open reservation (a metered call that succeeded): (balance, reserved)
    after it, or None when it is not open any more (settled before, or released)."""
    now = acting.now()
    workspace_id = acting.workspace_id
    close = (
        update(CreditReservation)
        .where(
            CreditReservation.id == reservation_id,
            CreditReservation.workspace_id == workspace_id,
            CreditReservation.status == ReservationStatus.OPEN.value,
            CreditReservation.consumed == 0,
            CreditReservation.refunded == 0,
        )
        .values(
            consumed=CreditReservation.amount,
            status=ReservationStatus.SETTLED.value,
            updated_at=now,
        )
        .returning(
            CreditReservation.amount,
            CreditReservation.reason,
            CreditReservation.related_id,
            CreditReservation.workspace_id,
        )
    )
    entry = {
        "id": new_id("cle"),
        "workspace_id": workspace_id,
        "kind": EntryKind.CONSUME.value,
        "reservation_id": reservation_id,
        "actor_user_id": acting.user_id,
        "reference": reference,
        "created_at": now,
    }
    if is_postgres(session):
        closed = close.cte("closed")
        charged = (
            update(CreditBalance)
            .where(CreditBalance.workspace_id == closed.c.workspace_id)
            .values(
                balance=CreditBalance.balance - closed.c.amount,
                reserved=CreditBalance.reserved - closed.c.amount,
                updated_at=now,
            )
            .returning(
                CreditBalance.balance,
                CreditBalance.reserved,
                closed.c.amount,
                closed.c.reason,
                closed.c.related_id,
            )
            .cte("charged")
        )
        ledger = (
            insert(CreditLedgerEntry)
            .from_select(
                [*entry, "amount", "reserved_delta", "balance_after", "reason", "related_id"],
                select(
                    *(literal(v, CreditLedgerEntry.__table__.c[k].type) for k, v in entry.items()),
                    -charged.c.amount,
                    -charged.c.amount,
                    charged.c.balance,
                    charged.c.reason,
                    charged.c.related_id,
                ).select_from(charged),
            )
            .returning(CreditLedgerEntry.id)
            .cte("entry")
        )
        row = (
            await session.execute(
                select(charged.c.balance, charged.c.reserved, select(ledger.c.id).scalar_subquery())
            )
        ).first()
        return None if row is None else (int(row[0]), int(row[1]))
    closed_row = (await session.execute(close)).first()
    if closed_row is None:
        return None
    amount = int(closed_row[0])
    balance = (
        await session.execute(
            update(CreditBalance)
            .where(CreditBalance.workspace_id == workspace_id)
            .values(
                balance=CreditBalance.balance - amount,
                reserved=CreditBalance.reserved - amount,
                updated_at=now,
            )
            .returning(CreditBalance.balance, CreditBalance.reserved)
        )
    ).one()
    await session.execute(
        insert(CreditLedgerEntry).values(
            **entry,
            amount=-amount,
            reserved_delta=-amount,
            balance_after=balance[0],
            reason=closed_row[1],
            related_id=closed_row[2],
        )
    )
    return int(balance[0]), int(balance[1])
