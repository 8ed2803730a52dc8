"""Statement budgets of the powerpost and sparkvox lists, and ``post_counts`` kept exact by
the database through every kind of post write (whichever code path makes it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, event, func, select, update

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.content import posts as content_posts
from postwright.domain.content.models import Post, PostCount, PostSource
from postwright.domain.projects.models import Project, ProjectStatus, SourceType
from tests.api.test_request_path import StatementCounter
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant


def _post(tenant: Tenant, services: Services, index: int, **values: object) -> Post:
    at = services.clock.now() - timedelta(minutes=index)
    fields: dict[str, object] = {
        "id": new_id("post"),
        "workspace_id": tenant.workspace_id,
        "user_id": tenant.user_id,
        "content": f"Post {index}",
        "created_at": at,
        "updated_at": at,
        **values,
    }
    return Post(**fields)


async def _project_with_posts(services: Services, tenant: Tenant, count: int) -> str:
    project_id = new_id("proj")
    now = services.clock.now()
    async with services.db.transaction() as session:
        session.add(
            Project(
                id=project_id,
                workspace_id=tenant.workspace_id,
                user_id=tenant.user_id,
                name="Podcast",
                source_type=SourceType.TRANSCRIPT,
                source_text="text",
                max_moments=count,
                status=ProjectStatus.COMPLETED,
                credits_per_post=1,
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        for index in range(count):
            session.add(
                _post(tenant, services, index, project_id=project_id, source=PostSource.PROJECT)
            )
            session.add(_post(tenant, services, 100 + index))
    return project_id


async def test_statement_budget_of_the_powerpost_and_sparkvox_lists(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    app = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        tenant = await make_tenant(services)
        project_id = await _project_with_posts(services, tenant, 5)
        transport = httpx.ASGITransport(app=app)
        counter = StatementCounter()
        paths = ("/api/v1/content/posts", f"/api/v1/projects/{project_id}/posts")
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for path in paths:  # warm: the key is cached
                assert (await http.get(path, headers=tenant.headers)).status_code == 200
            await services.db.drain()
            event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
            try:  # key and membership cached: the page; the project's list reads it first
                for path, budget in zip(paths, (1, 2), strict=True):
                    counter.statements.clear()
                    response = await http.get(path, headers=tenant.headers)
                    assert response.status_code == 200, response.text
                    assert len(counter.statements) <= budget, (path, counter.statements)
            finally:
                event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)
        assert len(response.json()["posts"]) == 5


async def _counts_agree(services: Services) -> dict[tuple[str, str], int]:
    """``post_counts`` next to a real count of live posts; returns the kept counts."""
    async with services.db.read_transaction() as session:
        actual = {
            (workspace, source): live
            for workspace, source, live in await session.execute(
                select(Post.workspace_id, Post.source, func.count())
                .where(Post.deleted_at.is_(None))
                .group_by(Post.workspace_id, Post.source)
            )
        }
        kept = {
            (row.workspace_id, row.source): row.live
            for row in await session.scalars(select(PostCount))
            if row.live
        }
    assert kept == actual
    return kept


async def test_post_counts_stay_exact_through_every_write(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    app = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        first = await make_tenant(services, name="A")
        other = await make_tenant(services, name="B")
        posts = [_post(first, services, i) for i in range(4)]
        posts.append(_post(first, services, 9, source=PostSource.BULK))
        posts.append(_post(other, services, 10))
        async with services.db.transaction() as session:
            session.add_all(posts)
        manual = (first.workspace_id, PostSource.MANUAL.value)
        assert (await _counts_agree(services))[manual] == 4

        soft = [posts[0].id, posts[1].id]
        async with services.db.transaction() as session:  # soft-delete
            await session.execute(
                update(Post).where(Post.id.in_(soft)).values(deleted_at=clock.now())
            )
        assert (await _counts_agree(services))[manual] == 2

        async with services.db.transaction() as session:  # soft-deleting again changes nothing
            await session.execute(
                update(Post).where(Post.id == soft[0]).values(deleted_at=clock.now())
            )
        assert (await _counts_agree(services))[manual] == 2

        async with services.db.transaction() as session:  # restore
            await session.execute(update(Post).where(Post.id == soft[0]).values(deleted_at=None))
        assert (await _counts_agree(services))[manual] == 3

        async with services.db.transaction() as session:  # hard delete, live and soft-deleted
            await session.execute(delete(Post).where(Post.id.in_([posts[2].id, soft[1]])))
        assert (await _counts_agree(services))[manual] == 2

        async with services.db.transaction() as session:  # through the ORM unit of work
            found = await session.get(Post, posts[3].id)
            assert found is not None
            await session.delete(found)
        counts = await _counts_agree(services)
        assert counts[manual] == 1
        assert counts[(first.workspace_id, PostSource.BULK.value)] == 1
        assert counts[(other.workspace_id, PostSource.MANUAL.value)] == 1

        async with services.db.transaction() as session:  # a write that rolls back
            session.add(_post(first, services, 20))
            await session.flush()
            await session.rollback()
        assert (await _counts_agree(services))[manual] == 1


async def test_deep_pages_read_from_the_nearer_end_give_the_same_pages(
    database_url: str, tmp_path: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        tenant = await make_tenant(services)
        made = [_post(tenant, services, i) for i in range(30)]  # index 0 is the newest
        expected = [post.id for post in made]
        async with services.db.transaction() as session:
            session.add_all(made)
        transport = httpx.ASGITransport(app=app)

        async def pages() -> list[list[str]]:
            found = []
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                for page in range(1, 6):
                    response = await http.get(
                        f"/api/v1/post?page={page}&limit=8", headers=tenant.headers
                    )
                    assert response.status_code == 200, response.text
                    assert response.json()["totalCount"] == 30
                    found.append([p["id"] for p in response.json()["posts"]])
            return found

        near = await pages()
        monkeypatch.setattr(content_posts, "DEEP_OFFSET", 0)
        far = await pages()
    assert far == near
    assert [len(ids) for ids in near] == [8, 8, 8, 6, 0]
    assert [post_id for ids in near for post_id in ids] == expected
