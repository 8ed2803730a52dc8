"""Bulk campaign: the voxburst bulk form, a credit estimate, then live progress over
Server-Sent Events with the posts appearing as they are written; cancel, pause and resume."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sse_starlette.sse import EventSourceResponse

from postwright.core import errors
from postwright.domain.billing import service as billing
from postwright.domain.generation.spread import spread
from postwright.domain.jobs import bulk
from postwright.domain.jobs.bulk import BulkRequest, JobView
from postwright.domain.jobs.status import JobState
from postwright.domain.publishing import accounts as connected
from postwright.domain.publishing.adapters import DEFAULT_PROVIDER
from postwright.web import common
from postwright.web.deps import Problem, WebCtx, WebDep, checked, integer, text
from postwright.web.render import attempt, local_time, page, see_other, status_for

router = APIRouter()
# The dashboard's word for each state of a job (its badges, buttons and script use these).
SHOWN: dict[JobState, str] = {
    JobState.QUEUED: "QUEUED",
    JobState.RUNNING: "PROCESSING",
    JobState.PAUSED: "PAUSED",
    JobState.COMPLETED: "COMPLETED",
    JobState.FAILED: "FAILED",
    JobState.CANCELLED: "CANCELLED",
    JobState.EXPIRED: "EXPIRED",
}
POLL_SECONDS = 0.5
# A stream is closed after this long even if the job is still running; the browser
# reconnects by itself and a new stream picks up where it left off.
STREAM_SECONDS = 600


@dataclass
class BulkForm:
    persona_id: str = ""
    platform: str = "linkedin"
    account_id: str = DEFAULT_PROVIDER
    topic_hint: str = ""
    total_posts: int = 5
    start_date: str = ""
    spread_days: int = 5
    generate_images: bool = False
    dates: list[str] = field(default_factory=list)


def _read(form: Any) -> BulkForm:
    raw_dates = text(form, "dates", max_length=5000)
    return BulkForm(
        persona_id=text(form, "persona_id", max_length=64),
        platform=text(form, "platform", max_length=40) or "linkedin",
        account_id=text(form, "account_id", max_length=100) or DEFAULT_PROVIDER,
        topic_hint=text(form, "topic_hint", max_length=500),
        total_posts=integer(form, "total_posts", low=1, high=bulk.MAX_POSTS, default=5),
        start_date=text(form, "start_date", max_length=10),
        spread_days=integer(form, "spread_days", low=1, high=365, default=5),
        generate_images=checked(form, "generate_images"),
        dates=[line.strip() for line in raw_dates.splitlines() if line.strip()],
    )


def _credits_per_post(wctx: WebCtx, values: BulkForm) -> int:
    return bulk.cost_per_post(wctx.ctx.settings, values.generate_images)


def _plan(wctx: WebCtx, values: BulkForm) -> list[datetime]:
    """The dates typed in, else the spread helper's."""
    tz = wctx.ctx.actor.workspace.timezone or "UTC"
    if values.dates:
        parsed = []
        for line in values.dates:
            try:
                when = datetime.fromisoformat(line)
            except ValueError:
                raise errors.ValidationFailed(
                    details=[{"field": "dates", "message": f"“{line}” is not a date and time"}]
                ) from None
            parsed.append(when if when.tzinfo else when.replace(tzinfo=ZoneInfo(tz)))
        return parsed
    try:
        start = date.fromisoformat(values.start_date) if values.start_date else None
    except ValueError:
        raise errors.ValidationFailed(
            details=[{"field": "start_date", "message": "enter a date"}]
        ) from None
    today = wctx.ctx.now().astimezone(ZoneInfo(tz)).date()
    return spread(
        values.platform,
        count=values.total_posts,
        days=values.spread_days,
        start=start or today,
        timezone=tz,
        now=wctx.ctx.now(),
    )


async def _render(
    wctx: WebCtx,
    values: BulkForm,
    *,
    problem: Problem | None = None,
    estimate: billing.BudgetCheck | None = None,
    notice: str | None = None,
) -> Response:
    ctx = wctx.ctx
    return page(
        wctx,
        "bulk.html",
        active="bulk",
        title="Bulk campaign",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        values=values,
        estimate=estimate,
        credits_per_post=_credits_per_post(wctx, values),
        personas=await common.persona_choices(ctx),
        platforms=common.platform_names(),
        accounts=await connected.list_accounts(ctx),
        jobs=await bulk.recent(ctx.session, ctx.actor),
        shown=SHOWN,
        summary=await billing.credit_summary(ctx.session, ctx.actor),
    )


