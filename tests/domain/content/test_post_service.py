"""The one Post service: creation from every source, the empty-content rule once (and each
dialect's wording of it at its edge), and soft delete / restore."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.errors import AppError, Conflict, Gone, NotFound, ValidationFailed
from postwright.core.services import Services
from postwright.core.softdelete import DEFAULT_RETENTION
from postwright.core.tenancy import scoped
from postwright.domain.billing.context import SystemActor
from postwright.domain.content import post_service, transfer
from postwright.domain.content import posts as zorbit
from postwright.domain.content.models import Post, PostSource, PublishState, ReviewStatus
from postwright.domain.context import Ctx, RequestCtx
from postwright.domain.jobs.generation_models import ContentGeneration, GenerationStatus
from postwright.domain.publishing import posts as powerpost
from postwright.domain.publishing import scheduling
from postwright.domain.publishing.adapters import DEFAULT_PROVIDER
from tests.domain.content.helpers import actor_for
from tests.factories import Tenant, make_tenant

BLANKS = ["", " ", "\n\t  "]
CANONICAL = [{"field": "content", "message": "must not be empty", "type": "missing"}]


async def _row(services: Services, post_id: str) -> Post:
    async with services.db.transaction() as session:
        post = await session.scalar(select(Post).where(Post.id == post_id))
        assert post is not None
        session.expunge(post)
        return post


@pytest.mark.parametrize("source", list(PostSource))
async def test_a_request_creates_a_post_of_any_source(
    services: Services, clock: FrozenClock, source: PostSource
) -> None:
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        ctx = Ctx(session, await actor_for(session, services, tenant), services)
        post = await post_service.create_post(
            ctx,
            post_service.PostDraft(content="Hello", platform="x", attributes={"k": "v"}),
            source=source,
        )
    stored = await _row(services, post.id)
    assert (stored.workspace_id, stored.user_id) == (tenant.workspace_id, tenant.user_id)
    assert (stored.source, stored.platform, stored.content) == (source, "x", "Hello")
    assert stored.publish_state == PublishState.DRAFT
    assert stored.review_status == ReviewStatus.APPROVED
    assert stored.scheduled_on is None
    assert stored.deleted_at is None
    assert stored.attributes == {"k": "v"}
    assert stored.created_at == stored.updated_at == clock.now()


async def test_a_job_creates_posts_without_a_request(
    services: Services, clock: FrozenClock
) -> None:
    """The job form: a session and a system actor for the workspace and user, at the job's
    own instant; a planned date makes the post scheduled from the start."""
    tenant = await make_tenant(services)
    at = clock.now() - timedelta(minutes=5)
    when = clock.now() + timedelta(days=1)
    acting = SystemActor(workspace_id=tenant.workspace_id, at=clock.now(), user_id=tenant.user_id)
    async with services.db.transaction() as session:
        post = post_service.add_post(
            session,
            acting,
            post_service.PostDraft(
                content="From a job", scheduled_on=when, job_id="job_1", publish_account_id="acc"
            ),
            source=PostSource.BULK,
            now=at,
        )
    stored = await _row(services, post.id)
    assert (stored.source, stored.job_id) == (PostSource.BULK, "job_1")
    assert stored.publish_state == PublishState.SCHEDULED
    assert (stored.scheduled_on, stored.publish_account_id) == (when, "acc")
    assert stored.created_at == at
    with pytest.raises(ValueError, match="user"):
        post_service.build_post(
            SystemActor(workspace_id=tenant.workspace_id, at=at),
            post_service.PostDraft(content="x"),
            source=PostSource.BULK,
        )


async def test_every_door_creates_through_the_service(services: Services) -> None:
    """zorbit, powerpost and import make the same kind of row through the one service."""
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        actor = await actor_for(session, services, tenant)
        ctx = RequestCtx(session, actor, services)
        manual = await zorbit.create_post(ctx, content="Z")
        # powerpost checks that the generation it names is this workspace's.
        session.add(
            ContentGeneration(
                id="gen_1",
                workspace_id=tenant.workspace_id,
                user_id=actor.user_id,
                platforms=["linkedin"],
                research_mode="regular",
                status=GenerationStatus.COMPLETED,
                credits_used=0,
                reservation_id="res_test",
                created_at=actor.now(),
                updated_at=actor.now(),
            )
        )
        await session.flush()
        generated = await powerpost.create_post(
            RequestCtx(session, actor, services),
            content="P",
            platform="LinkedIn",
            generation_id="gen_1",
        )
        imported = await transfer.import_posts(ctx, [{"content": " I ", "title": "T"}])
    assert (await _row(services, manual.id)).source == PostSource.MANUAL
    row = await _row(services, generated.id)
    assert (row.source, row.platform, row.attributes) == (
        PostSource.GENERATED,
        "linkedin",
        {"generation_id": "gen_1"},
    )
    row = await _row(services, imported[0].post.id)
    assert (row.source, row.content, row.title) == (PostSource.IMPORT, "I", "T")


@pytest.mark.parametrize("blank", BLANKS)
async def test_the_empty_content_rule_is_one_error(services: Services, blank: str) -> None:
    tenant = await make_tenant(services)
    refusals: list[AppError] = []
    async with services.db.transaction() as session:
        actor = await actor_for(session, services, tenant)
        ctx = RequestCtx(session, actor, services)
        for source in PostSource:
            with pytest.raises(post_service.EmptyContent) as caught:
                await post_service.create_post(
                    ctx, post_service.PostDraft(content=blank), source=source
                )
            refusals.append(caught.value)
        post = await post_service.create_post(
            ctx, post_service.PostDraft(content="kept"), source=PostSource.MANUAL
        )
        with pytest.raises(post_service.EmptyContent) as caught:
            post_service.set_content(post, blank, now=actor.now())
        refusals.append(caught.value)
        assert post.content == "kept"
        post.content = blank  # as a row written before the rule could be
        with pytest.raises(post_service.EmptyContent) as caught:
            await scheduling.schedule(ctx, post, DEFAULT_PROVIDER)
        refusals.append(caught.value)
        with pytest.raises(post_service.EmptyContent) as caught:
            await powerpost.create_post(ctx, content=blank, platform="linkedin")
        refusals.append(caught.value)
    for refusal in refusals:
        assert (refusal.status_code, refusal.code) == (400, "VALIDATION_ERROR")
        assert refusal.details == CANONICAL
    assert refusals[-2].message == "The post has no content to publish"
    assert post_service.has_content(" x ")
    assert not post_service.has_content(None)


async def _error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


async def test_each_dialect_keeps_its_wording_of_the_rule(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    zorbit_error = await _error(
        await client.post("/api/v1/post", json={"content": "  "}, headers=tenant.headers)
    )
    assert zorbit_error["details"] == [{"field": "content", "message": "must not be blank"}]
    created = await client.post("/api/v1/post", json={"content": "ok"}, headers=tenant.headers)
    post_id = created.json()["id"]
    zorbit_error = await _error(
        await client.put(f"/api/v1/post/{post_id}", json={"content": " "}, headers=tenant.headers)
    )
    assert zorbit_error["details"] == [{"field": "content", "message": "must not be blank"}]
    headers = {"x-api-key": tenant.api_key, "X-Workspace-Id": tenant.workspace_id}
    powerpost_error = await _error(
        await client.post(
            "/api/v1/content/posts", json={"content": " ", "platform": "x"}, headers=headers
        )
    )
    assert powerpost_error["message"] == "content must not be empty"
    assert powerpost_error["details"] == {"field": "content"}
    imported = await _error(
        await client.post("/api/v1/posts/import", json=[{"content": "  "}], headers=tenant.headers)
    )
    assert {"row": 1, "field": "content", "message": "must not be empty"} in imported["details"]


async def _post(services: Services, tenant: Tenant, state: PublishState) -> str:
    async with services.db.transaction() as session:
        ctx = Ctx(session, await actor_for(session, services, tenant), services)
        post = await post_service.create_post(
            ctx,
            post_service.PostDraft(content="c", scheduled_on=ctx.now() + timedelta(hours=1)),
            source=PostSource.MANUAL,
        )
        post.publish_state = state
        return post.id


async def _act(services: Services, tenant: Tenant, post_id: str, action: str) -> Post:
    async with services.db.transaction() as session:
        actor = await actor_for(session, services, tenant)
        post = await session.scalar(select(Post).where(Post.id == post_id))
        assert post is not None
        getattr(post_service, action)(post, now=actor.now())
    return await _row(services, post_id)


async def test_soft_delete_and_restore(services: Services, clock: FrozenClock) -> None:
    tenant = await make_tenant(services)
    post_id = await _post(services, tenant, PublishState.SCHEDULED)
    with pytest.raises(NotFound):
        await _act(services, tenant, post_id, "restore")
    deleted = await _act(services, tenant, post_id, "soft_delete")
    assert deleted.deleted_at == clock.now()
    assert deleted.publish_state == PublishState.DRAFT  # off the schedule while deleted
    async with services.db.transaction() as session:
        hidden = scoped(Post, tenant.workspace_id).where(Post.id == post_id)
        assert await session.scalar(hidden) is None
    clock.advance(DEFAULT_RETENTION - timedelta(seconds=1))
    restored = await _act(services, tenant, post_id, "restore")
    assert restored.deleted_at is None
    assert restored.publish_state == PublishState.DRAFT
    assert restored.updated_at == clock.now()

    await _act(services, tenant, post_id, "soft_delete")
    clock.advance(DEFAULT_RETENTION + timedelta(seconds=1))
    with pytest.raises(Gone):
        await _act(services, tenant, post_id, "restore")


async def test_a_post_in_flight_is_not_deleted_or_rescheduled(services: Services) -> None:
    tenant = await make_tenant(services)
    post_id = await _post(services, tenant, PublishState.PUBLISHING)
    with pytest.raises(Conflict):
        await _act(services, tenant, post_id, "soft_delete")
    assert (await _row(services, post_id)).deleted_at is None
    with pytest.raises(Conflict):
        post_service.check_publishable(await _row(services, post_id))
    published = await _post(services, tenant, PublishState.PUBLISHED)
    unscheduled = await _act(services, tenant, published, "unschedule")
    assert unscheduled.publish_state == PublishState.PUBLISHED
    assert unscheduled.scheduled_on is not None


def test_the_rule_refuses_before_anything_is_built() -> None:
    assert post_service.require_content(" x ") == " x "
    with pytest.raises(ValidationFailed):
        post_service.require_content("   ", field="generated_content")
    with pytest.raises(post_service.EmptyContent) as caught:
        post_service.require_content(None, field="generated_content", message="m")
    assert (caught.value.field, caught.value.message) == ("generated_content", "m")
    assert caught.value.details == [post_service.empty_detail("generated_content")]
