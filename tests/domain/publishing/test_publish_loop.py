"""The publish loop end to end: accounts connected through the API, posts scheduled, the
loop run as the worker runs it (against the injected clock), fake networks on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.content.models import PublishState
from postwright.domain.publishing import credentials, publisher
from postwright.domain.publishing.models import ConnectedAccount, PublicationStatus
from tests.domain.publishing.world import (
    Fakes,
    add_post,
    connect,
    post_row,
    publications,
    world_settings,
)
from tests.factories import make_tenant

NETWORKS = ["linkedin", "x", "bluesky", "mastodon", "buffer", "publer"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


async def run_loop(services: Services) -> list[publisher.PublishOutcome]:
    """One pass of the worker's loop: claim what is due now, publish it."""
    return await publisher.publish_due_now(services, lookahead=timedelta(0))


@pytest.mark.parametrize("provider", NETWORKS)
async def test_post_scheduled_two_minutes_ahead_is_published_once(
    provider: str,
    client: httpx.AsyncClient,
    services: Services,
    clock: FrozenClock,
    fakes: Fakes,
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, provider, fakes)
    text = f"Shipping the {provider} integration today."
    post_id = await add_post(
        services,
        tenant,
        text,
        at=clock.now() + timedelta(minutes=2),
        provider=provider,
    )

    assert await run_loop(services) == []  # not due yet
    clock.advance(timedelta(minutes=2))
    [outcome] = await run_loop(services)
    assert await run_loop(services) == []  # nothing left to publish

    assert outcome.success, outcome.error
    network = fakes.network(provider)
    assert len(network.posts) == 1
    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.PUBLISHED
    assert post.external_id == outcome.external_id
    assert post.external_url == outcome.url
    if provider != "buffer":  # Buffer queues the post; the network's URL comes later
        assert post.external_url
    assert post.publish_account_id == account["id"]
    assert post.published_at == clock.now()


async def test_a_503_is_retried_and_the_post_published_once(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "mastodon", fakes)
    post_id = await add_post(services, tenant, "Retry me", at=clock.now(), provider="mastodon")
    fakes.mastodon.fail_next(503)

    [outcome] = await run_loop(services)

    assert outcome.success
    assert len(fakes.mastodon.posts) == 1
    [publication] = await publications(services, post_id)
    assert publication.attempts == 2
    assert (await post_row(services, post_id)).publish_state == PublishState.PUBLISHED


async def test_a_lost_response_is_reconciled_not_sent_again(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "linkedin", fakes)
    post_id = await add_post(
        services, tenant, "Did it go out?", at=clock.now(), provider="linkedin"
    )
    fakes.linkedin.lose_next_response()  # created, but we see a 504

    [outcome] = await run_loop(services)

    assert outcome.success
    assert len(fakes.linkedin.posts) == 1
    [publication] = await publications(services, post_id)
    assert publication.reconciled
    assert publication.external_id == fakes.linkedin.posts[0]["id"]


async def test_retries_exhausted_fail_the_post_with_the_reason(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "x", fakes)
    post_id = await add_post(services, tenant, "Never lands", at=clock.now(), provider="x")
    fakes.x.fail_next(503, times=10)

    [outcome] = await run_loop(services)

    assert not outcome.success
    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.FAILED
    assert post.publish_error
    assert "gave up after retries" in post.publish_error
    assert fakes.x.posts == []


async def test_a_401_marks_the_account_and_fails_the_post_clearly(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "mastodon", fakes)
    post_id = await add_post(services, tenant, "Token gone", at=clock.now(), provider="mastodon")
    fakes.mastodon.revoke(fakes.mastodon.token)

    [outcome] = await run_loop(services)

    assert not outcome.success
    assert outcome.needs_reconnect
    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.FAILED
    assert post.publish_error is not None
    assert "needs to be reconnected" in post.publish_error
    listed = (await client.get("/api/v1/accounts", headers=tenant.headers)).json()["accounts"]
    [marked] = [a for a in listed if a["id"] == account["id"]]
    assert marked["status"] == "needs_reconnect"
    assert marked["needsReconnect"] is True
    assert marked["statusReason"]

    # Later posts through the marked account fail at once, without calling the network.
    second = await add_post(services, tenant, "Still gone", at=clock.now(), provider="mastodon")
    calls = len(fakes.mastodon.requests)
    [again] = await run_loop(services)
    assert not again.success
    assert "reconnected" in (again.error or "")
    assert len(fakes.mastodon.requests) == calls
    assert (await post_row(services, second)).publish_state == PublishState.FAILED