@router.get("/bulk")
async def bulk_page(wctx: WebDep) -> Response:
    return await _render(wctx, BulkForm())


@router.post("/bulk")
async def bulk_action(request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    op = text(form, "op", max_length=20)
    values = BulkForm()
    ctx = wctx.ctx

    async def run() -> Any:
        nonlocal values
        values = _read(form)
        per_post = _credits_per_post(wctx, values)
        if op == "spread":
            values.dates = []
            when = _plan(wctx, values)
            tz = ctx.actor.workspace.timezone or "UTC"
            values.dates = [w.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes") for w in when]
            return None
        if op == "estimate":
            return await billing.check_budget(ctx, estimated=values.total_posts * per_post)
        when = _plan(wctx, values)
        return await bulk.submit(
            ctx.session,
            ctx.actor,
            BulkRequest(
                account_id=values.account_id,
                platform=values.platform,
                scheduled_dates=when,
                total_posts=values.total_posts,
                persona_id=values.persona_id or None,
                topic_hint=values.topic_hint or None,
                generate_images=values.generate_images,
                credits_per_post=per_post,
            ),
            settings=ctx.settings,
        )

    result, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, values, problem=problem)
    if op == "estimate":
        return await _render(wctx, values, estimate=result)
    if op == "spread":
        return await _render(wctx, values, notice="Dates planned: edit them or submit.")
    assert result is not None
    return see_other(f"/app/bulk/{result.id}")


def _snapshot(view: JobView, tz: str) -> dict[str, Any]:
    state = view.state
    posts = []
    for item in view.items:
        post = view.posts.get(item.post_id) if item.post_id else None
        if post is not None:
            posts.append(
                {
                    "id": post.id,
                    "content": post.content,
                    "when": local_time(post.scheduled_on, tz),
                }
            )
    return {
        "status": SHOWN[state],
        "finished": state.finished,
        "percentage": view.percentage,
        "current": view.current,
        "total": view.job.total_posts,
        "completed": view.job.completed_posts,
        "failed": view.job.failed_posts,
        "credits": (
            f"Credits: {view.credits.reserved} reserved, {view.credits.consumed} used, "
            f"{view.credits.refunded} refunded."
        ),
        "posts": posts,
    }


@router.get("/bulk/{job_id}")
async def job_page(job_id: str, wctx: WebDep) -> Response:
    view = await bulk.view(wctx.db, wctx.ctx.actor, job_id)
    return _job_page(wctx, view)


def _job_page(wctx: WebCtx, view: JobView, *, problem: Problem | None = None) -> Response:
    tz = wctx.ctx.actor.workspace.timezone or "UTC"
    return page(
        wctx,
        "bulk_job.html",
        active="bulk",
        title="Bulk job",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        job=view.job,
        credits=view.credits,
        snap=_snapshot(view, tz),
    )


@router.get("/bulk/{job_id}/events")
async def job_events(job_id: str, request: Request, wctx: WebDep) -> Response:
    """``progress`` events (JSON) whenever the job changes, until it finishes."""
    actor = wctx.ctx.actor
    services = wctx.services
    tz = actor.workspace.timezone or "UTC"
    async with services.db.read_sessionmaker() as session:
        await bulk.view(session, actor, job_id)  # 404 before the stream starts

    async def events() -> AsyncIterator[dict[str, str]]:
        last = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STREAM_SECONDS
        while loop.time() < deadline:
            async with services.db.read_sessionmaker() as session:
                snap = _snapshot(await bulk.view(session, actor, job_id), tz)
            encoded = json.dumps(snap, separators=(",", ":"))
            if encoded != last:
                last = encoded
                yield {"event": "progress", "data": encoded}
            if snap["finished"] or await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(events(), ping=15)


@router.post("/bulk/{job_id}/{action}")
async def job_action(job_id: str, action: str, wctx: WebDep) -> Response:
    ctx = wctx.ctx

    async def run() -> None:
        if action == "cancel":
            await bulk.cancel(ctx.session, ctx.actor, job_id)
        elif action == "pause":
            await bulk.pause(ctx.session, ctx.actor, job_id)
        elif action == "resume":
            await bulk.resume(ctx.session, ctx.actor, job_id, settings=ctx.settings)
        else:
            raise errors.NotFound("Unknown action")

    _, problem = await attempt(wctx, run)
    if problem is not None:
        return _job_page(wctx, await bulk.view(ctx.session, ctx.actor, job_id), problem=problem)
    return see_other(f"/app/bulk/{job_id}")
