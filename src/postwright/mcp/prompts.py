"""Prompts: ready-made instructions an assistant can start from."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.prompts.base import Message, UserMessage
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import Field

from postwright.core import errors
from postwright.domain.context import RequestCtx
from postwright.domain.generation.platforms import get_platform
from postwright.domain.personas import service as personas
from postwright.mcp.runtime import Runtime
from postwright.mcp.tools.personas import PersonaOut, persona_out

WEEK_PLAN = """\
Plan a week of {platform} posts for the persona "{name}" (id {persona_id}), starting \
{start}.

Persona: {description}
Voice: {voice}
Audience: {audience}
Keywords: {keywords}
Never use: {avoid}

{platform} rules: {style_guide}

Steps:
1. Call `credits` and make sure at least 7 credits are available (plus 1 for best_time).
2. Call `list_posts` with scheduled_from={start}T00:00:00Z and \
scheduled_before={end}T00:00:00Z to see what is already scheduled that week; do not \
double-book a day.
3. Call `best_time` with platforms=["{platform_key}"] (or `suggest_time` for a connected \
account from `list_accounts`) to choose a posting time for each day.
4. Choose 7 distinct topics that serve the persona's goals{topics_hint}, one per day, \
varied in angle (story, how-to, opinion, data, question…).
5. For each day: `generate_post` with persona_id="{persona_id}", platform="{platform_key}" \
and the day's topic; then `create_post` with the returned content; then `schedule_post` \
at that day's time. Give every write call an idempotency_key (e.g. "week-{start}-day-N-step") \
so a retry never charges or schedules twice.
6. Finish with a table: day, time, topic, post id.
"""


def refused(error: errors.AppError) -> MCPError:
    """A prompt the caller cannot have (an unknown or another workspace's persona, a bad
    date), as a protocol error carrying the API's code; the SDK would hide any other
    exception behind "Internal server error"."""
    body = {"code": error.code, "message": error.message}
    return MCPError(INVALID_PARAMS, f"{error.code}: {error.message}", {"error": body})


def register(server: MCPServer, runtime: Runtime) -> None:
    @server.prompt(name="plan_week", title="Plan a week of posts for a persona")
    async def plan_week(
        context: Context,
        persona_id: Annotated[str, Field(description="The persona to write as")],
        platform: Annotated[str, Field(description="linkedin, x, bluesky…")] = "linkedin",
        start_date: Annotated[
            str | None, Field(description="First day, YYYY-MM-DD (default: tomorrow)")
        ] = None,
        topics: Annotated[str | None, Field(description="Themes to cover, comma-separated")] = None,
    ) -> list[Message]:
        """Plan, write and schedule seven posts in a persona's voice, one per day."""

        async def work(ctx: RequestCtx) -> PersonaOut:
            return persona_out(await personas.get_view(ctx, persona_id))

        try:
            persona = await runtime.read(context, work)
            profile = get_platform(platform)
            start = date.fromisoformat(start_date) if start_date else None
        except errors.AppError as exc:
            raise refused(exc) from exc
        except ValueError as exc:
            raise refused(errors.ValidationFailed(f"start_date: {exc}")) from exc
        first = start or (runtime.services.clock.now().date() + timedelta(days=1))
        text = WEEK_PLAN.format(
            platform=profile.display_name,
            platform_key=profile.key,
            name=persona.name,
            persona_id=persona.id,
            start=first.isoformat(),
            end=(first + timedelta(days=7)).isoformat(),
            description=persona.description or "-",
            voice=persona.voice or "-",
            audience=persona.target_audience or "-",
            keywords=", ".join(persona.keywords) or "-",
            avoid=", ".join(persona.avoid_words) or "-",
            style_guide=profile.style_guide(),
            topics_hint=f" and cover: {topics}" if topics else "",
        )
        return [UserMessage(text)]
