"""Personas: the brand voices posts are written in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.context import RequestCtx
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView
from postwright.mcp.runtime import tool


class PersonaOut(BaseModel):
    id: str = Field(description="Pass as persona_id to generation tools")
    name: str
    is_system: bool = Field(description="A built-in persona every workspace can use")
    description: str
    voice: str
    bio: str
    target_audience: str
    profession: str
    keywords: list[str]
    avoid_words: list[str]
    hashtags: list[str]
    cta: str
    example_posts: list[str]
    created_at: str | None


class PersonaList(BaseModel):
    personas: list[PersonaOut]


def persona_out(view: PersonaView) -> PersonaOut:
    p, stored = view.profile, view.stored
    return PersonaOut(
        id=view.id,
        name=p.name,
        is_system=view.is_system,
        description=p.description,
        voice=p.voice,
        bio=p.bio,
        target_audience=p.target_audience,
        profession=p.profession,
        keywords=p.keywords,
        avoid_words=p.avoid_list,
        hashtags=p.hashtag_list,
        cta=p.fix_cta,
        example_posts=list(p.example_posts),
        created_at=isoformat_z(stored.created_at) if stored else None,
    )


@tool(title="List personas")
async def list_personas(ctx: RequestCtx) -> PersonaList:
    """List the personas (brand voices) this workspace can write in: its own and the built-in
    ones. Use a persona's `id` as `persona_id` in generate_post, enhance or start_bulk_job."""
    views = await personas.list_views(ctx)
    return PersonaList(personas=[persona_out(v) for v in views])
