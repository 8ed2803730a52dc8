"""Heartbeats and takeover: a dead worker's jobs are resumed by a live one, once.

Every process that runs durable jobs records a heartbeat (executor id, host, version, last
seen) every ``heartbeat_interval_seconds`` and marks itself stopped on a clean shutdown. On
each beat it also looks for executors that went silent for ``executor_timeout_seconds`` (or
stopped with work left) and takes them over: a conditional UPDATE claims the executor's
current life under a lease, so of several survivors exactly one wins; the winner then calls
the job engine's own recovery for that executor id (DBOS re-enqueues the dead executor's
PENDING workflows, and its atomic dequeue admits one runner) and logs what it took.

Nothing here queues or runs jobs: it only decides *who* calls the engine's recovery.
An executor that comes back under its old id starts a new incarnation; DBOS no longer lists
the taken-over workflows as its own, so it does not run them twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from postwright import __version__
from postwright.core.ids import new_id
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.jobs.executors.models import Executor, ExecutorTakeover


def _now() -> datetime:
    """Liveness is about real time on every host (keep their clocks in sync with NTP), not
    the business clock a test may freeze."""
    return datetime.now(UTC)


Recover = Callable[[list[str]], list[str]]
"""The job engine's recovery: executor ids in, the workflow ids it re-enqueued out."""


@dataclass(frozen=True)
class Takeover:
    executor_id: str
    workflow_ids: list[str]
    reason: str


async def register(services: Services, executor_id: str) -> str:
    """Start a new life of ``executor_id``: fresh heartbeat, any old takeover lease cleared.
    Returns the incarnation id."""
    now = _now()
    incarnation = uuid.uuid4().hex
    values = {
        "id": executor_id,
        "incarnation": incarnation,
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
        "version": __version__,
        "started_at": now,
        "last_seen_at": now,
        "stopped_at": None,
        "taken_over_by": None,
        "taken_over_at": None,
        "takeover_done_at": None,
    }
    async with services.db.transaction() as session:
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = module.insert(Executor).values(**values)
        changed = {k: v for k, v in values.items() if k != "id"}
        await session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=changed))
    return incarnation


async def beat(services: Services, executor_id: str, incarnation: str) -> None:
    async with services.db.transaction() as session:
        result = await session.execute(
            update(Executor)
            .where(Executor.id == executor_id)
            .values(last_seen_at=_now())
            .returning(Executor.incarnation, Executor.taken_over_by)
        )
        current, taken_over_by = result.one_or_none() or (None, None)
    if taken_over_by is not None and current == incarnation:
        # Our heartbeats stalled past the timeout (an overloaded host, a long GC pause):
        # another worker now holds our unfinished jobs. Item keys keep every charge and post
        # single; keep the timeout well above the heartbeat interval so this stays rare.
        logger.warning("executor_taken_over_while_alive", executor_id=executor_id, by=taken_over_by)
    if current != incarnation:
        logger.warning(
            "executor_id_shared",
            executor_id=executor_id,
            detail="another process runs jobs under this executor id; give each its own",
        )


async def mark_stopped(services: Services, executor_id: str, incarnation: str) -> None:
    async with services.db.transaction() as session:
        await session.execute(
            update(Executor)
            .where(Executor.id == executor_id, Executor.incarnation == incarnation)
            .values(stopped_at=_now(), last_seen_at=_now())
        )


def _takeover_due(me: str, cutoff: datetime) -> list[ColumnElement[bool]]:
    gone = or_(Executor.stopped_at.is_not(None), Executor.last_seen_at < cutoff)
    # Unclaimed, or claimed by a survivor that never finished and whose lease lapsed.
    claimable = or_(
        Executor.taken_over_at.is_(None),
        and_(Executor.takeover_done_at.is_(None), Executor.taken_over_at < cutoff),
    )
    return [Executor.id != me, gone, claimable]


async def take_over_dead(services: Services, me: str, recover: Recover) -> list[Takeover]:
    """Claim and recover every executor that is gone; each claim is won by one survivor."""
    settings = services.settings.jobs
    silent_after = timedelta(seconds=settings.executor_timeout_seconds)
    now = _now()
    async with services.db.read_sessionmaker() as session:
        candidates = (
            await session.execute(
                select(Executor.id, Executor.incarnation, Executor.stopped_at).where(
                    *_takeover_due(me, now - silent_after)
                )
            )
        ).all()
    taken: list[Takeover] = []
    for executor_id, incarnation, stopped_at in candidates:
        if not await _claim(services, me, executor_id, incarnation, now, silent_after):
            continue
        # No transaction is open while the engine recovers (it writes its own tables).
        workflow_ids = await asyncio.to_thread(recover, [executor_id])
        reason = "stopped" if stopped_at is not None else "silent"
        await _record(services, me, executor_id, incarnation, workflow_ids, reason)
        if workflow_ids or reason == "silent":
            logger.info(
                "executor_taken_over",
                executor_id=executor_id,
                taken_over_by=me,
                reason=reason,
                workflows=len(workflow_ids),
            )
        taken.append(Takeover(executor_id, workflow_ids, reason))
    return taken


