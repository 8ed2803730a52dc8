"""voxburst bulk generation: submit, poll, list, cancel, resume.

Credits are reserved up front (``creditsPerPost`` per post), consumed per completed post and
refunded for failed and skipped ones. When a post costs more than the client reserved for it
(images with ``creditsPerPost: 1``), the difference is charged from the free balance as the
job runs; when that runs out the job PAUSES until credits are topped up and it is resumed.
The workflow itself is in ``bulk_workflow``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.db import Database, after_commit
from postwright.core.errors import Conflict, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.settings import Settings
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain import webhooks
from postwright.domain.accounts.context import Actor
from postwright.domain.billing.errors import insufficient_credits
from postwright.domain.billing.models import CreditReservation
from postwright.domain.billing.service import (
    Action,
    credit_summary,
    price,
    release_reservation,
    require_ai_access,
    reserve_credits,
)
from postwright.domain.content.models import Post
from postwright.domain.generation.platforms import get_platform
from postwright.domain.jobs import kernel, progress
from postwright.domain.jobs.models import BulkJob, BulkJobItem, ItemStatus, JobStatus
from postwright.domain.jobs.status import JobState
from postwright.domain.personas import service as personas

MAX_POSTS = 50
RECENT_JOBS = 20

# The table keeps the spelling it always stored; the domain speaks ``JobState``.
BULK_JOBS = kernel.Lifecycle(
    BulkJob,
    {
        JobState.QUEUED: JobStatus.QUEUED.value,
        JobState.RUNNING: JobStatus.PROCESSING.value,
        JobState.PAUSED: JobStatus.PAUSED.value,
        JobState.COMPLETED: JobStatus.COMPLETED.value,
        JobState.FAILED: JobStatus.FAILED.value,
        JobState.CANCELLED: JobStatus.CANCELLED.value,
    },
)


def state(job: BulkJob) -> JobState:
    return BULK_JOBS.state(job)


def spelled(state: JobState) -> JobStatus:
    return JobStatus(BULK_JOBS.spell(state))


@dataclass(frozen=True)
class BulkRequest:
    account_id: str
    platform: str
    scheduled_dates: list[datetime]
    total_posts: int
    persona_id: str | None = None
    topic_hint: str | None = None
    generate_images: bool = False
    credits_per_post: int = 1


@dataclass(frozen=True)
class Credits:
    reserved: int
    consumed: int
    refunded: int

    @property
    def remaining(self) -> int:
        return self.reserved - self.consumed - self.refunded


@dataclass(frozen=True)
class JobView:
    job: BulkJob
    credits: Credits
    items: list[BulkJobItem]
    posts: dict[str, Post]

    @property
    def state(self) -> JobState:
        return state(self.job)

    @property
    def current(self) -> int:
        return self.job.completed_posts + self.job.failed_posts + self.job.skipped_posts

    @property
    def percentage(self) -> int:
        return round(100 * self.current / self.job.total_posts) if self.job.total_posts else 0


def cost_per_post(settings: Settings, generate_images: bool) -> int:
    """What one post really costs: the text, plus the image when asked for."""
    text = price(settings.billing.costs, Action.BULK_ITEM)
    return text + (price(settings.billing.costs, Action.IMAGE) if generate_images else 0)


def extra_per_post(settings: Settings, job: BulkJob) -> int:
    return max(0, cost_per_post(settings, job.generate_images) - job.credits_per_post)


async def submit(
    session: AsyncSession, actor: Actor, request: BulkRequest, *, settings: Settings
) -> BulkJob:
    _validate(request)
    get_platform(request.platform)
    if request.persona_id:
        await personas.workspace_view(session, actor.workspace_id, request.persona_id)
    await require_ai_access(session, actor)
    now = actor.now()
    job_id = new_id("bgjob")
    reservation = await reserve_credits(
        session,
        actor,
        request.total_posts * request.credits_per_post,
        reason="bulk generation",
        related_id=job_id,
        reference=f"{job_id}:reserve",
    )
    job = BulkJob(
        id=job_id,
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        account_id=request.account_id,
        platform=get_platform(request.platform).key,
        persona_id=request.persona_id,
        topic_hint=request.topic_hint,
        generate_images=request.generate_images,
        credits_per_post=request.credits_per_post,
        total_posts=request.total_posts,
        status=spelled(JobState.QUEUED),
        reservation_id=reservation.id,
        queued_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    session.add_all(
        BulkJobItem(id=new_id("bgitem"), job_id=job_id, position=index, scheduled_for=when)
        for index, when in enumerate(request.scheduled_dates)
    )
    await session.flush()
    _start_after_commit(session, job)
    return job


def _validate(request: BulkRequest) -> None:
    problems = []
    if not 1 <= request.total_posts <= MAX_POSTS:
        problems.append({"field": "totalPosts", "message": f"must be between 1 and {MAX_POSTS}"})
    if len(request.scheduled_dates) != request.total_posts:
        problems.append(
            {"field": "scheduledDates", "message": "must have exactly totalPosts entries"}
        )
    if request.credits_per_post < 1:
        problems.append({"field": "creditsPerPost", "message": "must be at least 1"})
    if problems:
        raise ValidationFailed("Invalid bulk generation request", details=problems)


def _start_after_commit(session: AsyncSession, job: BulkJob) -> None:
    from postwright.domain.jobs.bulk_workflow import start_run

    job_id, workflow_id = job.id, job.workflow_id

    async def start() -> None:
        await start_run(job_id, workflow_id)

    after_commit(session, start)


async def view(session: AsyncSession, actor: Actor, job_id: str) -> JobView:
    job = await get_scoped(session, BulkJob, actor.workspace_id, job_id)
    return await _view(session, job)


async def _view(session: AsyncSession, job: BulkJob) -> JobView:
    items = list(
        await session.scalars(
            select(BulkJobItem).where(BulkJobItem.job_id == job.id).order_by(BulkJobItem.position)
        )
    )
    post_ids = [i.post_id for i in items if i.post_id]
    posts = (
        {p.id: p for p in await session.scalars(select(Post).where(Post.id.in_(post_ids)))}
        if post_ids
        else {}
    )
    reservation = await session.get(CreditReservation, job.reservation_id)
    assert reservation is not None
    credits = Credits(
        reserved=reservation.amount + job.extra_consumed,
        consumed=reservation.consumed + job.extra_consumed,
        refunded=reservation.refunded,
    )
    return JobView(job=job, credits=credits, items=items, posts=posts)


def _watched(view: JobView) -> tuple[object, ...]:
    job, credits = view.job, view.credits
    return (
        view.state,
        job.completed_posts,
        job.failed_posts,
        job.skipped_posts,
        credits.consumed,
        credits.refunded,
    )


def stream_ended(view: JobView) -> bool:
    """A progress stream ends when the job finished — or paused, waiting for a resume."""
    return view.state.finished or view.state is JobState.PAUSED


async def watch(db: Database, actor: Actor, job_id: str) -> AsyncIterator[JobView]:
    """The job now, then each time its progress changes, until the job ends (or pauses). Each
    read is its own short transaction: a watcher holds no session between changes."""
    async with db.transaction() as session:
        await get_scoped(session, BulkJob, actor.workspace_id, job_id)

    async def read() -> JobView:
        async with db.transaction() as session:
            return await view(session, actor, job_id)

    async for current in progress.watch(job_id, read, snapshot=_watched, finished=stream_ended):
        yield current


async def recent(session: AsyncSession, actor: Actor) -> list[JobView]:
    rows = await session.scalars(
        scoped(BulkJob, actor.workspace_id)
        .order_by(BulkJob.created_at.desc(), BulkJob.id.desc())
        .limit(RECENT_JOBS)
    )
    return [await _view(session, job) for job in rows]


async def cancel(session: AsyncSession, actor: Actor, job_id: str) -> BulkJob:
    """Stop a queued, running or paused job and refund every credit still reserved."""
    job = await get_scoped(session, BulkJob, actor.workspace_id, job_id, for_update=True)
    if state(job).finished:
        raise Conflict(f"Job is already {job.status}")
    now = actor.now()
    pending = list(
        await session.scalars(
            select(BulkJobItem).where(
                BulkJobItem.job_id == job.id, BulkJobItem.status == ItemStatus.PENDING
            )
        )
    )
    for item in pending:
        item.status = ItemStatus.SKIPPED
    job.skipped_posts += len(pending)
    job.status = spelled(JobState.CANCELLED)
    job.completed_at = now
    job.updated_at = now
    # Released as the user who cancelled (the kernel's ``release`` acts as the system).
    await release_reservation(session, actor, job.reservation_id)
    await session.flush()
    await emit_job_event(session, job)
    progress.changed(session, job.id)
    workflow_id = job.workflow_id

    async def stop() -> None:
        await jobs.cancel(workflow_id)

    after_commit(session, stop)
    return job


async def emit_job_event(session: AsyncSession, job: BulkJob) -> None:
    """``bulk_job.<completed|failed|paused|cancelled>`` to the workspace's webhooks."""
    await webhooks.emit(
        session,
        job.workspace_id,
        f"bulk_job.{state(job).value}",
        {
            "job_id": job.id,
            "status": str(job.status),
            "platform": job.platform,
            "total_posts": job.total_posts,
            "completed_posts": job.completed_posts,
            "failed_posts": job.failed_posts,
            "skipped_posts": job.skipped_posts,
            "error": job.error,
        },
    )


