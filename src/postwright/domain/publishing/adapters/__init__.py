"""The provider registry: which networks Postwright publishes to, what each can do, and the
one function that builds an adapter for a connected account.

    adapter = adapter_for("mastodon", credentials, PublishingConfig())
    try:
        result = await adapter.publish(PublishRequest(text="Hello"))
    finally:
        await adapter.aclose()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from postwright.core.clock import Clock
from postwright.domain.generation.platforms import get_platform
from postwright.domain.publishing.adapters import (
    bluesky,
    buffer,
    linkedin,
    publer,
    x,
)
from postwright.domain.publishing.adapters.base import (
    AccountProfile,
    Capabilities,
    Credentials,
    MediaHost,
    PublishingAdapter,
)
from postwright.domain.publishing.adapters.bluesky import BlueskyAdapter
from postwright.domain.publishing.adapters.buffer import BufferAdapter
from postwright.domain.publishing.adapters.errors import BadContent
from postwright.domain.publishing.adapters.http import DEFAULT_TIMEOUT_SECONDS
from postwright.domain.publishing.adapters.linkedin import LinkedInAdapter
from postwright.domain.publishing.adapters.mastodon import MastodonAdapter
from postwright.domain.publishing.adapters.outbox import (
    InMemoryOutboxStore,
    OutboxAdapter,
    OutboxStore,
)
from postwright.domain.publishing.adapters.publer import PublerAdapter
from postwright.domain.publishing.adapters.x import XAdapter

AuthKind = Literal["oauth2", "oauth2_pkce", "app_password", "access_token", "api_key", "none"]

DEFAULT_BASE_URLS: Mapping[str, str] = {
    "linkedin": linkedin.DEFAULT_BASE_URL,
    "x": x.DEFAULT_BASE_URL,
    "bluesky": bluesky.DEFAULT_BASE_URL,
    "buffer": buffer.DEFAULT_BASE_URL,
    "publer": publer.DEFAULT_BASE_URL,
}


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    display_name: str
    auth: AuthKind
    capabilities: Capabilities

    @property
    def max_length(self) -> int | None:
        """The network's text limit, from the generation area's platform profiles."""
        platform = self.capabilities.platform
        return get_platform(platform).limit if platform else None


PROVIDERS: Mapping[str, ProviderInfo] = {
    info.name: info
    for info in (
        ProviderInfo("outbox", "Outbox feed", "none", OutboxAdapter.capabilities),
        ProviderInfo("linkedin", "LinkedIn", "oauth2", LinkedInAdapter.capabilities),
        ProviderInfo("x", "X", "oauth2_pkce", XAdapter.capabilities),
        ProviderInfo("bluesky", "Bluesky", "app_password", BlueskyAdapter.capabilities),
        ProviderInfo("mastodon", "Mastodon", "access_token", MastodonAdapter.capabilities),
        ProviderInfo("buffer", "Buffer", "api_key", BufferAdapter.capabilities),
        ProviderInfo("publer", "Publer", "api_key", PublerAdapter.capabilities),
    )
}
DEFAULT_PROVIDER = "outbox"


@dataclass(frozen=True, slots=True)
class PublishingConfig:
    """What a caller fills from its settings. ``base_urls`` overrides a provider's API root
    (tests point them at 127.0.0.1); Mastodon's comes from the account's instance URL."""

    base_urls: Mapping[str, str] = field(default_factory=dict)
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    linkedin_version: str = linkedin.DEFAULT_VERSION
    media_host: MediaHost | None = None
    outbox_store: OutboxStore = field(default_factory=InMemoryOutboxStore)
    outbox_base_url: str = "http://localhost:8000/outbox"
    publer_poll_interval: float = 1.0
    publer_poll_attempts: int = 30
    clock: Clock | None = None
    # settings.http.allow_loopback_urls: tests' fake providers on 127.0.0.1.
    allow_loopback: bool = False

    def base_url(self, provider: str) -> str:
        return self.base_urls.get(provider) or DEFAULT_BASE_URLS[provider]


def supported_providers() -> list[ProviderInfo]:
    return list(PROVIDERS.values())


def provider_info(name: str) -> ProviderInfo:
    info = PROVIDERS.get(name.strip().lower())
    if info is None:
        raise BadContent(
            f"Unknown publishing provider '{name}'; supported: {', '.join(PROVIDERS)}.",
            provider=name,
        )
    return info


def adapter_for(
    provider: str,
    credentials: Credentials,
    config: PublishingConfig | None = None,
    *,
    client: httpx.AsyncClient | None = None,
) -> PublishingAdapter:
    """The adapter for one connected account. Close it with ``aclose()`` when done; a
    ``client`` passed in stays open (the caller owns it)."""
    config = config or PublishingConfig()
    name = provider_info(provider).name
    timeout = config.timeout_seconds
    if name == "outbox":
        return OutboxAdapter(
            credentials,
            store=config.outbox_store,
            base_url=config.outbox_base_url,
            clock=config.clock,
            media_host=config.media_host,
        )
    if name == "linkedin":
        return LinkedInAdapter(
            credentials,
            base_url=config.base_url(name),
            client=client,
            timeout_seconds=timeout,
            allow_loopback=config.allow_loopback,
            api_version=config.linkedin_version,
        )
    if name == "x":
        return XAdapter(
            credentials,
            base_url=config.base_url(name),
            client=client,
            timeout_seconds=timeout,
            allow_loopback=config.allow_loopback,
        )
    if name == "bluesky":
        return BlueskyAdapter(
            credentials,
            base_url=credentials.instance_url or config.base_url(name),
            client=client,
            timeout_seconds=timeout,
            allow_loopback=config.allow_loopback,
        )
    if name == "mastodon":
        return MastodonAdapter(
            credentials,
            base_url=config.base_urls.get(name) or credentials.instance_url,
            client=client,
            timeout_seconds=timeout,
            allow_loopback=config.allow_loopback,
        )
    if name == "buffer":
        return BufferAdapter(
            credentials,
            base_url=config.base_url(name),
            client=client,
            timeout_seconds=timeout,
            allow_loopback=config.allow_loopback,
            media_host=config.media_host,
        )
    return PublerAdapter(
        credentials,
        base_url=config.base_url(name),
        client=client,
        timeout_seconds=timeout,
        allow_loopback=config.allow_loopback,
        poll_interval=config.publer_poll_interval,
        poll_attempts=config.publer_poll_attempts,
    )


async def verify_account(
    provider: str,
    credentials: Credentials,
    config: PublishingConfig | None = None,
    *,
    client: httpx.AsyncClient | None = None,
) -> AccountProfile:
    """Check an access token or API key when an account is connected (Mastodon's
    verify_credentials, Buffer's account query, Publer's accounts, …)."""
    adapter = adapter_for(provider, credentials, config, client=client)
    try:
        return await adapter.verify()
    finally:
        await adapter.aclose()


__all__ = [
    "DEFAULT_PROVIDER",
    "PROVIDERS",
    "ProviderInfo",
    "PublishingConfig",
    "adapter_for",
    "provider_info",
    "supported_providers",
    "verify_account",
]
