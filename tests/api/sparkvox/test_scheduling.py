"""PATCH …/posts/{postId} with ``provider``: approve and schedule to a connected tool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, Settings
from tests.api.sparkvox.conftest import create_project
from tests.domain.publishing.world import (
    Fakes,
    connect,
    publishing_settings,
)
from tests.engine import running
from tests.factories import make_tenant

JobClient = tuple[httpx.AsyncClient, Services]


@pytest.fixture
def connected_settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    from tests.conftest import make_settings

    return make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        publishing=publishing_settings(fakes),
    )


@pytest.fixture
async def connected_client(
    connected_settings: Settings, clock: FrozenClock
) -> AsyncIterator[JobClient]:
    async with running(connected_settings, clock) as pair:
        yield pair


async def test_a_connected_tool_schedules_the_post_and_approves_it(
    connected_client: JobClient,
    fakes: Fakes,
) -> None:
    http, services = connected_client
    tenant = await make_tenant(services)
    account = await connect(http, tenant, "buffer", fakes)
    project = await create_project(http, tenant, max_moments=1)
    listed = await http.get(f"/api/v1/projects/{project['id']}/posts", headers=tenant.headers)
    post = listed.json()["posts"][0]
    url = f"/api/v1/projects/{project['id']}/posts/{post['id']}"

    response = await http.patch(
        url, json={"provider": "buffer", "generated_content": "Ready to go"}, headers=tenant.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved"
    assert body["publish_tool"] == "buffer"
    assert body["generated_content"] == "Ready to go"
    assert body["scheduled_at"].endswith("Z")
    assert body["job_id"]
    assert account["provider"] == "buffer"
    stored = (await http.get(url, headers=tenant.headers)).json()["post"]
    assert stored["status"] == "approved"
    assert stored["publish_tool"] == "buffer"
