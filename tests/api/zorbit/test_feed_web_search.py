"""The zorbit feed searches the web only when the configured model offers the tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.native_tools import WebSearchTool
from pydantic_ai.providers.anthropic import AnthropicProvider
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.providers.openai import OpenAIProvider

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import LlmSettings
from postwright.domain.generation import service as generation
from postwright.domain.generation.builtin import BuiltinEngine
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.llm import LlmEngine
from postwright.domain.generation.providers import LlmConfig
from postwright.domain.generation.web_search import offers_web_search, with_web_search
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant


def test_only_models_whose_provider_runs_web_search_offer_it() -> None:
    openai = OpenAIProvider(api_key="sk-test")
    assert offers_web_search(OpenAIResponsesModel("gpt-4.1-mini", provider=openai))
    assert offers_web_search(
        AnthropicModel("claude-sonnet-4-5", provider=AnthropicProvider(api_key="x"))
    )
    assert offers_web_search(GoogleModel("gemini-2.5-flash", provider=GoogleProvider(api_key="x")))
    # A chat-completions model (and so any OpenAI-compatible server: Ollama, vLLM) does not.
    assert not offers_web_search(OpenAIChatModel("gpt-4.1-mini", provider=openai))
    builtin = BuiltinEngine()
    assert with_web_search(builtin) == (builtin, False)


async def test_feed_posts_record_web_search_when_the_model_was_given_the_tool(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[list[str]] = []

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tools = info.model_request_parameters.native_tools
        offered.append([type(tool).__name__ for tool in tools])
        args = {"content": f"Fresh take number {len(offered)} on remote work."}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)])

    async def engine(*args: Any, **kwargs: Any) -> GenerationEngine:
        return LlmEngine(LlmConfig(model="google:gemini-2.5-flash"), model=FunctionModel(model))

    monkeypatch.setattr(generation, "workspace_engine", engine)
    tenant = await make_tenant(services)
    response = await client.get("/api/v1/feed?limit=2", headers=tenant.headers)
    assert response.status_code == 200, response.text
    posts = response.json()["posts"]
    assert [p["metadata"]["generatedWithWebSearch"] for p in posts] == [True, True]
    assert offered == [[WebSearchTool.__name__]] * 2


async def test_feed_without_a_search_capable_model_never_claims_web_search(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    with FakeOpenAI(lambda body: Reply(arguments={"content": "Remote teams write more."})) as fake:
        settings = make_settings(
            database_url,
            tmp_path,
            llm=LlmSettings(
                model="ollama:llama3.2", base_url=fake.base_url, api_key="sk-fake", max_retries=1
            ),
        )
        app: FastAPI = create_app(settings, clock=clock)
        async with app.router.lifespan_context(app):
            tenant = await make_tenant(app.state.services)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.get("/api/v1/feed?limit=1", headers=tenant.headers)
        assert response.status_code == 200, response.text
        assert response.json()["posts"][0]["metadata"]["generatedWithWebSearch"] is False
        sent = fake.bodies()
        assert sent
        assert all("web_search_options" not in body for body in sent)
        assert all(
            tool["function"]["name"] != "web_search" for body in sent for tool in body["tools"]
        )
