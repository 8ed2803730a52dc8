from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.errors import ValidationFailed
from postwright.core.pagination import CursorCodec, paginate_keyset, paginate_page
from postwright.core.services import Services
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import ApiKey
from tests.factories import make_tenant


async def make_keys(services: Services, clock: FrozenClock, count: int) -> str:
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        user = await session.get(accounts.User, tenant.user_id)
        workspace = await session.get(accounts.Workspace, tenant.workspace_id)
        assert user is not None
        assert workspace is not None
        for index in range(count - 1):
            # Two keys per instant: the id must break ties.
            if index % 2 == 0:
                clock.advance(timedelta(seconds=1))
            await accounts.issue_api_key(
                session, now=clock.now(), user=user, workspace=workspace, name=f"k{index}"
            )
    return tenant.workspace_id


async def test_keyset_pages_walk_every_row_once_newest_first(
    services: Services, clock: FrozenClock
) -> None:
    workspace_id = await make_keys(services, clock, 11)
    statement = select(ApiKey).where(ApiKey.workspace_id == workspace_id)
    seen: list[str] = []
    cursor = None
    async with services.db.transaction() as session:
        expected = [k.id for k in await session.scalars(statement)]
        while True:
            page = await paginate_keyset(
                session,
                statement,
                codec=services.cursors,
                created_at=ApiKey.created_at,
                id_column=ApiKey.id,
                cursor=cursor,
                limit=4,
                scope=f"keys:{workspace_id}",
            )
            seen.extend(k.id for k in page.items)
            if not page.has_more:
                break
            cursor = page.next_cursor
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 11
    created = {k.id: k.created_at for k in await _all(services, statement)}
    assert [created[i] for i in seen] == sorted(created[i] for i in seen)[::-1]


async def _all(services: Services, statement: object) -> list[ApiKey]:
    async with services.db.transaction() as session:
        return list(await session.scalars(statement))  # type: ignore[call-overload]


async def test_page_limit_totals(services: Services, clock: FrozenClock) -> None:
    workspace_id = await make_keys(services, clock, 7)
    async with services.db.transaction() as session:
        page = await paginate_page(
            session,
            select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.id),
            page=2,
            limit=3,
        )
    assert (page.total_count, page.total_pages, len(page.items), page.has_more) == (7, 3, 3, True)


def test_cursors_are_opaque_and_tamper_evident() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode({"s": "scope", "t": "2026-01-01T00:00:00+00:00", "i": "post_1"})
    assert "post_1" not in cursor
    assert codec.decode(cursor)["i"] == "post_1"

    forged = CursorCodec(b"other" * 8).encode({"s": "scope", "t": "x", "i": "post_2"})
    body, signature = cursor.split(".")
    tampered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
    for bad in (forged, tampered, "garbage", "a.b.c", ""):
        with pytest.raises(ValidationFailed):
            codec.decode(bad)


async def test_cursor_from_another_listing_is_refused(
    services: Services, clock: FrozenClock
) -> None:
    workspace_id = await make_keys(services, clock, 3)
    statement = select(ApiKey).where(ApiKey.workspace_id == workspace_id)
    async with services.db.transaction() as session:
        first = await paginate_keyset(
            session,
            statement,
            codec=services.cursors,
            created_at=ApiKey.created_at,
            id_column=ApiKey.id,
            cursor=None,
            limit=1,
            scope="a",
        )
        with pytest.raises(ValidationFailed):
            await paginate_keyset(
                session,
                statement,
                codec=services.cursors,
                created_at=ApiKey.created_at,
                id_column=ApiKey.id,
                cursor=first.next_cursor,
                limit=1,
                scope="b",
            )
