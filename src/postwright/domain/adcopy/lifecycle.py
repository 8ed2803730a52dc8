"""The static-ad and video job kind on the job kernel: its row's states and the refund that
ends a failed, expired or canceled one.

    queued ─▶ processing ─▶ completed
       │           ├──────▶ failed    (refunded)
       └───────────┴──────▶ expired   (refunded: past its deadline)
                                canceled (refunded)

adcopy charges a job when it is submitted (no reservation), so ending it any other way than
completed refunds the charge, under the ledger reference ``<job id>:refund`` (once per job,
ever). Locking, the state checks that make a re-run step change nothing twice, expiry and
recovery are the kernel's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.services import Services
from postwright.domain.adcopy.models import AdJob, AdJobStatus
from postwright.domain.context import Ctx
from postwright.domain.jobs import kernel
from postwright.domain.jobs.status import JobState

AD_JOBS = kernel.Lifecycle(
    AdJob,
    {
        JobState.QUEUED: AdJobStatus.QUEUED.value,
        JobState.RUNNING: AdJobStatus.PROCESSING.value,
        JobState.COMPLETED: AdJobStatus.COMPLETED.value,
        JobState.FAILED: AdJobStatus.FAILED.value,
        JobState.CANCELLED: AdJobStatus.CANCELED.value,
        JobState.EXPIRED: AdJobStatus.EXPIRED.value,
    },
    also_stored={AdJobStatus.PENDING.value: JobState.QUEUED},
)
EXPIRED_REASON = "The job timed out"


def state(job: AdJob) -> JobState:
    return AD_JOBS.state(job)


def refunded(state: JobState, reason: str) -> kernel.Outcome[AdJob]:
    """A kernel outcome: the job ends in ``state`` with ``reason``, its charge given back."""

    async def outcome(ctx: Ctx, job: AdJob) -> JobState:
        session, acting = ctx.session, ctx.actor
        job.error = reason
        await kernel.refund_charge(
            session,
            acting,
            job,
            job.credits_used,
            reason=f"adcopy {job.type} {AD_JOBS.spell(state)}",
        )
        return state

    return outcome


async def expire_overdue(
    session: AsyncSession, services: Services, now: datetime, *, limit: int = 200
) -> list[str]:
    """Expire and refund open jobs past their deadline; returns their ids (their workflows
    should be cancelled once this commits)."""
    return await kernel.expire_overdue(
        session,
        services,
        AD_JOBS,
        AdJob.deadline_at,
        now,
        refunded(JobState.EXPIRED, EXPIRED_REASON),
        limit=limit,
    )
