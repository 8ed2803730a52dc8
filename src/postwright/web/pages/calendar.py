"""Calendar (week and month), the filtered list, and one post: edit, reschedule,
approve/discard, delete and restore."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from postwright.core import errors
from postwright.domain.content import calendar
from postwright.domain.content.calendar import PostFilter
from postwright.domain.content.models import Post, PublishState, ReviewStatus
from postwright.domain.publishing import accounts as connected
from postwright.web import common
from postwright.web.deps import Problem, WebCtx, WebDep, local_datetime, raw_text, text
from postwright.web.render import attempt, page, see_other, status_for

router = APIRouter()
DONE = {
    "saved": "Saved as draft.",
    "scheduled": "Scheduled.",
    "publishing": "Publishing now: the status changes when the network answers.",
    "deleted": "Post deleted. You can restore it from “Deleted” for 30 days.",
    "restored": "Post restored as a draft.",
}
PAGE_SIZE = 20


def _zone(wctx: WebCtx) -> ZoneInfo:
    return ZoneInfo(wctx.ctx.actor.workspace.timezone or "UTC")


def _filter(request: Request) -> PostFilter:
    q = request.query_params
    status = q.get("status") or None
    try:
        state = PublishState(status) if status else None
    except ValueError:
        state = None
    return PostFilter(
        status=state,
        platform=(q.get("platform") or None),
        account_id=(q.get("account") or None),
        persona_id=(q.get("persona") or None),
        search=(q.get("q") or "")[:200] or None,
        deleted=q.get("deleted") == "1",
    )


async def _filter_choices(wctx: WebCtx) -> dict[str, Any]:
    return {
        "statuses": [s.value for s in PublishState],
        "platforms": common.platform_names(),
        "accounts": await connected.list_accounts(wctx.ctx),
        "personas": await common.persona_choices(wctx.ctx),
    }


def _post_date(post: Post) -> datetime:
    return post.published_at or post.scheduled_on or post.created_at


@router.get("/calendar")
async def calendar_page(request: Request, wctx: WebDep) -> Response:
    zone = _zone(wctx)
    view = "week" if request.query_params.get("view") == "week" else "month"
    today = wctx.ctx.now().astimezone(zone).date()
    try:
        anchor = date.fromisoformat(request.query_params.get("date") or today.isoformat())
    except ValueError:
        anchor = today
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        heading = f"Week of {first.strftime('%d %b %Y')}"
    else:
        month_first = anchor.replace(day=1)
        first = month_first - timedelta(days=month_first.weekday())
        days = [first + timedelta(days=i) for i in range(42)]
        previous = (month_first - timedelta(days=1)).replace(day=1)
        following = (month_first + timedelta(days=32)).replace(day=1)
        heading = month_first.strftime("%B %Y")
    query = _filter(request)
    start = datetime.combine(days[0], datetime.min.time(), tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    found = await calendar.posts_between(wctx.ctx, start=start, end=end, query=query)
    by_day: dict[date, list[Post]] = {d: [] for d in days}
    for post in found:
        by_day.setdefault(_post_date(post).astimezone(zone).date(), []).append(post)
    done = DONE.get(request.query_params.get("done", ""))
    return page(
        wctx,
        "calendar.html",
        active="calendar",
        title="Calendar",
        notice=done,
        view=view,
        days=days,
        by_day=by_day,
        today=today,
        anchor=anchor,
        month=anchor.month,
        heading=heading,
        previous=previous,
        following=following,
        query=query,
        count=len(found),
        filters=request.url.query,
        zone=zone,
        **await _filter_choices(wctx),
    )


@router.post("/calendar/move")
async def move(request: Request, wctx: WebDep) -> Response:
    """Drag-and-drop on the calendar: the post keeps its time of day on the new date."""
    form = await request.form()
    post_id = text(form, "post_id", max_length=64, required=True)

    async def run() -> None:
        zone = wctx.ctx.actor.workspace.timezone or "UTC"
        await calendar.reschedule(wctx.ctx, post_id, at=local_datetime(form, "when", zone))

    _, problem = await attempt(wctx, run)
    if problem is not None:
        return await _post_page(wctx, post_id, problem=problem)
    back = text(form, "back", max_length=2000)
    return see_other(back if back.startswith("/app/calendar") else "/app/calendar")


@router.get("/posts")
async def list_page(request: Request, wctx: WebDep) -> Response:
    query = _filter(request)
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    result = await calendar.search_posts(wctx.ctx, query, page=number, limit=PAGE_SIZE)
    params = {k: v for k, v in request.query_params.items() if k != "page"}
    base = "&".join(f"{k}={v}" for k, v in params.items())
    return page(
        wctx,
        "posts.html",
        active="calendar",
        title="Posts",
        notice=DONE.get(request.query_params.get("done", "")),
        result=result,
        query=query,
        base=base,
        retention=calendar.retention_ends,
        **await _filter_choices(wctx),
    )


async def _post_page(
    wctx: WebCtx, post_id: str, *, problem: Problem | None = None, notice: str | None = None
) -> Response:
    post = await calendar.get_post(wctx.ctx, post_id, include_deleted=True)
    zone = _zone(wctx)
    when = post.scheduled_on.astimezone(zone) if post.scheduled_on else None
    return page(
        wctx,
        "post.html",
        active="calendar",
        title="Post",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        post=post,
        when=when,
        platforms=common.platform_names(),
        zones=common.zones(wctx.ctx.actor.workspace.timezone),
        retention=calendar.retention_ends(post),
    )


@router.get("/posts/{post_id}")
async def post_page(post_id: str, request: Request, wctx: WebDep) -> Response:
    return await _post_page(wctx, post_id, notice=DONE.get(request.query_params.get("done", "")))


@router.post("/posts/{post_id}")
async def post_action(post_id: str, request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    op = text(form, "op", max_length=40)
    ctx = wctx.ctx

    async def run() -> str:
        if op == "save":
            await calendar.edit_text(ctx, post_id, content=raw_text(form, "content").strip())
            return "Text saved."
        if op == "reschedule":
            zone = text(form, "when_timezone", max_length=64) or "UTC"
            await calendar.reschedule(ctx, post_id, at=local_datetime(form, "when", zone))
            return "Rescheduled."
        if op == "approve":
            await calendar.review(ctx, post_id, status=ReviewStatus.APPROVED)
            return "Approved."
        if op == "discard":
            await calendar.review(ctx, post_id, status=ReviewStatus.DISCARDED)
            return "Discarded: it will not be published."
        if op == "delete":
            await calendar.delete_post(ctx, post_id)
            return "deleted"
        if op == "restore":
            await calendar.restore_post(ctx, post_id)
            return "restored"
        raise errors.ValidationFailed("Unknown action")

    result, problem = await attempt(wctx, run)
    if problem is not None:
        return await _post_page(wctx, post_id, problem=problem)
    if result == "deleted":
        return see_other("/app/posts?done=deleted")
    if result == "restored":
        return see_other(f"/app/posts/{post_id}?done=restored")
    return await _post_page(wctx, post_id, notice=result)
