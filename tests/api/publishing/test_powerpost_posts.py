"""powerpost: Posts & Publishing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.jobs.generation_models import ContentGeneration, GenerationStatus
from postwright.domain.publishing import publisher
from tests.domain.publishing.world import Fakes, connect, world_settings
from tests.factories import Tenant, make_tenant

BASE = "/api/v1/content/posts"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


def pp(tenant: Tenant) -> dict[str, str]:
    """powerpost's headers: x-api-key and X-Workspace-Id."""
    return {"x-api-key": tenant.api_key, "X-Workspace-Id": tenant.workspace_id}


async def create(
    client: httpx.AsyncClient, tenant: Tenant, content: str, generation_id: str | None = None
) -> dict[str, object]:
    response = await client.post(
        BASE,
        json={"content": content, "platform": "linkedin", "generation_id": generation_id},
        headers=pp(tenant),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def start_generation(services: Services, tenant: Tenant) -> str:
    """A finished generation row (the job engine is off in these tests)."""
    now = services.clock.now()
    generation = ContentGeneration(
        id=new_id("gen"),
        workspace_id=tenant.workspace_id,
        user_id=tenant.user_id,
        prompt="We just shipped dark mode",
        platforms=["linkedin"],
        research_mode="regular",
        status=GenerationStatus.COMPLETED,
        credits_used=0,
        reservation_id="none",
        created_at=now,
        updated_at=now,
    )
    async with services.db.transaction() as session:
        session.add(generation)
    return generation.id


async def test_a_post_names_only_a_generation_of_its_own_workspace(
    client: httpx.AsyncClient, services: Services
) -> None:
    owner = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    mine = await start_generation(services, owner)
    theirs = await start_generation(services, stranger)

    linked = await create(client, owner, "From a generation", generation_id=mine)
    for unknown in ("gen_does_not_exist", theirs):
        response = await client.post(
            BASE,
            json={"content": "Hi", "platform": "linkedin", "generation_id": unknown},
            headers=pp(owner),
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"

    assert linked["generation_id"] == mine
    listed = (await client.get(BASE, headers=pp(owner))).json()
    assert [post["post_id"] for post in listed["data"]] == [linked["post_id"]]


async def test_create_schedule_and_publish_through_the_loop(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "linkedin", fakes)
    post = await create(client, tenant, "We just shipped dark mode 🌙 #darkmode")
    assert post["status"] == "draft"
    at = (clock.now() + timedelta(minutes=2)).isoformat()

    scheduled = await client.post(
        f"{BASE}/{post['post_id']}/schedule",
        json={"scheduled_at": at, "provider": "linkedin"},
        headers=pp(tenant),
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["account_id"] == account["id"]

    clock.advance(timedelta(minutes=2))
    await publisher.publish_due_now(services, lookahead=timedelta(0))
    done = (await client.get(f"{BASE}/{post['post_id']}", headers=pp(tenant))).json()
    assert done["status"] == "published"
    assert done["external_url"].startswith("https://www.linkedin.com/feed/update/")
    assert done["error"] is None
    assert len(fakes.linkedin.posts) == 1


async def test_publish_now_defaults_to_the_outbox(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    post = await create(client, tenant, "Straight to the feed")
    accepted = await client.post(f"{BASE}/{post['post_id']}/publish", headers=pp(tenant))
    assert accepted.status_code == 202
    assert accepted.json()["provider"] == "outbox"
    await publisher.publish_due_now(services, lookahead=timedelta(0))
    done = (await client.get(f"{BASE}/{post['post_id']}", headers=pp(tenant))).json()
    assert done["status"] == "published"
    again = await client.post(f"{BASE}/{post['post_id']}/publish", headers=pp(tenant))
    assert again.status_code == 409


async def test_bad_requests_change_nothing(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    post = await create(client, tenant, "Check me")
    url = f"{BASE}/{post['post_id']}/schedule"
    future = (clock.now() + timedelta(hours=1)).isoformat()
    cases = [
        {"scheduled_at": (clock.now() - timedelta(hours=1)).isoformat()},
        {"scheduled_at": "2030-01-01T09:00:00"},
        {"scheduled_at": future, "provider": "myspace"},
        {"scheduled_at": future, "provider": "linkedin"},  # no connection
    ]
    for body in cases:
        response = await client.post(url, json=body, headers=pp(tenant))
        assert response.status_code == 400, (body, response.text)
    unknown = await client.post(
        BASE, json={"content": "x", "platform": "myspace"}, headers=pp(tenant)
    )
    assert unknown.status_code == 400
    current = (await client.get(f"{BASE}/{post['post_id']}", headers=pp(tenant))).json()
    assert current["status"] == "draft"


async def test_list_filters_pages_and_hides_other_workspaces(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    ids = [str((await create(client, tenant, f"Post {i}"))["post_id"]) for i in range(5)]
    await client.post(f"{BASE}/{ids[0]}/publish", headers=pp(tenant))

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(BASE, params=params, headers=pp(tenant))).json()
        seen += [p["post_id"] for p in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == list(reversed(ids))
    scheduled = (await client.get(BASE, params={"status": "scheduled"}, headers=pp(tenant))).json()
    assert [p["post_id"] for p in scheduled["data"]] == [ids[0]]

    other = await make_tenant(services, name="Other")
    assert (await client.get(BASE, headers=pp(other))).json()["data"] == []
    probes = [
        await client.get(f"{BASE}/{ids[1]}", headers=pp(other)),
        await client.post(f"{BASE}/{ids[1]}/publish", headers=pp(other)),
        await client.post(
            f"{BASE}/{ids[1]}/schedule",
            json={"scheduled_at": "2030-01-01T09:00:00Z"},
            headers=pp(other),
        ),
    ]
    assert [p.status_code for p in probes] == [404, 404, 404]
