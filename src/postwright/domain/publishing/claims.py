"""Claiming due posts for publishing: the first step of ``publisher``'s protocol.

Under the post's row lock a due post moves ``scheduled → publishing`` and a ``Publication``
with a unique ``key`` (post id + round) is written. Two claimers cannot both win: the state
check and the unique key each stop the second. A post that cannot go out (its account is
gone or needs reconnecting) gets a publication that is already failed, with the reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import NotFound
from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PublishState, ReviewStatus
from postwright.domain.publishing import accounts
from postwright.domain.publishing.adapters import DEFAULT_PROVIDER, PROVIDERS
from postwright.domain.publishing.models import (
    ConnectedAccount,
    Publication,
    PublicationStatus,
)
from postwright.domain.webhooks import service as webhooks

ORPHAN_PENDING_AFTER = timedelta(minutes=1)
ORPHAN_IN_FLIGHT_AFTER = timedelta(minutes=15)


async def fail(
    session: AsyncSession, publication: Publication, post: Post, reason: str, now: datetime
) -> None:
    publication.status = PublicationStatus.FAILED
    publication.last_error = reason
    publication.updated_at = now
    post_service.mark_failed(post, reason, now=now)
    await webhooks.emit(
        session,
        post.workspace_id,
        "post.failed",
        announced(publication, post) | {"error": reason},
        at=now,
    )


def announced(publication: Publication, post: Post) -> dict[str, Any]:
    """The ``data`` of a ``post.*`` webhook event."""
    return {
        "post_id": post.id,
        "provider": publication.provider,
        "account_id": publication.account_id,
        "external_id": publication.external_id,
        "url": publication.external_url,
    }


def default_provider(post: Post) -> str:
    """Where a post with no chosen provider goes: the network it was written for (zorbit's
    posts are LinkedIn posts), so a missing connection fails it with a reason instead of
    reporting it shared. The outbox takes only posts sent there on purpose, or written for
    no network we publish to."""
    return post.platform if post.platform in PROVIDERS else DEFAULT_PROVIDER


async def _provider_and_account(
    session: AsyncSession, post: Post, provider: str | None, account_id: str | None
) -> tuple[str, ConnectedAccount | None]:
    """Which provider and account the post goes out through. NotFound when it names an
    account the workspace does not have."""
    provider = provider or post.publish_provider
    account_id = account_id or post.publish_account_id
    if provider is None and account_id:
        named = await session.scalar(
            select(ConnectedAccount).where(
                ConnectedAccount.workspace_id == post.workspace_id,
                ConnectedAccount.id == account_id,
            )
        )
        if named is None:
            raise NotFound(f"Connected account {account_id} not found")
        provider = named.provider
    provider = provider or default_provider(post)
    if not PROVIDERS[provider].capabilities.needs_account:
        return provider, None
    account = await accounts.resolve_account(session, post.workspace_id, provider, account_id)
    return provider, account


async def claim(
    session: AsyncSession,
    post: Post,
    *,
    now: datetime,
    provider: str | None = None,
    account_id: str | None = None,
) -> Publication:
    """Claim a post the caller holds locked. A post that cannot go out (no such account, an
    account needing reconnection) gets a publication that is already failed, with the reason."""
    rounds = await session.scalar(
        select(func.count()).select_from(Publication).where(Publication.post_id == post.id)
    )
    publication = Publication(
        id=new_id("pub"),
        key=f"{post.id}:{(rounds or 0) + 1}",
        workspace_id=post.workspace_id,
        post_id=post.id,
        provider=provider or post.publish_provider or default_provider(post),
        account_id=None,
        status=PublicationStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    session.add(publication)
    post_service.mark_publishing(post, now=now)
    try:
        chosen, account = await _provider_and_account(session, post, provider, account_id)
    except NotFound as exc:
        await fail(session, publication, post, exc.message, now)
        await session.flush()
        return publication
    publication.provider = chosen
    post.publish_provider = chosen
    if account is not None:
        publication.account_id = account.id
        post.publish_account_id = account.id
        if account.needs_reconnect:
            publication.extra = {"needs_reconnect": True}
            reason = reconnect_reason(account, account.status_reason)
            await fail(session, publication, post, reason, now)
    await session.flush()
    return publication


def reconnect_reason(account: ConnectedAccount, detail: str | None) -> str:
    name = PROVIDERS[account.provider].display_name
    who = f" {account.handle}" if account.handle else ""
    return f"The {name} account{who} needs to be reconnected: {detail or 'its access was revoked'}"


def _due(now: datetime, lookahead: timedelta, workspace_id: str | None) -> object:
    statement = (
        select(Post)
        .where(
            Post.publish_state == PublishState.SCHEDULED,
            Post.scheduled_on.is_not(None),
            Post.scheduled_on <= now + lookahead,
            Post.deleted_at.is_(None),
            Post.review_status == ReviewStatus.APPROVED,
        )
        .order_by(Post.scheduled_on, Post.id)
    )
    if workspace_id is not None:
        statement = statement.where(Post.workspace_id == workspace_id)
    return statement


async def claim_due(
    services: Services,
    *,
    lookahead: timedelta = timedelta(0),
    workspace_id: str | None = None,
    limit: int = 100,
) -> list[str]:
    """Claim the posts due by now + ``lookahead``; the ids of their publications."""
    now = services.clock.now()
    async with services.db.transaction() as session:
        statement = _due(now, lookahead, workspace_id)
        posts = list(
            await session.scalars(
                statement.limit(limit).with_for_update(skip_locked=True)  # type: ignore[attr-defined]
            )
        )
        claimed = [await claim(session, post, now=now) for post in posts]
        return [p.id for p in claimed]


async def orphans(services: Services) -> list[str]:
    """Publications nobody is working on: claimed but never attempted for a while (a crash
    between claiming and starting the workflow), or in flight long past any backoff (a
    synchronous caller died mid-call). Running workflows are recovered by DBOS itself; a
    fresh one is never swept, so a live synchronous publisher is not raced."""
    now = services.clock.now()
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(Publication.id).where(
                (
                    (Publication.status == PublicationStatus.PENDING)
                    & (Publication.updated_at < now - ORPHAN_PENDING_AFTER)
                )
                | (
                    (Publication.status == PublicationStatus.IN_FLIGHT)
                    & (Publication.updated_at < now - ORPHAN_IN_FLIGHT_AFTER)
                )
            )
        )
        return list(rows)
