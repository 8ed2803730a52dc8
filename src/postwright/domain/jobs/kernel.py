"""The job kernel: the lifecycle steps every durable job kind shares.

A kind declares its row (``Lifecycle``: the table, and how that table spells each ``JobState``)
and what its work does; the kernel owns the rest — finding the running process's services,
locking the row, moving it through its states exactly once (every step is at-least-once, so
each transition re-checks the state under the row lock), settling credits per item under the
reference ``<job>:<item>`` (unique in the ledger, so a re-run step never charges twice), and
releasing what is left when the job ends. ``api/<dialect>`` maps ``JobState`` to its document's
spelling; the tables keep the spelling they already store.

Besides those steps: ``cancel`` (the run stops, the unstarted items' credits are released),
``expire_overdue`` (a deadline sweep), ``refund_charge`` (for a kind charged up front rather
than reserved) and ``recover`` (restart the open jobs a crash left without a run). Every
transition tells the job's watchers (``progress``) once it commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from postwright.core import jobs
from postwright.core.services import Services
from postwright.domain.billing.context import Acting, SystemActor
from postwright.domain.billing.service import (
    Settlement,
    refund_credits,
    release_reservation,
    settle_reservation_parts,
)
from postwright.domain.context import Ctx
from postwright.domain.jobs import progress
from postwright.domain.jobs.status import JobState


class StateRow(Protocol):
    """What the kernel needs of any kind's row to move it through its states."""

    id: Any
    workspace_id: Any
    user_id: Any
    status: Any
    completed_at: Any
    updated_at: Any


class JobRow(StateRow, Protocol):
    """A row whose credits are reserved up front and settled per item."""

    reservation_id: Any


RowT = TypeVar("RowT", bound=StateRow)


@dataclass(frozen=True)
class Lifecycle(Generic[RowT]):
    """A kind's job table and its stored spelling of each state it uses. ``also_stored``: more
    spellings the table holds for a state (a running job's phases, a legacy name); the kernel
    writes ``spelling`` and reads both."""

    model: type[RowT]
    spelling: Mapping[JobState, str]
    also_stored: Mapping[str, JobState] = field(default_factory=dict)

    def state(self, row: RowT) -> JobState:
        stored = str(row.status)
        for state, spelled in self.spelling.items():
            if spelled == stored:
                return state
        if stored in self.also_stored:
            return self.also_stored[stored]
        raise ValueError(f"{self.model.__name__} has an unknown status {stored!r}")

    def spell(self, state: JobState) -> str:
        return self.spelling[state]

    def stored(self, *states: JobState) -> list[str]:
        """Every stored spelling that reads as one of ``states`` (for queries)."""
        spelled = [self.spelling[state] for state in states if state in self.spelling]
        return spelled + [name for name, state in self.also_stored.items() if state in states]

    @property
    def open(self) -> list[str]:
        """Stored spellings of the states a job still has work in."""
        return self.stored(*(state for state in JobState if not state.finished))


def services() -> Services:
    """The running process's services, for workflow code (DBOS calls it with ids only)."""
    found: Services = jobs.services()
    return found


def acting(row: StateRow, services: Services) -> SystemActor:
    return SystemActor(workspace_id=row.workspace_id, at=services.clock.now(), user_id=row.user_id)


def job_ctx(
    session: AsyncSession, services: Services, row: StateRow, *, at: datetime | None = None
) -> Ctx:
    """The context a job's step hands to domain code: the job's workspace and user."""
    return Ctx.for_job(session, services, workspace_id=row.workspace_id, user_id=row.user_id, at=at)


async def locked(session: AsyncSession, lifecycle: Lifecycle[RowT], job_id: str) -> RowT:
    model: Any = lifecycle.model
    row: RowT | None = await session.scalar(
        select(model).where(model.id == job_id).with_for_update()
    )
    if row is None:
        raise LookupError(f"{lifecycle.model.__name__} {job_id} vanished")
    return row


async def begin(lifecycle: Lifecycle[RowT], job_id: str) -> bool:
    """Queued → running; False when the job already finished (nothing left to do)."""
    found = services()
    async with found.db.transaction() as session:
        row = await locked(session, lifecycle, job_id)
        if lifecycle.state(row).finished:
            return False
        now = found.clock.now()
        # A job already running (a re-run after a crash) keeps its stored phase.
        if lifecycle.state(row) is not JobState.RUNNING:
            row.status = lifecycle.spell(JobState.RUNNING)
        if hasattr(row, "started_at"):
            row.started_at = row.started_at or now
        row.updated_at = now
        progress.changed(session, str(row.id))
        return True


# A kind's part of ending a job: given the job step's context (its transaction, the job's
# workspace and user, the moment it ends) and the locked row, writes its results and names
# the final state.
Outcome = Callable[[Ctx, RowT], Awaitable[JobState]]


async def finish(lifecycle: Lifecycle[RowT], job_id: str, outcome: Outcome[RowT]) -> str:
    """End the job once: ``outcome`` writes the kind's results (and its events) in the same
    transaction and names the final state. A job already finished is left as it is."""
    found = services()
    async with found.db.transaction() as session:
        row = await locked(session, lifecycle, job_id)
        if lifecycle.state(row).finished:
            return str(row.status)
        ctx = job_ctx(session, found, row)
        now = ctx.now()
        state = await outcome(ctx, row)
        row.status = lifecycle.spell(state)
        row.completed_at = now
        row.updated_at = now
        progress.changed(session, str(row.id))
        return str(row.status)