async def pause(session: AsyncSession, actor: Actor, job_id: str) -> BulkJob:
    """Stop a queued or running job from starting more posts (for the dashboard; the voxburst
    document only pauses a job itself, when credits run out). Posts whose model call already
    started are still kept; the rest stay pending, reserved, until ``resume`` or ``cancel``."""
    job = await get_scoped(session, BulkJob, actor.workspace_id, job_id, for_update=True)
    if state(job) not in (JobState.QUEUED, JobState.RUNNING):
        raise Conflict(f"Only a QUEUED or PROCESSING job can be paused; this one is {job.status}")
    job.status = spelled(JobState.PAUSED)
    job.updated_at = actor.now()
    await session.flush()
    await emit_job_event(session, job)
    progress.changed(session, job.id)
    return job


async def resume(
    session: AsyncSession, actor: Actor, job_id: str, *, settings: Settings
) -> BulkJob:
    """Continue a PAUSED job once the balance covers what its remaining posts still need."""
    job = await get_scoped(session, BulkJob, actor.workspace_id, job_id, for_update=True)
    if state(job) is not JobState.PAUSED:
        raise Conflict(f"Only a PAUSED job can be resumed; this one is {job.status}")
    pending = len(
        list(
            await session.scalars(
                select(BulkJobItem.id).where(
                    BulkJobItem.job_id == job.id, BulkJobItem.status == ItemStatus.PENDING
                )
            )
        )
    )
    required = pending * extra_per_post(settings, job)
    available = (await credit_summary(session, actor)).available
    if required > available:
        raise insufficient_credits(required, available)
    job.status = spelled(JobState.RUNNING)
    job.run += 1
    job.updated_at = actor.now()
    await session.flush()
    _start_after_commit(session, job)
    return job
