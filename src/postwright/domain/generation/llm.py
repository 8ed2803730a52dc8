"""LlmEngine: tasks run through pydantic-ai against a configured provider.

Provider construction lives in ``providers``; prompts in ``prompts``/``task_prompts``; this
module runs the agent, has the model repair what breaks a rule, and translates failures into
our errors.

Repair, never mangle: an output that uses an avoided word, exceeds its platform's limit or
carries too many hashtags goes back to the model once with each violation named (an output
validator raising ``ModelRetry``). Only when the second answer still breaks a rule does the
task's ``finalize`` repair it deterministically, by whole sentences. An answer cut off by the
output token limit (``finish_reason`` "length") is asked for again with a tighter length
instruction; a second cut-off fails with ``AI_RESPONSE_INCOMPLETE``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import structlog
from pydantic_ai import Agent, ModelRetry, RunContext
from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelRequestTimeout,
    ModelTimeoutError,
    OutputTokenLimitExceeded,
    UnexpectedModelBehavior,
)
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import RequestUsage, RunUsage

from postwright.domain.generation import repair
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.errors import (
    AiProviderError,
    AiProviderTimeout,
    AiResponseIncomplete,
)
from postwright.domain.generation.outputs import GenerationResult, OutputT, TokenUsage
from postwright.domain.generation.prompts import AssembledPrompt
from postwright.domain.generation.providers import LlmConfig, build_model
from postwright.domain.generation.task_prompts import render
from postwright.domain.generation.tasks import Task

log = structlog.get_logger(__name__)
# One chance for the model to repair an output that failed validation, then the fallback.
OUTPUT_RETRIES = 1


class _CutOff(Exception):
    """The answer stopped at the output token limit."""


@dataclass
class _Attempts:
    """Token usage summed over every request of one task (repairs and length retries too)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    requests: int = 0

    def add(self, usage: RunUsage | RequestUsage, requests: int = 0) -> None:
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.cached_tokens += usage.cache_read_tokens
        self.requests += usage.requests if isinstance(usage, RunUsage) else requests

    def token_usage(self) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            requests=self.requests,
            # Providers report cached input only when they cached some; 0 is "none reported".
            cached_tokens=self.cached_tokens or None,
        )


class _CutOffGuard(WrapperModel):
    """Ends a run at the first answer the output token limit cut off.

    Left alone, pydantic-ai answers cut-off tool arguments with a generic "invalid JSON" retry
    in the same conversation, which runs into the same limit; the engine asks afresh instead,
    with a tighter length instruction.
    """

    def __init__(self, wrapped: Model, used: _Attempts) -> None:
        super().__init__(wrapped)
        self.used = used

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        response = await super().request(messages, model_settings, model_request_parameters)
        if response.finish_reason == "length":
            self.used.add(response.usage, requests=1)
            raise _CutOff
        return response


def prompt_cache_key(task: Task[Any], prompt: AssembledPrompt) -> str:
    """One key per workspace and persona: requests that share the persona block share a cache
    route at OpenAI. Hashed, so no workspace id or persona text leaves in it."""
    digest = hashlib.sha256(f"{task.cache_scope or ''}\x00{prompt.persona_block}".encode())
    return f"pw-{digest.hexdigest()[:32]}"


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

    def _settings(self, cache_key: str) -> ModelSettings:
        # Retries happen in our HTTP transport; the SDK's own would multiply them.
        timeout = self.config.timeout_seconds
        if self.provider == "anthropic":
            from pydantic_ai.models.anthropic import AnthropicModelSettings

            # The system prompt is the stable block (persona, rules, platform): cache it.
            return AnthropicModelSettings(
                request_timeout=timeout, max_retries=0, anthropic_cache_instructions=True
            )
        if self.provider == "openai":
            from pydantic_ai.models.openai import OpenAIChatModelSettings

            # Other OpenAI-compatible servers may refuse fields they do not know.
            return OpenAIChatModelSettings(
                request_timeout=timeout, max_retries=0, openai_prompt_cache_key=cache_key
            )
        return ModelSettings(request_timeout=timeout, max_retries=0)

    def _agent(
        self, task: Task[OutputT], system_prompt: str, used: _Attempts
    ) -> Agent[None, OutputT]:
        agent: Agent[None, OutputT] = Agent(
            _CutOffGuard(self._model, used),
            deps_type=type(None),
            output_type=task.output_type,
            instructions=system_prompt,
            retries={"output": OUTPUT_RETRIES},
        )

        @agent.output_validator
        def named_violations(ctx: RunContext[None], output: OutputT) -> OutputT:
            violations = task.violations(output)
            if not violations:
                return output
            if ctx.retry >= OUTPUT_RETRIES:
                log.info("llm.repair_fallback", provider=self.provider, violations=violations)
                return output  # the task's finalize repairs it, by whole sentences
            log.info("llm.repair_requested", provider=self.provider, violations=violations)
            raise ModelRetry(repair.retry_message(violations))

        return agent

    async def _attempt(
        self, task: Task[OutputT], prompt: AssembledPrompt, user_prompt: str, used: _Attempts
    ) -> OutputT:
        agent = self._agent(task, prompt.system_prompt, used)
        settings = self._settings(prompt_cache_key(task, prompt))
        try:
            result = await agent.run(user_prompt, model_settings=settings)
        except OutputTokenLimitExceeded as error:
            raise _CutOff from error
        except UnexpectedModelBehavior as error:
            # Output that could not be parsed, even after the retry.
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
        used.add(result.usage)
        return result.output

    async def run(self, task: Task[OutputT]) -> GenerationResult[OutputT]:
        prompt = render(task)
        used = _Attempts()
        try:
            output = await self._attempt(task, prompt, prompt.user_prompt, used)
        except _CutOff:
            log.info("llm.cut_off_retry", provider=self.provider, model=self.model)
            # The tighter instruction goes last: the cached prefix stays the same.
            tighter = f"{prompt.user_prompt}\n\n{task.shorter()}"
            try:
                output = await self._attempt(task, prompt, tighter, used)
            except _CutOff as error:
                raise AiResponseIncomplete(
                    details={"reason": "finish_reason length, twice"}
                ) from error
        return self.finish(task, output, used.token_usage())
