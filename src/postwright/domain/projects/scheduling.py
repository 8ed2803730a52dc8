"""Handing an approved project post to a connected scheduling tool (linkedin, buffer, publer).

Connected accounts live in ``domain.publishing``; this is the one place a project post reaches
them, so the API never calls the publishing layer directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from postwright.core.errors import AppError, ValidationFailed
from postwright.domain.content.models import Post
from postwright.domain.context import Ctx
from postwright.domain.publishing import scheduling as publishing

SCHEDULING_PROVIDERS = ("linkedin", "buffer", "publer")


class ProviderNotConnected(AppError):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "PROVIDER_NOT_CONNECTED"
    default_message: ClassVar[str] = "No connected account for this provider"


@dataclass(frozen=True)
class Scheduled:
    provider: str
    scheduled_at: datetime | None
    job_id: str | None


def scheduling_provider(name: str) -> str:
    """The provider's key, or 400 for one posts cannot be scheduled to."""
    key = name.strip().lower()
    if key not in SCHEDULING_PROVIDERS:
        raise ValidationFailed(
            f"Unknown provider '{name}'",
            details=[
                {
                    "field": "provider",
                    "message": f"must be one of {', '.join(SCHEDULING_PROVIDERS)}",
                }
            ],
        )
    return key


async def schedule_to_tool(
    ctx: Ctx, post: Post, provider: str, *, account_id: str | None
) -> Scheduled:
    """Approve ``post`` and schedule it through the workspace's connection to ``provider``
    (``account_id``: ours or the provider's; omitted, the default account)."""
    try:
        scheduled = await publishing.schedule_post(ctx, post, provider, account_id=account_id)
    except publishing.NoConnection:
        raise ProviderNotConnected(
            f"No {provider} connection: connect it in Settings → Integrations first",
            details=[{"field": "provider", "message": f"{provider} is not connected"}],
        ) from None
    return Scheduled(
        provider=provider, scheduled_at=scheduled.scheduled_at, job_id=scheduled.job_id
    )
