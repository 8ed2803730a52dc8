"""Shared helpers for zorbit content tests."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image

from postwright.core.services import Services
from tests.domain.billing.helpers import metered_plan, subscribe
from tests.factories import Tenant


async def quota_used(client: httpx.AsyncClient, tenant: Tenant, kind: str) -> int:
    quotas = (await client.get("/api/v1/usage/quotas", headers=tenant.headers)).json()
    return int(quotas[kind]["used"])


async def on_plan(services: Services, tenant: Tenant, **limits: int) -> None:
    """Move the tenant to a plan with the given quota limits."""
    await subscribe(services, tenant.workspace_id, await metered_plan(services, **limits))


def png_data_uri(size: tuple[int, int] = (4, 4)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
