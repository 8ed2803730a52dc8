"""OpenAI's own API is reached through the Responses API (which runs web search); a custom
base URL (any OpenAI-compatible server) stays on chat completions. The fake OpenAI server
answers for api.openai.com through a host override: the name resolves to 127.0.0.1."""

from __future__ import annotations

import pytest

from postwright.core.settings import LlmSettings
from postwright.domain.generation import LlmEngine, PersonaProfile, PostTask, engine_for
from tests.domain.generation.fake_openai import FakeOpenAI, Reply, override_openai_host

TASK = PostTask(persona=PersonaProfile(name="Ada"), topic="AI at work", platform="x")


@pytest.fixture
def openai_host_override(monkeypatch: pytest.MonkeyPatch) -> None:
    override_openai_host(monkeypatch)


@pytest.mark.usefixtures("openai_host_override")
async def test_openai_platform_uses_the_responses_api_with_cache_key_and_cached_usage(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [Reply(arguments={"content": "Ship small. #AI"}, cached_tokens=64)]
    llm = engine_for(
        LlmSettings(
            model="openai:gpt-4.1-mini",
            base_url=fake_openai.openai_platform_url,
            api_key="sk-test",
        )
    )
    assert isinstance(llm, LlmEngine)
    async with llm:
        result = await llm.run(TASK)
    assert result.output.content == "Ship small. #AI"
    assert (result.usage.input_tokens, result.usage.cached_tokens) == (120, 64)
    request = fake_openai.requests[0]
    assert request["path"] == "/v1/responses"
    assert request["body"]["prompt_cache_key"].startswith("pw-")
    assert [tool["type"] for tool in request["body"]["tools"]] == ["function"]


async def test_openai_with_a_custom_base_url_stays_on_chat_completions(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [Reply(arguments={"content": "Ship small. #AI"})]
    llm = engine_for(LlmSettings(model="openai:gpt-4.1-mini", base_url=fake_openai.base_url))
    assert isinstance(llm, LlmEngine)
    async with llm:
        result = await llm.run(TASK)
    assert result.output.content == "Ship small. #AI"
    assert fake_openai.requests[0]["path"] == "/v1/chat/completions"
