"""The trash: listing soft-deleted records and restoring them within the retention window."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.domain.accounts.models import Role
from postwright.domain.content.conversation_models import Idea
from postwright.domain.content.models import Post, PublishState
from tests.api.test_auth import assert_envelope
from tests.factories import Tenant, add_member, make_tenant


async def _post(client: httpx.AsyncClient, tenant: Tenant, content: str) -> str:
    created = await client.post("/api/v1/post", json={"content": content}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _persona(client: httpx.AsyncClient, tenant: Tenant, name: str) -> str:
    created = await client.post("/api/v1/persona", json={"name": name}, headers=tenant.headers)
    assert created.status_code in (200, 201), created.text
    return str(created.json()["id"])


async def _comment(client: httpx.AsyncClient, tenant: Tenant, quote: str) -> str:
    created = await client.post(
        "/api/v1/comments",
        json={"firstName": "Jo", "lastName": "Doe", "quote": quote},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _deleted_idea(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, clock: FrozenClock
) -> str:
    """Ideas have no delete route of their own yet: soft-delete one in the database."""
    made = await client.post("/api/v1/idea", json={"prompt": "Remote work"}, headers=tenant.headers)
    idea_id = str(made.json()["responseMessage"]["contentIdeas"][0]["id"])
    async with services.db.transaction() as session:
        await session.execute(update(Idea).where(Idea.id == idea_id).values(deleted_at=clock.now()))
    return idea_id


async def test_trash_lists_every_type_newest_deletion_first_and_restores_each(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    post_id = await _post(client, tenant, "A post to bin")
    persona_id = await _persona(client, tenant, "Binned voice")
    comment_id = await _comment(client, tenant, "A comment to bin")
    clock.advance(timedelta(minutes=1))
    assert (await client.delete(f"/api/v1/post/{post_id}", headers=h)).status_code == 200
    clock.advance(timedelta(minutes=1))
    assert (await client.delete(f"/api/v1/persona/{persona_id}", headers=h)).status_code == 200
    clock.advance(timedelta(minutes=1))
    assert (await client.delete(f"/api/v1/comments/{comment_id}", headers=h)).status_code == 200
    clock.advance(timedelta(minutes=1))
    idea_id = await _deleted_idea(client, services, tenant, clock)

    listed = await client.get("/api/v1/trash", headers=h)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [(i["type"], i["id"]) for i in body["items"]] == [
        ("ideas", idea_id),
        ("comments", comment_id),
        ("personas", persona_id),
        ("posts", post_id),
    ]
    assert (body["hasMore"], body["nextCursor"]) == (False, None)
    first = body["items"][-1]
    assert first["label"] == "A post to bin"
    assert first["userId"] == tenant.user_id
    assert set(first) == {"type", "id", "label", "userId", "deletedAt", "restorableUntil"}

    only = (await client.get("/api/v1/trash?type=personas&type=posts", headers=h)).json()
    assert [i["id"] for i in only["items"]] == [persona_id, post_id]

    for kind, item_id in (
        ("posts", post_id),
        ("personas", persona_id),
        ("comments", comment_id),
        ("ideas", idea_id),
    ):
        restored = await client.post(f"/api/v1/trash/{kind}/{item_id}/restore", headers=h)
        assert restored.status_code == 200, restored.text
        assert restored.json()["id"] == item_id
        again = await client.post(f"/api/v1/trash/{kind}/{item_id}/restore", headers=h)
        assert_envelope(again, 409, "CONFLICT")
    assert (await client.get("/api/v1/trash", headers=h)).json()["items"] == []
    assert (await client.get(f"/api/v1/post/{post_id}", headers=h)).status_code == 200
    assert (await client.get(f"/api/v1/persona/{persona_id}", headers=h)).status_code == 200
    assert (await client.get(f"/api/v1/idea/{idea_id}", headers=h)).status_code == 200


async def test_trash_pages_by_keyset_cursor(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    ids = []
    for number in range(5):
        post_id = await _post(client, tenant, f"post {number}")
        clock.advance(timedelta(seconds=1))
        await client.delete(f"/api/v1/post/{post_id}", headers=tenant.headers)
        ids.append(post_id)
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/api/v1/trash?{query}", headers=tenant.headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        assert page["hasMore"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    other = await make_tenant(services, name="Other", email="o@example.com")
    first = (await client.get("/api/v1/trash?limit=2", headers=tenant.headers)).json()
    foreign = await client.get(
        f"/api/v1/trash?limit=2&cursor={first['nextCursor']}", headers=other.headers
    )
    assert_envelope(foreign, 400, "VALIDATION_ERROR")


async def test_restore_is_scoped_owned_and_ends_with_the_retention_window(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    member = await add_member(services, tenant, email="m@example.com", role=Role.MEMBER)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    mine = await _post(client, tenant, "owner's post")
    theirs = await _comment(client, member, "member's comment")
    await client.delete(f"/api/v1/post/{mine}", headers=tenant.headers)
    await client.delete(f"/api/v1/comments/{theirs}", headers=member.headers)

    # Another workspace never sees or restores it.
    assert (await client.get("/api/v1/trash", headers=stranger.headers)).json()["items"] == []
    foreign = await client.post(f"/api/v1/trash/posts/{mine}/restore", headers=stranger.headers)
    assert_envelope(foreign, 404, "NOT_FOUND")
    unknown = await client.post("/api/v1/trash/posts/post_nope/restore", headers=tenant.headers)
    assert_envelope(unknown, 404, "NOT_FOUND")
    bad_type = await client.post(f"/api/v1/trash/users/{mine}/restore", headers=tenant.headers)
    assert bad_type.status_code in (400, 404, 422)

    # A member lists only their own; the workspace owner cannot restore a member's comment.
    member_view = (await client.get("/api/v1/trash", headers=member.headers)).json()
    assert [i["id"] for i in member_view["items"]] == [theirs]
    not_owner = await client.post(f"/api/v1/trash/posts/{mine}/restore", headers=member.headers)
    assert_envelope(not_owner, 403, "FORBIDDEN")
    owner_on_comment = await client.post(
        f"/api/v1/trash/comments/{theirs}/restore", headers=tenant.headers
    )
    assert_envelope(owner_on_comment, 403, "FORBIDDEN")

    # Past the window: gone from the list, and restoring answers 410.
    clock.advance(timedelta(days=30, seconds=1))
    assert (await client.get("/api/v1/trash", headers=tenant.headers)).json()["items"] == []
    late = await client.post(f"/api/v1/trash/posts/{mine}/restore", headers=tenant.headers)
    assert_envelope(late, 410, "GONE")


async def test_an_admin_restores_a_members_post_and_a_passed_schedule_becomes_a_draft(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    member = await add_member(services, tenant, email="m@example.com", role=Role.MEMBER)
    at = clock.now() + timedelta(hours=1)
    created = await client.post(
        "/api/v1/post",
        json={"content": "Scheduled then binned", "scheduledOn": at.isoformat()},
        headers=member.headers,
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    async with services.db.transaction() as session:  # as the publishing scheduler leaves it
        await session.execute(
            update(Post)
            .where(Post.id == post_id)
            .values(publish_state=PublishState.SCHEDULED, scheduled_on=at)
        )
    await client.delete(f"/api/v1/post/{post_id}", headers=member.headers)
    clock.advance(timedelta(hours=2))
    owner_view = (await client.get("/api/v1/trash", headers=tenant.headers)).json()
    assert [i["id"] for i in owner_view["items"]] == [post_id]
    restored = await client.post(f"/api/v1/trash/posts/{post_id}/restore", headers=tenant.headers)
    assert restored.status_code == 200, restored.text
    async with services.db.transaction() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        assert post.deleted_at is None
        assert post.publish_state == PublishState.DRAFT


async def test_restoring_a_persona_takes_its_quota_unit_again(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    h = tenant.headers
    limit = (await client.get("/api/v1/usage/quotas", headers=h)).json()["personas"]["limit"]
    binned = await _persona(client, tenant, "Binned")
    await client.delete(f"/api/v1/persona/{binned}", headers=h)
    for index in range(limit):
        await _persona(client, tenant, f"P{index}")
    refused = await client.post(f"/api/v1/trash/personas/{binned}/restore", headers=h)
    assert_envelope(refused, 402, "QUOTA_EXHAUSTED")
    still = (await client.get("/api/v1/trash?type=personas", headers=h)).json()["items"]
    assert [i["id"] for i in still] == [binned]


async def test_the_trash_list_stays_within_the_statement_budget(
    client: httpx.AsyncClient, services: Services
) -> None:
    from sqlalchemy import event

    from tests.api.test_request_path import StatementCounter

    tenant = await make_tenant(services)
    post_id = await _post(client, tenant, "counted")
    await client.delete(f"/api/v1/post/{post_id}", headers=tenant.headers)
    assert (await client.get("/api/v1/trash", headers=tenant.headers)).status_code == 200
    await services.db.drain()
    counter = StatementCounter()
    event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
    try:
        listed = await client.get("/api/v1/trash", headers=tenant.headers)
    finally:
        event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)
    assert [i["id"] for i in listed.json()["items"]] == [post_id]
    assert len(counter.statements) <= 3, counter.statements
