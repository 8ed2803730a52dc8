"""Bulk jobs: many posts generated in the background against a credit budget."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.context import RequestCtx
from postwright.domain.jobs import bulk
from postwright.domain.jobs.bulk import BulkRequest, JobView
from postwright.domain.jobs.status import JobState
from postwright.mcp.runtime import WRITE, tool
from postwright.mcp.tools.generation import Platform

JobId = Annotated[
    str, Field(min_length=1, max_length=64, description="A job id from start_bulk_job")
]


# The tools' word for each state of a job.
MCP_STATUS: dict[JobState, str] = {
    JobState.QUEUED: "queued",
    JobState.RUNNING: "processing",
    JobState.PAUSED: "paused",
    JobState.COMPLETED: "completed",
    JobState.FAILED: "failed",
    JobState.CANCELLED: "cancelled",
    JobState.EXPIRED: "expired",
}


class JobCredits(BaseModel):
    reserved: int
    consumed: int
    refunded: int
    remaining: int = Field(description="Still reserved for items not yet written")


class JobPost(BaseModel):
    post_id: str
    status: str
    scheduled_at: str | None


class BulkJobOut(BaseModel):
    id: str
    status: str = Field(description="queued, processing, paused, completed, failed or cancelled")
    total_posts: int
    completed_posts: int
    failed_posts: int
    skipped_posts: int
    percentage: int
    credits: JobCredits
    posts: list[JobPost] = Field(description="The posts written so far (get them by id)")
    created_at: str
    completed_at: str | None


def job_out(view: JobView) -> BulkJobOut:
    job, credits = view.job, view.credits
    return BulkJobOut(
        id=job.id,
        status=MCP_STATUS[view.state],
        total_posts=job.total_posts,
        completed_posts=job.completed_posts,
        failed_posts=job.failed_posts,
        skipped_posts=job.skipped_posts,
        percentage=view.percentage,
        credits=JobCredits(
            reserved=credits.reserved,
            consumed=credits.consumed,
            refunded=credits.refunded,
            remaining=credits.remaining,
        ),
        posts=[
            JobPost(
                post_id=post.id,
                status=str(post.publish_state),
                scheduled_at=isoformat_z(post.scheduled_on),
            )
            for item in view.items
            if item.post_id and (post := view.posts.get(item.post_id)) is not None
        ],
        created_at=isoformat_z(job.created_at),
        completed_at=isoformat_z(job.completed_at),
    )


@tool(title="Start a bulk job", limit=WRITE, writes=True)
async def start_bulk_job(
    ctx: RequestCtx,
    account_id: Annotated[
        str, Field(min_length=1, max_length=100, description="The account the posts are for")
    ],
    platform: Platform,
    total_posts: Annotated[int, Field(ge=1, le=50)],
    scheduled_dates: Annotated[
        list[AwareDatetime],
        Field(
            min_length=1,
            max_length=50,
            description="One publish time per post (ISO 8601 with offset), as many as total_posts",
        ),
    ],
    persona_id: Annotated[str | None, Field(max_length=64)] = None,
    topic_hint: Annotated[
        str | None, Field(max_length=500, description="What the series is about")
    ] = None,
    generate_images: bool = False,
    credits_per_post: Annotated[
        int, Field(ge=1, le=100, description="1 for text only; 6 with generate_images")
    ] = 1,
) -> BulkJobOut:
    """Generate up to 50 distinct posts in the background, one per scheduled date. Reserves
    total_posts x credits_per_post credits now (fails with INSUFFICIENT_CREDITS when short),
    charges per post written and refunds the rest. Poll get_bulk_job for progress."""
    job = await bulk.submit(
        ctx.session,
        ctx.actor,
        BulkRequest(
            account_id=account_id,
            platform=platform,
            scheduled_dates=list(scheduled_dates),
            total_posts=total_posts,
            persona_id=persona_id,
            topic_hint=topic_hint,
            generate_images=generate_images,
            credits_per_post=credits_per_post,
        ),
        settings=ctx.settings,
    )
    return job_out(await bulk.view(ctx.session, ctx.actor, job.id))


@tool(title="Get a bulk job")
async def get_bulk_job(ctx: RequestCtx, job_id: JobId) -> BulkJobOut:
    """A bulk job's status, progress, credits and the posts written so far."""
    return job_out(await bulk.view(ctx.session, ctx.actor, job_id))


@tool(title="Cancel a bulk job", limit=WRITE, writes=True, destructive=True)
async def cancel_bulk_job(ctx: RequestCtx, job_id: JobId) -> BulkJobOut:
    """Stop a queued, running or paused job; every credit still reserved is refunded. Posts
    already written stay. A finished job answers CONFLICT."""
    await bulk.cancel(ctx.session, ctx.actor, job_id)
    return job_out(await bulk.view(ctx.session, ctx.actor, job_id))
