from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import LlmSettings
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.generation.models import GenerationUsage
from postwright.domain.generation.platforms import get_platform
from postwright.domain.generation.text import x_weighted_length
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import Tenant, make_tenant

PERSONA = {
    "name": "Sustainability Lead",
    "voice": "warm, direct",
    "keywords": ["sustainability", "ESG", "supply chain"],
    "avoidWords": ["greenwashing", "synergy"],
    "hashtags": ["#Sustainability"],
    "cta": "What would you measure first?",
}


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        actor = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        return (await billing.credit_summary(session, actor)).available


async def drain(services: Services, tenant: Tenant, leave: int = 0) -> None:
    async with services.db.transaction() as session:
        actor = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        left = (await billing.credit_summary(session, actor)).available
        if left - leave > 0:
            await billing.reserve_credits(session, actor, left - leave, reason="test drain")


async def test_typical_integration_pattern_on_the_builtin_engine(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    persona = (await client.post("/v1/personas", json=PERSONA, headers=tenant.headers)).json()[
        "persona"
    ]
    before = await available(services, tenant)

    assembled = (
        await client.post(
            f"/v1/personas/{persona['id']}/runtime/assemble",
            json={
                "platform": "linkedin",
                "generationType": "POST_GENERATION",
                "ideaInput": "quarterly sustainability report results",
            },
            headers=tenant.headers,
        )
    ).json()
    generated = await client.post(
        "/v1/ai/generate-post-content",
        json={
            "systemPrompt": assembled["systemPrompt"],
            "userPrompt": assembled["userPrompt"],
            "platform": "linkedin",
        },
        headers=tenant.headers,
    )

    assert generated.status_code == 200, generated.text
    body = generated.json()
    assert set(body) == {"content", "provider", "model", "truncated"}
    assert body["provider"] == "builtin"
    content = body["content"]
    assert "sustainability" in content.lower()
    assert "greenwashing" not in content.lower()
    assert len(content) <= 3000
    assert len(content.split()) >= 20
    assert await available(services, tenant) == before - 1


async def test_batch_posts_differ(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    prompt = {
        "systemPrompt": "You write for a bakery.",
        "userPrompt": "Topic: sourdough starters",
        "platform": "x",
    }
    first = (
        await client.post(
            "/v1/ai/generate-post-content",
            json={**prompt, "batchIndex": 0, "batchSize": 2},
            headers=tenant.headers,
        )
    ).json()
    second = (
        await client.post(
            "/v1/ai/generate-post-content",
            json={
                **prompt,
                "batchIndex": 1,
                "batchSize": 2,
                "previousPostsInBatch": [first["content"]],
            },
            headers=tenant.headers,
        )
    ).json()
    assert first["content"] != second["content"]
    for post in (first, second):
        assert x_weighted_length(post["content"]) <= 280


async def test_enhance_content_reports_credits(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    response = await client.post(
        "/v1/ai/enhance-content",
        json={
            "text": "We launched something new today.",
            "tone": "enthusiastic",
            "platform": "twitter",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["credits_used"] == 1
    assert body["credits_remaining"] == before - 1
    assert body["provider"] == "builtin"
    assert x_weighted_length(body["enhanced"]) <= 280


async def test_enhance_with_workspace_ai_uses_no_credits(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    response = await client.post(
        "/v1/ai/enhance",
        json={
            "content": "raw text about our new coffee blend",
            "platform": "instagram",
            "style": "casual",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["original"] == "raw text about our new coffee blend"
    assert body["platform"] == "instagram"
    assert isinstance(body["changes"], list)
    assert body["enhanced"]
    assert await available(services, tenant) == before
    bad = await client.post(
        "/v1/ai/enhance", json={"content": "x", "style": "loud"}, headers=tenant.headers
    )
    assert bad.status_code == 400


async def test_hashtags_with_relevance(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    response = await client.post(
        "/v1/ai/hashtags",
        json={
            "content": "Just published our 2026 sustainability report on supply chain emissions.",
            "platforms": ["instagram", "x"],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert 1 <= len(body["hashtags"]) <= 5
    assert all(tag.startswith("#") for tag in body["hashtags"])
    assert set(body["relevanceScores"]) == set(body["hashtags"])
    assert any("sustainability" in tag.lower() for tag in body["hashtags"])
    assert all(
        0 <= s["relevance"] <= 1 and not s["tag"].startswith("#") for s in body["suggestions"]
    )
    assert await available(services, tenant) == before - 1


async def test_best_time_heatmap_and_next_slot(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/v1/ai/best-time", json={"platforms": ["twitter", "linkedin"]}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["heatmap"]) == 168
    assert {(c["day"], c["hour"]) for c in body["heatmap"]} == {
        (d, h) for d in range(7) for h in range(24)
    }
    assert all(0 <= c["score"] <= 100 for c in body["heatmap"])
    rec = body["recommendation"]
    slot = datetime.fromisoformat(f"{rec['date']}T{rec['time']}:00+00:00")
    assert slot > clock.now()
    best = max(c["score"] for c in body["heatmap"])
    assert rec["engagement"] == ("high" if best >= 75 else "medium" if best >= 50 else "low")
    unknown = await client.post(
        "/v1/ai/best-time", json={"platforms": ["myspace"]}, headers=tenant.headers
    )
    assert unknown.status_code == 400


async def test_thread_is_numbered_and_fits(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    source = " ".join(
        f"Point {i}: small teams win by shipping weekly and listening to customers."
        for i in range(12)
    )
    response = await client.post(
        "/v1/ai/thread",
        json={"topic": "shipping weekly", "content": source, "platform": "x", "maxPosts": 5},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    posts = response.json()["posts"]
    assert 2 <= len(posts) <= 5
    for index, post in enumerate(posts, start=1):
        assert post.startswith(f"{index}/{len(posts)}")
        assert x_weighted_length(post) <= get_platform("x").limit
    assert response.json()["credits_used"] == 2
    assert await available(services, tenant) == before - 2


async def test_no_credits_left_is_ai_subscription_and_charges_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    await drain(services, tenant)
    for path, body in (
        ("/v1/ai/generate-post-content", {"systemPrompt": "s", "userPrompt": "Topic: tea"}),
        ("/v1/ai/hashtags", {"content": "tea"}),
        ("/v1/ai/thread", {"topic": "tea"}),
    ):
        response = await client.post(path, json=body, headers=tenant.headers)
        assert response.status_code == 402, path
        assert response.json()["error"]["code"] == "AI_SUBSCRIPTION"
    async with services.db.transaction() as session:
        used = list(await session.scalars(select(GenerationUsage)))
    assert used == []


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


async def test_configured_provider_goes_through_pydantic_ai_and_records_usage(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_llm: FakeOpenAI
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=fake_llm.base_url, api_key="sk-fake", max_retries=1
        ),
    )
    app: FastAPI = create_app(settings, clock=clock)
    fake_llm.replies = [Reply(arguments={"content": "Tea rituals calm busy teams. #Tea"})]
    async with app.router.lifespan_context(app):
        tenant = await make_tenant(app.state.services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.post(
                "/v1/ai/generate-post-content",
                json={
                    "systemPrompt": "You write for a tea shop.",
                    "userPrompt": "Topic: tea",
                    "platform": "linkedin",
                },
                headers=tenant.headers,
            )
            assert response.status_code == 200, response.text
            assert response.json() == {
                "content": "Tea rituals calm busy teams. #Tea",
                "provider": "ollama",
                "model": "llama3.2",
                "truncated": False,
            }
            fake_llm.replies = [Reply(arguments={"not": "what was asked"}) for _ in range(3)]
            before = await available(app.state.services, tenant)
            broken = await http.post(
                "/v1/ai/generate-post-content",
                json={"systemPrompt": "s", "userPrompt": "Topic: tea"},
                headers=tenant.headers,
            )
            assert broken.status_code == 400
            assert broken.json()["error"]["code"] == "AI_RESPONSE_INCOMPLETE"
            assert await available(app.state.services, tenant) == before
        async with app.state.services.db.transaction() as session:
            usage = list(await session.scalars(select(GenerationUsage)))
    assert [(u.provider, u.model, u.input_tokens, u.output_tokens, u.credits) for u in usage] == [
        ("ollama", "llama3.2", 120, 45, 1)
    ]


async def test_workspace_ai_settings_drive_enhance_and_never_leak_the_key(
    client: httpx.AsyncClient, services: Services, fake_llm: FakeOpenAI
) -> None:
    from postwright.domain.accounts.models import Role
    from postwright.domain.generation.models import WorkspaceAiConfig
    from tests.factories import add_member

    tenant = await make_tenant(services)
    member = await add_member(services, tenant, email="m@example.com", role=Role.MEMBER)
    default = (await client.get("/v1/ai/status", headers=tenant.headers)).json()
    assert (default["provider"], default["model"]) == ("builtin", "builtin-composer-1")

    settings_body = {
        "model": "ollama:llama3.2",
        "apiKey": "sk-workspace-secret",
        "baseUrl": fake_llm.base_url,
    }
    refused = await client.put("/v1/ai/settings", json=settings_body, headers=member.headers)
    saved = await client.put("/v1/ai/settings", json=settings_body, headers=tenant.headers)
    bad = await client.put("/v1/ai/settings", json={"model": "nonsense"}, headers=tenant.headers)

    assert refused.status_code == 403
    assert saved.status_code == 200, saved.text
    assert (saved.json()["provider"], saved.json()["model"]) == ("ollama", "llama3.2")
    assert bad.status_code == 400
    assert "sk-workspace-secret" not in saved.text
    async with services.db.transaction() as session:
        stored = await session.get(WorkspaceAiConfig, tenant.workspace_id)
    assert stored is not None
    assert stored.api_key_encrypted
    assert "sk-workspace-secret" not in stored.api_key_encrypted

    before = await available(services, tenant)
    fake_llm.replies = [
        Reply(arguments={"enhanced": "Better text.", "changes": ["Shorter"], "suggestions": []})
    ]
    enhanced = await client.post(
        "/v1/ai/enhance", json={"content": "raw text"}, headers=tenant.headers
    )
    assert enhanced.status_code == 200, enhanced.text
    assert enhanced.json()["enhanced"] == "Better text."
    assert fake_llm.requests[-1]["auth"] == "Bearer sk-workspace-secret"
    assert "sk-workspace-secret" not in enhanced.text
    assert await available(services, tenant) == before
