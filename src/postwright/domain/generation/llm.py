"""LlmEngine: tasks run through pydantic-ai against a configured provider.

Provider construction lives in ``providers``; prompts in ``prompts``/``task_prompts``; this
module only runs the agent and translates its failures into our errors.
"""

from __future__ import annotations

from types import TracebackType

import structlog
from pydantic_ai import Agent
from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelRequestTimeout,
    ModelTimeoutError,
    UnexpectedModelBehavior,
)
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.errors import (
    AiProviderError,
    AiProviderTimeout,
    AiResponseIncomplete,
)
from postwright.domain.generation.outputs import GenerationResult, OutputT, TokenUsage
from postwright.domain.generation.providers import LlmConfig, build_model
from postwright.domain.generation.task_prompts import render
from postwright.domain.generation.tasks import Task

log = structlog.get_logger(__name__)
# One chance for the model to repair an output that failed validation, then we give up.
OUTPUT_RETRIES = 1


class LlmEngine(GenerationEngine):
    def __init__(self, config: LlmConfig, *, model: Model | None = None) -> None:
        self.config = config
        self.provider = config.provider_name
        self.model = config.model_name
        self._model = model or build_model(config)

    async def __aenter__(self) -> LlmEngine:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        client = getattr(getattr(self._model, "_provider", None), "client", None)
        http = getattr(client, "_client", None)
        if http is not None and hasattr(http, "aclose"):
            await http.aclose()

    def _settings(self) -> ModelSettings:
        # Retries happen in our HTTP transport; the SDK's own would multiply them.
        timeout = self.config.timeout_seconds
        if self.provider == "anthropic":
            from pydantic_ai.models.anthropic import AnthropicModelSettings

            # The system block starts with the byte-stable persona block: cache it.
            return AnthropicModelSettings(
                request_timeout=timeout, max_retries=0, anthropic_cache_instructions=True
            )
        return ModelSettings(request_timeout=timeout, max_retries=0)

    async def run(self, task: Task[OutputT]) -> GenerationResult[OutputT]:
        prompt = render(task)
        agent = Agent(
            self._model,
            output_type=task.output_type,
            instructions=prompt.system_prompt,
            retries={"output": OUTPUT_RETRIES},
            model_settings=self._settings(),
        )
        try:
            result = await agent.run(prompt.user_prompt)
        except UnexpectedModelBehavior as error:
            # Covers unparseable output after the retry and finish_reason "length".
            log.warning(
                "llm.incomplete", provider=self.provider, model=self.model, error=str(error)
            )
            raise AiResponseIncomplete(details={"reason": str(error)}) from error
        except (ModelRequestTimeout, ModelTimeoutError) as error:
            raise AiProviderTimeout(
                f"The AI provider did not answer within {self.config.timeout_seconds:g}s"
            ) from error
        except ModelAPIError as error:
            log.warning("llm.failed", provider=self.provider, model=self.model, error=str(error))
            raise AiProviderError(details={"reason": type(error).__name__}) from error
        run_usage = result.usage
        usage = TokenUsage(
            input_tokens=run_usage.input_tokens,
            output_tokens=run_usage.output_tokens,
            requests=run_usage.requests,
        )
        if result.response.finish_reason == "length":
            raise AiResponseIncomplete(details={"reason": "finish_reason length"})
        return self.finish(task, result.output, usage)
