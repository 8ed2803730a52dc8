"""The one Post service: every post is made and moved here, whichever door it came through.

zorbit, sparkvox projects, powerpost, bulk jobs, import and the dashboard all create posts
with ``create_post`` (a request, with its ``Ctx``) or ``add_post`` (a job step, with a
session and the workspace/user it acts for), and change their state with the transitions
below: ``schedule`` (a planned date), ``schedule_for_publishing`` (a provider will send it),
``unschedule``, ``set_content``, ``soft_delete`` and ``restore``.

One rule lives here once: a post's content must not be empty (``has_content``; refused with
``EmptyContent``). Its shape is one (``VALIDATION_ERROR``, details
``[{"field": …, "message": "must not be empty", "type": "missing"}]``); a dialect that
words it otherwise maps it at its edge (zorbit says "must not be blank").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.errors import Conflict, NotFound, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.softdelete import DEFAULT_RETENTION
from postwright.domain.content.models import Post, PostSource, PublishState, ReviewStatus

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

EMPTY = "must not be empty"


class EmptyContent(ValidationFailed):
    """The one refusal of a post (or a post edit) with no text."""

    default_message = "content must not be empty"

    def __init__(self, message: str | None = None, *, field: str = "content") -> None:
        super().__init__(message, details=[empty_detail(field)])
        self.field = field


def empty_detail(field: str = "content") -> dict[str, str]:
    """The refusal's one detail, also for reports that gather several problems at once."""
    return {"field": field, "message": EMPTY, "type": "missing"}


def has_content(text: str | None) -> bool:
    """The rule: some text other than whitespace."""
    return bool(text and text.strip())


def require_content(text: str | None, *, field: str = "content", message: str | None = None) -> str:
    """``text`` when it obeys the rule, else ``EmptyContent`` naming ``field``."""
    if text is None or not has_content(text):
        raise EmptyContent(message, field=field)
    return text


class Owner(Protocol):
    """Who a post is made for: a request's ``Actor`` or a job's ``SystemActor``."""

    @property
    def workspace_id(self) -> str: ...

    @property
    def user_id(self) -> str | None: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PostDraft:
    """What a new post says and where it belongs; everything else starts the same for all."""

    content: str
    platform: str = "linkedin"
    type: str = "post"
    title: str | None = None
    first_comment: str | None = None
    persona_id: str | None = None
    thread_id: str | None = None
    content_length: str | None = None
    image_url: str | None = None
    is_saved: bool = False
    review_status: ReviewStatus = ReviewStatus.APPROVED
    # A planned date makes the post scheduled from the start (bulk output, imports).
    scheduled_on: datetime | None = None
    publish_account_id: str | None = None
    project_id: str | None = None
    moment_id: str | None = None
    job_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def build_post(
    owner: Owner, draft: PostDraft, *, source: PostSource, now: datetime | None = None
) -> Post:
    """An unsaved post (checked against the rule) owned by ``owner``; ``add_post`` and
    ``create_post`` add it to a session, generators that add many at once use this."""
    require_content(draft.content)
    if owner.user_id is None:
        raise ValueError("a post needs the user it belongs to")
    at = now or owner.now()
    return Post(
        id=new_id("post"),
        workspace_id=owner.workspace_id,
        user_id=owner.user_id,
        persona_id=draft.persona_id,
        type=draft.type,
        title=draft.title,
        content=draft.content,
        platform=draft.platform,
        source=source,
        first_comment=draft.first_comment,
        image_url=draft.image_url,
        thread_id=draft.thread_id,
        content_length=draft.content_length,
        is_liked=False,
        is_disliked=False,
        is_saved=draft.is_saved,
        review_status=draft.review_status,
        scheduled_on=draft.scheduled_on,
        publish_state=PublishState.SCHEDULED if draft.scheduled_on else PublishState.DRAFT,
        publish_account_id=draft.publish_account_id,
        project_id=draft.project_id,
        moment_id=draft.moment_id,
        job_id=draft.job_id,
        attributes=dict(draft.attributes),
        created_at=at,
        updated_at=at,
    )


def add_post(
    session: AsyncSession,
    owner: Owner,
    draft: PostDraft,
    *,
    source: PostSource,
    now: datetime | None = None,
) -> Post:
    """The job form (no request): a post added to ``session`` for ``owner`` at ``now``
    (default ``owner.now()``); flushed with the job's transaction."""
    post = build_post(owner, draft, source=source, now=now)
    session.add(post)
    return post


async def create_post(ctx: Ctx, draft: PostDraft, *, source: PostSource) -> Post:
    """The request form: a post of the actor's, added and flushed."""
    post = add_post(ctx.session, ctx.actor, draft, source=source)
    await ctx.session.flush()
    return post


class HasPublishState(Protocol):
    @property
    def publish_state(self) -> str: ...


