"""The publish loop announces each outcome as an outgoing webhook event."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import HttpSettings, Settings
from postwright.domain.publishing import publisher
from postwright.domain.webhooks.models import WebhookDelivery
from tests.domain.publishing.world import Fakes, add_post, world_settings
from tests.factories import make_tenant


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(
        database_url, tmp_path, fakes, http=HttpSettings(allow_loopback_urls=True)
    )


async def test_published_and_failed_posts_become_webhook_deliveries(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="other@example.com")
    for who in (tenant, stranger):
        registered = await client.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hooks", "events": ["post.published", "post.failed"]},
            headers=who.headers,
        )
        assert registered.status_code == 201, registered.text
    to_outbox = await add_post(services, tenant, "Hello outbox", at=clock.now(), provider="outbox")
    unconnected = await add_post(services, tenant, "Hello X", at=clock.now(), provider="x")

    outcomes = await publisher.publish_due_now(services, lookahead=timedelta(0))

    assert {o.post_id: o.success for o in outcomes} == {to_outbox: True, unconnected: False}
    async with services.db.transaction() as session:
        rows = list(await session.scalars(select(WebhookDelivery)))
    events = {
        json.loads(row.body)["data"]["post_id"]: (row.event_type, row.workspace_id) for row in rows
    }
    assert events == {
        to_outbox: ("post.published", tenant.workspace_id),
        unconnected: ("post.failed", tenant.workspace_id),
    }
    failed = next(json.loads(r.body) for r in rows if r.event_type == "post.failed")
    assert failed["data"]["error"]
