"""Small metered helpers around a post: an image prompt for it (voxburst: 1 credit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postwright.domain.billing.costs import Action
from postwright.domain.generation.image_prompts import ImagePrompt, ImagePromptTask
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.service import Generated, generate
from postwright.domain.personas import service as personas

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx


async def build_image_prompt(
    ctx: RequestCtx,
    *,
    content: str,
    style: str | None = None,
    platform: str | None = None,
    persona_id: str | None = None,
    persona: PersonaProfile | None = None,
) -> Generated[ImagePrompt]:
    """A ready prompt for an image model illustrating ``content`` in the persona's look.
    ``persona_id`` (a workspace persona; 404 when it is not one) wins over an inline one."""
    if persona_id:
        persona = (await personas.get_view(ctx, persona_id)).profile
    task = ImagePromptTask(
        persona=persona,
        content=content,
        style=style,
        platform=platform,
        cache_scope=ctx.workspace_id,
    )
    return await generate(
        ctx,
        task,
        action=Action.BUILD_IMAGE_PROMPT,
        kind="build-image-prompt",
    )
