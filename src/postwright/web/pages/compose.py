"""Compose: one idea, a post per network, previewed like that network and counted by its
rules; generate, enhance, hashtags, best time, an image; save, schedule or publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from postwright.core import errors
from postwright.domain.content import compose
from postwright.domain.content.compose import Draft
from postwright.domain.generation.platforms import get_platform, hashtags_in
from postwright.web import common, limits
from postwright.web.deps import (
    Problem,
    WebCtx,
    WebDep,
    describe,
    local_datetime,
    many,
    optional,
    raw_text,
    text,
    upload,
)
from postwright.web.render import attempt, media_src, page, see_other, status_for

router = APIRouter()
DEFAULT_PLATFORMS = ("linkedin", "x")
MAX_IMAGE_READ = 11 * 1024 * 1024
# Actions that call the model (also ``enhance:…`` and ``hashtags:…``): the ``ai`` budget.
MODEL_OPS = frozenset({"generate", "generate_image"})


@dataclass
class ComposeState:
    persona_id: str = ""
    platforms: list[str] = field(default_factory=lambda: list(DEFAULT_PLATFORMS))
    topic: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    image_key: str = ""
    image_prompt: str = ""
    when_date: str = ""
    when_time: str = ""
    when_timezone: str = ""
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    best_time_reason: str = ""

    def drafts(self) -> list[Draft]:
        return [Draft(platform=p, content=self.texts.get(p, "")) for p in self.platforms]


def _state(form: FormData) -> ComposeState:
    platforms = []
    for name in many(form, "platforms"):
        try:
            platforms.append(get_platform(name).key)
        except errors.ValidationFailed:
            continue
    state = ComposeState(
        persona_id=text(form, "persona_id", max_length=64),
        platforms=list(dict.fromkeys(platforms)),
        topic=text(form, "topic", max_length=500),
        image_key=text(form, "image_key", max_length=500),
        image_prompt=text(form, "image_prompt", max_length=1000),
        when_date=text(form, "when_date", max_length=10),
        when_time=text(form, "when_time", max_length=8),
        when_timezone=text(form, "when_timezone", max_length=64),
    )
    for platform in state.platforms:
        state.texts[platform] = raw_text(form, f"text_{platform}", max_length=20_000).strip()
    return state


async def _render(
    wctx: WebCtx,
    state: ComposeState,
    *,
    problem: Problem | None = None,
    notice: str | None = None,
) -> Response:
    ctx = wctx.ctx
    routes = await compose.routes(ctx, state.platforms)
    account_zone = next(
        (r.account.timezone for r in routes.values() if r.account is not None), None
    )
    default_zone = state.when_timezone or account_zone or ctx.actor.workspace.timezone or "UTC"
    cards: list[dict[str, Any]] = []
    for platform in state.platforms:
        profile = get_platform(platform)
        body = state.texts.get(platform, "")
        cards.append(
            {
                "key": platform,
                "name": profile.display_name,
                "limit": profile.limit,
                "count": profile.measure(body),
                "text": body,
                "hashtags": hashtags_in(body),
                "route": routes[platform].label,
                "suggestions": state.suggestions.get(platform, []),
            }
        )
    author = ctx.actor.user
    display = " ".join(p for p in (author.first_name, author.last_name) if p) or (
        author.email or ctx.actor.workspace.name
    )
    return page(
        wctx,
        "compose.html",
        active="compose",
        title="Compose",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        state=state,
        cards=cards,
        personas=await common.persona_choices(ctx),
        platforms=common.platform_names(),
        zones=common.zones(default_zone, ctx.actor.workspace.timezone),
        default_zone=default_zone,
        image_url=media_src(await compose.image_url(ctx, state.image_key), ctx.settings),
        author=display,
        initial=(display[:1] or "P").upper(),
    )


@router.get("/compose")
async def compose_page(wctx: WebDep) -> Response:
    return await _render(wctx, ComposeState())


def _suffix(op: str, prefix: str) -> str:
    return op.removeprefix(prefix)


@router.post("/compose")
async def compose_action(request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    op = text(form, "op", max_length=60)
    try:
        state = _state(form)
    except errors.AppError as exc:
        return await _render(wctx, ComposeState(), problem=describe(exc))
    ctx = wctx.ctx
    notice: str | None = None

    async def run() -> str | None:
        nonlocal state
        if op in MODEL_OPS or op.startswith(("enhance:", "hashtags:")):
            await limits.ai(request, wctx.services, ctx.actor.user_id)
        if op == "generate":
            drafts = await compose.generate_drafts(
                ctx,
                topic=state.topic,
                platforms=state.platforms,
                persona_id=state.persona_id or None,
            )
            state.texts = {d.platform: d.content for d in drafts}
            return f"Wrote {len(drafts)} post{'s' if len(drafts) != 1 else ''}. Edit them below."
        if op.startswith("enhance:"):
            platform = _suffix(op, "enhance:")
            better = await compose.enhance(
                ctx,
                Draft(platform=platform, content=state.texts.get(platform, "")),
                persona_id=state.persona_id or None,
            )
            state.texts[platform] = better.content
            return f"Enhanced the {get_platform(platform).display_name} post."
        if op.startswith("hashtags:"):
            platform = _suffix(op, "hashtags:")
            found = await compose.hashtags(
                ctx, Draft(platform=platform, content=state.texts.get(platform, ""))
            )
            current = state.texts.get(platform, "")
            present = {t.lower() for t in hashtags_in(current)}
            new = [t for t in found.hashtags if t.lower() not in present]
            limit = get_platform(platform).max_hashtags - len(present)
            added = new[: max(limit, 0)]
            if added:
                state.texts[platform] = current.rstrip() + "\n\n" + " ".join(added)
            state.suggestions[platform] = new
            if not added:
                return "No more hashtags fit this platform's rules."
            return f"Added {', '.join(added)}."
        if op == "best_time":
            plan = await compose.best_time(ctx, state.platforms)
            rec = plan.recommendation
            state.when_date, state.when_time = rec.date, rec.time
            state.when_timezone = ctx.actor.workspace.timezone or "UTC"
            state.best_time_reason = rec.reason
            return f"Best time: {rec.day_name} {rec.date} at {rec.time} ({rec.engagement})."
        if op == "upload_image":
            file = upload(form, "image_file")
            if file is None:
                raise errors.ValidationFailed(
                    details=[{"field": "image_file", "message": "Choose an image file first"}]
                )
            data = await file.read(MAX_IMAGE_READ)
            signed = await compose.store_image(ctx, data=data, declared=None)
            state.image_key = signed.key
            return "Image attached."
        if op == "generate_image":
            source = next((t for t in state.texts.values() if t.strip()), "") or state.topic
            signed = await compose.generate_image(
                ctx, content=source, prompt=state.image_prompt or None
            )
            state.image_key = signed.key
            return "Image generated and attached."
        if op == "remove_image":
            state.image_key = ""
            return "Image removed."
        if op in ("save", "schedule", "publish"):
            at = None
            if op == "schedule":
                zone = state.when_timezone or ctx.actor.workspace.timezone or "UTC"
                at = local_datetime(form, "when", zone)
            posts = await compose.save(
                ctx,
                state.drafts(),
                persona_id=state.persona_id or None,
                image_key=optional(form, "image_key", max_length=500),
                schedule_at=at,
                publish_now=op == "publish",
            )
            return ",".join(p.id for p in posts)
        return "Updated the preview."

    result, problem = await attempt(wctx, run)
    if problem is not None:
        return await _render(wctx, state, problem=problem)
    if op in ("save", "schedule", "publish"):
        done = {"save": "saved", "schedule": "scheduled", "publish": "publishing"}[op]
        return see_other(f"/app/calendar?done={done}")
    notice = result
    return await _render(wctx, state, notice=notice)
