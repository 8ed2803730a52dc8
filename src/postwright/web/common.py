"""Small shared pieces of the pages: timezone choices, persona choices, platform names."""

from __future__ import annotations

from zoneinfo import available_timezones

from postwright.domain.context import RequestCtx
from postwright.domain.generation.platforms import get_platform, known_platforms
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView

COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Africa/Lagos",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def zones(*extra: str | None) -> list[str]:
    """The common zones plus any given ones (a workspace's or account's own)."""
    known = available_timezones()
    found = [z for z in extra if z and z in known]
    return list(dict.fromkeys([*found, *COMMON_ZONES]))


def platform_names() -> dict[str, str]:
    return {key: get_platform(key).display_name for key in known_platforms()}


async def persona_choices(ctx: RequestCtx) -> list[PersonaView]:
    return await personas.list_views(ctx)
