"""powerpost: Generate Content, List Generations, Get Generation (snake_case)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from postwright.api.deps import ActorDep, CtxDep, ServicesDep, SessionDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    InsufficientCredits,
    NotFound,
    UnprocessableEntity,
    error_responses,
)
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.jobs import generations
from postwright.domain.jobs.generation_models import ContentGeneration
from postwright.domain.jobs.generation_workflow import state
from postwright.domain.jobs.status import JobState

router = APIRouter(prefix="/api/v1/content", tags=["powerpost: generations"])

StatusName = Literal["pending", "processing", "completed", "failed"]
# The powerpost document's spelling of the job states a generation goes through.
STATUS_NAMES: dict[JobState, StatusName] = {
    JobState.QUEUED: "pending",
    JobState.RUNNING: "processing",
    JobState.COMPLETED: "completed",
    JobState.FAILED: "failed",
}
STATES = {name: job_state for job_state, name in STATUS_NAMES.items()}
Output = str | dict[str, str]


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(
        default="", max_length=5000, description="What to write about (optional with media)"
    )
    platforms: list[str] = Field(
        min_length=1,
        max_length=generations.MAX_PLATFORMS,
        description="e.g. tiktok, instagram, x, facebook, linkedin, youtube",
    )
    research_mode: Literal["regular", "deep"] = Field(
        default="regular", description="deep researches further and costs more per platform"
    )
    media_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="An uploaded media item's id"
    )
    media_url: HttpUrl | None = Field(default=None, description="Or a public media URL")


class GenerationError(BaseModel):
    code: str
    message: str


class GenerationSummary(BaseModel):
    generation_id: str
    status: StatusName
    prompt: str
    platforms: list[str]
    research_mode: Literal["regular", "deep"]
    credits_used: int = Field(description="Held while running; 0 when the generation failed")
    created_at: str


class Generation(GenerationSummary):
    outputs: dict[str, Output] | None = Field(
        default=None,
        description="Only when completed: a string per platform; YouTube {title, description}",
    )
    error: GenerationError | None = Field(default=None, description="Only when failed")


class GenerationList(BaseModel):
    data: list[GenerationSummary]
    next_cursor: str | None
    has_more: bool


def _summary_fields(generation: ContentGeneration) -> dict[str, Any]:
    return {
        "generation_id": generation.id,
        "status": STATUS_NAMES[state(generation)],
        "prompt": generation.prompt,
        "platforms": list(generation.platforms),
        "research_mode": generation.research_mode,
        "credits_used": generation.credits_used,
        "created_at": isoformat_z(generation.created_at),
    }


def generation_out(generation: ContentGeneration) -> Generation:
    result = Generation(**_summary_fields(generation))
    current = state(generation)
    if current == JobState.COMPLETED:
        result.outputs = generation.outputs or {}
    elif current == JobState.FAILED:
        result.error = GenerationError(
            code=generation.error_code or "GENERATION_FAILED",
            message=generation.error_message or "Failed to generate content. Please try again.",
        )
    return result


@router.post(
    "/generate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Generation,
    response_model_exclude_none=True,
    responses=error_responses(
        InsufficientCredits, AiSubscriptionRequired, Conflict, UnprocessableEntity
    ),
    openapi_extra=rate_limited("ai"),
)
async def generate_content(
    body: GenerateBody,
    ctx: CtxDep,
) -> Any:
    """Start a generation: one post per platform from a text prompt and/or uploaded media.
    Answers 202 with the generation ``pending``; poll ``GET /generations/{id}``. Credits
    (regular 5, deep 7.5 per platform, rounded up) are held now, charged on success and
    released on failure (402 ``INSUFFICIENT_CREDITS`` when short)."""

    generation = await generations.submit(
        ctx,
        generations.GenerationRequest(
            prompt=body.prompt,
            platforms=body.platforms,
            research_mode=body.research_mode,
            media_id=body.media_id,
            media_url=str(body.media_url) if body.media_url else None,
        ),
    )
    return generation_out(generation).model_dump(mode="json", exclude_none=True)


@router.get("/generations", response_model=GenerationList, responses=error_responses())
async def list_generations(
    actor: ActorDep,
    session: SessionDep,
    services: ServicesDep,
    status_filter: Annotated[
        StatusName | None,
        Query(alias="status", description="pending, processing, completed or failed"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Results per page")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page")
    ] = None,
) -> GenerationList:
    """Newest first, without outputs (read one generation for those)."""
    page = await generations.list_page(
        session,
        actor,
        codec=services.cursors,
        status=STATES[status_filter] if status_filter else None,
        cursor=cursor,
        limit=limit,
    )
    return GenerationList(
        data=[GenerationSummary(**_summary_fields(g)) for g in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get(
    "/generations/{id}",
    response_model=Generation,
    response_model_exclude_none=True,
    responses=error_responses(NotFound),
)
async def get_generation(id: str, actor: ActorDep, session: SessionDep) -> Generation:
    """Status and, once completed, the outputs; ``error`` when failed."""
    return generation_out(await generations.get(session, actor, id))
