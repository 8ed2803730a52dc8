"""The saved listing's one cursor across two tables, including rows that share a timestamp."""

from __future__ import annotations

import pytest

from postwright.core.errors import ValidationFailed
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.content import saved
from postwright.domain.content.conversation_models import Idea
from postwright.domain.content.models import PostSource
from postwright.domain.content.posts import new_post
from postwright.domain.context import RequestCtx
from tests.domain.content.helpers import actor_for, ctx_for
from tests.factories import make_tenant


async def test_rows_sharing_a_timestamp_are_each_listed_once(services: Services) -> None:
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        actor = await actor_for(session, services, tenant)
        expected = set()
        for index in range(5):
            post = new_post(actor, content=f"P{index}", source=PostSource.MANUAL)
            post.is_saved = True
            idea = Idea(
                id=new_id("idea"),
                workspace_id=actor.workspace_id,
                user_id=actor.user_id,
                thread_id="thread_x",
                message_id="message_x",
                title=f"I{index}",
                content="",
                key_takeaways=[],
                controversial_angle="",
                created_at=actor.now(),
                updated_at=actor.now(),
            )
            session.add_all([post, idea])
            expected |= {post.id, idea.id}

    seen: list[str] = []
    cursor = None
    async with services.db.transaction() as session:
        ctx = await ctx_for(session, services, tenant)
        for _ in range(10):
            page = await saved.list_saved(ctx, kind=None, cursor=cursor, limit=3)
            seen += [p.id for p in page.posts] + [i.id for i in page.ideas]
            if not page.has_more:
                break
            cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 10
    assert set(seen) == expected


async def test_a_cursor_only_works_for_the_listing_it_came_from(services: Services) -> None:
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        actor = await actor_for(session, services, tenant)
        for index in range(3):
            post = new_post(actor, content=f"P{index}", source=PostSource.MANUAL)
            post.is_saved = True
            session.add(post)
        await session.flush()
        ctx = RequestCtx(session, actor, services)
        page = await saved.list_saved(ctx, kind="post", cursor=None, limit=1)
        assert page.next_cursor is not None
        with pytest.raises(ValidationFailed):
            await saved.list_saved(ctx, kind="idea", cursor=page.next_cursor, limit=1)
