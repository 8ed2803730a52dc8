"""Web search for generations that benefit from fresh facts (the zorbit feed).

pydantic-ai offers web search as a native tool (``WebSearchTool``) on the model classes whose
provider runs it: OpenAI Responses, Anthropic, Google (and a few others). Whether a configured
model can take it is in its resolved profile (``supported_native_tools``): an OpenAI-compatible
chat model (Ollama, vLLM) cannot, and the builtin engine never searches.

``with_web_search`` hands back an engine that offers the tool on every request, and says
whether it does: a caller records ``generatedWithWebSearch`` from that answer, true only when
the model was given the tool.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.native_tools import WebSearchTool
from pydantic_ai.settings import ModelSettings

from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.llm import LlmEngine


def offers_web_search(model: Model) -> bool:
    """Whether ``model`` (as configured: class and profile) can run the web-search tool."""
    return WebSearchTool in model.profile.get("supported_native_tools", frozenset())


class WebSearching(WrapperModel):
    """Adds ``WebSearchTool`` to every request of the wrapped model (the provider runs it)."""

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        tools = model_request_parameters.native_tools
        if not any(isinstance(tool, WebSearchTool) for tool in tools):
            model_request_parameters = replace(
                model_request_parameters, native_tools=[*tools, WebSearchTool()]
            )
        return await super().request(messages, model_settings, model_request_parameters)


def with_web_search(engine: GenerationEngine) -> tuple[GenerationEngine, bool]:
    """``engine`` offering web search when its model supports it, and whether it does."""
    if not isinstance(engine, LlmEngine):
        return engine, False
    model = engine._model
    if not offers_web_search(model):
        return engine, False
    return LlmEngine(engine.config, model=WebSearching(model)), True
