"""voxburst: build-image-prompt (1 credit) and bulk enhancement (1 credit per item enhanced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import LlmSettings
from postwright.domain.generation.models import GenerationUsage
from tests.api.voxburst.test_ai import PERSONA, available, drain
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant

POST = (
    "Our new solar rooftop pilot cut the warehouse energy bill by a third. "
    "Solar rooftop panels now power the cold storage at night through batteries."
)


async def test_build_image_prompt_returns_a_ready_prompt_and_charges_one_credit(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    persona = (await client.post("/v1/personas", json=PERSONA, headers=tenant.headers)).json()[
        "persona"
    ]
    before = await available(services, tenant)
    response = await client.post(
        "/v1/ai/build-image-prompt",
        json={
            "content": POST,
            "style": "illustration",
            "platform": "instagram",
            "personaId": persona["id"],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "prompt",
        "negativePrompt",
        "aspectRatio",
        "provider",
        "model",
        "credits_used",
        "credits_remaining",
    }
    assert "solar" in body["prompt"].lower()
    assert "illustration" in body["prompt"]
    assert "warm, direct" in body["prompt"]  # the persona's voice sets the mood
    assert body["aspectRatio"] == "4:5"
    assert "text" in body["negativePrompt"]
    assert (body["provider"], body["credits_used"]) == ("builtin", 1)
    assert body["credits_remaining"] == before - 1
    assert await available(services, tenant) == before - 1


async def test_build_image_prompt_refuses_another_workspaces_persona_and_an_empty_balance(
    client: httpx.AsyncClient, services: Services
) -> None:
    owner, other = await make_tenant(services), await make_tenant(services)
    persona = (await client.post("/v1/personas", json=PERSONA, headers=owner.headers)).json()[
        "persona"
    ]
    before = await available(services, other)
    foreign = await client.post(
        "/v1/ai/build-image-prompt",
        json={"content": POST, "personaId": persona["id"]},
        headers=other.headers,
    )
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "NOT_FOUND"
    assert await available(services, other) == before

    await drain(services, other)
    broke = await client.post(
        "/v1/ai/build-image-prompt", json={"content": POST}, headers=other.headers
    )
    assert broke.status_code == 402
    assert broke.json()["error"]["code"] == "AI_SUBSCRIPTION"


async def test_bulk_enhancement_charges_only_the_items_enhanced(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    response = await client.post(
        "/v1/ai/enhance-content/bulk",
        json={
            "tone": "enthusiastic",
            "items": [
                {"text": "We launched something new today.", "platform": "x"},
                {"text": "Our team grew to twelve people.", "platform": "myspace"},
                {"text": "The beta opens next week for everyone."},
            ],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert [r["status"] for r in results] == ["enhanced", "failed", "enhanced"]
    assert results[1]["error"]["code"] == "VALIDATION_ERROR"
    assert results[1]["enhanced"] is None
    assert [r["credits_used"] for r in results] == [1, 0, 1]
    assert results[0]["enhanced"]
    assert results[2]["enhanced"]
    assert (body["enhancedCount"], body["failedCount"], body["credits_used"]) == (2, 1, 2)
    assert body["credits_remaining"] == before - 2
    assert await available(services, tenant) == before - 2
    async with services.db.transaction() as session:
        usage = list(
            await session.scalars(
                select(GenerationUsage).where(GenerationUsage.workspace_id == tenant.workspace_id)
            )
        )
    assert sorted(u.credits for u in usage) == [1, 1]


async def test_bulk_enhancement_refuses_more_than_50_items_and_an_uncovered_batch(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    too_many = await client.post(
        "/v1/ai/enhance-content/bulk",
        json={"items": [{"text": f"post {i}"} for i in range(51)]},
        headers=tenant.headers,
    )
    assert too_many.status_code in (400, 422)
    assert too_many.json()["error"]["code"] == "VALIDATION_ERROR"

    await drain(services, tenant, leave=2)
    uncovered = await client.post(
        "/v1/ai/enhance-content/bulk",
        json={"items": [{"text": f"post number {i}"} for i in range(3)]},
        headers=tenant.headers,
    )
    assert uncovered.status_code == 402
    error = uncovered.json()["error"]
    assert error["code"] == "AI_SUBSCRIPTION"
    assert (error["required"], error["available"]) == (3, 2)
    assert await available(services, tenant) == 2


async def test_bulk_enhancement_with_a_model_refuses_the_unusable_answer_alone(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    def responder(request: dict[str, Any]) -> Reply:
        asked = " ".join(str(m.get("content") or "") for m in request["messages"])
        if "BROKEN" in asked:
            return Reply(arguments={"not": "what was asked"})
        return Reply(arguments={"enhanced": "Better: " + asked[-20:], "changes": ["tighter"]})

    with FakeOpenAI(responder) as fake:
        settings = make_settings(
            database_url,
            tmp_path,
            llm=LlmSettings(
                model="ollama:llama3.2", base_url=fake.base_url, api_key="sk-fake", max_retries=1
            ),
        )
        app: FastAPI = create_app(settings, clock=clock)
        async with app.router.lifespan_context(app):
            services: Services = app.state.services
            tenant = await make_tenant(services)
            before = await available(services, tenant)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.post(
                    "/v1/ai/enhance-content/bulk",
                    json={
                        "items": [
                            {"text": "A fine first post."},
                            {"text": "BROKEN second post."},
                            {"text": "A fine third post."},
                        ]
                    },
                    headers=tenant.headers,
                )
            assert response.status_code == 200, response.text
            body = response.json()
            assert [r["status"] for r in body["results"]] == ["enhanced", "failed", "enhanced"]
            assert body["results"][1]["error"]["code"] == "AI_RESPONSE_INCOMPLETE"
            assert body["results"][0]["enhanced"].startswith("Better:")
            assert (body["provider"], body["model"], body["credits_used"]) == (
                "ollama",
                "llama3.2",
                2,
            )
            assert await available(services, tenant) == before - 2


async def test_build_image_prompt_through_a_model_sends_persona_and_style_and_charges_once(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    answer = {
        "prompt": "Solar panels on a warehouse roof at dusk, warm light, editorial illustration.",
        "negative_prompt": "text, watermark",
    }
    with FakeOpenAI(lambda body: Reply(arguments=answer)) as fake:
        settings = make_settings(
            database_url,
            tmp_path,
            llm=LlmSettings(
                model="ollama:llama3.2", base_url=fake.base_url, api_key="sk-fake", max_retries=1
            ),
        )
        app: FastAPI = create_app(settings, clock=clock)
        async with app.router.lifespan_context(app):
            services: Services = app.state.services
            tenant = await make_tenant(services)
            before = await available(services, tenant)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.post(
                    "/v1/ai/build-image-prompt",
                    json={
                        "content": POST,
                        "style": "editorial illustration",
                        "platform": "linkedin",
                        "persona": {"name": "Green Ops", "voice": "calm, precise"},
                    },
                    headers=tenant.headers,
                )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["prompt"] == answer["prompt"]
            assert (body["negativePrompt"], body["aspectRatio"]) == ("text, watermark", "1:1")
            assert (body["provider"], body["model"], body["credits_used"]) == (
                "ollama",
                "llama3.2",
                1,
            )
            assert await available(services, tenant) == before - 1
    [sent] = fake.bodies()
    everything = " ".join(str(m.get("content") or "") for m in sent["messages"])
    assert "Green Ops" in everything
    assert "calm, precise" in everything
    assert "Style: editorial illustration" in everything
    assert "solar rooftop pilot" in everything