async def _claim(
    services: Services,
    me: str,
    executor_id: str,
    incarnation: str,
    now: datetime,
    silent_after: timedelta,
) -> bool:
    async with services.db.transaction() as session:
        result = await session.execute(
            update(Executor)
            .where(
                Executor.id == executor_id,
                Executor.incarnation == incarnation,
                *_takeover_due(me, now - silent_after),
            )
            .values(taken_over_by=me, taken_over_at=now, takeover_done_at=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def _record(
    services: Services,
    me: str,
    executor_id: str,
    incarnation: str,
    workflow_ids: list[str],
    reason: str,
) -> None:
    now = _now()
    async with services.db.transaction() as session:
        await session.execute(
            update(Executor)
            .where(Executor.id == executor_id, Executor.incarnation == incarnation)
            .values(takeover_done_at=now)
        )
        if workflow_ids or reason == "silent":
            session.add(
                ExecutorTakeover(
                    id=new_id("tko"),
                    executor_id=executor_id,
                    incarnation=incarnation,
                    taken_over_by=me,
                    taken_over_at=now,
                    reason=reason,
                    workflow_count=len(workflow_ids),
                    workflow_ids=workflow_ids,
                )
            )


class Liveness:
    """The heartbeat-and-takeover loop of one job-running process."""

    def __init__(self, services: Services, executor_id: str, recover: Recover) -> None:
        self.services = services
        self.executor_id = executor_id
        self.recover = recover
        self.incarnation: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.incarnation = await register(self.services, self.executor_id)
        self._task = asyncio.create_task(self._run(), name=f"liveness:{self.executor_id}")

    async def _run(self) -> None:
        interval = self.services.settings.jobs.heartbeat_interval_seconds
        assert self.incarnation is not None
        while True:
            try:
                await beat(self.services, self.executor_id, self.incarnation)
                await take_over_dead(self.services, self.executor_id, self.recover)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end liveness for good
                logger.exception("liveness_pass_failed", executor_id=self.executor_id)
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.incarnation is not None:
            await mark_stopped(self.services, self.executor_id, self.incarnation)


@dataclass(frozen=True)
class ExecutorView:
    id: str
    host: str
    pid: int
    version: str
    started_at: datetime
    last_seen_at: datetime
    alive: bool
    stopped_at: datetime | None
    taken_over_by: str | None
    taken_over_at: datetime | None


async def list_executors(session: AsyncSession, *, seen_after: datetime) -> list[ExecutorView]:
    rows = (await session.execute(select(Executor).order_by(Executor.id))).scalars().all()
    return [
        ExecutorView(
            id=row.id,
            host=row.host,
            pid=row.pid,
            version=row.version,
            started_at=row.started_at,
            last_seen_at=row.last_seen_at,
            alive=row.stopped_at is None and row.last_seen_at >= seen_after,
            stopped_at=row.stopped_at,
            taken_over_by=row.taken_over_by,
            taken_over_at=row.taken_over_at,
        )
        for row in rows
    ]


async def list_takeovers(session: AsyncSession, *, limit: int = 50) -> list[ExecutorTakeover]:
    result = await session.execute(
        select(ExecutorTakeover).order_by(ExecutorTakeover.taken_over_at.desc()).limit(limit)
    )
    return list(result.scalars().all())


async def counts(session: AsyncSession, *, seen_after: datetime) -> tuple[int, int]:
    """(executors alive, workflows taken over in all) for /metrics."""
    alive = (
        await session.execute(
            select(func.count()).where(
                Executor.stopped_at.is_(None), Executor.last_seen_at >= seen_after
            )
        )
    ).scalar_one()
    taken = (
        await session.execute(select(func.coalesce(func.sum(ExecutorTakeover.workflow_count), 0)))
    ).scalar_one()
    return int(alive), int(taken)


_process_liveness: Liveness | None = None


async def start_for_process(services: Services, executor_id: str, recover: Recover) -> None:
    """Start this process's heartbeat (once); called where the process starts running jobs."""
    global _process_liveness
    if _process_liveness is not None:
        return
    _process_liveness = Liveness(services, executor_id, recover)
    await _process_liveness.start()


async def stop_for_process() -> None:
    """Stop the heartbeat and mark this executor stopped (a clean shutdown)."""
    global _process_liveness
    liveness, _process_liveness = _process_liveness, None
    if liveness is not None:
        await liveness.stop()


def alive_since(services: Services) -> datetime:
    """Executors seen after this instant count as alive."""
    return _now() - timedelta(seconds=services.settings.jobs.executor_timeout_seconds)
