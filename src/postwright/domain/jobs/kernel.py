"""The job kernel: the lifecycle steps every durable job kind shares.

A kind declares its row (``Lifecycle``: the table, and how that table spells each ``JobState``)
and what its work does; the kernel owns the rest — finding the running process's services,
locking the row, moving it through its states exactly once (every step is at-least-once, so
each transition re-checks the state under the row lock), settling credits per item under the
reference ``<job>:<item>`` (unique in the ledger, so a re-run step never charges twice), and
releasing what is left when the job ends. ``api/<dialect>`` maps ``JobState`` to its document's
spelling; the tables keep the spelling they already store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.services import Services
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import release_reservation, settle_reservation
from postwright.domain.jobs.status import JobState


class JobRow(Protocol):
    id: Any
    workspace_id: Any
    user_id: Any
    reservation_id: Any
    status: Any
    completed_at: Any
    updated_at: Any


RowT = TypeVar("RowT", bound=JobRow)


@dataclass(frozen=True)
class Lifecycle(Generic[RowT]):
    """A kind's job table and its stored spelling of each state it uses."""

    model: type[RowT]
    spelling: Mapping[JobState, str]

    def state(self, row: RowT) -> JobState:
        stored = str(row.status)
        for state, spelled in self.spelling.items():
            if spelled == stored:
                return state
        raise ValueError(f"{self.model.__name__} has an unknown status {stored!r}")

    def spell(self, state: JobState) -> str:
        return self.spelling[state]


def services() -> Services:
    """The running process's services, for workflow code (DBOS calls it with ids only)."""
    found: Services = jobs.services()
    return found


def acting(row: JobRow, services: Services) -> SystemActor:
    return SystemActor(workspace_id=row.workspace_id, at=services.clock.now(), user_id=row.user_id)


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
        row.status = lifecycle.spell(JobState.RUNNING)
        if hasattr(row, "started_at"):
            row.started_at = row.started_at or now
        row.updated_at = now
        return True


Outcome = Callable[[AsyncSession, RowT, SystemActor, datetime], Awaitable[JobState]]


async def finish(lifecycle: Lifecycle[RowT], job_id: str, outcome: Outcome[RowT]) -> str:
    """End the job once: ``outcome`` writes the kind's results (and its events) in the same
    transaction and names the final state. A job already finished is left as it is."""
    found = services()
    async with found.db.transaction() as session:
        row = await locked(session, lifecycle, job_id)
        if lifecycle.state(row).finished:
            return str(row.status)
        now = found.clock.now()
        state = await outcome(session, row, acting(row, found), now)
        row.status = lifecycle.spell(state)
        row.completed_at = now
        row.updated_at = now
        return str(row.status)


async def settle_item(
    session: AsyncSession,
    acting: SystemActor,
    row: JobRow,
    item: str | None,
    *,
    consumed: int,
    refunded: int = 0,
) -> None:
    """Charge one item from the job's reservation, once: keyed by (job, item) — the job alone
    for a kind that settles all its items together. A job without a reservation is free."""
    if row.reservation_id is None:
        return
    await settle_reservation(
        session,
        acting,
        row.reservation_id,
        consumed=consumed,
        refunded=refunded,
        reference=f"{row.id}:{item}" if item is not None else str(row.id),
    )


async def release(session: AsyncSession, acting: SystemActor, row: JobRow) -> None:
    """Give back every credit the job still holds (releasing twice is harmless)."""
    if row.reservation_id is None:
        return
    await release_reservation(session, acting, row.reservation_id)


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
