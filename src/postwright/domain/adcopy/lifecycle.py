"""A static-ad or video job's way through its statuses, and the refund that ends a failed one.

    queued ─▶ processing ─▶ completed
       │           ├──────▶ failed    (refunded)
       └───────────┴──────▶ expired   (refunded: past its deadline)
                                canceled (refunded)

Every transition locks the job row and checks where it stands first, so a re-run workflow
step, a late render after an expiry, or two sweeps at once change nothing twice. Refunds
carry the ledger reference ``<job id>:refund``: the ledger applies one per job, ever.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.domain.adcopy.models import AdJob, AdJobStatus, AdJobType
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import refund_credits

OPEN = (AdJobStatus.PENDING, AdJobStatus.QUEUED, AdJobStatus.PROCESSING)


def open_job_ids() -> Select[Any]:
    """Static-ad and video jobs that should have a run going."""
    return select(AdJob.id).where(AdJob.status.in_(OPEN), AdJob.type != AdJobType.COPY)


async def locked(session: AsyncSession, job_id: str) -> AdJob:
    job = await session.scalar(
        select(AdJob)
        .where(AdJob.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise LookupError(f"adcopy job {job_id} vanished")
    return job


async def claim(session: AsyncSession, job_id: str, now: datetime) -> AdJob | None:
    """Mark a queued job processing; the job when it is (still) ours to run, else None."""
    job = await locked(session, job_id)
    if job.status in (AdJobStatus.PENDING, AdJobStatus.QUEUED):
        job.status = AdJobStatus.PROCESSING
        job.started_at = now
        job.updated_at = now
    return job if job.status == AdJobStatus.PROCESSING else None


async def still_running(session: AsyncSession, job_id: str) -> bool:
    job = await session.get(AdJob, job_id, populate_existing=True)
    return job is not None and job.status == AdJobStatus.PROCESSING


async def remember(session: AsyncSession, job_id: str, now: datetime, **result: Any) -> None:
    """Keep facts a resumed run needs (the provider's video id) on the job."""
    job = await locked(session, job_id)
    job.result = {**job.result, **result}
    job.updated_at = now


async def complete(
    session: AsyncSession, job_id: str, now: datetime, assets: list[dict[str, Any]]
) -> bool:
    """Finish a processing job with its assets; False when it ended another way meanwhile."""
    job = await locked(session, job_id)
    if job.status != AdJobStatus.PROCESSING:
        return False
    job.status = AdJobStatus.COMPLETED
    job.assets = assets
    job.completed_at = now
    job.updated_at = now
    return True


async def end_refunded(
    session: AsyncSession, job: AdJob, status: AdJobStatus, now: datetime, reason: str
) -> bool:
    """Fail, expire or cancel ``job`` (locked by the caller) and give its credits back."""
    if AdJobStatus(job.status).terminal:
        return False
    job.status = status
    job.error = reason
    job.completed_at = now
    job.updated_at = now
    if job.credits_used:
        acting = SystemActor(workspace_id=job.workspace_id, at=now, user_id=job.user_id)
        await refund_credits(
            session,
            acting,
            job.credits_used,
            reason=f"adcopy {job.type} {status}",
            related_id=job.id,
            reference=f"{job.id}:refund",
        )
    return True


async def fail(session: AsyncSession, job_id: str, now: datetime, reason: str) -> bool:
    return await end_refunded(
        session, await locked(session, job_id), AdJobStatus.FAILED, now, reason
    )


async def expire_overdue(session: AsyncSession, now: datetime, *, limit: int = 200) -> list[str]:
    """Expire and refund open jobs past their deadline; returns their ids (their workflows
    should be cancelled once this commits)."""
    statement = (
        select(AdJob)
        .where(AdJob.status.in_(OPEN), AdJob.deadline_at.is_not(None), AdJob.deadline_at <= now)
        .order_by(AdJob.deadline_at)
        .limit(limit)
        # Several workers sweep at once on PostgreSQL: each takes rows the others have not.
        .with_for_update(skip_locked=True)
    )
    expired = []
    for job in await session.scalars(statement):
        if await end_refunded(session, job, AdJobStatus.EXPIRED, now, "The job timed out"):
            expired.append(job.id)
    await session.flush()
    return expired
