"""The real provider code over real HTTP, against a fake OpenAI-compatible server."""

from __future__ import annotations

import pytest

from postwright.core.settings import LlmSettings
from postwright.domain.generation import (
    AiProviderError,
    AiProviderTimeout,
    AiResponseIncomplete,
    BuiltinEngine,
    CommentTask,
    LlmConfig,
    LlmEngine,
    LlmOverride,
    PersonaProfile,
    PostTask,
    engine_for,
)
from tests.domain.generation.fake_openai import FakeOpenAI, Reply

PERSONA = PersonaProfile(name="Ada", relevant_keywords="AI, ML", avoid_words="synergy")


def engine(server: FakeOpenAI, **overrides: float) -> LlmEngine:
    config = LlmConfig(
        model="ollama:llama3.2",
        base_url=server.base_url,
        api_key="sk-test-secret",
        timeout_seconds=overrides.get("timeout", 5.0),
        max_retries=int(overrides.get("retries", 2)),
        backoff_seconds=0.01,
    )
    return LlmEngine(config)


async def test_generates_through_provider_and_records_token_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [Reply(arguments={"content": "AI helps teams ship. #AI"})]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="AI at work", platform="x"))
    assert result.output.content == "AI helps teams ship. #AI"
    assert (result.provider, result.model) == ("ollama", "llama3.2")
    assert result.usage.input_tokens == 120
    assert result.usage.output_tokens == 45
    request = fake_openai.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test-secret"
    system = request["body"]["messages"][0]["content"]
    assert system.startswith("# Persona\nName: Ada")


async def test_retries_after_429_then_succeeds(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [
        Reply(status=429, headers={"retry-after": "0"}),
        Reply(status=503),
        Reply(arguments={"comments": [{"quote": "Well put.", "type": "short"}]}),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(CommentTask(post_content="We shipped it.", platform="linkedin"))
    assert result.output.comments[0].quote == "Well put."
    assert len(fake_openai.requests) == 3


async def test_gives_up_after_max_retries_with_a_provider_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [Reply(status=500) for _ in range(5)]
    async with engine(fake_openai, retries=1) as llm:
        with pytest.raises(AiProviderError):
            await llm.run(PostTask(topic="anything"))
    assert len(fake_openai.requests) == 2


async def test_malformed_output_is_response_incomplete(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [Reply(arguments='{"content": '), Reply(arguments='{"nope": 1}')]
    async with engine(fake_openai) as llm:
        with pytest.raises(AiResponseIncomplete) as caught:
            await llm.run(PostTask(topic="anything"))
    assert caught.value.code == "AI_RESPONSE_INCOMPLETE"
    assert caught.value.status_code == 400


async def test_slow_provider_times_out_with_a_clear_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [Reply(arguments={"content": "late"}, delay=1.5)]
    async with engine(fake_openai, timeout=0.3, retries=0) as llm:
        with pytest.raises(AiProviderTimeout) as caught:
            await llm.run(PostTask(topic="anything"))
    assert "0.3s" in caught.value.message


def test_engine_for_defaults_to_builtin_and_honours_overrides() -> None:
    assert isinstance(engine_for(LlmSettings()), BuiltinEngine)
    configured = engine_for(LlmSettings(model="ollama:llama3.2", base_url="http://127.0.0.1:9/v1"))
    assert isinstance(configured, LlmEngine)
    assert (configured.provider, configured.model) == ("ollama", "llama3.2")
    override = LlmOverride(model="openai:gpt-4.1-mini", api_key="sk-workspace")
    workspace = engine_for(LlmSettings(), override)
    assert isinstance(workspace, LlmEngine)
    assert workspace.model == "gpt-4.1-mini"
    assert "sk-workspace" not in repr(override)
    assert "sk-workspace" not in repr(workspace.config)


def test_anthropic_and_google_models_build_from_model_strings() -> None:
    for model in ("anthropic:claude-sonnet-4-5", "google:gemini-2.5-flash"):
        built = LlmEngine(LlmConfig(model=model, api_key="k"))
        assert built.provider == model.split(":")[0]
