"""The credit ledger: append-only entries per workspace and a balance row kept with them.

Every write first locks the workspace's subscription row and then its balance row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are exclusive already),
so writes for one workspace apply one at a time and these hold after every transaction:

    balance  = Σ entry.amount            reserved = Σ entry.reserved_delta
    reserved = Σ remaining of open reservations
    available = balance - reserved >= 0

Entries carrying a ``reference`` are unique per workspace: a replayed grant, charge or
settlement finds its earlier entry and applies nothing.

A free-priced plan grants its ``monthly_credits`` once per UTC month, lazily, on the first
billing write of the month (reads project it). Paid plans are granted by the payment
provider's events. Credits do not expire on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from postwright.core.errors import Conflict, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.domain.billing import fast
from postwright.domain.billing.context import Acting, insert_if_absent
from postwright.domain.billing.errors import insufficient_credits
from postwright.domain.billing.models import (
    CreditBalance,
    CreditLedgerEntry,
    CreditReservation,
    EntryKind,
    ReservationStatus,
)
from postwright.domain.billing.periods import month_label, month_start, next_month_start
from postwright.domain.billing.subscriptions import (
    Entitlement,
    current_entitlement,
    ensure_subscription,
)


@dataclass(frozen=True)
class CreditSummary:
    balance: int
    reserved: int
    used_this_period: int
    period_start: datetime
    period_end: datetime
    plan_id: str | None

    @property
    def available(self) -> int:
        return self.balance - self.reserved


def _positive(amount: int, name: str = "amount") -> None:
    if amount <= 0:
        raise ValidationFailed(details=[{"field": name, "message": "must be a positive integer"}])


async def _lock_balance(session: AsyncSession, acting: Acting) -> CreditBalance:
    await insert_if_absent(
        session,
        CreditBalance,
        {
            "workspace_id": acting.workspace_id,
            "balance": 0,
            "reserved": 0,
            "updated_at": acting.now(),
        },
        ["workspace_id"],
    )
    balance = await session.scalar(
        select(CreditBalance)
        .where(CreditBalance.workspace_id == acting.workspace_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert balance is not None
    return balance


async def _by_reference(
    session: AsyncSession, workspace_id: str, reference: str | None
) -> CreditLedgerEntry | None:
    if reference is None:
        return None
    found: CreditLedgerEntry | None = await session.scalar(
        select(CreditLedgerEntry).where(
            CreditLedgerEntry.workspace_id == workspace_id,
            CreditLedgerEntry.reference == reference,
        )
    )
    return found


async def _append(
    session: AsyncSession,
    acting: Acting,
    balance: CreditBalance,
    kind: EntryKind,
    *,
    amount: int = 0,
    reserved_delta: int = 0,
    reservation_id: str | None = None,
    reason: str | None = None,
    related_id: str | None = None,
    reference: str | None = None,
    flush: bool = True,
) -> CreditLedgerEntry:
    """A ledger entry added and the balance moved by it; ``flush=False`` leaves the writes to
    the caller's one flush (several entries at once)."""
    new_balance = balance.balance + amount
    new_reserved = balance.reserved + reserved_delta
    if new_reserved < 0 or new_balance - new_reserved < 0:
        # Callers check first; reaching this is a bug, and the transaction must not commit.
        raise RuntimeError(f"ledger invariant broken by {kind} {amount}/{reserved_delta}")
    now = acting.now()
    balance.balance, balance.reserved, balance.updated_at = new_balance, new_reserved, now
    entry = CreditLedgerEntry(
        id=new_id("cle"),
        workspace_id=acting.workspace_id,
        kind=kind.value,
        amount=amount,
        reserved_delta=reserved_delta,
        balance_after=new_balance,
        reservation_id=reservation_id,
        actor_user_id=acting.user_id,
        reason=reason,
        related_id=related_id,
        reference=reference,
        created_at=now,
    )
    session.add(entry)
    if flush:
        await session.flush()
    return entry


def _monthly_reference(now: datetime) -> str:
    return f"monthly:{month_label(now)}"


