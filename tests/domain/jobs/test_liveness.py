"""Heartbeats and the takeover lease, on both backends (no job engine needed: the engine's
recovery is passed in, so what is asserted is who calls it, and how often)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from postwright.core.services import Services
from postwright.domain.jobs.executors import liveness
from postwright.domain.jobs.executors.models import Executor, ExecutorTakeover


class RecordingRecovery:
    def __init__(self, workflows: dict[str, list[str]]) -> None:
        self.workflows = workflows
        self.calls: list[list[str]] = []

    def __call__(self, executor_ids: list[str]) -> list[str]:
        self.calls.append(executor_ids)
        return [wf for executor in executor_ids for wf in self.workflows.get(executor, [])]


async def age(services: Services, executor_id: str, seconds: float) -> None:
    async with services.db.transaction() as session:
        await session.execute(
            update(Executor)
            .where(Executor.id == executor_id)
            .values(last_seen_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )


async def logged(services: Services) -> list[ExecutorTakeover]:
    async with services.db.read_sessionmaker() as session:
        return list((await session.execute(select(ExecutorTakeover))).scalars().all())


async def test_a_silent_executor_is_taken_over_once_by_one_of_two_survivors(
    services: Services,
) -> None:
    await liveness.register(services, "dead")
    await liveness.register(services, "alive-1")
    await liveness.register(services, "alive-2")
    await age(services, "dead", services.settings.jobs.executor_timeout_seconds + 5)
    recovery = RecordingRecovery({"dead": ["wf-1", "wf-2"]})

    results = await asyncio.gather(
        liveness.take_over_dead(services, "alive-1", recovery),
        liveness.take_over_dead(services, "alive-2", recovery),
    )

    assert recovery.calls == [["dead"]]
    winners = [r for r in results if r]
    assert len(winners) == 1
    assert winners[0][0].workflow_ids == ["wf-1", "wf-2"]
    [entry] = await logged(services)
    assert (entry.executor_id, entry.reason, entry.workflow_count) == ("dead", "silent", 2)
    assert entry.taken_over_by in {"alive-1", "alive-2"}
    # Taken over once: later passes leave it alone.
    assert await liveness.take_over_dead(services, "alive-1", recovery) == []
    assert recovery.calls == [["dead"]]


async def test_a_recent_heartbeat_is_never_taken_over(services: Services) -> None:
    await liveness.register(services, "busy")
    await age(services, "busy", services.settings.jobs.executor_timeout_seconds - 5)
    recovery = RecordingRecovery({"busy": ["wf"]})
    assert await liveness.take_over_dead(services, "other", recovery) == []
    assert recovery.calls == []


async def test_a_cleanly_stopped_executor_is_taken_over_at_once(services: Services) -> None:
    incarnation = await liveness.register(services, "scaled-down")
    await liveness.mark_stopped(services, "scaled-down", incarnation)
    recovery = RecordingRecovery({"scaled-down": ["wf-left"]})
    [taken] = await liveness.take_over_dead(services, "survivor", recovery)
    assert (taken.reason, taken.workflow_ids) == ("stopped", ["wf-left"])


async def test_a_lapsed_unfinished_claim_is_claimed_again(services: Services) -> None:
    await liveness.register(services, "dead")
    timeout = services.settings.jobs.executor_timeout_seconds
    await age(services, "dead", timeout + 5)
    # A survivor claimed it and died before recovering (no takeover_done_at).
    async with services.db.transaction() as session:
        await session.execute(
            update(Executor)
            .where(Executor.id == "dead")
            .values(
                taken_over_by="crashed-survivor",
                taken_over_at=datetime.now(UTC) - timedelta(seconds=timeout + 1),
            )
        )
    recovery = RecordingRecovery({"dead": ["wf"]})
    [taken] = await liveness.take_over_dead(services, "next", recovery)
    assert taken.workflow_ids == ["wf"]


async def test_an_executor_coming_back_starts_a_new_life(services: Services) -> None:
    first = await liveness.register(services, "worker")
    await age(services, "worker", services.settings.jobs.executor_timeout_seconds + 5)
    await liveness.take_over_dead(services, "survivor", RecordingRecovery({}))
    second = await liveness.register(services, "worker")
    assert second != first
    async with services.db.read_sessionmaker() as session:
        row = await session.get(Executor, "worker")
    assert row is not None
    assert (row.taken_over_by, row.stopped_at) == (None, None)
    recovery = RecordingRecovery({"worker": ["wf"]})
    assert await liveness.take_over_dead(services, "survivor", recovery) == []


async def test_metrics_export_executors_alive_and_workflows_taken_over(
    services: Services, client: httpx.AsyncClient
) -> None:
    await liveness.register(services, "alive")
    await liveness.register(services, "dead")
    await age(services, "dead", services.settings.jobs.executor_timeout_seconds + 5)
    await liveness.take_over_dead(services, "alive", RecordingRecovery({"dead": ["a", "b"]}))
    body = (await client.get("/metrics")).text
    assert "postwright_job_executors_alive 1.0" in body
    assert "postwright_job_workflows_taken_over 2.0" in body
