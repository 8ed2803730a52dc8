"""Personas: the built-in ones and the workspace's own; create, edit, delete, generate from
a description, and preview a post in a persona's voice."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from postwright.core import errors
from postwright.domain.content import compose
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView
from postwright.web import common, limits
from postwright.web.deps import Problem, WebCtx, WebDep, raw_text, text
from postwright.web.render import attempt, page, see_other, status_for

router = APIRouter()
FIELDS = (
    ("name", "Name", 200),
    ("description", "Description", 5000),
    ("voice", "Voice", 500),
    ("target_audience", "Audience", 5000),
    ("profession", "Profession", 500),
    ("relevant_keywords", "Keywords (comma-separated)", 5000),
    ("opinions", "Opinions", 5000),
    ("vocabulary", "Words to use", 5000),
    ("avoid_words", "Words to avoid (comma-separated)", 5000),
    ("end_goal", "Goal", 5000),
    ("custom_hashtag", "Hashtags to include", 500),
    ("fix_cta", "Call to action", 500),
)
DONE = {"deleted": "Persona deleted.", "created": "Persona created."}


def _fields(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(form, name, max_length=limit) for name, _, limit in FIELDS}
    examples = raw_text(form, "example_posts", max_length=40_000)
    values["example_posts"] = [p.strip() for p in examples.split("\n---\n") if p.strip()]
    return values


@router.get("/personas")
async def personas_page(request: Request, wctx: WebDep) -> Response:
    return await _list(wctx, notice=DONE.get(request.query_params.get("done", "")))


async def _list(
    wctx: WebCtx,
    *,
    problem: Problem | None = None,
    notice: str | None = None,
    description: str = "",
) -> Response:
    views = await personas.list_views(wctx.ctx)
    return page(
        wctx,
        "personas.html",
        active="personas",
        title="Personas",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        own=[v for v in views if not v.is_system],
        system=[v for v in views if v.is_system],
        description=description,
    )


async def _editor(
    wctx: WebCtx,
    view: PersonaView | None,
    *,
    values: dict[str, Any] | None = None,
    problem: Problem | None = None,
    notice: str | None = None,
    preview: str | None = None,
    preview_platform: str = "linkedin",
    topic: str = "",
) -> Response:
    if values is None:
        values = view.profile.model_dump() if view else {}
    return page(
        wctx,
        "persona.html",
        active="personas",
        title=view.name if view else "New persona",
        status_code=status_for(problem) if problem else 200,
        problem=problem,
        notice=notice,
        view=view,
        fields=FIELDS,
        values=values,
        examples="\n---\n".join(values.get("example_posts") or ()),
        preview=preview,
        preview_platform=preview_platform,
        topic=topic,
        platforms=common.platform_names(),
    )


@router.get("/personas/new")
async def new_persona(wctx: WebDep) -> Response:
    return await _editor(wctx, None)


@router.post("/personas/new")
async def create(request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    values: dict[str, Any] = {}

    async def run() -> str:
        nonlocal values
        values = _fields(form)
        created = await personas.create_persona(wctx.ctx, **values)
        return created.id

    persona_id, problem = await attempt(wctx, run)
    if problem is not None:
        return await _editor(wctx, None, values=values or None, problem=problem)
    return see_other(f"/app/personas/{persona_id}?done=created")


@router.post("/personas/generate")
async def generate(request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    description = ""

    async def run() -> str:
        nonlocal description
        description = text(form, "description", max_length=5000)
        await limits.ai(request, wctx.services, wctx.ctx.actor.user_id)
        if len(description) < 3:
            raise errors.ValidationFailed(
                details=[{"field": "description", "message": "Describe the persona in a few words"}]
            )
        created = await personas.generate_persona(wctx.ctx, description=description)
        return created.id

    persona_id, problem = await attempt(wctx, run)
    if problem is not None:
        return await _list(wctx, problem=problem, description=description)
    return see_other(f"/app/personas/{persona_id}?done=created")


@router.get("/personas/{persona_id}")
async def persona_page(persona_id: str, request: Request, wctx: WebDep) -> Response:
    view = await personas.get_view(wctx.ctx, persona_id)
    return await _editor(wctx, view, notice=DONE.get(request.query_params.get("done", "")))


@router.post("/personas/{persona_id}")
async def persona_action(persona_id: str, request: Request, wctx: WebDep) -> Response:
    form = await request.form()
    op = text(form, "op", max_length=20)
    ctx = wctx.ctx
    view = await personas.get_view(ctx, persona_id)
    values: dict[str, Any] | None = None
    preview: str | None = None
    platform = text(form, "preview_platform", max_length=40) or "linkedin"
    topic = text(form, "topic", max_length=500)

    async def run() -> str | None:
        nonlocal values, preview
        if op == "save":
            values = _fields(form)
            await personas.update_persona(ctx, persona_id, **values)
            return "Persona saved."
        if op == "delete":
            await personas.delete_persona(ctx, persona_id)
            return "deleted"
        if op == "preview":
            await limits.ai(request, wctx.services, ctx.actor.user_id)
            drafts = await compose.generate_drafts(
                ctx,
                topic=topic or "what we learned this week",
                platforms=[platform],
                persona_id=persona_id,
            )
            preview = drafts[0].content
            return None
        raise errors.ValidationFailed("Unknown action")

    result, problem = await attempt(wctx, run)
    if result == "deleted":
        return see_other("/app/personas?done=deleted")
    if problem is None and op == "save":
        view = await personas.get_view(ctx, persona_id)
        values = None
    return await _editor(
        wctx,
        view,
        values=values,
        problem=problem,
        notice=result,
        preview=preview,
        preview_platform=platform,
        topic=topic,
    )
