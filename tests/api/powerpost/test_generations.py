"""powerpost generations through the real job engine (DBOS) in this process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings, LlmSettings, Settings
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.models import CreditLedgerEntry
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.domain.media.helpers import local_path
from tests.engine import running
from tests.factories import Tenant, make_tenant
from tests.fakes.images import png

GENERATE = "/api/v1/content/generate"
GENERATIONS = "/api/v1/content/generations"
JOB_SETTINGS = JobSettings(polling_interval_seconds=0.05)


def powerpost(tenant: Tenant) -> dict[str, str]:
    return {"x-api-key": tenant.api_key, "X-Workspace-Id": tenant.workspace_id}


@pytest.fixture
async def engine_app(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    async with running(make_settings(database_url, tmp_path, jobs=JOB_SETTINGS), clock) as pair:
        yield pair


async def wait_for(
    http: httpx.AsyncClient, tenant: Tenant, generation_id: str, statuses: set[str]
) -> dict[str, Any]:
    for _ in range(600):
        response = await http.get(f"{GENERATIONS}/{generation_id}", headers=powerpost(tenant))
        assert response.status_code == 200, response.text
        if response.json()["status"] in statuses:
            return dict(response.json())
        await asyncio.sleep(0.05)
    raise AssertionError(f"generation {generation_id} never reached {statuses}")


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        return (await billing.credit_summary(session, acting)).available


async def ledger_matches_balance(services: Services, tenant: Tenant) -> None:
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        summary = await billing.credit_summary(session, acting)
        total = await session.scalar(
            select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
                CreditLedgerEntry.workspace_id == tenant.workspace_id
            )
        )
    assert summary.balance == total
    assert summary.reserved == 0


async def test_generation_completes_with_an_output_per_platform_and_charges_on_success(
    engine_app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    started = await http.post(
        GENERATE,
        json={"prompt": "We just shipped dark mode", "platforms": ["tiktok", "YouTube"]},
        headers=powerpost(tenant),
    )

    assert started.status_code == 202, started.text
    body = started.json()
    assert body["status"] == "pending"
    assert body["platforms"] == ["tiktok", "youtube"]
    assert body["research_mode"] == "regular"
    assert body["credits_used"] == 10
    assert "outputs" not in body
    assert "error" not in body
    done = await wait_for(http, tenant, body["generation_id"], {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["credits_used"] == 10
    assert done["prompt"] == "We just shipped dark mode"
    assert done["created_at"].endswith("Z")
    assert set(done["outputs"]) == {"tiktok", "youtube"}
    assert isinstance(done["outputs"]["tiktok"], str)
    assert "#" in done["outputs"]["tiktok"]
    assert set(done["outputs"]["youtube"]) == {"title", "description"}
    assert done["outputs"]["youtube"]["title"]
    assert "error" not in done
    assert await available(services, tenant) == before - 10
    await ledger_matches_balance(services, tenant)


@pytest.mark.parametrize(("mode", "platforms", "price"), [("deep", 2, 15), ("deep", 1, 8)])
async def test_deep_research_costs_more_per_platform(
    engine_app: tuple[httpx.AsyncClient, Services], mode: str, platforms: int, price: int
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    started = await http.post(
        GENERATE,
        json={
            "prompt": "New feature: AI-powered search",
            "platforms": ["x", "facebook"][:platforms],
            "research_mode": mode,
        },
        headers=powerpost(tenant),
    )
    done = await wait_for(http, tenant, started.json()["generation_id"], {"completed", "failed"})

    assert started.json()["credits_used"] == price
    assert (done["status"], done["research_mode"], done["credits_used"]) == (
        "completed",
        mode,
        price,
    )
    assert await available(services, tenant) == before - price


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


def llm_settings(database_url: str, tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        jobs=JOB_SETTINGS,
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=fake.base_url, api_key="k", max_retries=0
        ),
    )


async def test_credits_are_held_while_processing_and_a_failure_releases_them(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_llm: FakeOpenAI
) -> None:
    fake_llm.replies = [Reply(status=500, delay=0.5)]
    async with running(llm_settings(database_url, tmp_path, fake_llm), clock) as (http, services):
        tenant = await make_tenant(services)
        before = await available(services, tenant)
        started = await http.post(
            GENERATE,
            json={"prompt": "We just shipped dark mode", "platforms": ["tiktok", "instagram"]},
            headers=powerpost(tenant),
        )
        generation_id = started.json()["generation_id"]
        running_now = await wait_for(http, tenant, generation_id, {"processing", "failed"})
        held = await available(services, tenant)
        failed = await wait_for(http, tenant, generation_id, {"completed", "failed"})

        assert running_now["status"] == "processing"
        assert running_now["credits_used"] == 10
        assert "outputs" not in running_now
        assert "error" not in running_now
        assert held == before - 10
        assert failed["status"] == "failed"
        assert failed["credits_used"] == 0
        assert failed["error"] == {
            "code": "GENERATION_FAILED",
            "message": "Failed to generate content. Please try again.",
        }
        assert "outputs" not in failed
        assert await available(services, tenant) == before
        await ledger_matches_balance(services, tenant)


async def test_model_outputs_are_kept_per_platform(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_llm: FakeOpenAI
) -> None:
    fake_llm.replies = [
        Reply(
            arguments={
                "posts": [
                    {"platform": "instagram", "text": "Dark mode is here! #DarkMode"},
                    {
                        "platform": "youtube",
                        "title": "We Just Shipped Dark Mode",
                        "text": "Dark mode is finally here. #darkmode",
                    },
                ]
            }
        )
    ]
    async with running(llm_settings(database_url, tmp_path, fake_llm), clock) as (http, services):
        tenant = await make_tenant(services)
        started = await http.post(
            GENERATE,
            json={"prompt": "We just shipped dark mode", "platforms": ["instagram", "youtube"]},
            headers=powerpost(tenant),
        )
        done = await wait_for(
            http, tenant, started.json()["generation_id"], {"completed", "failed"}
        )

    assert done["outputs"] == {
        "instagram": "Dark mode is here! #DarkMode",
        "youtube": {
            "title": "We Just Shipped Dark Mode",
            "description": "Dark mode is finally here. #darkmode",
        },
    }


async def test_media_reference_stands_in_for_a_prompt(
    engine_app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="other@example.com")
    target = (
        await http.post(
            "/api/v1/content/media/upload",
            json={"filename": "launch.png", "file_size_bytes": 1000},
            headers=powerpost(tenant),
        )
    ).json()
    arriving = await http.post(
        GENERATE,
        json={"media_id": target["media_id"], "platforms": ["x"]},
        headers=powerpost(tenant),
    )
    put = await http.put(local_path(target["upload_url"]), content=png(), headers=target["headers"])
    assert put.status_code == 200, put.text
    borrowed = await http.post(
        GENERATE,
        json={"media_id": target["media_id"], "platforms": ["x"]},
        headers=powerpost(stranger),
    )
    by_id = await http.post(
        GENERATE,
        json={"media_id": target["media_id"], "platforms": ["x"]},
        headers=powerpost(tenant),
    )
    by_url = await http.post(
        GENERATE,
        json={
            "prompt": "Launch day",
            "media_url": "https://cdn.example.com/a.mp4",
            "platforms": ["x"],
        },
        headers=powerpost(tenant),
    )

    for refused in (arriving, borrowed):
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["details"][0]["field"] == "media_id"
    assert by_id.status_code == 202, by_id.text
    assert by_url.status_code == 202, by_url.text
    done = await wait_for(http, tenant, by_id.json()["generation_id"], {"completed", "failed"})
    assert done["status"] == "completed"
    assert done["prompt"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "x", "platforms": ["myspace"]}, None),
        ({"prompt": "x", "platforms": []}, "platforms"),
        ({"platforms": ["x"]}, "prompt"),
        ({"prompt": "x", "platforms": ["x"], "research_mode": "shallow"}, "research_mode"),
        ({"prompt": "x", "platforms": ["x"], "media_url": "not a url"}, "media_url"),
        (
            {"prompt": "x", "platforms": ["x"], "media_id": "m", "media_url": "https://a.b/c"},
            "media_id",
        ),
    ],
)
async def test_bad_requests_are_400_and_change_nothing(
    engine_app: tuple[httpx.AsyncClient, Services], body: dict[str, Any], field: str | None
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    response = await http.post(GENERATE, json=body, headers=powerpost(tenant))

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    if field:
        assert field in str(error["details"])
    assert await available(services, tenant) == before
    assert (await http.get(GENERATIONS, headers=powerpost(tenant))).json()["data"] == []


async def test_short_of_credits_is_402_and_creates_nothing(
    engine_app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        left = (await billing.credit_summary(session, acting)).available
        await billing.adjust_credits(session, acting, -(left - 9), reason="test")

    response = await http.post(
        GENERATE, json={"prompt": "x", "platforms": ["x", "tiktok"]}, headers=powerpost(tenant)
    )

    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["code"], error["required"], error["available"]) == ("INSUFFICIENT_CREDITS", 10, 9)
    assert (await http.get(GENERATIONS, headers=powerpost(tenant))).json()["data"] == []


async def test_list_filters_by_status_and_pages_with_a_cursor(
    engine_app: tuple[httpx.AsyncClient, Services], clock: FrozenClock
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    ids = []
    for index in range(3):
        started = await http.post(
            GENERATE,
            json={"prompt": f"Update {index}", "platforms": ["linkedin"]},
            headers=powerpost(tenant),
        )
        ids.append(started.json()["generation_id"])
        await wait_for(http, tenant, ids[-1], {"completed"})

    first = (await http.get(GENERATIONS, params={"limit": 2}, headers=powerpost(tenant))).json()
    second = (
        await http.get(
            GENERATIONS,
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=powerpost(tenant),
        )
    ).json()
    completed = await http.get(
        GENERATIONS, params={"status": "completed"}, headers=powerpost(tenant)
    )
    failed = await http.get(GENERATIONS, params={"status": "failed"}, headers=powerpost(tenant))

    assert [g["generation_id"] for g in first["data"]] == [ids[2], ids[1]]
    assert first["has_more"] is True
    assert [g["generation_id"] for g in second["data"]] == [ids[0]]
    assert (second["has_more"], second["next_cursor"]) == (False, None)
    assert set(first["data"][0]) == {
        "generation_id",
        "status",
        "prompt",
        "platforms",
        "research_mode",
        "credits_used",
        "created_at",
    }
    assert len(completed.json()["data"]) == 3
    assert failed.json() == {"data": [], "next_cursor": None, "has_more": False}
    for params in ({"limit": 0}, {"limit": 101}, {"status": "done"}, {"cursor": "forged.sig"}):
        bad = await http.get(GENERATIONS, params=params, headers=powerpost(tenant))
        assert bad.status_code == 400, params


async def test_another_workspace_cannot_see_a_generation(
    engine_app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = engine_app
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    generation_id = (
        await http.post(
            GENERATE, json={"prompt": "x", "platforms": ["x"]}, headers=powerpost(owner)
        )
    ).json()["generation_id"]
    await wait_for(http, owner, generation_id, {"completed"})

    peek = await http.get(f"{GENERATIONS}/{generation_id}", headers=powerpost(stranger))
    listed = await http.get(GENERATIONS, headers=powerpost(stranger))

    assert peek.status_code == 404
    assert peek.json()["error"]["code"] == "NOT_FOUND"
    assert listed.json()["data"] == []


async def test_a_repeated_idempotency_key_replays_without_charging_twice(
    engine_app: tuple[httpx.AsyncClient, Services],
) -> None:
    http, services = engine_app
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    headers = {**powerpost(tenant), "Idempotency-Key": "launch-1"}
    body = {"prompt": "We just shipped dark mode", "platforms": ["x"]}

    first = await http.post(GENERATE, json=body, headers=headers)
    second = await http.post(GENERATE, json=body, headers=headers)
    different = await http.post(GENERATE, json={**body, "prompt": "Other"}, headers=headers)

    assert first.status_code == second.status_code == 202
    assert second.json()["generation_id"] == first.json()["generation_id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert different.status_code == 422
    await wait_for(http, tenant, first.json()["generation_id"], {"completed"})
    assert await available(services, tenant) == before - 5
    listed = (await http.get(GENERATIONS, headers=powerpost(tenant))).json()["data"]
    assert len(listed) == 1
