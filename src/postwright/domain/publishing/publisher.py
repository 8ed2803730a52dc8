"""Publishing a post exactly once.

The protocol, in three transactions around the provider call:

1. **claim** (``claims``): a due post moves ``scheduled → publishing`` and a
   ``Publication`` with a unique key is written, under the post's row lock.
2. **attempt**: the publication is marked ``in_flight`` and committed *before* the provider
   is called. When a later attempt finds it already ``in_flight``, an earlier call may have
   gone out (a crash, a lost response), so it first looks for the post on the provider
   (``find_recent``) and records what it finds instead of publishing again.
3. **record**: success stores the external id and URL on the post; a refused post
   (bad content), a dead token (the account is marked ``needs_reconnect``) or exhausted
   retries fail it with a reason written for its owner.

``RetryableError`` leaves the publication ``in_flight`` and propagates: the caller retries
with backoff (tenacity here for synchronous callers, durable sleeps in the DBOS workflow).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.content import post_service
from postwright.domain.content.models import Post
from postwright.domain.publishing import accounts
from postwright.domain.publishing import credentials as sealed
from postwright.domain.publishing.adapters import adapter_for
from postwright.domain.publishing.adapters.base import (
    Credentials,
    PublishingAdapter,
    PublishRequest,
    PublishResult,
)
from postwright.domain.publishing.adapters.errors import (
    DuplicatePost,
    NeedsReconnect,
    PublishingError,
    RetryableError,
)
from postwright.domain.publishing.claims import (
    announced,
    claim,
    claim_due,
    fail,
    orphans,
    reconnect_reason,
)
from postwright.domain.publishing.config import publishing_config
from postwright.domain.publishing.models import (
    ConnectedAccount,
    Publication,
    PublicationStatus,
)
from postwright.domain.webhooks import service as webhooks

# A post found on the provider counts as ours only if it is not older than our claim by more
# than this (clock skew between us and the provider).
RECONCILE_SKEW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    post_id: str
    publication_id: str
    success: bool
    provider: str
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    published_at: datetime | None = None
    # The provider refused the account's token: it was marked for reconnection.
    needs_reconnect: bool = False


def _outcome(publication: Publication, post: Post | None) -> PublishOutcome:
    done = publication.status == PublicationStatus.SUCCEEDED
    return PublishOutcome(
        post_id=publication.post_id,
        publication_id=publication.id,
        success=done,
        provider=publication.provider,
        external_id=publication.external_id,
        url=publication.external_url,
        error=None if done else publication.last_error,
        published_at=post.published_at if post is not None and done else None,
        needs_reconnect=bool(publication.extra.get("needs_reconnect")),
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    publication_id: str
    provider: str
    account_id: str | None
    workspace_id: str
    request: PublishRequest
    credentials: Credentials
    may_have_gone_out: bool
    claimed_at: datetime


async def _prepare(services: Services, publication_id: str) -> _Prepared | PublishOutcome:
    now = services.clock.now()
    async with services.db.transaction() as session:
        publication = await session.get(Publication, publication_id, with_for_update=True)
        if publication is None:
            raise LookupError(f"publication {publication_id} vanished")
        post = await session.get(Post, publication.post_id, with_for_update=True)
        if PublicationStatus(publication.status).finished or post is None:
            return _outcome(publication, post)
        if post.deleted_at is not None:
            deleted = "The post was deleted before it was published"
            await fail(session, publication, post, deleted, now)
            return _outcome(publication, post)
        may_have_gone_out = publication.status == PublicationStatus.IN_FLIGHT
        publication.status = PublicationStatus.IN_FLIGHT
        publication.attempts += 1
        publication.updated_at = now
        credentials = Credentials(account_id=post.workspace_id)
        if publication.account_id is not None:
            account = await session.get(ConnectedAccount, publication.account_id)
            if account is None:
                removed = "The connected account was removed"
                await fail(session, publication, post, removed, now)
                return _outcome(publication, post)
            credentials = await _credentials(services, session, account, publication, post)
            if PublicationStatus(publication.status).finished:
                return _outcome(publication, post)
        return _Prepared(
            publication_id=publication.id,
            provider=publication.provider,
            account_id=publication.account_id,
            workspace_id=publication.workspace_id,
            request=PublishRequest(
                text=post.content,
                first_comment=post.first_comment or None,
                idempotency_key=publication.key,
            ),
            credentials=credentials,
            may_have_gone_out=may_have_gone_out,
            claimed_at=publication.created_at,
        )


async def _credentials(
    services: Services,
    session: AsyncSession,
    account: ConnectedAccount,
    publication: Publication,
    post: Post,
) -> Credentials:
    """The account's credentials, refreshed when they expire soon (and stored back)."""
    now = services.clock.now()
    try:
        fresh = await accounts.fresh_credentials(services, account)
    except NeedsReconnect as exc:
        accounts.mark_needs_reconnect(account, exc.reason, now)
        publication.extra = {**publication.extra, "needs_reconnect": True}
        await fail(session, publication, post, reconnect_reason(account, exc.reason), now)
        return Credentials()
    if fresh.access_token != sealed.load(services.secrets, account).access_token:
        sealed.store(services.secrets, account, fresh)
    return fresh


