"""sparkvox tests run the real job engine (DBOS) in this process, on both backends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, Settings
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from tests.conftest import make_settings
from tests.engine import running
from tests.factories import Tenant

TRANSCRIPT = (
    "Welcome back to the show. Today we talk about shipping software in small steps. "
    "Our team used to release once a quarter and every release was a crisis. "
    "We moved to weekly releases and the number of incidents dropped by half. "
    "The secret was feature flags, which let us merge unfinished work safely. "
    "Customers noticed that bugs were fixed within days instead of months. "
    "Hiring also got easier because engineers like to see their work in production. "
    "Finally, measure lead time, because what you measure is what you improve."
)

FINISHED = {"completed", "failed"}


@pytest.fixture
def job_settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05))


@pytest.fixture
async def job_client(
    job_settings: Settings, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with running(job_settings, clock) as pair:
        yield pair


async def wait_for_project(
    http: httpx.AsyncClient, tenant: Tenant, project_id: str
) -> dict[str, Any]:
    for _ in range(600):
        response = await http.get(f"/api/v1/projects/{project_id}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        project: dict[str, Any] = response.json()["project"]
        if project["status"] in FINISHED:
            return project
        await asyncio.sleep(0.1)
    raise AssertionError(f"project {project_id} did not finish")


async def create_project(
    http: httpx.AsyncClient, tenant: Tenant, **overrides: Any
) -> dict[str, Any]:
    body = {"name": "Podcast 42", "source_text": TRANSCRIPT, "source_type": "transcript"}
    response = await http.post(
        "/api/v1/projects", json={**body, **overrides}, headers=tenant.headers
    )
    assert response.status_code == 202, response.text
    return await wait_for_project(http, tenant, response.json()["project"]["id"])


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        return (await billing.credit_summary(session, acting)).available
