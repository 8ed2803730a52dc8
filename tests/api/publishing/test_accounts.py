"""Connected accounts through the platform API, and voxburst's suggest-time."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from postwright.core.services import Services
from postwright.core.settings import Settings
from postwright.domain.publishing.models import ConnectedAccount
from tests.domain.publishing.world import Fakes, connect, world_settings
from tests.factories import add_member, make_tenant

CHICAGO = ZoneInfo("America/Chicago")
ONE_SAMPLE = {"externalId": "1", "postedAt": "2026-01-01T09:00:00Z", "engagement": 1}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fakes: Fakes) -> Settings:
    return world_settings(database_url, tmp_path, fakes)


async def test_linkedin_connects_through_oauth_and_tokens_are_sealed(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "linkedin", fakes, timezone="Europe/Paris")

    assert account["provider"] == "linkedin"
    assert account["externalAccountId"] == fakes.linkedin.author
    assert account["timezone"] == "Europe/Paris"
    assert account["isDefault"] is True
    assert account["status"] == "active"
    assert "w_member_social" in account["scopes"]
    token = fakes.linkedin_auth.issued[-1]["access_token"]
    async with services.db.transaction() as session:
        stored = await session.scalar(select(ConnectedAccount))
        assert stored is not None
        assert token not in stored.encrypted_credentials
        assert fakes.linkedin_auth.issued[-1]["refresh_token"] not in stored.encrypted_credentials


async def test_x_connects_with_pkce(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "x", fakes)
    assert account["externalAccountId"] == fakes.x.user_id
    [authorize] = fakes.x_auth.authorize_requests
    assert authorize["code_challenge_method"] == "S256"


async def test_an_oauth_callback_works_once(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    fakes.accept_issued_tokens()
    started = await client.post("/api/v1/accounts/oauth/linkedin", headers=tenant.headers)
    async with httpx.AsyncClient() as browser:
        redirect = await browser.get(started.json()["authorizationUrl"])
    callback = redirect.headers["location"].split("?", 1)[1]
    first = await client.get(f"/api/v1/accounts/oauth/linkedin/callback?{callback}")
    again = await client.get(f"/api/v1/accounts/oauth/linkedin/callback?{callback}")
    forged = await client.get("/api/v1/accounts/oauth/linkedin/callback?code=x&state=forged")
    assert first.status_code == 200
    assert again.status_code == 400
    assert forged.status_code == 400
    assert again.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("provider", ["bluesky", "mastodon", "buffer", "publer"])
async def test_credential_providers_connect_after_verification(
    provider: str, client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, provider, fakes)
    assert account["provider"] == provider
    assert account["isDefault"] is True
    listed = (await client.get("/api/v1/accounts", headers=tenant.headers)).json()
    assert [a["id"] for a in listed["accounts"]] == [account["id"]]


async def test_wrong_credentials_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    body = {"provider": "mastodon", "instanceUrl": fakes.mastodon.base_url, "accessToken": "bad"}
    response = await client.post("/api/v1/accounts", json=body, headers=tenant.headers)
    assert response.status_code == 400
    assert "did not accept" in response.json()["error"]["message"]
    missing = await client.post(
        "/api/v1/accounts", json={"provider": "buffer"}, headers=tenant.headers
    )
    assert missing.status_code == 400
    unknown = await client.post(
        "/api/v1/accounts", json={"provider": "myspace"}, headers=tenant.headers
    )
    assert unknown.status_code == 400
    oauth_only = await client.post(
        "/api/v1/accounts", json={"provider": "linkedin"}, headers=tenant.headers
    )
    assert oauth_only.status_code == 400
    bad_zone = await client.post(
        "/api/v1/accounts",
        json={**{"provider": "mastodon"}, "timezone": "Mars/Olympus"},
        headers=tenant.headers,
    )
    assert bad_zone.status_code == 400
    listed = (await client.get("/api/v1/accounts", headers=tenant.headers)).json()
    assert listed["accounts"] == []


async def test_private_instance_urls_are_refused(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    body = {"provider": "mastodon", "instanceUrl": "http://10.0.0.7", "accessToken": "t"}
    response = await client.post("/api/v1/accounts", json=body, headers=tenant.headers)
    assert response.status_code == 400
    assert "private" in response.json()["error"]["message"]


async def test_default_flag_moves_and_survives_deletion(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    first = await connect(client, tenant, "publer", fakes)
    fakes.publer.accounts.append({"id": "acc_two", "name": "Second", "provider": "linkedin"})
    body = {
        "provider": "publer",
        "apiKey": fakes.publer.api_key,
        "publerWorkspaceId": fakes.publer.workspace_id,
        "externalAccountId": "acc_two",
        "isDefault": True,
    }
    second = (await client.post("/api/v1/accounts", json=body, headers=tenant.headers)).json()
    assert second["isDefault"] is True
    assert (await client.get(f"/api/v1/accounts/{first['id']}", headers=tenant.headers)).json()[
        "isDefault"
    ] is False

    patched = await client.patch(
        f"/api/v1/accounts/{first['id']}",
        json={"isDefault": True, "timezone": "America/Chicago"},
        headers=tenant.headers,
    )
    assert patched.json()["isDefault"] is True
    assert patched.json()["timezone"] == "America/Chicago"

    deleted = await client.delete(f"/api/v1/accounts/{first['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    left = (await client.get("/api/v1/accounts", headers=tenant.headers)).json()["accounts"]
    assert [(a["id"], a["isDefault"]) for a in left] == [(second["id"], True)]


async def test_another_workspace_cannot_see_or_touch_an_account(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    owner = await make_tenant(services)
    account = await connect(client, owner, "mastodon", fakes)
    other = await make_tenant(services, name="Other")
    base = f"/api/v1/accounts/{account['id']}"
    probes = [
        await client.get(base, headers=other.headers),
        await client.patch(base, json={"timezone": "UTC"}, headers=other.headers),
        await client.delete(base, headers=other.headers),
        await client.post(
            f"{base}/engagement",
            json={
                "samples": [
                    {"externalId": "1", "postedAt": "2026-01-01T09:00:00Z", "engagement": 1}
                ]
            },
            headers=other.headers,
        ),
        await client.get(f"/v1/ai/suggest-time/{account['id']}", headers=other.headers),
    ]
    assert [p.status_code for p in probes] == [404] * len(probes)
    assert all(p.json()["error"]["code"] == "NOT_FOUND" for p in probes)
    assert (await client.get("/api/v1/accounts", headers=other.headers)).json()["accounts"] == []
    # A member of the same workspace sees it.
    member = await add_member(services, owner, email="m@example.com")
    assert (await client.get(base, headers=member.headers)).status_code == 200


async def test_suggest_time_blends_history_and_grows_confident(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    tenant = await make_tenant(services)
    account = await connect(client, tenant, "x", fakes, timezone="America/Chicago")
    url = f"/v1/ai/suggest-time/{account['id']}"
    prior = (await client.get(url, headers=tenant.headers)).json()
    assert prior["accountId"] == account["id"]
    assert prior["platform"] == "twitter"
    assert prior["timezone"] == "America/Chicago"
    assert prior["suggestedTime"].endswith("Z")
    assert prior["alternatives"]
    assert set(prior["alternatives"][0]) == {"time", "score"}

    # Many strong posts on Saturdays at 22:00, Chicago wall-clock time across DST changes.
    saturday = datetime(2026, 10, 3, 22, tzinfo=CHICAGO)
    samples = [
        {
            "externalId": f"t{i}",
            "postedAt": (saturday - timedelta(weeks=i)).isoformat(),
            "engagement": 500,
        }
        for i in range(120)
    ]
    imported = await client.post(
        f"/api/v1/accounts/{account['id']}/engagement",
        json={"samples": samples},
        headers=tenant.headers,
    )
    assert imported.json() == {"imported": 120, "updated": 0, "total": 120}
    again = await client.post(
        f"/api/v1/accounts/{account['id']}/engagement",
        json={"samples": samples[:10]},
        headers=tenant.headers,
    )
    assert again.json() == {"imported": 0, "updated": 10, "total": 120}

    learned = (await client.get(url, headers=tenant.headers)).json()
    assert learned["confidence"] > prior["confidence"]
    suggested = datetime.fromisoformat(learned["suggestedTime"]).astimezone(CHICAGO)
    assert (suggested.weekday(), suggested.hour) == (5, 22)
    assert "120" in learned["reasoning"]


async def test_no_transaction_is_open_while_the_provider_verifies_a_connection(
    client: httpx.AsyncClient, services: Services, fakes: Fakes
) -> None:
    """The first request of a new member reads its membership (a transaction begins) before
    the provider is asked: that transaction ends first, so SQLite's write lock is free for
    everyone else while the provider answers."""
    if not services.db.is_sqlite:
        pytest.skip("SQLite's write lock")
    tenant = await make_tenant(services)
    database = services.db.engine.url.database
    assert database is not None
    lock_free: list[bool] = []

    def another_writer_gets_the_lock() -> None:
        # A short write elsewhere (the key's last use) may hold the lock for a moment; a
        # lock held across this call would never be let go while the provider waits here.
        other = sqlite3.connect(database, timeout=2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()

    fakes.bluesky.on_request = another_writer_gets_the_lock
    account = await connect(client, tenant, "bluesky", fakes)
    assert account["status"] == "active"
    assert lock_free
    assert all(lock_free), lock_free
