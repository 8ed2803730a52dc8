"""The job kernel's shared steps, on a real kind's rows (a sparkvox project: credits reserved
for its moments, settled per moment) and the real ledger, with the job engine off so the job
waits where the test puts it. The kernel finds this process's services as a running engine
would provide them."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from postwright.core import jobs
from postwright.core.services import Services
from postwright.domain.billing.models import CreditReservation
from postwright.domain.context import Ctx
from postwright.domain.jobs import kernel, progress
from postwright.domain.jobs.status import JobState
from postwright.domain.projects.models import Project
from postwright.domain.projects.workflow import PROJECTS, workflow_id
from tests.api.sparkvox.conftest import TRANSCRIPT, available
from tests.factories import Tenant, make_tenant

MOMENTS = 4


async def queued_project(client: httpx.AsyncClient, tenant: Tenant) -> str:
    response = await client.post(
        "/api/v1/projects",
        json={"name": "Kernel", "source_text": TRANSCRIPT, "max_moments": MOMENTS},
        headers=tenant.headers,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["project"]["id"])


# The project table as a kind that can be cancelled (sparkvox itself offers no cancel).
CANCELLABLE = kernel.Lifecycle(
    Project,
    {**PROJECTS.spelling, JobState.CANCELLED: "cancelled"},
    PROJECTS.also_stored,
)


def hand_services_to_kernel(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """After the project is created (its start needs a real engine, so it stays queued): the
    kernel gets this process's services; the runs it cancels are recorded by id."""
    cancelled: list[str] = []

    async def cancel(run_id: str) -> None:
        cancelled.append(run_id)

    monkeypatch.setattr(jobs, "_services", services)
    monkeypatch.setattr(jobs, "cancel", cancel)
    return cancelled


async def settle(
    services: Services, project_id: str, item: str, *, consumed: int, refunded: int = 0
) -> None:
    async with services.db.transaction() as session:
        project = await kernel.locked(session, PROJECTS, project_id)
        await kernel.settle_item(
            session,
            kernel.acting(project, services),
            project,
            item,
            consumed=consumed,
            refunded=refunded,
        )


async def reservation(services: Services, project_id: str) -> tuple[int, int]:
    """The project's reservation: (consumed, refunded)."""
    async with services.db.read_transaction() as session:
        project = await session.get(Project, project_id)
        assert project is not None
        found = await session.get(CreditReservation, project.reservation_id)
        assert found is not None
        return found.consumed, found.refunded


async def test_each_item_is_charged_once_and_cancel_refunds_every_unstarted_item(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    project_id = await queued_project(client, tenant)
    assert await available(services, tenant) == before - MOMENTS
    cancelled = hand_services_to_kernel(services, monkeypatch)

    assert await kernel.begin(PROJECTS, project_id)
    # Item 0 written; its step re-runs after a crash and settles again: charged once.
    await settle(services, project_id, "0", consumed=1)
    await settle(services, project_id, "0", consumed=1)
    # Item 1's model call failed: that item alone is given back.
    await settle(services, project_id, "1", consumed=0, refunded=1)
    assert await reservation(services, project_id) == (1, 1)

    assert await kernel.cancel(CANCELLABLE, project_id, workflow_id(project_id)) == "cancelled"
    # Cancelling again changes nothing (and stops no second run).
    assert await kernel.cancel(CANCELLABLE, project_id, "another") == "cancelled"

    assert await reservation(services, project_id) == (1, MOMENTS - 1)
    assert await available(services, tenant) == before - 1
    assert cancelled == [workflow_id(project_id)]


async def test_a_running_job_keeps_its_phase_and_finished_jobs_are_not_recovered(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(services)
    writing, done = await queued_project(client, tenant), await queued_project(client, tenant)
    hand_services_to_kernel(services, monkeypatch)
    assert set(await kernel.open_ids(PROJECTS)) >= {writing, done}
    async with services.db.transaction() as session:
        project = await kernel.locked(session, PROJECTS, writing)
        project.status = "generating"

    # A re-run begin (after a crash) neither restarts the phase nor refuses the job.
    assert await kernel.begin(PROJECTS, writing)
    async with services.db.read_transaction() as session:
        project = await session.get(Project, writing)
        assert project is not None
        assert (project.status, PROJECTS.state(project)) == ("generating", JobState.RUNNING)

    async def failed(ctx: Ctx, project: Project) -> JobState:
        await kernel.release(ctx.session, ctx.actor, project)
        return JobState.FAILED

    assert await kernel.finish(PROJECTS, done, failed) == "failed"
    assert not await kernel.begin(PROJECTS, done)
    started: list[str] = []

    async def start(job_id: str) -> None:
        started.append(job_id)

    recovered = await kernel.recover(PROJECTS, start, Project.workspace_id == tenant.workspace_id)
    assert (recovered, started) == (1, [writing])


async def test_a_watcher_hears_the_job_finish_as_soon_as_it_commits(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await make_tenant(services)
    project_id = await queued_project(client, tenant)
    hand_services_to_kernel(services, monkeypatch)

    async def read() -> str:
        async with services.db.read_transaction() as session:
            project = await session.get(Project, project_id)
            assert project is not None
            return str(project.status)

    # The fallback poll is far longer than the wait below: only a notification is in time.
    seen = progress.watch(
        project_id,
        read,
        snapshot=lambda status: status,
        finished=lambda status: status == "failed",
        poll_seconds=600,
    )

    async def failed(ctx: Ctx, project: Project) -> JobState:
        await kernel.release(ctx.session, ctx.actor, project)
        return JobState.FAILED

    async with asyncio.timeout(20):
        assert await anext(seen) == "queued"
        assert await kernel.begin(PROJECTS, project_id)
        assert await anext(seen) == "extracting"
        await kernel.finish(PROJECTS, project_id, failed)
        assert await anext(seen) == "failed"