def _monthly_grant_due(entitlement: Entitlement) -> int:
    plan = entitlement.plan
    if plan is None or not plan.is_free or plan.monthly_credits <= 0:
        return 0
    return plan.monthly_credits


async def _open(session: AsyncSession, acting: Acting) -> CreditBalance:
    """Lock the workspace's billing rows and apply this month's plan grant if it is due."""
    entitlement = await ensure_subscription(session, acting)
    balance = await _lock_balance(session, acting)
    due = _monthly_grant_due(entitlement)
    reference = _monthly_reference(acting.now())
    if due and await _by_reference(session, acting.workspace_id, reference) is None:
        await _append(
            session,
            acting,
            balance,
            EntryKind.GRANT,
            amount=due,
            reason=f"monthly credits of plan {entitlement.subscribed_plan.id}",
            reference=reference,
        )
    return balance


async def grant_credits(
    session: AsyncSession,
    acting: Acting,
    amount: int,
    *,
    reason: str | None = None,
    related_id: str | None = None,
    reference: str | None = None,
) -> CreditLedgerEntry:
    """Add credits (purchases, plan grants, operator grants). Idempotent per ``reference``."""
    _positive(amount)
    balance = await _open(session, acting)
    if existing := await _by_reference(session, acting.workspace_id, reference):
        return existing
    return await _append(
        session,
        acting,
        balance,
        EntryKind.GRANT,
        amount=amount,
        reason=reason,
        related_id=related_id,
        reference=reference,
    )


async def charge_credits(
    session: AsyncSession,
    acting: Acting,
    action: str,
    *,
    amount: int,
    related_id: str | None = None,
    reference: str | None = None,
) -> CreditLedgerEntry:
    """One-shot charge for a synchronous generation that has just succeeded (a failed one is
    simply never charged). 402 INSUFFICIENT_CREDITS when fewer are available."""
    _positive(amount)
    balance = await _open(session, acting)
    if existing := await _by_reference(session, acting.workspace_id, reference):
        return existing
    available = balance.balance - balance.reserved
    if amount > available:
        raise insufficient_credits(amount, available)
    return await _append(
        session,
        acting,
        balance,
        EntryKind.CONSUME,
        amount=-amount,
        reason=action,
        related_id=related_id,
        reference=reference,
    )


