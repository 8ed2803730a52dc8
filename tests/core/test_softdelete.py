from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.errors import Gone
from postwright.core.services import Services
from postwright.core.softdelete import purge_expired
from postwright.domain.accounts.models import Workspace
from tests.factories import make_tenant


async def test_soft_deleted_rows_hide_restore_and_purge(
    services: Services, clock: FrozenClock
) -> None:
    kept = await make_tenant(services, name="Kept", email="k@example.com")
    gone = await make_tenant(services, name="Gone", email="g@example.com")

    async with services.db.transaction() as session:
        workspace = await session.get(Workspace, gone.workspace_id)
        assert workspace is not None
        workspace.soft_delete(clock.now())
    async with services.db.transaction() as session:
        alive = set(await session.scalars(select(Workspace.id).where(Workspace.alive())))
    assert alive == {kept.workspace_id}

    clock.advance(timedelta(days=29))
    async with services.db.transaction() as session:
        workspace = await session.get(Workspace, gone.workspace_id)
        assert workspace is not None
        workspace.restore(clock.now())
        workspace.soft_delete(clock.now())

    clock.advance(timedelta(days=31))
    async with services.db.transaction() as session:
        workspace = await session.get(Workspace, gone.workspace_id)
        assert workspace is not None
        with pytest.raises(Gone):
            workspace.restore(clock.now())
    async with services.db.transaction() as session:
        purged = await purge_expired(session, now=clock.now())
    assert purged["workspaces"] == 1
    async with services.db.transaction() as session:
        remaining = set(await session.scalars(select(Workspace.id)))
    assert remaining == {kept.workspace_id}


async def test_deleted_workspace_is_not_selectable(
    client: object, services: Services, clock: FrozenClock
) -> None:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    tenant = await make_tenant(services)
    async with services.db.transaction() as session:
        workspace = await session.get(Workspace, tenant.workspace_id)
        assert workspace is not None
        workspace.soft_delete(clock.now())
    response = await client.get("/api/v1/user", headers=tenant.headers)
    assert response.status_code == 403
