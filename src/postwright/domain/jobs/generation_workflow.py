"""The powerpost generation workflow (DBOS): one model call, so one workflow on the
rate-limited LLM queue.

A kind on the job kernel (``kernel``): the kernel locks the row and moves it through its states
once, and settles the reservation under the fixed reference ``<id>:settle`` — a step re-run
after a crash changes nothing twice.
"""

from __future__ import annotations

from dbos import DBOS
from sqlalchemy import select

from postwright.core import jobs
from postwright.core.errors import AppError
from postwright.core.logging import logger
from postwright.domain import webhooks
from postwright.domain.context import Ctx
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.outputs import GenerationResult, PlatformPosts
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import PlatformPostsTask
from postwright.domain.jobs import kernel
from postwright.domain.jobs.generation_models import ContentGeneration, GenerationStatus
from postwright.domain.jobs.status import JobState

FAILED_CODE = "GENERATION_FAILED"
FAILED_MESSAGE = "Failed to generate content. Please try again."
MEDIA_ONLY_PROMPT = "the attached media"


def workflow_id(generation_id: str) -> str:
    return f"generation:{generation_id}"


async def start_run(generation_id: str) -> None:
    await jobs.enqueue(
        jobs.LLM_QUEUE, content_generation, generation_id, workflow_id=workflow_id(generation_id)
    )


GENERATIONS = kernel.Lifecycle(
    ContentGeneration,
    {
        JobState.QUEUED: GenerationStatus.PENDING.value,
        JobState.RUNNING: GenerationStatus.PROCESSING.value,
        JobState.COMPLETED: GenerationStatus.COMPLETED.value,
        JobState.FAILED: GenerationStatus.FAILED.value,
    },
)


@DBOS.workflow(name="postwright.content_generation")
async def content_generation(generation_id: str) -> str:
    try:
        if not await _begin(generation_id):
            return "skipped"
        return await _generate(generation_id)
    except Exception as exc:
        logger.error("generation.failed", generation_id=generation_id, exc_info=exc)
        return await _fail(generation_id)


@DBOS.step(name="postwright.generation_begin")
async def _begin(generation_id: str) -> bool:
    return await kernel.begin(GENERATIONS, generation_id)


@DBOS.step(name="postwright.generation_run")
async def _generate(generation_id: str) -> str:
    services = kernel.services()
    async with services.db.read_transaction() as session:
        generation = await session.get(ContentGeneration, generation_id)
        if generation is None:
            raise LookupError(f"generation {generation_id} vanished")
        task = PlatformPostsTask(
            prompt=generation.prompt.strip() or MEDIA_ONLY_PROMPT,
            platforms=list(generation.platforms),
        )
    engine = engine_for(services.settings)
    try:
        result = await engine.run(task)
    except AppError as exc:
        logger.warning("generation.engine_failed", generation_id=generation_id, error=exc.message)
        return await _mark_failed(generation_id)
    finally:
        close = getattr(engine, "aclose", None)
        if close is not None:
            await close()
    return await _complete(generation_id, result)


async def _complete(generation_id: str, result: GenerationResult[PlatformPosts]) -> str:
    async def completed(ctx: Ctx, generation: ContentGeneration) -> JobState:
        session, acting = ctx.session, ctx.actor
        # The one item of a generation is its settlement (reference ``<id>:settle``).
        await kernel.settle_item(
            session, acting, generation, "settle", consumed=generation.credits_used
        )
        generation.outputs = result.output.as_outputs()
        generation.provider = result.provider
        record_usage(
            session, acting, result, kind="content-generation", credits=generation.credits_used
        )
        await webhooks.emit(
            session,
            generation.workspace_id,
            "generation.completed",
            {
                "generation_id": generation.id,
                "status": GenerationStatus.COMPLETED.value,
                "platforms": generation.platforms,
                "credits_used": generation.credits_used,
                "outputs": generation.outputs,
            },
        )
        return JobState.COMPLETED

    return await kernel.finish(GENERATIONS, generation_id, completed)


@DBOS.step(name="postwright.generation_fail")
async def _fail(generation_id: str) -> str:
    return await _mark_failed(generation_id)


async def _mark_failed(generation_id: str) -> str:
    async def failed(ctx: Ctx, generation: ContentGeneration) -> JobState:
        session, acting = ctx.session, ctx.actor
        await kernel.release(session, acting, generation)
        generation.credits_used = 0
        generation.error_code = FAILED_CODE
        generation.error_message = FAILED_MESSAGE
        await webhooks.emit(
            session,
            generation.workspace_id,
            "generation.failed",
            {
                "generation_id": generation.id,
                "status": GenerationStatus.FAILED.value,
                "platforms": generation.platforms,
                "credits_used": 0,
                "error": {"code": FAILED_CODE, "message": FAILED_MESSAGE},
            },
        )
        return JobState.FAILED

    return await kernel.finish(GENERATIONS, generation_id, failed)


def state(generation: ContentGeneration) -> JobState:
    return GENERATIONS.state(generation)


async def recover_orphans() -> int:
    """Start the workflow of every generation left pending or processing without one."""
    services = kernel.services()
    async with services.db.read_transaction() as session:
        ids = list(
            await session.scalars(
                select(ContentGeneration.id).where(
                    ContentGeneration.status.in_(
                        [GenerationStatus.PENDING, GenerationStatus.PROCESSING]
                    )
                )
            )
        )
    for generation_id in ids:
        await start_run(generation_id)
    return len(ids)
