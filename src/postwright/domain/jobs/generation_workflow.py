"""The powerpost generation workflow (DBOS): one model call, so one workflow on the
rate-limited LLM queue.

Steps are at-least-once, so each effect is guarded: the generation row is locked and its status
checked before it is finished, and the reservation is settled under a fixed reference — a step
re-run after a crash changes nothing twice.
"""

from __future__ import annotations

from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.errors import AppError
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain import webhooks
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import release_reservation, settle_reservation
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.outputs import GenerationResult, PlatformPosts
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import PlatformPostsTask
from postwright.domain.jobs.generation_models import ContentGeneration, GenerationStatus

FAILED_CODE = "GENERATION_FAILED"
FAILED_MESSAGE = "Failed to generate content. Please try again."
MEDIA_ONLY_PROMPT = "the attached media"


def workflow_id(generation_id: str) -> str:
    return f"generation:{generation_id}"


async def start_run(generation_id: str) -> None:
    await jobs.enqueue(
        jobs.LLM_QUEUE, content_generation, generation_id, workflow_id=workflow_id(generation_id)
    )


def _services() -> Services:
    found: Services = jobs.services()
    return found


async def _locked(session: AsyncSession, generation_id: str) -> ContentGeneration:
    generation = await session.scalar(
        select(ContentGeneration).where(ContentGeneration.id == generation_id).with_for_update()
    )
    if generation is None:
        raise LookupError(f"generation {generation_id} vanished")
    return generation


def _acting(generation: ContentGeneration, services: Services) -> SystemActor:
    return SystemActor(
        workspace_id=generation.workspace_id, at=services.clock.now(), user_id=generation.user_id
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
    services = _services()
    async with services.db.transaction() as session:
        generation = await _locked(session, generation_id)
        if GenerationStatus(generation.status).finished:
            return False
        now = services.clock.now()
        generation.status = GenerationStatus.PROCESSING
        generation.started_at = generation.started_at or now
        generation.updated_at = now
        return True


@DBOS.step(name="postwright.generation_run")
async def _generate(generation_id: str) -> str:
    services = _services()
    async with services.db.transaction() as session:
        generation = await _locked(session, generation_id)
        task = PlatformPostsTask(
            prompt=generation.prompt.strip() or MEDIA_ONLY_PROMPT,
            platforms=list(generation.platforms),
        )
    engine = engine_for(services.settings)
    try:
        result = await engine.run(task)
    except AppError as exc:
        logger.warning("generation.engine_failed", generation_id=generation_id, error=exc.message)
        return await _mark_failed(services, generation_id)
    finally:
        close = getattr(engine, "aclose", None)
        if close is not None:
            await close()
    return await _complete(services, generation_id, result)


async def _complete(
    services: Services, generation_id: str, result: GenerationResult[PlatformPosts]
) -> str:
    async with services.db.transaction() as session:
        generation = await _locked(session, generation_id)
        if GenerationStatus(generation.status).finished:
            return str(generation.status)
        acting = _acting(generation, services)
        await settle_reservation(
            session,
            acting,
            generation.reservation_id,
            consumed=generation.credits_used,
            reference=f"{generation.id}:settle",
        )
        now = services.clock.now()
        generation.status = GenerationStatus.COMPLETED
        generation.outputs = result.output.as_outputs()
        generation.provider = result.provider
        generation.completed_at = now
        generation.updated_at = now
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
        return GenerationStatus.COMPLETED.value


@DBOS.step(name="postwright.generation_fail")
async def _fail(generation_id: str) -> str:
    return await _mark_failed(_services(), generation_id)


async def _mark_failed(services: Services, generation_id: str) -> str:
    async with services.db.transaction() as session:
        generation = await _locked(session, generation_id)
        if GenerationStatus(generation.status).finished:
            return str(generation.status)
        await release_reservation(session, _acting(generation, services), generation.reservation_id)
        now = services.clock.now()
        generation.status = GenerationStatus.FAILED
        generation.credits_used = 0
        generation.error_code = FAILED_CODE
        generation.error_message = FAILED_MESSAGE
        generation.completed_at = now
        generation.updated_at = now
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
        return GenerationStatus.FAILED.value


async def recover_orphans() -> int:
    """Start the workflow of every generation left pending or processing without one."""
    services = _services()
    async with services.db.transaction() as session:
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
