"""The server's engine is built once per event loop and shared: callers closing it leave it
open for the next; ``close_shared`` closes it for good."""

from __future__ import annotations

from postwright.core.settings import LlmSettings
from postwright.domain.generation import LlmEngine, LlmOverride, PostTask, engine_for
from postwright.domain.generation.factory import close_shared
from tests.domain.generation.fake_openai import FakeOpenAI, Reply

TASK = PostTask(topic="AI", platform="linkedin")


async def test_the_servers_engine_is_shared_and_survives_its_callers_closing_it(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [Reply(arguments={"content": f"Post {i} #AI"}) for i in range(2)]
    settings = LlmSettings(model="ollama:llama3.2", base_url=fake_openai.base_url, api_key="k")
    first = engine_for(settings)
    async with first:
        assert (await first.run(TASK)).output.content == "Post 0 #AI"
    second = engine_for(settings)
    assert second is first
    async with second:  # closed by its first caller, yet still usable
        assert (await second.run(TASK)).output.content == "Post 1 #AI"
    # Another configuration, or a workspace's own model, gets an engine of its own.
    other = LlmSettings(model="ollama:llama3.2", base_url=fake_openai.base_url, api_key="k2")
    assert engine_for(other) is not first
    own = engine_for(settings, LlmOverride(api_key="sk-ws"))
    assert isinstance(own, LlmEngine)
    assert own is not first
    await own.aclose()

    await close_shared()
    assert engine_for(settings) is not first
    await close_shared()


def test_without_an_event_loop_each_caller_gets_its_own_engine() -> None:
    settings = LlmSettings(model="ollama:llama3.2", base_url="http://127.0.0.1:9/v1")
    assert engine_for(settings) is not engine_for(settings)