async def test_expiring_oauth_token_is_refreshed_before_publishing(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    fakes.linkedin_auth.expires_in = 120  # inside the 10-minute refresh window
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "linkedin", fakes)
    issued = len(fakes.linkedin_auth.issued)
    await add_post(services, tenant, "Fresh token", at=clock.now(), provider="linkedin")

    [outcome] = await run_loop(services)

    assert outcome.success
    assert len(fakes.linkedin_auth.issued) == issued + 1  # a refresh grant
    used = fakes.linkedin.requests[-1].headers["authorization"]
    assert used == f"Bearer {fakes.linkedin_auth.issued[-1]['access_token']}"
    async with services.db.transaction() as session:
        stored = await session.get(ConnectedAccount, account["id"])
        assert stored is not None
        kept = credentials.load(services.secrets, stored)
    assert kept.access_token == fakes.linkedin_auth.issued[-1]["access_token"]
    assert kept.access_token not in stored.encrypted_credentials  # sealed at rest


async def test_posts_sent_to_the_outbox_go_to_its_feed(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock
) -> None:
    tenant = await make_tenant(services)
    post_id = await add_post(
        services, tenant, "Hello <feed> & friends", at=clock.now(), provider="outbox"
    )

    [outcome] = await run_loop(services)
    assert outcome.success
    assert outcome.provider == "outbox"
    post = await post_row(services, post_id)
    assert post.external_url
    assert post.external_url.endswith(f"/entries/{post.external_id}")

    base = f"/api/v1/outbox/{tenant.workspace_id}"
    feed = (await client.get(f"{base}/feed.json")).json()
    assert [item["content_text"] for item in feed["items"]] == ["Hello <feed> & friends"]
    rss = await client.get(f"{base}/feed.rss")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    assert "Hello &lt;feed&gt; &amp; friends" in rss.text
    atom = await client.get(f"{base}/feed.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    entry = (await client.get(f"{base}/entries/{post.external_id}")).json()
    assert entry["text"] == "Hello <feed> & friends"
    assert (await client.get("/api/v1/outbox/ws_missing/feed.json")).status_code == 404


async def test_a_post_claimed_twice_is_published_once(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "bluesky", fakes)
    await add_post(services, tenant, "Only once", at=clock.now(), provider="bluesky")

    first = await publisher.claim_due(services)
    second = await publisher.claim_due(services)
    assert len(first) == 1
    assert second == []
    # The same publication attempted twice (a step re-run): the second finds it done.
    one = await publisher.publish_with_retries(services, first[0])
    two = await publisher.publish_with_retries(services, first[0])
    assert one.success
    assert two.success
    assert one.external_id == two.external_id
    assert len(fakes.bluesky.posts) == 1


async def test_publication_in_flight_after_a_crash_is_reconciled(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    """The provider call went out, then the process died before recording it."""
    tenant = await make_tenant(services)
    await connect(client, tenant, "x", fakes)
    post_id = await add_post(services, tenant, "Crash window", at=clock.now(), provider="x")
    [publication_id] = await publisher.claim_due(services)
    prepared = await publisher._prepare(services, publication_id)  # marks it in flight
    assert not isinstance(prepared, publisher.PublishOutcome)
    adapter_result = await _publish_directly(services, prepared)  # ... and the call succeeds

    outcome = await publisher.publish_with_retries(services, publication_id)

    assert outcome.success
    assert outcome.external_id == adapter_result
    assert len(fakes.x.posts) == 1
    [publication] = await publications(services, post_id)
    assert publication.status == PublicationStatus.SUCCEEDED
    assert publication.reconciled


async def _publish_directly(services: Services, prepared: publisher._Prepared) -> str:
    from postwright.domain.publishing.adapters import adapter_for
    from postwright.domain.publishing.config import publishing_config

    config = publishing_config(services.settings, services.db, services.clock)
    adapter = adapter_for(prepared.provider, prepared.credentials, config)
    try:
        return (await adapter.publish(prepared.request)).external_id
    finally:
        await adapter.aclose()


async def test_orphaned_claims_are_swept_only_after_a_grace_period(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    """A crash between claiming and starting the workflow leaves a pending publication;
    a fresh one may belong to a live publisher and is left alone."""
    tenant = await make_tenant(services)
    await connect(client, tenant, "mastodon", fakes)
    await add_post(services, tenant, "Orphan", at=clock.now(), provider="mastodon")
    claimed = await publisher.claim_due(services)
    assert await publisher.orphans(services) == []

    clock.advance(timedelta(minutes=2))
    assert await publisher.orphans(services) == claimed
    outcome = await publisher.publish_with_retries(services, claimed[0])
    assert outcome.success
    assert await publisher.orphans(services) == []
    assert len(fakes.mastodon.posts) == 1


async def test_concurrent_loops_publish_every_post_exactly_once(
    client: httpx.AsyncClient, services: Services, clock: FrozenClock, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    await connect(client, tenant, "linkedin", fakes)
    for i in range(8):
        await add_post(services, tenant, f"Race {i}", at=clock.now(), provider="linkedin")

    results = await asyncio.gather(*(run_loop(services) for _ in range(3)))

    outcomes = [o for batch in results for o in batch]
    assert len(outcomes) == 8
    assert all(o.success for o in outcomes)
    assert sorted(p["commentary"] for p in fakes.linkedin.posts) == [f"Race {i}" for i in range(8)]
