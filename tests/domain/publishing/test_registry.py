from __future__ import annotations

import pytest

from postwright.domain.publishing.adapters import (
    DEFAULT_PROVIDER,
    PublishingConfig,
    adapter_for,
    provider_info,
    supported_providers,
    verify_account,
)
from postwright.domain.publishing.adapters.base import Credentials, PublishRequest
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect
from postwright.domain.publishing.adapters.mastodon import MastodonAdapter
from postwright.domain.publishing.adapters.outbox import InMemoryOutboxStore
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.x import FakeX


def test_lists_every_provider_with_capabilities_and_limits() -> None:
    providers = {p.name: p for p in supported_providers()}
    assert set(providers) == {"outbox", "linkedin", "x", "bluesky", "mastodon", "buffer", "publer"}
    assert DEFAULT_PROVIDER == "outbox"
    assert not providers["outbox"].capabilities.needs_account
    assert providers["linkedin"].capabilities.first_comment
    assert not providers["linkedin"].capabilities.threads
    assert providers["x"].capabilities.threads
    assert providers["x"].auth == "oauth2_pkce"
    assert providers["x"].max_length == 280
    assert providers["bluesky"].max_length == 300
    assert providers["linkedin"].max_length == 3000
    assert providers["buffer"].max_length is None


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(BadContent, match="Unknown publishing provider 'myspace'"):
        provider_info("myspace")


async def test_outbox_needs_no_account() -> None:
    store = InMemoryOutboxStore()
    adapter = adapter_for(
        "outbox", Credentials(account_id="ws_1"), PublishingConfig(outbox_store=store)
    )
    result = await adapter.publish(PublishRequest(text="demo"))
    assert result.url is not None
    assert len(await store.entries("ws_1")) == 1


async def test_builds_adapters_against_configured_base_urls(fake_x: FakeX) -> None:
    config = PublishingConfig(base_urls={"x": fake_x.base_url}, allow_loopback=True)
    adapter = adapter_for("X", Credentials(access_token=fake_x.token), config)
    try:
        await adapter.publish(PublishRequest(text="via the registry"))
    finally:
        await adapter.aclose()
    assert len(fake_x.posts) == 1


async def test_mastodon_uses_the_account_instance(fake_mastodon: FakeMastodon) -> None:
    credentials = Credentials(access_token=fake_mastodon.token, instance_url=fake_mastodon.base_url)
    config = PublishingConfig(allow_loopback=True)  # the fake instance listens on 127.0.0.1
    adapter = adapter_for("mastodon", credentials, config)
    assert isinstance(adapter, MastodonAdapter)
    await adapter.aclose()
    profile = await verify_account("mastodon", credentials, config)
    assert profile.account_id == fake_mastodon.account_id
    fake_mastodon.revoke(fake_mastodon.token)
    with pytest.raises(NeedsReconnect):
        await verify_account("mastodon", credentials, config)


def test_missing_credentials_need_reconnect() -> None:
    with pytest.raises(NeedsReconnect):
        adapter_for("linkedin", Credentials())
    with pytest.raises(NeedsReconnect):
        adapter_for("publer", Credentials(api_key="k"))