async def reserve_credits(
    session: AsyncSession,
    acting: Acting,
    amount: int,
    *,
    reason: str | None = None,
    related_id: str | None = None,
    reference: str | None = None,
    expires_at: datetime | None = None,
) -> CreditReservation:
    """Hold ``amount`` credits for a job (402 INSUFFICIENT_CREDITS when fewer are available).
    A replay with the same ``reference`` returns the first reservation. ``expires_at``: when
    maintenance may release it if still open (a metered call whose process died)."""
    _positive(amount)
    if reference is None:
        held = await fast.try_reserve(
            session, acting, amount, reason=reason, related_id=related_id, expires_at=expires_at
        )
        if held is not None:
            # The row is known: put it in the session as persistent without reading it back.
            reservation = CreditReservation(**held.reservation)
            make_transient_to_detached(reservation)
            session.add(reservation)
            return reservation
        short = await fast.shortfall(session, acting, amount)
        if short is not None:
            raise insufficient_credits(amount, short)
    balance = await _open(session, acting)
    if existing := await _by_reference(session, acting.workspace_id, reference):
        assert existing.reservation_id is not None
        return await _reservation(session, acting, existing.reservation_id)
    available = balance.balance - balance.reserved
    if amount > available:
        raise insufficient_credits(amount, available)
    now = acting.now()
    reservation = CreditReservation(
        id=new_id("crs"),
        workspace_id=acting.workspace_id,
        amount=amount,
        consumed=0,
        refunded=0,
        status=ReservationStatus.OPEN.value,
        related_id=related_id,
        reason=reason,
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(reservation)
    await session.flush()
    await _append(
        session,
        acting,
        balance,
        EntryKind.RESERVE,
        reserved_delta=amount,
        reservation_id=reservation.id,
        reason=reason,
        related_id=related_id,
        reference=reference,
    )
    return reservation


async def _reservation(
    session: AsyncSession, acting: Acting, reservation_id: str, *, lock: bool = False
) -> CreditReservation:
    statement = select(CreditReservation).where(
        CreditReservation.workspace_id == acting.workspace_id,
        CreditReservation.id == reservation_id,
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    reservation = await session.scalar(statement)
    if reservation is None:
        raise NotFound("Reservation not found")
    return reservation


def _close_if_done(reservation: CreditReservation, now: datetime) -> None:
    reservation.updated_at = now
    if reservation.remaining == 0 and reservation.status == ReservationStatus.OPEN:
        reservation.status = ReservationStatus.SETTLED.value


@dataclass(frozen=True)
class Settlement:
    """One part of a reservation consumed and/or given back, once per ``reference``."""

    consumed: int
    refunded: int = 0
    reference: str | None = None

    @property
    def consume_reference(self) -> str | None:
        return f"{self.reference}:consume" if self.reference else None

    @property
    def refund_reference(self) -> str | None:
        return f"{self.reference}:refund" if self.reference else None


async def settle_reservation(
    session: AsyncSession,
    acting: Acting,
    reservation_id: str,
    *,
    consumed: int,
    refunded: int = 0,
    reference: str | None = None,
) -> CreditReservation:
    """Consume and/or give back part of a reservation (per bulk item, say). Called again with
    the same ``reference`` (a re-run job step) it changes nothing. The reservation closes
    when nothing of it remains."""
    return await settle_reservation_parts(
        session, acting, reservation_id, [Settlement(consumed, refunded, reference)]
    )


async def settle_reservation_parts(
    session: AsyncSession, acting: Acting, reservation_id: str, parts: Sequence[Settlement]
) -> CreditReservation:
    """``settle_reservation`` for several parts at once — the items of a job kept in one
    transaction: the billing rows are locked and read once, the references looked up in one
    statement, and the entries written in one flush. A part whose reference is already in
    the ledger is skipped; the others are settled."""
    if any(part.consumed < 0 or part.refunded < 0 for part in parts):
        raise ValidationFailed("consumed and refunded must not be negative")
    balance = await _open(session, acting)
    reservation = await _reservation(session, acting, reservation_id, lock=True)
    references = [
        reference
        for part in parts
        for reference in (part.consume_reference, part.refund_reference)
        if reference
    ]
    settled = (
        set(
            await session.scalars(
                select(CreditLedgerEntry.reference).where(
                    CreditLedgerEntry.workspace_id == acting.workspace_id,
                    CreditLedgerEntry.reference.in_(references),
                )
            )
        )
        if references
        else set()
    )
    todo = [
        part
        for part in parts
        if not part.reference or not {part.consume_reference, part.refund_reference} & settled
    ]
    if not todo:
        return reservation
    if reservation.status != ReservationStatus.OPEN:
        raise Conflict(f"Reservation is {reservation.status}")
    total = sum(part.consumed + part.refunded for part in todo)
    if total > reservation.remaining:
        raise ValidationFailed(
            f"Cannot settle {total}: only {reservation.remaining} remain reserved"
        )
    for part in todo:
        if part.consumed:
            reservation.consumed += part.consumed
            await _append(
                session,
                acting,
                balance,
                EntryKind.CONSUME,
                amount=-part.consumed,
                reserved_delta=-part.consumed,
                reservation_id=reservation.id,
                reason=reservation.reason,
                related_id=reservation.related_id,
                reference=part.consume_reference,
                flush=False,
            )
        if part.refunded:
            reservation.refunded += part.refunded
            await _append(
                session,
                acting,
                balance,
                EntryKind.REFUND,
                reserved_delta=-part.refunded,
                reservation_id=reservation.id,
                reason=reservation.reason,
                related_id=reservation.related_id,
                reference=part.refund_reference,
                flush=False,
            )
    _close_if_done(reservation, acting.now())
    await session.flush()
    return reservation


async def release_reservation(
    session: AsyncSession, acting: Acting, reservation_id: str
) -> CreditReservation:
    """Give back everything still reserved (cancelled job). Releasing twice is harmless."""
    balance = await _open(session, acting)
    reservation = await _reservation(session, acting, reservation_id, lock=True)
    if reservation.status != ReservationStatus.OPEN:
        return reservation
    remaining = reservation.remaining
    reservation.refunded += remaining
    reservation.status = ReservationStatus.RELEASED.value
    reservation.updated_at = acting.now()
    if remaining:
        await _append(
            session,
            acting,
            balance,
            EntryKind.RELEASE,
            reserved_delta=-remaining,
            reservation_id=reservation.id,
            reason=reservation.reason,
            related_id=reservation.related_id,
        )
    await session.flush()
    return reservation


async def refund_credits(
    session: AsyncSession,
    acting: Acting,
    amount: int,
    *,
    reason: str | None = None,
    related_id: str | None = None,
    reference: str | None = None,
) -> CreditLedgerEntry:
    """Give back credits of an earlier one-shot charge (idempotent per ``reference``)."""
    _positive(amount)
    balance = await _open(session, acting)
    if existing := await _by_reference(session, acting.workspace_id, reference):
        return existing
    return await _append(
        session,
        acting,
        balance,
        EntryKind.REFUND,
        amount=amount,
        reason=reason,
        related_id=related_id,
        reference=reference,
    )


async def adjust_credits(
    session: AsyncSession,
    acting: Acting,
    delta: int,
    *,
    kind: EntryKind = EntryKind.ADJUST,
    reason: str | None = None,
    reference: str | None = None,
) -> CreditLedgerEntry:
    """An operator correction (``ADJUST``) or expiry (``EXPIRE``, negative): it can never
    take more than is available."""
    if delta == 0 or kind not in (EntryKind.ADJUST, EntryKind.EXPIRE):
        raise ValidationFailed("An adjustment needs a non-zero delta and kind adjust or expire")
    if kind == EntryKind.EXPIRE and delta > 0:
        raise ValidationFailed("Expiry removes credits: the delta must be negative")
    balance = await _open(session, acting)
    if existing := await _by_reference(session, acting.workspace_id, reference):
        return existing
    available = balance.balance - balance.reserved
    if -delta > available:
        raise insufficient_credits(-delta, available)
    return await _append(
        session, acting, balance, kind, amount=delta, reason=reason, reference=reference
    )


async def credit_summary(session: AsyncSession, acting: Acting) -> CreditSummary:
    """Read-only: the balance as of now, including this month's plan grant if still due."""
    now = acting.now()
    entitlement = await current_entitlement(session, acting)
    balance = await session.scalar(
        select(CreditBalance)
        .where(CreditBalance.workspace_id == acting.workspace_id)
        .execution_options(populate_existing=True)
    )
    amount, reserved = (balance.balance, balance.reserved) if balance else (0, 0)
    due = _monthly_grant_due(entitlement)
    if due and await _by_reference(session, acting.workspace_id, _monthly_reference(now)):
        due = 0
    start = month_start(now)
    used = await session.scalar(
        select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
            CreditLedgerEntry.workspace_id == acting.workspace_id,
            CreditLedgerEntry.kind.in_([EntryKind.CONSUME.value, EntryKind.REFUND.value]),
            CreditLedgerEntry.created_at >= start,
        )
    )
    return CreditSummary(
        balance=amount + due,
        reserved=reserved,
        used_this_period=max(-int(used or 0), 0),
        period_start=start,
        period_end=next_month_start(now),
        plan_id=entitlement.plan.id if entitlement.plan else None,
    )


async def ledger_entries(session: AsyncSession, workspace_id: str) -> list[CreditLedgerEntry]:
    rows = await session.scalars(
        select(CreditLedgerEntry)
        .where(CreditLedgerEntry.workspace_id == workspace_id)
        .order_by(CreditLedgerEntry.created_at, CreditLedgerEntry.id)
    )
    return list(rows)
