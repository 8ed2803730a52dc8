"""Publishing on demand: zorbit's cron trigger (``POST /api/v1/post/publish``) and
"share this post to LinkedIn now" (``POST /api/v1/post/share-linkedin``)."""

from __future__ import annotations

import hmac

from sqlalchemy import select

from postwright.core.errors import AppError, Conflict, Forbidden, ValidationFailed
from postwright.core.services import Services
from postwright.core.tenancy import get_scoped
from postwright.domain.accounts import service as accounts_service
from postwright.domain.accounts.models import User
from postwright.domain.content.models import Post, PublishState
from postwright.domain.context import RequestCtx
from postwright.domain.publishing import accounts, publisher
from postwright.domain.publishing.models import AccountStatus, Publication, PublicationStatus
from postwright.domain.publishing.oauth import LINKEDIN_SCOPES

# zorbit's window: posts due within the next two minutes, and every overdue one.
CRON_LOOKAHEAD_MINUTES = 2
SHARE_SCOPE = LINKEDIN_SCOPES[-1]  # w_member_social


async def cron_caller_allowed(services: Services, credential: str | None) -> bool:
    """The internal key from settings, or an API key of a platform admin."""
    if not credential:
        return False
    configured = services.settings.publishing.cron_api_key
    if configured is not None and hmac.compare_digest(
        configured.get_secret_value().encode(), credential.encode()
    ):
        return True
    async with services.db.transaction() as session:
        key = await accounts_service.authenticate_api_key(
            session, credential, now=services.clock.now()
        )
        if key is None:
            return False
        user = await session.get(User, key.user_id)
        return user is not None and user.deleted_at is None and user.is_platform_admin


class ShareFailed(AppError):
    """LinkedIn refused or could not take the post; the reason is on the post too."""

    status_code = 500
    code = "PUBLISH_FAILED"
    default_message = "The post could not be shared"


async def share_now(ctx: RequestCtx, post_id: str) -> publisher.PublishOutcome:
    """Publish the actor's post to the workspace's LinkedIn account now: the successful
    outcome, 403 when LinkedIn wants the account reconnected, ``ShareFailed`` otherwise.

    Commits the session after the claim: the claim must be durable before LinkedIn is called
    (a crash mid-call is then reconciled, never re-sent), and on SQLite the request's
    transaction holds the write lock the publisher needs."""
    publication = await claim_share(ctx, post_id)
    await ctx.session.commit()
    outcome = await publisher.publish_with_retries(ctx.services, publication.id)
    if outcome.needs_reconnect:
        raise Forbidden(f"Missing LinkedIn permission: {outcome.error}")
    if not outcome.success:
        raise ShareFailed(outcome.error or ShareFailed.default_message)
    return outcome


async def claim_share(ctx: RequestCtx, post_id: str) -> Publication:
    """Claim the actor's post for LinkedIn now; ``share_now`` commits before publishing.

    404 for another workspace's post; 403 when it is someone else's post or the workspace
    has no LinkedIn account allowed to post (``w_member_social``); a post already shared
    answers its existing publication.
    """
    post = await get_scoped(ctx.session, Post, ctx.workspace_id, post_id, for_update=True)
    if post.user_id != ctx.user_id:
        raise Forbidden("Not post owner")
    if post.publish_state == PublishState.PUBLISHED and post.publish_provider == "linkedin":
        done = await ctx.session.scalar(
            select(Publication)
            .where(
                Publication.post_id == post.id,
                Publication.status == PublicationStatus.SUCCEEDED,
            )
            .order_by(Publication.created_at.desc())
        )
        if done is not None:
            return done
    if post.publish_state in (PublishState.PUBLISHING, PublishState.PUBLISHED):
        raise Conflict(f"The post is already {post.publish_state}")
    if not post.content.strip():
        raise ValidationFailed("The post has no content to share")
    account = await accounts.default_account(ctx.session, ctx.workspace_id, "linkedin")
    if account is None or account.status != AccountStatus.ACTIVE:
        raise Forbidden(
            "Missing LinkedIn permission: connect a LinkedIn account"
            + (" again" if account is not None else "")
        )
    if account.scopes is not None and SHARE_SCOPE not in account.scopes.split():
        raise Forbidden(f"Missing LinkedIn permission: the account did not grant {SHARE_SCOPE}")
    return await publisher.claim(
        ctx.session, post, now=ctx.now(), provider="linkedin", account_id=account.id
    )