def is_published(post: HasPublishState) -> bool:
    return post.publish_state == PublishState.PUBLISHED


def check_not_in_flight(post: Post) -> None:
    """A post on its way out or already out cannot be changed (409)."""
    if post.publish_state in (PublishState.PUBLISHING, PublishState.PUBLISHED):
        raise Conflict(f"The post is already {post.publish_state}")


def set_content(post: Post, text: str, *, now: datetime, field: str = "content") -> None:
    """New text for ``post`` (the rule applies to edits as to new posts)."""
    post.content = require_content(text, field=field)
    post.updated_at = now


def schedule(post: Post, at: datetime, *, now: datetime) -> None:
    """A planned date: the post is scheduled, with no provider chosen yet (zorbit)."""
    post.scheduled_on = at
    post.publish_state = PublishState.SCHEDULED
    post.updated_at = now


def plan(post: Post, at: datetime, *, now: datetime) -> None:
    """Only the date a draft sits on in the calendar; its state does not change."""
    post.scheduled_on = at
    post.updated_at = now


def unschedule(post: Post, *, now: datetime) -> None:
    """Off the schedule and its date, back to a draft (a published post stays published)."""
    if is_published(post):
        return
    post.scheduled_on = None
    post.publish_state = PublishState.DRAFT
    post.updated_at = now


def check_publishable(post: Post) -> None:
    """What every "schedule" and "publish now" refuses: empty content (400) and a post
    already publishing or published (409)."""
    require_content(post.content, message="The post has no content to publish")
    check_not_in_flight(post)


def schedule_for_publishing(
    post: Post,
    *,
    provider: str,
    account_id: str | None,
    at: datetime | None,
    now: datetime,
) -> datetime:
    """Approve ``post`` and hand it to ``provider`` for ``at`` (default: its own planned
    date, else now); returns the UTC instant. The caller has resolved the provider and
    account and called ``check_publishable``."""
    check_publishable(post)
    when = (at or post.scheduled_on or now).astimezone(UTC)
    post.review_status = ReviewStatus.APPROVED
    post.publish_provider = provider
    post.publish_account_id = account_id
    post.scheduled_on = when
    post.publish_state = PublishState.SCHEDULED
    post.publish_error = None
    post.updated_at = now
    return when


def mark_publishing(post: Post, *, now: datetime) -> None:
    """The publish loop has claimed it: a provider call is about to go out."""
    post.publish_state = PublishState.PUBLISHING
    post.publish_error = None
    post.updated_at = now


def mark_published(post: Post, *, external_id: str | None, url: str | None, now: datetime) -> None:
    """The provider took it: published, with where it now lives."""
    post.publish_state = PublishState.PUBLISHED
    post.external_id = external_id
    post.external_url = url
    post.published_at = now
    post.publish_error = None
    post.updated_at = now


def mark_failed(post: Post, reason: str, *, now: datetime) -> None:
    """Publishing failed for good (``reason`` is shown to the user); it can be scheduled again."""
    post.publish_state = PublishState.FAILED
    post.publish_error = reason
    post.updated_at = now


def discard(post: Post, *, now: datetime) -> None:
    """Reviewed as discarded; a scheduled post comes off the schedule."""
    check_not_in_flight(post)
    if post.publish_state == PublishState.SCHEDULED:
        post.publish_state = PublishState.DRAFT
    post.review_status = ReviewStatus.DISCARDED
    post.updated_at = now


def soft_delete(post: Post, *, now: datetime) -> None:
    """Hidden at once, restorable for the retention window. A post being published cannot
    be pulled back mid-flight (409); a scheduled one comes off the schedule."""
    if post.publish_state == PublishState.PUBLISHING:
        raise Conflict("The post is being published right now; try again in a moment")
    if post.publish_state == PublishState.SCHEDULED:
        post.publish_state = PublishState.DRAFT
    post.soft_delete(now)
    post.updated_at = now


def restore(post: Post, *, now: datetime) -> None:
    """Undo a delete within the retention window (410 after it); 404 for a post that is not
    deleted. It comes back as a draft (the delete took it off the schedule)."""
    if post.deleted_at is None:
        raise NotFound("Post not found among deleted posts")
    post.restore(now, DEFAULT_RETENTION)
    post.updated_at = now


__all__ = [
    "EMPTY",
    "EmptyContent",
    "Owner",
    "PostDraft",
    "add_post",
    "build_post",
    "check_not_in_flight",
    "check_publishable",
    "create_post",
    "discard",
    "empty_detail",
    "has_content",
    "is_published",
    "mark_failed",
    "mark_published",
    "mark_publishing",
    "plan",
    "require_content",
    "restore",
    "schedule",
    "schedule_for_publishing",
    "set_content",
    "soft_delete",
    "unschedule",
]
