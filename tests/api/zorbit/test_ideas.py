from __future__ import annotations

import httpx

from postwright.core.services import Services
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import on_plan, quota_used
from tests.factories import make_tenant

IDEA_KEYS = {"id", "title", "content", "keyTakeaways", "controversialAngle"}


async def test_generate_ideas_in_a_new_thread(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/api/v1/idea", json={"prompt": "Ideas for tech industry content"}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"thread", "promptMessage", "responseMessage"}
    assert set(body["thread"]) == {"id", "title", "type", "createdAt"}
    assert body["thread"]["title"] == "Ideas for tech industry content"
    assert body["thread"]["type"] == "idea"
    assert body["promptMessage"]["content"] == "Ideas for tech industry content"
    answer = body["responseMessage"]
    assert answer["content"] == "Generated ideas for: Ideas for tech industry content"
    ideas = answer["contentIdeas"]
    assert len(ideas) == 3
    assert all(set(idea) == IDEA_KEYS for idea in ideas)
    assert all(idea["keyTakeaways"] for idea in ideas)
    assert await quota_used(client, tenant, "idea_generation") == 3

    one = (await client.get(f"/api/v1/idea/{ideas[0]['id']}", headers=tenant.headers)).json()
    assert one == ideas[0]
    by_thread = (
        await client.get(f"/api/v1/idea?threadId={body['thread']['id']}", headers=tenant.headers)
    ).json()
    assert {i["id"] for i in by_thread} == {i["id"] for i in ideas}
    assert set(by_thread[0]) == IDEA_KEYS | {"createdAt"}


async def test_ideas_continue_a_thread_and_are_found_by_message(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    first = (
        await client.post("/api/v1/idea", json={"prompt": "Remote work"}, headers=tenant.headers)
    ).json()
    thread_id = first["thread"]["id"]
    second = await client.post(
        "/api/v1/idea",
        json={"prompt": "More on async teams", "threadId": thread_id},
        headers=tenant.headers,
    )
    assert second.status_code == 200
    assert second.json()["thread"]["id"] == thread_id
    message_id = second.json()["responseMessage"]["id"]
    by_message = (
        await client.get(f"/api/v1/idea?messageId={message_id}", headers=tenant.headers)
    ).json()
    assert {i["id"] for i in by_message} == {
        i["id"] for i in second.json()["responseMessage"]["contentIdeas"]
    }
    whole = (await client.get(f"/api/v1/idea?threadId={thread_id}", headers=tenant.headers)).json()
    assert len(whole) == 6


async def test_errors_and_other_workspaces(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other")
    theirs = (
        await client.post("/api/v1/idea", json={"prompt": "Theirs"}, headers=stranger.headers)
    ).json()
    h = tenant.headers
    assert_envelope(await client.post("/api/v1/idea", json={}, headers=h), 400, "VALIDATION_ERROR")
    foreign_thread = await client.post(
        "/api/v1/idea", json={"prompt": "x", "threadId": theirs["thread"]["id"]}, headers=h
    )
    assert_envelope(foreign_thread, 404, "NOT_FOUND")
    idea_id = theirs["responseMessage"]["contentIdeas"][0]["id"]
    assert_envelope(await client.get(f"/api/v1/idea/{idea_id}", headers=h), 404, "NOT_FOUND")
    listed = await client.get(f"/api/v1/idea?threadId={theirs['thread']['id']}", headers=h)
    assert listed.json() == []
    assert await quota_used(client, tenant, "idea_generation") == 0


async def test_quota_caps_the_ideas_then_refuses(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    await on_plan(services, tenant, idea_generation_limit=4)
    first = (await client.post("/api/v1/idea", json={"prompt": "A"}, headers=tenant.headers)).json()
    assert len(first["responseMessage"]["contentIdeas"]) == 3
    second = (
        await client.post("/api/v1/idea", json={"prompt": "B"}, headers=tenant.headers)
    ).json()
    assert len(second["responseMessage"]["contentIdeas"]) == 1
    refused = await client.post("/api/v1/idea", json={"prompt": "C"}, headers=tenant.headers)
    assert_envelope(refused, 402, "QUOTA_EXHAUSTED")
    assert refused.json()["quota"]["type"] == "idea_generation"
    assert await quota_used(client, tenant, "idea_generation") == 4
