"""Post generation through a real LLM provider client against a fake OpenAI server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from postwright.core.services import Services
from postwright.core.settings import LlmSettings, Settings
from tests.api.test_auth import assert_envelope
from tests.api.zorbit.helpers import quota_used
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, fake_openai: FakeOpenAI) -> Settings:
    llm = LlmSettings(
        model="openai-compatible:fake",
        base_url=fake_openai.base_url,
        api_key=SecretStr("sk-test"),
        max_retries=0,
    )
    return make_settings(database_url, tmp_path, llm=llm)


async def test_a_failed_variant_is_left_out_and_not_charged(
    client: httpx.AsyncClient, services: Services, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(services)
    fake_openai.replies = [Reply(arguments={"content": "AI is changing care."}), Reply(status=400)]
    response = await client.post(
        "/api/v1/post/generate", json={"prompt": "AI in healthcare"}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["partialSuccess"], body["totalRequested"], body["totalGenerated"]) == (
        True,
        2,
        1,
    )
    assert body["posts"][0]["content"]["text"] == "AI is changing care."
    assert await quota_used(client, tenant, "post_generation") == 1


async def test_thread_context_is_the_last_ten_messages(
    client: httpx.AsyncClient, services: Services, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(services)
    fake_openai.replies = [Reply(arguments={"content": f"Post {i}"}) for i in range(14)]
    thread_id = None
    for turn in range(7):
        body: dict[str, object] = {"prompt": f"Turn {turn}"}
        if thread_id:
            body["threadId"] = thread_id
        response = await client.post("/api/v1/post/generate", json=body, headers=tenant.headers)
        assert response.status_code == 200, response.text
        thread_id = response.json()["threadId"]
    prompt = fake_openai.requests[-1]["body"]["messages"][-1]["content"]
    # The conversation's own section, up to the next one (the batch so far comes later).
    context = prompt.split("Earlier messages in this conversation:")[1].split("\n\n")[0]
    # 12 messages so far (6 turns of prompt + answer): the first two fell out of the window.
    assert "Turn 0" not in context
    assert "Turn 1" in context
    assert "Turn 5" in context
    assert context.count("\n- ") == 10


async def test_every_variant_failing_is_an_error_and_costs_nothing(
    client: httpx.AsyncClient, services: Services, fake_openai: FakeOpenAI
) -> None:
    tenant = await make_tenant(services)
    fake_openai.replies = [Reply(status=400), Reply(status=400)]
    response = await client.post(
        "/api/v1/post/generate", json={"prompt": "AI in healthcare"}, headers=tenant.headers
    )
    assert_envelope(response, 502, "AI_PROVIDER_ERROR")
    assert await quota_used(client, tenant, "post_generation") == 0
    listed = (await client.get("/api/v1/post", headers=tenant.headers)).json()
    assert listed["totalCount"] == 0
