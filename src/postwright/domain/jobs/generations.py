"""powerpost async generations: submit, read one, list.

A generation costs per platform and research mode (``powerpost_generation_price``). The credits
are reserved when it is submitted, consumed when it completes and released when it fails, so
a failed generation shows ``credits_used: 0``. The work runs in ``generation_workflow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import after_commit
from postwright.core.errors import ValidationFailed
from postwright.core.ids import new_id
from postwright.core.pagination import CursorCodec, KeysetPage, paginate_keyset
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.accounts.context import Actor
from postwright.domain.billing.service import (
    ResearchMode,
    powerpost_generation_price,
    require_ai_access,
    reserve_credits,
)
from postwright.domain.generation.platforms import platform_key
from postwright.domain.jobs.generation_models import ContentGeneration, GenerationStatus
from postwright.domain.jobs.status import JobState
from postwright.domain.media.assets import asset_view
from postwright.domain.media.errors import MediaNotFound
from postwright.domain.media.models import AssetStatus

if TYPE_CHECKING:
    from postwright.domain.context import Ctx, RequestCtx

MAX_PLATFORMS = 10


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    platforms: list[str]
    research_mode: str = ResearchMode.REGULAR.value
    media_id: str | None = None
    media_url: str | None = None


def _validate(request: GenerationRequest) -> tuple[list[str], ResearchMode]:
    problems: list[dict[str, Any]] = []
    if not request.prompt.strip() and not (request.media_id or request.media_url):
        problems.append({"field": "prompt", "message": "a prompt or a media reference is required"})
    if request.media_id and request.media_url:
        problems.append(
            {"field": "media_id", "message": "send either media_id or media_url, not both"}
        )
    if not 1 <= len(request.platforms) <= MAX_PLATFORMS:
        problems.append(
            {"field": "platforms", "message": f"between 1 and {MAX_PLATFORMS} platforms"}
        )
    try:
        mode = ResearchMode(request.research_mode)
    except ValueError:
        mode = ResearchMode.REGULAR
        problems.append({"field": "research_mode", "message": "must be regular or deep"})
    if problems:
        raise ValidationFailed("Invalid generation request", details=problems)
    # Unknown platforms are a 400 naming the supported ones.
    keys = list(dict.fromkeys(platform_key(p) for p in request.platforms))
    return keys, mode


async def _uploaded_media(ctx: Ctx, media_id: str) -> dict[str, Any]:
    """The workspace's finished upload behind ``media_id`` (Upload Media), else a 400 naming
    the field: a generation never starts from a file that is missing or still arriving."""
    try:
        view = await asset_view(ctx, media_id)
    except MediaNotFound:
        view = None
    if view is None or view.asset.status != AssetStatus.READY:
        state = "not found in this workspace" if view is None else f"{view.asset.status}"
        raise ValidationFailed(
            "media_id does not name a ready upload",
            details=[{"field": "media_id", "message": f"{media_id}: {state}"}],
        )
    return {"media_id": media_id, "key": view.asset.key, "content_type": view.asset.content_type}


async def submit(ctx: RequestCtx, request: GenerationRequest) -> ContentGeneration:
    """Reserve the generation's price (402 when short) and queue it once this commits."""
    session, actor, settings = ctx.session, ctx.actor, ctx.settings
    platforms, mode = _validate(request)
    await require_ai_access(session, actor)
    generation_id = new_id("gen")
    amount = powerpost_generation_price(
        settings.billing.costs, platforms=len(platforms), research_mode=mode
    )
    reservation = await reserve_credits(
        session,
        actor,
        amount,
        reason="content generation",
        related_id=generation_id,
        reference=f"{generation_id}:reserve",
    )
    media = None
    if request.media_id:
        media = await _uploaded_media(ctx, request.media_id)
    elif request.media_url:
        media = {"media_url": request.media_url}
    now = actor.now()
    generation = ContentGeneration(
        id=generation_id,
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        prompt=request.prompt,
        media=media,
        platforms=platforms,
        research_mode=mode.value,
        status=GenerationStatus.PENDING,
        credits_used=amount,
        reservation_id=reservation.id,
        created_at=now,
        updated_at=now,
    )
    session.add(generation)
    await session.flush()

    async def start() -> None:
        from postwright.domain.jobs.generation_workflow import start_run

        await start_run(generation_id)

    after_commit(session, start)
    return generation


async def get(session: AsyncSession, actor: Actor, generation_id: str) -> ContentGeneration:
    return await get_scoped(session, ContentGeneration, actor.workspace_id, generation_id)


async def list_page(
    session: AsyncSession,
    actor: Actor,
    *,
    codec: CursorCodec,
    status: JobState | None,
    cursor: str | None,
    limit: int,
) -> KeysetPage[ContentGeneration]:
    """Newest first; a cursor is bound to the workspace and the status filter it came from."""
    from postwright.domain.jobs.generation_workflow import GENERATIONS

    statement = scoped(ContentGeneration, actor.workspace_id)
    stored = GENERATIONS.spell(status) if status is not None else None
    if stored is not None:
        statement = statement.where(ContentGeneration.status == stored)
    return await paginate_keyset(
        session,
        statement,
        codec=codec,
        created_at=ContentGeneration.created_at,
        id_column=ContentGeneration.id,
        cursor=cursor,
        limit=limit,
        scope=f"generations:{actor.workspace_id}:{stored or ''}",
    )
