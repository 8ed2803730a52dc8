"""The acting membership is remembered in process like the API key: a list request reads no
membership row, a change made through this process applies on the very next request, a change
made elsewhere within the cache's bound, and no request's change to its actor leaks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, select, update

from postwright.domain.accounts import authentication, members
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.members import MEMBER_CACHE
from postwright.domain.accounts.models import Membership, Role, User, Workspace
from tests.api.test_request_path import StatementCounter
from tests.factories import Tenant, add_member, make_tenant

HOOKS = "/api/v1/webhooks"


@pytest.fixture
def cache_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(MEMBER_CACHE, "now", lambda: now[0])
    return now


async def _statements(services: Any, call: Any) -> list[str]:
    counter = StatementCounter()
    event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
    try:
        await call()
    finally:
        event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)
    return counter.statements


async def _cached_member(
    client: httpx.AsyncClient, services: Any
) -> tuple[Tenant, authentication.Identity, dict[str, Any]]:
    """A tenant whose membership this process has cached (one request served), its identity,
    and the ``acting_as`` arguments that read the cache."""
    tenant = await make_tenant(services)
    assert (await client.get("/api/v1/user", headers=tenant.headers)).status_code == 200
    identity = await authentication.identify(services, tenant.api_key)
    return tenant, identity, {"database": services.db.name, "cache_seconds": 60.0}


async def test_a_cached_member_reads_no_membership_row(
    client: httpx.AsyncClient, services: Any, cache_clock: list[float]
) -> None:
    tenant = await make_tenant(services)

    async def profile() -> None:
        assert (await client.get("/api/v1/user", headers=tenant.headers)).status_code == 200

    first = await _statements(services, profile)
    await services.db.drain()
    again = await _statements(services, profile)
    assert any("memberships" in statement for statement in first), first
    assert not any("memberships" in statement for statement in again), again
    cache_clock[0] += services.settings.api_key_cache_seconds
    expired = await _statements(services, profile)
    assert any("memberships" in statement for statement in expired), expired


async def test_changes_here_apply_at_once_and_elsewhere_within_the_bound(
    client: httpx.AsyncClient, services: Any, cache_clock: list[float]
) -> None:
    owner = await make_tenant(services)
    admin = await add_member(services, owner, email="admin@example.com", role=Role.ADMIN)
    assert (await client.get(HOOKS, headers=admin.headers)).status_code == 200

    # Demoted through this process (the unit of work): refused on the very next request.
    async with services.db.transaction() as session:
        membership = await session.scalar(
            select(Membership).where(Membership.user_id == admin.user_id)
        )
        assert membership is not None
        membership.role = Role.MEMBER
    assert (await client.get(HOOKS, headers=admin.headers)).status_code == 403

    # Promoted again by a bulk statement through a session: applies at once too.
    async with services.db.transaction() as session:
        await session.execute(
            update(Membership).where(Membership.user_id == admin.user_id).values(role=Role.ADMIN)
        )
    assert (await client.get(HOOKS, headers=admin.headers)).status_code == 200

    # Removed by another process (plain SQL, no session of this one sees it): this process
    # trusts its cache until the bound passes, then refuses.
    async with services.db.engine.begin() as connection:
        await connection.exec_driver_sql(
            f"DELETE FROM memberships WHERE user_id = '{admin.user_id}'"
        )
    assert (await client.get(HOOKS, headers=admin.headers)).status_code == 200
    cache_clock[0] += services.settings.api_key_cache_seconds
    assert (await client.get(HOOKS, headers=admin.headers)).status_code == 403

    # Membership removed through this process, workspace deleted through it: at once.
    assert (await client.get("/api/v1/user", headers=owner.headers)).status_code == 200
    async with services.db.transaction() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        workspace.deleted_at = services.clock.now()
    assert (await client.get("/api/v1/user", headers=owner.headers)).status_code in (401, 403)


async def test_removing_a_member_applies_at_once(
    client: httpx.AsyncClient, services: Any, cache_clock: list[float]
) -> None:
    owner = await make_tenant(services)
    member = await add_member(services, owner, email="m@example.com")
    assert (await client.get("/api/v1/user", headers=member.headers)).status_code == 200
    async with services.db.transaction() as session:
        await session.execute(delete(Membership).where(Membership.user_id == member.user_id))
    assert (await client.get("/api/v1/user", headers=member.headers)).status_code == 403


async def test_a_requests_change_to_its_actor_never_leaks_into_another(
    client: httpx.AsyncClient, services: Any, cache_clock: list[float]
) -> None:
    tenant, identity, cached = await _cached_member(client, services)
    async with services.db.read_sessionmaker() as first:
        one = await authentication.acting_as(first, identity, clock=services.clock, **cached)
        one.user.first_name = "Changed"  # a route mutating its actor, never committed
        async with services.db.read_sessionmaker() as second:
            other = await authentication.acting_as(second, identity, clock=services.clock, **cached)
            assert other.user is not one.user
            assert other.user.first_name == "Ada"
            await first.rollback()

    # A committed change through the API is what the next request sees.
    changed = await client.put(
        "/api/v1/user", json={"name": "Grace Hopper"}, headers=tenant.headers
    )
    assert changed.status_code == 200, changed.text
    shown = (await client.get("/api/v1/user", headers=tenant.headers)).json()
    assert "Grace" in str(shown), shown
    async with services.db.read_transaction() as session:
        stored = await session.get(User, tenant.user_id)
        assert stored is not None
        assert stored.first_name == "Grace"


async def test_a_row_read_before_a_change_is_not_cached_back(services: Any) -> None:
    tenant = await make_tenant(services)
    database = services.db.name
    async with services.db.read_transaction() as reader:
        seen = MEMBER_CACHE.generation
        user, workspace, role = await accounts.resolve_member(
            reader, user_id=tenant.user_id, requested_id=tenant.workspace_id, default_id=None
        )
        read = members.snapshot(user, workspace, role)
    assert read is not None
    async with services.db.transaction() as session:  # the change commits in between
        await session.execute(
            update(Membership).where(Membership.user_id == tenant.user_id).values(role=Role.MEMBER)
        )
    MEMBER_CACHE.put(
        database, tenant.user_id, tenant.workspace_id, read, ttl=60, read_at_generation=seen
    )
    assert MEMBER_CACHE.get(database, tenant.user_id, tenant.workspace_id, 60) is None


async def test_a_cached_actor_joins_the_session_only_when_its_rows_are_used(
    client: httpx.AsyncClient, services: Any, cache_clock: list[float]
) -> None:
    tenant, identity, cached = await _cached_member(client, services)
    async with services.db.transaction() as session:
        actor = await authentication.acting_as(session, identity, clock=services.clock, **cached)
        assert isinstance(actor, members.CachedMemberActor)
        ids = (actor.user_id, actor.workspace_id, actor.role, actor.is_platform_admin)
        untouched = list(session.identity_map.values())
        actor.user.first_name = "Lazy"  # attached on first use: the change is flushed
        assert actor.user is actor.user
        assert actor.workspace in session
        await session.flush()

    assert ids == (tenant.user_id, tenant.workspace_id, Role.OWNER, False)
    assert untouched == []
    async with services.db.read_transaction() as session:
        stored = await session.get(User, tenant.user_id)
        assert stored is not None
        assert stored.first_name == "Lazy"