async def _reconcile(adapter: PublishingAdapter, prepared: _Prepared) -> PublishResult | None:
    """The post, if an earlier attempt already published it."""
    if prepared.provider == "outbox":
        return None  # the outbox's append is idempotent by key: publishing again finds it
    remote = await adapter.find_recent(prepared.request)
    if remote is None:
        return None
    if remote.created_at is not None and remote.created_at < prepared.claimed_at - RECONCILE_SKEW:
        return None
    return PublishResult(external_id=remote.external_id, url=remote.url)


async def _call(adapter: PublishingAdapter, prepared: _Prepared) -> tuple[PublishResult, bool]:
    """(result, reconciled)."""
    if prepared.may_have_gone_out:
        found = await _reconcile(adapter, prepared)
        if found is not None:
            return found, True
    try:
        return await adapter.publish(prepared.request), False
    except DuplicatePost as exc:
        if exc.existing_id is None:
            raise
        remote = await adapter.fetch_publication(exc.existing_id)
        return PublishResult(exc.existing_id, remote.url if remote else None), True
    except RetryableError as exc:
        if exc.partial is not None:
            return exc.partial, False
        raise


async def attempt(services: Services, publication_id: str) -> PublishOutcome:
    """One try at a claimed publication. Raises ``RetryableError`` to be retried later."""
    prepared = await _prepare(services, publication_id)
    if isinstance(prepared, PublishOutcome):
        return prepared
    config = publishing_config(services.settings, services.db, services.clock)
    adapter = adapter_for(prepared.provider, prepared.credentials, config)
    try:
        result, reconciled = await _call(adapter, prepared)
    except RetryableError as exc:
        await _note_error(services, publication_id, exc.reason)
        raise
    except NeedsReconnect as exc:
        return await _finish_failed(services, publication_id, exc.reason, reconnect=True)
    except PublishingError as exc:
        return await _finish_failed(services, publication_id, exc.reason)
    finally:
        await adapter.aclose()
        await _keep_renewed_session(services, prepared, adapter)
    return await _finish_published(services, publication_id, result, reconciled)


async def _keep_renewed_session(
    services: Services, prepared: _Prepared, adapter: PublishingAdapter
) -> None:
    """Bluesky renews its session inside the adapter; keep the new tokens."""
    renewed = getattr(adapter, "credentials", None)
    if prepared.account_id is None or not isinstance(renewed, Credentials):
        return
    if renewed.access_token == prepared.credentials.access_token:
        return
    async with services.db.transaction() as session:
        account = await session.get(ConnectedAccount, prepared.account_id)
        if account is not None:
            sealed.store(services.secrets, account, renewed)


async def _note_error(services: Services, publication_id: str, reason: str) -> None:
    async with services.db.transaction() as session:
        publication = await session.get(Publication, publication_id)
        if publication is not None:
            publication.last_error = reason
            publication.updated_at = services.clock.now()


