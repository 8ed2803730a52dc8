"""DNS rebinding: a name that answers a public address to the check and 127.0.0.1 to the
connection. Every outbound client for user-given URLs (publishing adapters, a workspace's
model) resolves once, checks that answer and connects to it — never to a second answer."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest

from postwright.core.outbound import ensure_public_url, pin_httpx2_transport, pinned_client
from postwright.core.settings import HttpSettings, LlmSettings
from postwright.domain.generation import (
    AiProviderError,
    LlmEngine,
    LlmOverride,
    PersonaProfile,
    PostTask,
    engine_for,
)
from postwright.domain.publishing.adapters.base import Credentials, PublishRequest
from postwright.domain.publishing.adapters.errors import RetryableError
from postwright.domain.publishing.adapters.mastodon import MastodonAdapter
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.fakes.loopback import LoopbackServer

REBINDING_HOST = "rebind.test"
PUBLIC_ADDRESS = "93.184.216.34"


@dataclass
class ScriptedDns:
    """Answers for ``REBINDING_HOST``, one per lookup (the last one repeats); every other
    name goes to the real resolver."""

    answers: list[str] = field(default_factory=list)
    lookups: int = 0

    def answer(self) -> str:
        self.lookups += 1
        return self.answers[min(self.lookups, len(self.answers)) - 1]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> ScriptedDns:
    scripted = ScriptedDns()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        # anyio passes the name IDNA-encoded (bytes), asyncio callers pass str.
        name = host.decode() if isinstance(host, bytes) else host
        if name != REBINDING_HOST:
            return real(host, port, *args, **kwargs)
        address = scripted.answer()
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]

    # asyncio and anyio both look socket.getaddrinfo up at call time.
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return scripted


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.stop()


async def test_pinned_clients_connect_to_the_one_answer_they_checked(
    dns: ScriptedDns, loopback: LoopbackServer
) -> None:
    """One lookup per connection, and the socket goes to that answer: a later answer
    (here an internal 10.x address) is never used — for httpx and for pydantic-ai's httpx2."""
    url = f"http://{REBINDING_HOST}:{loopback.port}/x"
    dns.answers = ["127.0.0.1", "10.0.0.7"]
    async with pinned_client(allow_loopback=True, timeout=5) as http:
        response = await http.get(url)
    assert (response.status_code, dns.lookups) == (200, 1)

    dns.answers, dns.lookups = ["127.0.0.1", "10.0.0.7"], 0
    transport = pin_httpx2_transport(httpx2.AsyncHTTPTransport(), allow_loopback=True)
    async with httpx2.AsyncClient(transport=transport, timeout=5) as http2:
        response2 = await http2.get(url)
    assert (response2.status_code, dns.lookups) == (200, 1)
    assert loopback.hosts == [f"{REBINDING_HOST}:{loopback.port}"] * 2

    # An answer the check refuses is refused at connect time by both.
    dns.answers, dns.lookups = ["10.0.0.7"], 0
    async with pinned_client(allow_loopback=True, timeout=5) as http:
        with pytest.raises(httpx.ConnectError, match="private, loopback or metadata"):
            await http.get(url)
    transport = pin_httpx2_transport(httpx2.AsyncHTTPTransport(), allow_loopback=True)
    async with httpx2.AsyncClient(transport=transport, timeout=5) as http2:
        with pytest.raises(httpx2.ConnectError, match="private, loopback or metadata"):
            await http2.get(url)
    assert len(loopback.hosts) == 2


async def test_a_rebinding_mastodon_instance_never_reaches_loopback(
    dns: ScriptedDns, loopback: LoopbackServer
) -> None:
    instance = f"http://{REBINDING_HOST}:{loopback.port}"
    dns.answers = [PUBLIC_ADDRESS, "127.0.0.1"]
    # The check when the account was connected saw a public address…
    await ensure_public_url(instance, allow_loopback=False, field="instanceUrl")
    # …and the name now answers 127.0.0.1: the publish call is refused, not sent there.
    adapter = MastodonAdapter(
        Credentials(access_token="token", instance_url=instance), allow_loopback=False
    )
    try:
        with pytest.raises(RetryableError, match="Could not reach mastodon"):
            await adapter.publish(PublishRequest(text="hello"))
    finally:
        await adapter.aclose()
    assert loopback.hosts == []


async def test_a_rebinding_workspace_model_url_never_reaches_loopback(
    dns: ScriptedDns, tmp_path: Path
) -> None:
    """The workspace's baseUrl passes the check (public answer); the model call that follows
    finds 127.0.0.1 and is refused — the fake model server there never sees the request
    (nor the workspace's key). The operator's own base URL on loopback keeps working."""
    with FakeOpenAI(lambda body: Reply(arguments={"content": "Hi there #AI"})) as fake:
        port = fake.base_url.rsplit(":", 1)[1].split("/")[0]
        base_url = f"http://{REBINDING_HOST}:{port}/v1"
        settings = make_settings(
            f"sqlite+aiosqlite:///{tmp_path}/unused.db",
            tmp_path,
            http=HttpSettings(allow_loopback_urls=False),
            llm=LlmSettings(
                model="ollama:llama3.2", base_url=fake.base_url, api_key="op", max_retries=0
            ),
        )
        task = PostTask(persona=PersonaProfile(name="Ada"), topic="AI", platform="x")
        dns.answers = [PUBLIC_ADDRESS, "127.0.0.1"]
        await ensure_public_url(base_url, allow_loopback=False, field="baseUrl")
        override = LlmOverride(model="openai:gpt-4.1-mini", api_key="sk-ws", base_url=base_url)
        workspace_engine = engine_for(settings, override)
        assert isinstance(workspace_engine, LlmEngine)
        async with workspace_engine:
            with pytest.raises(AiProviderError):
                await workspace_engine.run(task)
        assert fake.requests == []

        operator_engine = engine_for(settings)
        assert isinstance(operator_engine, LlmEngine)
        async with operator_engine:
            result = await operator_engine.run(task)
        assert result.output.content == "Hi there #AI"
        assert [request["auth"] for request in fake.requests] == ["Bearer op"]
