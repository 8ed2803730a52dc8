"""The post tools reach every kind of post ``list_posts`` shows, not only those written through
them: bulk output, project drafts, imports, feed and generated posts alike."""

from __future__ import annotations

from datetime import timedelta

from postwright.core.services import Services
from postwright.domain.accounts.models import Role
from postwright.domain.billing.context import SystemActor
from postwright.domain.content import post_service
from postwright.domain.content.models import PostSource, ReviewStatus
from postwright.domain.content.post_service import PostDraft
from tests.factories import Tenant, add_member, make_tenant
from tests.mcp.conftest import Deployment
from tests.mcp.tools import call, days_ahead, failure, over_http


async def add_post(
    services: Services, tenant: Tenant, source: PostSource, *, published: bool = False
) -> str:
    """A post as the path that makes ``source`` posts leaves it (a bulk job's is already
    scheduled, a project's waits for review), through the one post service."""
    now = services.clock.now()
    owner = SystemActor(workspace_id=tenant.workspace_id, at=now, user_id=tenant.user_id)
    draft = PostDraft(
        content=f"A {source} post",
        platform="linkedin",
        scheduled_on=now + timedelta(days=3) if source == PostSource.BULK else None,
        review_status=(
            ReviewStatus.PENDING if source == PostSource.PROJECT else ReviewStatus.APPROVED
        ),
    )
    async with services.db.transaction() as session:
        post = post_service.add_post(session, owner, draft, source=source)
        if published:
            post_service.mark_published(post, external_id="ext-1", url=None, now=now)
    return post.id


async def test_every_kind_of_post_in_list_posts_can_be_edited_scheduled_and_deleted(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    kinds = [
        PostSource.BULK,
        PostSource.PROJECT,
        PostSource.IMPORT,
        PostSource.FEED,
        PostSource.GENERATED,
    ]
    ids = {kind: await add_post(services, tenant, kind) for kind in kinds}
    when = days_ahead(services.clock.now(), 2)[1]
    async with over_http(deployment.base_url, tenant.api_key) as client:
        listed = {p["id"] for p in (await call(client, "list_posts", limit=100))["posts"]}
        assert listed == set(ids.values())
        for kind, post_id in ids.items():
            edited = await call(client, "update_post", post_id=post_id, content=f"{kind}, edited")
            assert edited["content"] == f"{kind}, edited", kind
            scheduled = await call(client, "schedule_post", post_id=post_id, scheduled_at=when)
            assert (scheduled["status"], scheduled["provider"]) == ("scheduled", "outbox"), kind
            back = await call(client, "update_post", post_id=post_id, unschedule=True)
            assert (back["status"], back["scheduled_at"]) == ("draft", None), kind
            assert (await call(client, "delete_post", post_id=post_id))["deleted"] is True
            gone = await failure(client, "get_post", post_id=post_id)
            assert gone.code == "NOT_FOUND", kind
        assert (await call(client, "list_posts"))["posts"] == []


async def test_who_may_change_a_post_and_when_is_the_planners_rule(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    member = await add_member(services, tenant, email=f"member-{tenant.workspace_id}@example.com")
    admin = await add_member(
        services, tenant, email=f"admin-{tenant.workspace_id}@example.com", role=Role.ADMIN
    )
    bulk = await add_post(services, tenant, PostSource.BULK)
    published = await add_post(services, tenant, PostSource.PROJECT, published=True)
    async with over_http(deployment.base_url, member.api_key) as client:
        # Every member sees the workspace's posts; only the author or an admin changes them.
        assert (await call(client, "get_post", post_id=bulk))["status"] == "scheduled"
        edit = await failure(client, "update_post", post_id=bulk, content="Mine now")
        assert edit.code == "FORBIDDEN"
        assert (await failure(client, "delete_post", post_id=bulk)).code == "FORBIDDEN"
    async with over_http(deployment.base_url, admin.api_key) as client:
        edited = await call(client, "update_post", post_id=bulk, content="Checked by an admin")
        assert edited["content"] == "Checked by an admin"
        assert edited["status"] == "scheduled"
    async with over_http(deployment.base_url, tenant.api_key) as client:
        nothing = await failure(client, "update_post", post_id=bulk)
        assert nothing.code == "VALIDATION_ERROR"
        late = await failure(client, "update_post", post_id=published, unschedule=True)
        assert late.code == "CONFLICT"
        assert (await failure(client, "update_post", post_id=published, content="x")).code == (
            "CONFLICT"
        )
        assert (await call(client, "get_post", post_id=published))["status"] == "published"
