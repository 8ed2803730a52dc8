"""Resources an assistant can read: the workspace's personas and every platform's rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from pydantic import BaseModel, Field

from postwright.core import errors
from postwright.domain.context import RequestCtx
from postwright.domain.generation.platforms import PlatformProfile, get_platform, known_platforms
from postwright.domain.personas import service as personas
from postwright.mcp.runtime import Runtime
from postwright.mcp.tools.personas import PersonaList, PersonaOut, persona_out

JSON = "application/json"
ModelT = TypeVar("ModelT", bound=BaseModel)


class HashtagRule(BaseModel):
    min: int = Field(description="Fewest hashtags a post should carry")
    max: int = Field(description="Most hashtags allowed; extra ones are turned into words")


class PlatformRules(BaseModel):
    key: str = Field(description="The name tools take as `platform`")
    display_name: str
    limit: int = Field(description="Hard length limit of a post")
    counting: str = Field(description="How length is measured: codepoints, graphemes, x_weighted")
    url_length: int | None = Field(description="What each link counts as, when shortened")
    title_limit: int | None
    hashtags: HashtagRule
    emoji: str
    line_breaks: str
    tone: str
    style_guide: str = Field(description="The rules as the generator is told them")
    source: str = Field(description="Where the numbers come from")


class PlatformRuleList(BaseModel):
    platforms: list[PlatformRules]


def platform_rules(profile: PlatformProfile) -> PlatformRules:
    return PlatformRules(
        key=profile.key,
        display_name=profile.display_name,
        limit=profile.limit,
        counting=profile.counting,
        url_length=profile.url_length,
        title_limit=profile.title_limit,
        hashtags=HashtagRule(min=profile.min_hashtags, max=profile.max_hashtags),
        emoji=profile.emoji,
        line_breaks=profile.line_breaks,
        tone=profile.tone,
        style_guide=profile.style_guide(),
        source=profile.source,
    )


async def _read(
    runtime: Runtime, context: Context, work: Callable[[RequestCtx], Awaitable[ModelT]]
) -> str:
    try:
        return (await runtime.read(context, work)).model_dump_json(indent=2)
    except errors.NotFound as exc:
        raise ResourceNotFoundError(f"{exc.code}: {exc.message}") from exc
    except errors.AppError as exc:
        raise ResourceError(f"{exc.code}: {exc.message}") from exc


def register(server: MCPServer, runtime: Runtime) -> None:
    @server.resource(
        "postwright://platforms",
        name="platform-rules",
        title="Platform rules",
        mime_type=JSON,
    )
    def all_platforms() -> str:
        """Every platform's length limit, how it counts characters, hashtag rules and style."""
        rules = [platform_rules(get_platform(key)) for key in known_platforms()]
        return PlatformRuleList(platforms=rules).model_dump_json(indent=2)

    @server.resource(
        "postwright://platforms/{platform}",
        name="platform-rules-one",
        title="One platform's rules",
        mime_type=JSON,
    )
    def one_platform(platform: str) -> str:
        """One platform's limits and hashtag rules (aliases such as 'twitter' work too)."""
        try:
            return platform_rules(get_platform(platform)).model_dump_json(indent=2)
        except errors.ValidationFailed as exc:
            raise ResourceNotFoundError(f"NOT_FOUND: {exc.message}") from exc

    @server.resource(
        "postwright://personas{?include_system}",
        name="personas",
        title="Personas",
        mime_type=JSON,
    )
    async def all_personas(context: Context, include_system: str = "true") -> str:
        """The workspace's personas (brand voices), and the built-in ones unless
        ?include_system=false."""
        with_system = include_system.strip().lower() not in ("false", "0", "no")

        async def work(ctx: RequestCtx) -> PersonaList:
            views = await personas.list_views(ctx, with_system=with_system)
            return PersonaList(personas=[persona_out(v) for v in views])

        return await _read(runtime, context, work)

    @server.resource(
        "postwright://personas/{persona_id}",
        name="persona",
        title="One persona",
        mime_type=JSON,
    )
    async def one_persona(context: Context, persona_id: str) -> str:
        """One persona: voice, audience, keywords, words to avoid, hashtags, examples."""

        async def work(ctx: RequestCtx) -> PersonaOut:
            return persona_out(await personas.get_view(ctx, persona_id))

        return await _read(runtime, context, work)