async def _finish_published(
    services: Services, publication_id: str, result: PublishResult, reconciled: bool
) -> PublishOutcome:
    now = services.clock.now()
    async with services.db.transaction() as session:
        publication = await session.get(Publication, publication_id, with_for_update=True)
        assert publication is not None
        post = await session.get(Post, publication.post_id, with_for_update=True)
        assert post is not None
        publication.status = PublicationStatus.SUCCEEDED
        publication.external_id = result.external_id
        publication.external_url = result.url
        publication.extra = {**result.extra_ids, "warnings": list(result.warnings)}
        publication.reconciled = reconciled
        publication.last_error = None
        publication.updated_at = now
        post_service.mark_published(post, external_id=result.external_id, url=result.url, now=now)
        await webhooks.emit(
            session, post.workspace_id, "post.published", announced(publication, post), at=now
        )
        logger.info(
            "post.published",
            post_id=post.id,
            provider=publication.provider,
            reconciled=reconciled,
        )
        return _outcome(publication, post)


async def _finish_failed(
    services: Services, publication_id: str, reason: str, *, reconnect: bool = False
) -> PublishOutcome:
    now = services.clock.now()
    async with services.db.transaction() as session:
        publication = await session.get(Publication, publication_id, with_for_update=True)
        assert publication is not None
        post = await session.get(Post, publication.post_id, with_for_update=True)
        assert post is not None
        if PublicationStatus(publication.status).finished:
            return _outcome(publication, post)
        if reconnect and publication.account_id:
            account = await session.get(ConnectedAccount, publication.account_id)
            if account is not None:
                accounts.mark_needs_reconnect(account, reason, now)
                publication.extra = {**publication.extra, "needs_reconnect": True}
                logger.warning("account.needs_reconnect", account_id=account.id, reason=reason)
                reason = reconnect_reason(account, reason)
        await fail(session, publication, post, reason, now)
        logger.info("post.publish_failed", post_id=post.id, reason=reason)
        return _outcome(publication, post)


async def note_unexpected(services: Services, publication_id: str, exc: BaseException) -> None:
    """An error outside the provider protocol (a bug, a broken configuration): logged, and
    retried like a provider outage, since the call may have gone out."""
    logger.error("post.publish_error", publication_id=publication_id, exc_info=exc)
    await _note_error(services, publication_id, "Publishing failed on an unexpected error")


async def give_up(services: Services, publication_id: str) -> PublishOutcome:
    """Retries exhausted: the post fails with the last reason the provider gave."""
    async with services.db.transaction() as session:
        publication = await session.get(Publication, publication_id)
        last = publication.last_error if publication else None
    reason = f"Publishing kept failing, gave up after retries: {last or 'provider unavailable'}"
    return await _finish_failed(services, publication_id, reason)


async def publish_with_retries(services: Services, publication_id: str) -> PublishOutcome:
    """Attempt with exponential backoff on retryable failures (synchronous callers)."""
    config = services.settings.publishing
    try:
        async for try_ in AsyncRetrying(
            stop=stop_after_attempt(config.retry_attempts),
            wait=wait_exponential(multiplier=config.retry_initial_seconds, max=60),
            retry=retry_if_exception_type(RetryableError),
            reraise=True,
        ):
            with try_:
                return await attempt(services, publication_id)
    except RetryableError:
        pass
    except Exception as exc:
        await note_unexpected(services, publication_id, exc)
    return await give_up(services, publication_id)


async def publish_due_now(
    services: Services, *, lookahead: timedelta, workspace_id: str | None = None
) -> list[PublishOutcome]:
    """Claim what is due and publish it here, one post after another."""
    claimed = await claim_due(services, lookahead=lookahead, workspace_id=workspace_id)
    return [await publish_with_retries(services, publication_id) for publication_id in claimed]


__all__ = [
    "PublishOutcome",
    "attempt",
    "claim",
    "claim_due",
    "give_up",
    "orphans",
    "publish_due_now",
    "publish_with_retries",
]
