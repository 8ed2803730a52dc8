"""The one interface every generation goes through."""

from __future__ import annotations

from abc import ABC, abstractmethod

from postwright.domain.generation.outputs import GenerationResult, OutputT, TokenUsage
from postwright.domain.generation.tasks import Task


class GenerationEngine(ABC):
    """Runs a task and says who produced the result (``provider``/``model``) and at what cost.

    Results are already finalized by the task: avoided words removed, texts fitted to their
    platform, ``truncated`` set when a limit cut something.
    """

    provider: str
    model: str

    @abstractmethod
    async def run(self, task: Task[OutputT]) -> GenerationResult[OutputT]: ...

    def finish(
        self, task: Task[OutputT], raw: OutputT, usage: TokenUsage | None = None
    ) -> GenerationResult[OutputT]:
        output, truncated = task.finalize(raw)
        return GenerationResult[OutputT](
            output=output,
            provider=self.provider,
            model=self.model,
            usage=usage or TokenUsage(),
            truncated=truncated,
        )