@dataclass(frozen=True)
class ItemCharge:
    """What one item of a job costs from its reservation: ``consumed``, the rest ``refunded``."""

    item: str | None
    consumed: int
    refunded: int = 0


async def settle_item(
    session: AsyncSession,
    acting: Acting,
    row: JobRow,
    item: str | None,
    *,
    consumed: int,
    refunded: int = 0,
) -> None:
    """Charge one item from the job's reservation, once: keyed by (job, item) — the job alone
    for a kind that settles all its items together. A job without a reservation is free."""
    await settle_items(session, acting, row, [ItemCharge(item, consumed, refunded)])


async def settle_items(
    session: AsyncSession, acting: Acting, row: JobRow, charges: Sequence[ItemCharge]
) -> None:
    """``settle_item`` for the items kept in one transaction, in one pass over the ledger."""
    if row.reservation_id is None or not charges:
        return
    await settle_reservation_parts(
        session,
        acting,
        row.reservation_id,
        [
            Settlement(
                charge.consumed,
                charge.refunded,
                f"{row.id}:{charge.item}" if charge.item is not None else str(row.id),
            )
            for charge in charges
        ],
    )


async def release(session: AsyncSession, acting: Acting, row: JobRow) -> None:
    """Give back every credit the job still holds (releasing twice is harmless)."""
    if row.reservation_id is None:
        return
    await release_reservation(session, acting, row.reservation_id)


async def refund_charge(
    session: AsyncSession, acting: Acting, row: StateRow, amount: int, *, reason: str
) -> None:
    """Give back what a kind charged up front (instead of reserving): once per job, ever —
    the ledger reference ``<job>:refund`` is unique."""
    if amount <= 0:
        return
    await refund_credits(
        session,
        acting,
        amount,
        reason=reason,
        related_id=row.id,
        reference=f"{row.id}:refund",
    )


async def cancel(
    lifecycle: Lifecycle[RowT],
    job_id: str,
    workflow_id: str,
    outcome: Outcome[RowT] | None = None,
) -> str:
    """Cancel the job: its run stops (no new step starts), every credit not yet settled — the
    unstarted items' — is released, and ``outcome`` (when given) writes the kind's own part in
    the same transaction. A finished job is left as it is. Returns the stored status."""

    ended: list[bool] = []

    async def cancelled(ctx: Ctx, row: RowT) -> JobState:
        ended.append(True)
        if outcome is not None:
            await outcome(ctx, row)
        if getattr(row, "reservation_id", None) is not None:
            await release(ctx.session, ctx.actor, cast(JobRow, row))
        return JobState.CANCELLED

    stored = await finish(lifecycle, job_id, cancelled)
    if ended and jobs.is_running():
        await jobs.cancel(workflow_id)
    return stored


async def expire_overdue(
    session: AsyncSession,
    services: Services,
    lifecycle: Lifecycle[RowT],
    deadline: InstrumentedAttribute[Any],
    now: datetime,
    outcome: Outcome[RowT],
    *,
    limit: int = 200,
) -> list[str]:
    """Expire the open jobs whose ``deadline`` passed: ``outcome`` writes the kind's part (its
    refund) for each, in this transaction. Returns their ids (cancel their runs once this
    commits). Several workers sweep at once on PostgreSQL: each takes rows the others have not."""
    model: Any = lifecycle.model
    statement = (
        select(model)
        .where(model.status.in_(lifecycle.open), deadline.is_not(None), deadline <= now)
        .order_by(deadline)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    expired: list[str] = []
    for row in await session.scalars(statement):
        await outcome(job_ctx(session, services, row, at=now), row)
        row.status = lifecycle.spell(JobState.EXPIRED)
        row.completed_at = now
        row.updated_at = now
        progress.changed(session, str(row.id))
        expired.append(str(row.id))
    await session.flush()
    return expired


async def open_ids(lifecycle: Lifecycle[RowT], *where: Any) -> list[str]:
    """The ids of the kind's jobs that still have work (optionally narrowed by ``where``)."""
    model: Any = lifecycle.model
    async with services().db.read_transaction() as session:
        rows = await session.scalars(
            select(model.id).where(model.status.in_(lifecycle.open), *where)
        )
        return [str(job_id) for job_id in rows]


async def recover(
    lifecycle: Lifecycle[RowT], start: Callable[[str], Awaitable[Any]], *where: Any
) -> int:
    """Start (or re-attach: workflow ids are the job's) the run of every open job — the ones a
    crash between commit and enqueue left without a run. Returns how many."""
    targets = await open_ids(lifecycle, *where)
    for job_id in targets:
        await start(job_id)
    return len(targets)


async def begin_queued(lifecycle: Lifecycle[RowT], job_id: str) -> JobState:
    """Queued → running, and the job's state afterwards. Unlike ``begin``, a job in any other
    state is left as it is: a paused job waits for its resume, not for a recovered run."""
    found = services()
    async with found.db.transaction() as session:
        row = await locked(session, lifecycle, job_id)
        if lifecycle.state(row) is JobState.QUEUED:
            now = found.clock.now()
            row.status = lifecycle.spell(JobState.RUNNING)
            if hasattr(row, "started_at"):
                row.started_at = row.started_at or now
            row.updated_at = now
        return lifecycle.state(row)
