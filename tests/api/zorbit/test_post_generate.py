from __future__ import annotations

import httpx
from sqlalchemy import select

from postwright.core.services import Services
from postwright.domain.content.conversation_models import ThreadMessage
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import on_plan, quota_used
from tests.factories import make_tenant

GENERATE = "/api/v1/post/generate"


async def test_generate_starts_a_thread_and_stores_the_posts(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    persona = (
        await client.post(
            "/api/v1/persona",
            json={"name": "Tech Professional", "relevantKeywords": "AI, healthcare"},
            headers=tenant.headers,
        )
    ).json()
    response = await client.post(
        GENERATE,
        json={
            "prompt": "Write a post about AI in healthcare",
            "personaId": persona["id"],
            "isFirstMessage": True,
            "contentLength": "short",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "posts",
        "partialSuccess",
        "totalRequested",
        "totalGenerated",
        "personaUsed",
        "threadId",
        "generationTime",
    }
    assert (body["partialSuccess"], body["totalRequested"], body["totalGenerated"]) == (
        False,
        2,
        2,
    )
    assert body["personaUsed"] == {
        "id": persona["id"],
        "name": "Tech Professional",
        "isSystem": False,
    }
    first, second = body["posts"]
    assert set(first) == {"id", "content", "timestamp", "personaId", "contentLength"}
    assert first["content"]["text"] != second["content"]["text"]
    assert (first["personaId"], first["contentLength"]) == (persona["id"], "short")
    assert body["threadId"].startswith("thread_")
    assert await quota_used(client, tenant, "post_generation") == 2

    stored = (await client.get(f"/api/v1/post/{first['id']}", headers=tenant.headers)).json()
    assert stored["source"] == "generated"
    assert stored["content"] == first["content"]["text"]


async def test_a_thread_keeps_its_messages_and_continues(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    first = (
        await client.post(GENERATE, json={"prompt": "Remote work tips"}, headers=tenant.headers)
    ).json()
    thread_id = first["threadId"]
    follow_up = await client.post(
        GENERATE,
        json={"prompt": "Make it punchier", "threadId": thread_id, "isFirstMessage": False},
        headers=tenant.headers,
    )
    assert follow_up.status_code == 200, follow_up.text
    assert follow_up.json()["threadId"] == thread_id
    async with services.db.transaction() as session:
        messages = list(
            await session.scalars(
                select(ThreadMessage)
                .where(ThreadMessage.thread_id == thread_id)
                .order_by(ThreadMessage.position)
            )
        )
    assert [(m.role, m.content) for m in messages][::2] == [
        ("user", "Remote work tips"),
        ("user", "Make it punchier"),
    ]
    assert {m.role for m in messages[1::2]} == {"assistant"}


async def test_style_examples_must_be_this_workspaces_posts(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    theirs = (
        await client.post("/api/v1/post", json={"content": "Theirs"}, headers=stranger.headers)
    ).json()
    mine = (
        await client.post("/api/v1/post", json={"content": "Mine"}, headers=tenant.headers)
    ).json()
    ok = await client.post(
        GENERATE,
        json={"prompt": "Launch day", "selectedPosts": [mine["id"]]},
        headers=tenant.headers,
    )
    assert ok.status_code == 200
    refused = await client.post(
        GENERATE,
        json={"prompt": "Launch day", "selectedPosts": [theirs["id"]]},
        headers=tenant.headers,
    )
    assert_envelope(refused, 400, "VALIDATION_ERROR")
    assert await quota_used(client, tenant, "post_generation") == 2


async def test_documented_errors_charge_nothing(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    theirs = (
        await client.post(GENERATE, json={"prompt": "Theirs"}, headers=stranger.headers)
    ).json()
    h = tenant.headers
    missing_thread = await client.post(
        GENERATE, json={"prompt": "x", "isFirstMessage": False}, headers=h
    )
    assert_envelope(missing_thread, 400, "VALIDATION_ERROR")
    other_thread = await client.post(
        GENERATE, json={"prompt": "x", "threadId": theirs["threadId"]}, headers=h
    )
    assert_envelope(other_thread, 404, "NOT_FOUND")
    for body in ({}, {"prompt": ""}, {"prompt": "x", "contentLength": "huge"}):
        assert_envelope(await client.post(GENERATE, json=body, headers=h), 400, "VALIDATION_ERROR")
    bad_persona = await client.post(
        GENERATE, json={"prompt": "x", "personaId": "persona_missing"}, headers=h
    )
    assert_envelope(bad_persona, 400, "VALIDATION_ERROR")
    assert await quota_used(client, tenant, "post_generation") == 0


async def test_quota_limits_the_variants_then_refuses_with_402(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    await on_plan(services, tenant, post_generation_limit=3)
    full = (await client.post(GENERATE, json={"prompt": "One"}, headers=tenant.headers)).json()
    assert full["totalGenerated"] == 2

    partial = (await client.post(GENERATE, json={"prompt": "Two"}, headers=tenant.headers)).json()
    assert (partial["totalRequested"], partial["totalGenerated"], partial["partialSuccess"]) == (
        2,
        1,
        True,
    )
    refused = await client.post(GENERATE, json={"prompt": "Three"}, headers=tenant.headers)
    assert_envelope(refused, 402, "QUOTA_EXHAUSTED")
    assert refused.json()["quota"] == {
        "type": "post_generation",
        "limit": 3,
        "used": 3,
        "remaining": 0,
        "resetAt": refused.json()["quota"]["resetAt"],
    }
    assert await quota_used(client, tenant, "post_generation") == 3


async def test_a_system_persona_can_write_the_posts(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    system = next(
        p
        for p in (await client.get("/api/v1/persona", headers=tenant.headers)).json()
        if p["isSystem"]
    )
    response = await client.post(
        GENERATE, json={"prompt": "Hiring", "personaId": system["id"]}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["personaUsed"] == {
        "id": system["id"],
        "name": system["name"],
        "isSystem": True,
    }
