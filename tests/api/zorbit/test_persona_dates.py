"""zorbit ``GET /api/v1/persona``: every persona, system ones included, carries its dates."""

from __future__ import annotations

import httpx

from postwright.core.services import Services
from tests.factories import make_tenant


async def test_system_personas_carry_created_and_updated_strings(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    listed = (await client.get("/api/v1/persona", headers=tenant.headers)).json()
    system = [p for p in listed if p["isSystem"]]
    assert system
    for persona in system:
        assert isinstance(persona["createdAt"], str)
        assert persona["createdAt"].endswith("Z")
        assert isinstance(persona["updatedAt"], str)
        assert persona["updatedAt"].endswith("Z")
