from __future__ import annotations

from datetime import timedelta

import httpx

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import on_plan, quota_used
from tests.factories import add_member, make_tenant

POST = {
    "postContent": "We launched our product today after 6 months of customer interviews.",
    "tone": "friendly",
    "length": "short",
    "platform": "linkedin",
    "userComment": "Congratulate them",
    "authorName": "Jane Smith",
    "authorUrl": "https://linkedin.com/in/janesmith",
    "authorBio": "Product Manager at Tech Solutions Inc.",
}


async def test_a_linkedin_comment_is_generated_and_saved(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post("/api/v1/comments/generate", json=POST, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"comment", "message", "generationTime", "platform"}
    assert set(body["comment"]) == {"quote", "profileUrl"}
    assert body["comment"]["profileUrl"] == "https://linkedin.com/in/janesmith"
    assert body["message"] == "Comment generated and saved"
    assert body["platform"] == "linkedin"
    assert await quota_used(client, tenant, "comment_generation") == 1

    listed = (await client.get("/api/v1/comments", headers=tenant.headers)).json()
    saved = listed["comments"][0]
    assert (saved["firstName"], saved["lastName"]) == ("Jane", "Smith")
    assert saved["title"] == "Product Manager at Tech Solutions Inc."
    assert saved["quote"] == body["comment"]["quote"]


async def test_an_x_reply_is_a_string_and_not_saved(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    response = await client.post(
        "/api/v1/comments/generate", json={**POST, "platform": "x"}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["comment"], str)
    assert len(body["comment"]) <= 280
    assert (body["message"], body["platform"]) == ("Reply generated", "x")
    listed = (await client.get("/api/v1/comments", headers=tenant.headers)).json()
    assert listed["pagination"]["total"] == 0


async def test_beast_mode_writes_five_varied_comments_for_five_units(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    body = {k: POST[k] for k in ("postContent", "platform", "userComment", "authorName")}
    response = await client.post("/api/v1/comments/beast-mode", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert set(out) == {"comments", "message", "generationTime", "platform"}
    assert out["message"] == "Beast mode comments generated"
    assert len(out["comments"]) == 5
    assert len({c["quote"] for c in out["comments"]}) == 5
    assert {c["type"] for c in out["comments"]} <= {"short", "medium"}
    assert await quota_used(client, tenant, "comment_generation") == 5


async def test_beast_mode_needs_five_units(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    await on_plan(services, tenant, comment_generation_limit=4)
    refused = await client.post(
        "/api/v1/comments/beast-mode", json={"postContent": "Hi"}, headers=tenant.headers
    )
    assert_envelope(refused, 402, "QUOTA_EXHAUSTED")
    assert refused.json()["quota"]["remaining"] == 4
    assert await quota_used(client, tenant, "comment_generation") == 0
    single = await client.post(
        "/api/v1/comments/generate", json={"postContent": "Hi"}, headers=tenant.headers
    )
    assert single.status_code == 200


async def test_bad_comment_requests_are_400_and_free(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    for url in ("/api/v1/comments/generate", "/api/v1/comments/beast-mode"):
        for body in ({}, {"postContent": "x", "platform": "myspace"}):
            response = await client.post(url, json=body, headers=tenant.headers)
            assert_envelope(response, 400, "VALIDATION_ERROR")
    bad_url = {"postContent": "x", "authorUrl": "javascript:alert(1)"}
    response = await client.post("/api/v1/comments/generate", json=bad_url, headers=tenant.headers)
    assert_envelope(response, 400, "VALIDATION_ERROR")
    assert await quota_used(client, tenant, "comment_generation") == 0


async def test_list_search_create_and_delete(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    member = await add_member(services, tenant, email="m@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    names = [("John", "Doe"), ("Joan", "Smith"), ("Mary", "Johnson"), ("Bob", "Lee_x")]
    ids = []
    for first, last in names:
        clock.advance(timedelta(seconds=1))
        created = await client.post(
            "/api/v1/comments",
            json={"firstName": first, "lastName": last, "title": "Engineer", "quote": "Great!"},
            headers=tenant.headers,
        )
        assert created.status_code == 201, created.text
        assert set(created.json()) == {"id", "firstName", "lastName", "quote", "createdAt"}
        ids.append(created.json()["id"])

    page = (await client.get("/api/v1/comments?limit=3", headers=tenant.headers)).json()
    assert page["pagination"] == {"total": 4, "page": 1, "limit": 3, "totalPages": 2}
    assert set(page["comments"][0]) == {"id", "firstName", "lastName", "title", "quote", "date"}
    assert page["comments"][0]["id"] == ids[-1]
    found = (await client.get("/api/v1/comments?search=JOHN", headers=tenant.headers)).json()
    assert {c["firstName"] for c in found["comments"]} == {"John", "Mary"}
    literal = (await client.get("/api/v1/comments?search=e_x", headers=tenant.headers)).json()
    assert [c["lastName"] for c in literal["comments"]] == ["Lee_x"]
    too_long = await client.get("/api/v1/comments?search=" + "a" * 101, headers=tenant.headers)
    assert_envelope(too_long, 400, "VALIDATION_ERROR")
    for body in (
        {"lastName": "x"},
        {"firstName": "A", "quote": "B", "image": "file:///etc/passwd"},
    ):
        refused = await client.post("/api/v1/comments", json=body, headers=tenant.headers)
        assert_envelope(refused, 400, "VALIDATION_ERROR")

    url = f"/api/v1/comments/{ids[0]}"
    assert_envelope(await client.delete(url, headers=member.headers), 403, "FORBIDDEN")
    assert_envelope(await client.delete(url, headers=stranger.headers), 404, "NOT_FOUND")
    deleted = await client.delete(url, headers=tenant.headers)
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True
    assert deleted.json()["deletedAt"].endswith("Z")
    after = (await client.get("/api/v1/comments", headers=tenant.headers)).json()
    assert after["pagination"]["total"] == 3
    assert (await client.get("/api/v1/comments", headers=stranger.headers)).json()["pagination"][
        "total"
    ] == 0
