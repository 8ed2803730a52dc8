"""voxburst: bulk generation jobs under ``/v1/bulk-generate``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import APIRouter, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sse_starlette import EventSourceResponse

from postwright.api.deps import ActorDep, ServicesDep, SessionDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    InsufficientCredits,
    NotFound,
    UnprocessableEntity,
    error_responses,
)
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.jobs import bulk
from postwright.domain.jobs.bulk import BulkRequest, JobView
from postwright.domain.jobs.models import BulkJob
from postwright.domain.jobs.status import JobState

router = APIRouter(prefix="/v1/bulk-generate", tags=["voxburst: bulk generation"])

# The voxburst document's spelling of each job state.
VOXBURST_STATUS: dict[JobState, str] = {
    JobState.QUEUED: "QUEUED",
    JobState.RUNNING: "PROCESSING",
    JobState.PAUSED: "PAUSED",
    JobState.COMPLETED: "COMPLETED",
    JobState.FAILED: "FAILED",
    JobState.CANCELLED: "CANCELLED",
}


def _status(job: BulkJob) -> str:
    return VOXBURST_STATUS[bulk.state(job)]


class SubmitBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    accountId: str = Field(min_length=1, max_length=100)
    platform: str = Field(min_length=1, max_length=40)
    totalPosts: int = Field(ge=1, le=50)
    scheduledDates: list[AwareDatetime] = Field(min_length=1, max_length=50)
    personaId: str | None = Field(default=None, max_length=64)
    topicHint: str | None = Field(default=None, max_length=500)
    generateImages: bool = False
    creditsPerPost: int = Field(
        default=1, ge=1, le=100, description="1 for text only; 6 with generateImages (1 + 5)"
    )


class Submitted(BaseModel):
    jobId: str
    status: str
    message: str


class CreditsOut(BaseModel):
    reserved: int
    consumed: int
    refunded: int
    remaining: int


class ProgressOut(BaseModel):
    percentage: int
    current: int
    total: int


class JobPost(BaseModel):
    id: str
    status: str
    scheduledFor: str | None


class JobOut(BaseModel):
    id: str
    status: str
    totalPosts: int
    completedPosts: int
    failedPosts: int
    skippedPosts: int
    credits: CreditsOut
    progress: ProgressOut
    posts: list[JobPost]
    queuedAt: str | None
    startedAt: str | None
    completedAt: str | None


class JobEnvelope(BaseModel):
    job: JobOut


class JobSummaryCredits(BaseModel):
    reserved: int
    consumed: int


class JobSummary(BaseModel):
    id: str
    status: str
    totalPosts: int
    completedPosts: int
    failedPosts: int
    progress: ProgressOut
    credits: JobSummaryCredits
    createdAt: str | None
    completedAt: str | None


class JobList(BaseModel):
    jobs: list[JobSummary]


class Transition(BaseModel):
    jobId: str
    status: str
    message: str


def _time(value: datetime | None) -> str | None:
    return isoformat_z(value)


def _progress(view: JobView) -> ProgressOut:
    return ProgressOut(percentage=view.percentage, current=view.current, total=view.job.total_posts)


def job_out(view: JobView) -> JobOut:
    job, credits = view.job, view.credits
    return JobOut(
        id=job.id,
        status=_status(job),
        totalPosts=job.total_posts,
        completedPosts=job.completed_posts,
        failedPosts=job.failed_posts,
        skippedPosts=job.skipped_posts,
        credits=CreditsOut(
            reserved=credits.reserved,
            consumed=credits.consumed,
            refunded=credits.refunded,
            remaining=credits.remaining,
        ),
        progress=_progress(view),
        posts=[
            JobPost(
                id=post.id,
                status=str(post.publish_state).upper(),
                scheduledFor=_time(post.scheduled_on),
            )
            for item in view.items
            if item.post_id and (post := view.posts.get(item.post_id)) is not None
        ],
        queuedAt=_time(job.queued_at),
        startedAt=_time(job.started_at),
        completedAt=_time(job.completed_at),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Submitted,
    responses=error_responses(
        InsufficientCredits, AiSubscriptionRequired, NotFound, Conflict, UnprocessableEntity
    ),
)
async def submit(
    body: SubmitBody,
    actor: ActorDep,
    session: SessionDep,
    services: ServicesDep,
) -> Submitted:
    """Reserves ``totalPosts * creditsPerPost`` credits and queues the job (402
    ``INSUFFICIENT_CREDITS`` with ``required``/``available`` when short)."""

    job = await bulk.submit(
        session,
        actor,
        BulkRequest(
            account_id=body.accountId,
            platform=body.platform,
            scheduled_dates=list(body.scheduledDates),
            total_posts=body.totalPosts,
            persona_id=body.personaId,
            topic_hint=body.topicHint,
            generate_images=body.generateImages,
            credits_per_post=body.creditsPerPost,
        ),
        settings=services.settings,
    )
    return Submitted(
        jobId=job.id, status=_status(job), message="Bulk generation job created successfully"
    )


@router.get("", response_model=JobList)
async def list_jobs(actor: ActorDep, session: SessionDep) -> JobList:
    """The 20 most recent jobs of the workspace."""
    views = await bulk.recent(session, actor)
    return JobList(
        jobs=[
            JobSummary(
                id=v.job.id,
                status=_status(v.job),
                totalPosts=v.job.total_posts,
                completedPosts=v.job.completed_posts,
                failedPosts=v.job.failed_posts,
                progress=_progress(v),
                credits=JobSummaryCredits(reserved=v.credits.reserved, consumed=v.credits.consumed),
                createdAt=_time(v.job.created_at),
                completedAt=_time(v.job.completed_at),
            )
            for v in views
        ]
    )


@router.get("/{job_id}", response_model=JobEnvelope, responses=error_responses(NotFound))
async def get_job(job_id: str, actor: ActorDep, session: SessionDep) -> JobEnvelope:
    return JobEnvelope(job=job_out(await bulk.view(session, actor, job_id)))


@router.get(
    "/{job_id}/events",
    responses={
        **error_responses(NotFound),
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
    },
    response_class=EventSourceResponse,
)
async def job_events(job_id: str, actor: ActorDep, services: ServicesDep) -> EventSourceResponse:
    """Server-Sent Events of the job's progress: a ``progress`` event with the job (the same
    object as ``GET /v1/bulk-generate/{id}`` returns under ``job``) now and on every change,
    and a last ``end`` event once the job completed, failed, was cancelled or paused."""
    views = bulk.watch(services.db, actor, job_id)
    first = await anext(views)  # 404 before the stream starts

    async def events() -> AsyncIterator[dict[str, str]]:
        current: JobView | None = first
        while current is not None:
            name = "end" if bulk.stream_ended(current) else "progress"
            yield {"event": name, "data": job_out(current).model_dump_json()}
            current = await anext(views, None)

    return EventSourceResponse(events(), ping=15)


@router.post(
    "/{job_id}/cancel", response_model=Transition, responses=error_responses(NotFound, Conflict)
)
async def cancel(job_id: str, actor: ActorDep, session: SessionDep) -> Transition:
    """Cancels a queued, running or paused job and refunds every credit still reserved."""
    job = await bulk.cancel(session, actor, job_id)
    return Transition(
        jobId=job.id, status=_status(job), message="Job cancelled and credits refunded."
    )


@router.post(
    "/{job_id}/resume",
    response_model=Transition,
    responses=error_responses(NotFound, Conflict, InsufficientCredits),
)
async def resume(
    job_id: str, actor: ActorDep, session: SessionDep, services: ServicesDep
) -> Transition:
    """Resumes a PAUSED job; 402 ``INSUFFICIENT_CREDITS`` while the balance is still short."""
    job = await bulk.resume(session, actor, job_id, settings=services.settings)
    return Transition(jobId=job.id, status=_status(job), message="Job resumed.")
