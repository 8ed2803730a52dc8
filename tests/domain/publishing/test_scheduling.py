"""schedule_post: sparkvox's approve-and-schedule to a connected tool."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.errors import AppError, ValidationFailed
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import Role, User, Workspace
from postwright.domain.content.models import Post, PublishState, ReviewStatus
from postwright.domain.context import Ctx
from postwright.domain.publishing import publisher
from postwright.domain.publishing.scheduling import (
    NoConnection,
    ScheduledPublication,
    schedule_post,
)
from tests.domain.publishing.world import Fakes, add_post, connect, post_row, world_settings
from tests.factories import Tenant, make_tenant


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


async def run_schedule(
    services: Services, tenant: Tenant, post_id: str, provider: str, **options: str
) -> tuple[ScheduledPublication, Post]:
    async with services.db.transaction() as session:
        user = await session.get(User, tenant.user_id)
        workspace = await session.get(Workspace, tenant.workspace_id)
        assert user is not None
        assert workspace is not None
        actor = Actor(user=user, workspace=workspace, role=Role.OWNER, clock=services.clock)
        post = await session.get(Post, post_id)
        assert post is not None
        result = await schedule_post(Ctx(session, actor, services), post, provider, **options)
    return result, await post_row(services, post_id)


async def pending_post(services: Services, tenant: Tenant, text: str, clock: FrozenClock) -> str:
    post_id = await add_post(services, tenant, text, at=clock.now() + timedelta(hours=1))
    async with services.db.transaction() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        post.review_status = ReviewStatus.PENDING
        post.publish_state = PublishState.DRAFT
    return post_id


async def test_schedule_post_approves_and_schedules_through_the_default_account(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "buffer", fakes)
    post_id = await pending_post(services, tenant, "Ready for Buffer", clock)

    scheduled, post = await run_schedule(services, tenant, post_id, "buffer")

    assert post.review_status == ReviewStatus.APPROVED
    assert post.publish_state == PublishState.SCHEDULED
    assert post.publish_provider == "buffer"
    assert post.publish_account_id == account["id"]
    assert scheduled.scheduled_at == post.scheduled_on
    assert scheduled.job_id

    clock.advance(timedelta(hours=1))
    [outcome] = await publisher.publish_due_now(services, lookahead=timedelta(0))
    assert outcome.success
    assert len(fakes.buffer.posts) == 1


async def test_schedule_post_accepts_the_providers_account_id(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "publer", fakes)
    post_id = await pending_post(services, tenant, "To Publer", clock)
    _, post = await run_schedule(services, tenant, post_id, "publer", account_id="acc_li")
    assert post.publish_account_id == account["id"]


async def test_schedule_post_refuses_without_a_connection_or_content(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    post_id = await pending_post(services, tenant, "Nowhere to go", clock)
    with pytest.raises(NoConnection) as missing:
        await run_schedule(services, tenant, post_id, "linkedin")
    assert 400 <= missing.value.status_code < 500

    with pytest.raises(ValidationFailed):
        await run_schedule(services, tenant, post_id, "mastodon")  # not a scheduling tool

    await connect(client, tenant, "linkedin", fakes)
    empty = await pending_post(services, tenant, "   ", clock)
    with pytest.raises(AppError) as blank:
        await run_schedule(services, tenant, empty, "linkedin")
    assert blank.value.status_code == 400
    assert (await post_row(services, empty)).review_status == ReviewStatus.PENDING


async def test_schedule_post_never_reaches_another_workspaces_account(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    owner = await make_tenant(services)
    foreign = await connect(client, owner, "buffer", fakes)
    other = await make_tenant(services, name="Other")
    post_id = await pending_post(services, other, "Mine only", clock)
    with pytest.raises(NoConnection):
        await run_schedule(services, other, post_id, "buffer", account_id=foreign["id"])
