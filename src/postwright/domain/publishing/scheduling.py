"""Scheduling a post to go out through a provider: the rule every dialect's "schedule" and
"publish now" share. The publish loop (``publisher`` / ``workflow``) does the sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from postwright.core.errors import NotFound, ValidationFailed
from postwright.domain.content import post_service
from postwright.domain.content.models import Post
from postwright.domain.context import Ctx
from postwright.domain.publishing import accounts
from postwright.domain.publishing.adapters import DEFAULT_PROVIDER, PROVIDERS

# The tools sparkvox can hand a post to.
SCHEDULING_TOOLS = ("linkedin", "buffer", "publer")


@dataclass(frozen=True, slots=True)
class ScheduledPublication:
    scheduled_at: datetime  # UTC
    job_id: str  # the post's publication job; follow it on the post


class NoConnection(ValidationFailed):
    """The workspace has no connected account for the provider (sparkvox's
    "Requires a connection in Settings → Integrations")."""


def _provider(name: str | None) -> str:
    provider = (name or DEFAULT_PROVIDER).strip().lower()
    if provider not in PROVIDERS:
        raise ValidationFailed(
            f"Unknown provider '{name}'; supported: {', '.join(PROVIDERS)}",
            details={"provider": name},
        )
    return provider


async def schedule(
    ctx: Ctx,
    post: Post,
    provider: str | None,
    *,
    at: datetime | None = None,
    account_id: str | None = None,
) -> ScheduledPublication:
    """Schedule ``post`` (already loaded in the actor's workspace) for ``at`` (default: its
    own ``scheduled_on``, else now). Approves it; refuses empty content, a post already
    published or publishing, and a provider the workspace has no account for."""
    if post.workspace_id != ctx.workspace_id:
        raise NotFound("Post not found")
    chosen = _provider(provider)
    post_service.check_publishable(post)
    account_id_used: str | None = None
    if PROVIDERS[chosen].capabilities.needs_account:
        try:
            account = await accounts.resolve_account(
                ctx.session, ctx.workspace_id, chosen, account_id
            )
        except NotFound as exc:
            raise NoConnection(
                exc.message, details={"provider": chosen, "accountId": account_id}
            ) from None
        account_id_used = account.id
    when = post_service.schedule_for_publishing(
        post, provider=chosen, account_id=account_id_used, at=at, now=ctx.now()
    )
    await ctx.session.flush()
    return ScheduledPublication(scheduled_at=when, job_id=f"pubjob_{post.id}")


async def schedule_post(
    ctx: Ctx,
    post: Post,
    provider: str,
    *,
    account_id: str | None = None,
) -> ScheduledPublication:
    """sparkvox's approve-and-schedule to a connected tool (linkedin, buffer, publer).

    The post goes out at its ``scheduled_on`` (now when unset) through the workspace's
    default account for ``provider``, or ``account_id`` (ours or the provider's). Raises
    ``NoConnection`` (400) when there is no such account and ``ValidationFailed`` (400) when
    the content is empty or the provider is not one of the scheduling tools.
    """
    if provider.strip().lower() not in SCHEDULING_TOOLS:
        raise ValidationFailed(
            f"provider must be one of {', '.join(SCHEDULING_TOOLS)}",
            details={"provider": provider},
        )
    return await schedule(ctx, post, provider, account_id=account_id)


__all__ = ["SCHEDULING_TOOLS", "NoConnection", "ScheduledPublication", "schedule", "schedule_post"]
