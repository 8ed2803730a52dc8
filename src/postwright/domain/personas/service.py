"""Personas: create, read, update, soft delete, and the profile the engine works from.

Creating one uses a unit of the ``personas`` quota; deleting gives it back (zorbit). System
personas are readable by everyone and changed by no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import Forbidden, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.billing.service import (
    QuotaType,
    consume_quota,
    release_quota,
    require_quota,
)
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.prompts import AssembledPrompt, assemble
from postwright.domain.generation.tasks import PersonaTask
from postwright.domain.personas.models import Persona
from postwright.domain.personas.system import (
    SYSTEM_PERSONAS,
    SYSTEM_PERSONAS_UPDATED_AT,
    is_system_id,
)

if TYPE_CHECKING:
    from postwright.domain.context import Ctx, RequestCtx

EDITABLE_FIELDS = (
    "name",
    "description",
    "default_prompt",
    "target_audience",
    "profession",
    "relevant_keywords",
    "opinions",
    "vocabulary",
    "avoid_words",
    "end_goal",
    "custom_hashtag",
    "fix_cta",
    "voice",
    "bio",
    "example_posts",
)


@dataclass(frozen=True)
class PersonaView:
    """A stored or a system persona, as every dialect reads it."""

    id: str
    profile: PersonaProfile
    is_system: bool
    stored: Persona | None

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def created_at(self) -> datetime:
        return self.stored.created_at if self.stored else SYSTEM_PERSONAS_UPDATED_AT

    @property
    def updated_at(self) -> datetime:
        return self.stored.updated_at if self.stored else SYSTEM_PERSONAS_UPDATED_AT


def profile_of(persona: Persona) -> PersonaProfile:
    return PersonaProfile(
        **{f: getattr(persona, f) for f in EDITABLE_FIELDS if f != "example_posts"},
        example_posts=tuple(str(p) for p in persona.example_posts or ()),
    )


def view_of(persona: Persona) -> PersonaView:
    return PersonaView(id=persona.id, profile=profile_of(persona), is_system=False, stored=persona)


def system_views() -> list[PersonaView]:
    return [
        PersonaView(id=pid, profile=profile, is_system=True, stored=None)
        for pid, profile in SYSTEM_PERSONAS.items()
    ]


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not persona fields: {sorted(unknown)}")
    cleaned = {k: v for k, v in fields.items() if v is not None}
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
        if not cleaned["name"]:
            raise ValidationFailed(details=[{"field": "name", "message": "must not be blank"}])
    if "example_posts" in cleaned:
        cleaned["example_posts"] = [str(p) for p in cleaned["example_posts"]][:20]
    return cleaned


async def create_persona(ctx: Ctx, **fields: Any) -> Persona:
    cleaned = _clean(fields)
    if not cleaned.get("name"):
        raise ValidationFailed(details=[{"field": "name", "message": "Field required"}])
    await consume_quota(ctx.session, ctx.actor, QuotaType.PERSONAS, units=1)
    now = ctx.now()
    persona = Persona(
        id=new_id("persona"),
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        created_at=now,
        updated_at=now,
        **{f: "" for f in EDITABLE_FIELDS if f not in ("example_posts",)},
        example_posts=[],
    )
    for name, value in cleaned.items():
        setattr(persona, name, value)
    ctx.session.add(persona)
    await ctx.session.flush()
    return persona


async def list_personas(ctx: Ctx) -> list[Persona]:
    rows = await ctx.session.scalars(
        scoped(Persona, ctx.workspace_id).order_by(Persona.created_at.desc(), Persona.id.desc())
    )
    return list(rows)


async def list_views(ctx: Ctx, *, with_system: bool = True) -> list[PersonaView]:
    views = [view_of(p) for p in await list_personas(ctx)]
    return [*views, *system_views()] if with_system else views


async def get_view(ctx: Ctx, persona_id: str) -> PersonaView:
    """A persona this workspace may use: its own or a system one."""
    return await workspace_view(ctx.session, ctx.workspace_id, persona_id)


async def workspace_view(session: AsyncSession, workspace_id: str, persona_id: str) -> PersonaView:
    """``get_view`` for work without a user at the keyboard (jobs)."""
    if is_system_id(persona_id):
        profile = SYSTEM_PERSONAS.get(persona_id)
        if profile is None:
            raise NotFound("Persona not found")
        return PersonaView(id=persona_id, profile=profile, is_system=True, stored=None)
    return view_of(await get_scoped(session, Persona, workspace_id, persona_id))


async def _editable(ctx: RequestCtx, persona_id: str) -> Persona:
    if is_system_id(persona_id):
        if persona_id in SYSTEM_PERSONAS:
            raise Forbidden("System personas cannot be changed")
        raise NotFound("Persona not found")
    persona = await get_scoped(ctx.session, Persona, ctx.workspace_id, persona_id, for_update=True)
    if persona.user_id != ctx.user_id and not ctx.actor.role.can_manage:
        raise Forbidden("Only the persona's owner or a workspace admin can change it")
    return persona


async def update_persona(ctx: RequestCtx, persona_id: str, **fields: Any) -> Persona:
    cleaned = _clean(fields)
    if not cleaned:
        raise ValidationFailed("No valid fields to update")
    persona = await _editable(ctx, persona_id)
    for name, value in cleaned.items():
        setattr(persona, name, value)
    persona.updated_at = ctx.now()
    await ctx.session.flush()
    return persona


async def delete_persona(ctx: RequestCtx, persona_id: str) -> Persona:
    persona = await _editable(ctx, persona_id)
    persona.soft_delete(ctx.now())
    await release_quota(ctx.session, ctx.actor, QuotaType.PERSONAS, units=1)
    await ctx.session.flush()
    return persona


async def generate_persona(ctx: Ctx, *, description: str) -> Persona:
    """A persona written by the engine from a description, then stored like any other."""
    await require_quota(ctx.session, ctx.actor, QuotaType.PERSONAS)
    result = await engine_for(ctx.settings).run(PersonaTask(description=description))
    generated = result.output
    return await create_persona(
        ctx,
        **{f: getattr(generated, f) for f in EDITABLE_FIELDS if f != "example_posts"},
        example_posts=list(generated.example_posts),
    )


async def restore_persona(ctx: Ctx, persona_id: str) -> Persona:
    """Undo a delete within the retention window; takes the quota unit again."""
    persona = await get_scoped(
        ctx.session, Persona, ctx.workspace_id, persona_id, include_deleted=True, for_update=True
    )
    if persona.deleted_at is None:
        return persona
    await consume_quota(ctx.session, ctx.actor, QuotaType.PERSONAS, units=1)
    persona.restore(ctx.now())
    await ctx.session.flush()
    return persona


async def assemble_prompt(
    ctx: Ctx,
    persona_id: str,
    *,
    platform: str | None,
    generation_type: str,
    idea_input: str,
) -> AssembledPrompt:
    view = await get_view(ctx, persona_id)
    return assemble(view.profile, platform, generation_type, idea_input)


async def find_by_ids(ctx: Ctx, ids: list[str]) -> list[Persona]:
    if not ids:
        return []
    rows = await ctx.session.scalars(scoped(Persona, ctx.workspace_id).where(Persona.id.in_(ids)))
    return list(rows)


__all__ = [
    "Persona",
    "PersonaView",
    "assemble_prompt",
    "create_persona",
    "delete_persona",
    "find_by_ids",
    "generate_persona",
    "get_view",
    "list_personas",
    "list_views",
    "profile_of",
    "restore_persona",
    "update_persona",
    "view_of",
    "workspace_view",
]
