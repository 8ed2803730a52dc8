"""The zorbit feed searches the web with a real OpenAI model: OpenAI's own API (the fake
server answers for api.openai.com through a host override) gets the Responses API's
web_search tool; an OpenAI-compatible custom base URL stays on chat completions, without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import LlmSettings
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply, override_openai_host
from tests.factories import make_tenant


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(lambda body: Reply(arguments={"content": "Remote teams write more."})) as f:
        yield f


async def feed_once(
    database_url: str, tmp_path: Path, clock: FrozenClock, base_url: str
) -> dict[str, object]:
    """The metadata of one feed post generated with ``openai:gpt-4.1-mini`` at ``base_url``."""
    llm = LlmSettings(
        model="openai:gpt-4.1-mini", base_url=base_url, api_key="sk-fake", max_retries=0
    )
    app = create_app(make_settings(database_url, tmp_path, llm=llm), clock=clock)
    async with app.router.lifespan_context(app):
        tenant = await make_tenant(app.state.services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.get("/api/v1/feed?limit=1", headers=tenant.headers)
    assert response.status_code == 200, response.text
    metadata: dict[str, object] = response.json()["posts"][0]["metadata"]
    return metadata


async def test_openai_platform_feed_offers_web_search_and_says_so(
    database_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    override_openai_host(monkeypatch)
    metadata = await feed_once(database_url, tmp_path, clock, fake.openai_platform_url)
    assert metadata["generatedWithWebSearch"] is True
    assert [request["path"] for request in fake.requests] == ["/v1/responses"]
    tools = fake.bodies()[0]["tools"]
    assert {"type": "web_search"} in [{"type": tool["type"]} for tool in tools]


async def test_openai_compatible_base_url_feed_uses_chat_completions_without_search(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake: FakeOpenAI
) -> None:
    metadata = await feed_once(database_url, tmp_path, clock, fake.base_url)
    assert metadata["generatedWithWebSearch"] is False
    assert [request["path"] for request in fake.requests] == ["/v1/chat/completions"]
    body = fake.bodies()[0]
    assert "web_search_options" not in body
    assert all(tool["function"]["name"] != "web_search" for tool in body["tools"])
