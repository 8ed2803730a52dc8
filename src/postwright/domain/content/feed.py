"""The feed: posts generated on demand from what the user cares about — their ideas,
personas, liked and saved posts — one ``post_generation`` unit per post.

Sources are taken in a fixed rotation (kinds interleaved); each feed post records its place
in it, so the next page (``cursor`` = the last feed post's id, or by default the user's latest
feed post) continues with the next sources. When the configured model can search the web
(``generation.web_search``: OpenAI Responses, Anthropic, Google), each post is written with the
search tool offered and records ``generatedWithWebSearch: true``; the builtin engine and models
without the tool write from the sources alone (false).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import TYPE_CHECKING

from sqlalchemy import Select

from postwright.core.errors import AppError, ValidationFailed
from postwright.core.pagination import PageResult, paginate_page
from postwright.core.tenancy import scoped
from postwright.domain.accounts.context import Actor
from postwright.domain.billing.service import QuotaType, consume_quota
from postwright.domain.content.conversation_models import Idea
from postwright.domain.content.metering import units_available
from postwright.domain.content.models import Post, PostSource
from postwright.domain.content.post_generation import VARIANT_FAILURES
from postwright.domain.content.posts import new_post, zorbit_posts
from postwright.domain.generation import service as generation
from postwright.domain.generation import text as t
from postwright.domain.generation import web_search
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.tasks import ContentLength, PostTask
from postwright.domain.personas import service as personas

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx

MAX_FEED_PAGE = 5
SOURCES_PER_KIND = 20
RECENT_FEED_POSTS = 10
LENGTHS: tuple[ContentLength, ...] = ("medium", "short", "long")


@dataclass(frozen=True)
class FeedSource:
    kind: str  # idea | persona | liked_post | saved_post
    id: str
    topic: str
    persona: PersonaProfile | None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedPage:
    posts: list[Post]
    has_more: bool

    @property
    def next_cursor(self) -> str | None:
        return self.posts[-1].id if self.posts and self.has_more else None


def _topic_of(text: str) -> str:
    sentences = t.sentences(text)
    first = sentences[0] if sentences else text
    return " ".join(first.split())[:160]


async def _sources(ctx: RequestCtx) -> list[FeedSource]:
    session, actor = ctx.session, ctx.actor
    views = await personas.list_views(ctx)
    voice = next((v.profile for v in views if not v.is_system), None)
    ideas = await session.scalars(
        scoped(Idea, actor.workspace_id)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(SOURCES_PER_KIND)
    )
    mine = zorbit_posts(actor).where(Post.user_id == actor.user_id)
    newest = (Post.updated_at.desc(), Post.id.desc())
    liked = await session.scalars(
        mine.where(Post.is_liked.is_(True)).order_by(*newest).limit(SOURCES_PER_KIND)
    )
    saved = await session.scalars(
        mine.where(Post.is_saved.is_(True), Post.is_liked.is_(False))
        .order_by(*newest)
        .limit(SOURCES_PER_KIND)
    )
    kinds: list[list[FeedSource]] = [
        [FeedSource("idea", i.id, i.title, voice) for i in ideas],
        [FeedSource("liked_post", p.id, _topic_of(p.content), voice, (p.content,)) for p in liked],
        [FeedSource("saved_post", p.id, _topic_of(p.content), voice, (p.content,)) for p in saved],
        [
            FeedSource(
                "persona",
                v.id,
                v.profile.default_prompt
                or v.profile.relevant_keywords
                or v.profile.end_goal
                or v.profile.profession
                or v.name,
                v.profile,
            )
            for v in views[:SOURCES_PER_KIND]
        ],
    ]
    # Interleaved so one page mixes kinds; personas (system ones included) are never empty.
    return [s for group in zip_longest(*kinds) for s in group if s is not None]


def _feed_posts(actor: Actor) -> Select[Post]:
    return zorbit_posts(actor).where(Post.source == PostSource.FEED, Post.user_id == actor.user_id)


async def _start_position(ctx: RequestCtx, cursor: str | None) -> int:
    statement = _feed_posts(ctx.actor)
    if cursor:
        last = await ctx.session.scalar(statement.where(Post.id == cursor))
        if last is None:
            raise ValidationFailed(
                "Invalid cursor", details=[{"field": "cursor", "message": "cursor is not valid"}]
            )
    else:
        last = await ctx.session.scalar(statement.order_by(Post.created_at.desc(), Post.id.desc()))
    if last is None:
        return 0
    return int(last.attributes.get("rotation", -1)) + 1


async def _recent_texts(ctx: RequestCtx) -> list[str]:
    statement = _feed_posts(ctx.actor)
    rows = await ctx.session.scalars(
        statement.order_by(Post.created_at.desc(), Post.id.desc()).limit(RECENT_FEED_POSTS)
    )
    return [p.content for p in rows]


async def generate_feed(ctx: RequestCtx, *, limit: int, cursor: str | None) -> FeedPage:
    wanted = await units_available(ctx, QuotaType.POST_GENERATION, wanted=limit)
    sources = await _sources(ctx)
    position = await _start_position(ctx, cursor)
    previous = await _recent_texts(ctx)
    posts: list[Post] = []
    failures: list[AppError] = []
    for offset in range(wanted):
        rotation = position + offset
        source = sources[rotation % len(sources)]
        length = LENGTHS[rotation % len(LENGTHS)]
        written = await _generate_one(
            ctx, source, length, [*previous, *(p.content for p in posts)], failures=failures
        )
        if written is None:
            continue
        text, searching = written
        posts.append(
            new_post(
                ctx.actor,
                content=text,
                source=PostSource.FEED,
                content_length=length,
                persona_id=source.id if source.kind == "persona" else None,
                attributes={
                    "sourceType": source.kind,
                    "sourceId": source.id,
                    "rotation": rotation,
                    "generatedWithWebSearch": searching,
                },
            )
        )
    if not posts:
        raise failures[0]
    status = await consume_quota(
        ctx.session, ctx.actor, QuotaType.POST_GENERATION, units=len(posts)
    )
    ctx.session.add_all(posts)
    await ctx.session.flush()
    return FeedPage(posts=posts, has_more=status.remaining > 0)


async def _generate_one(
    ctx: RequestCtx,
    source: FeedSource,
    length: ContentLength,
    previous: Sequence[str],
    *,
    failures: list[AppError],
) -> tuple[str, bool] | None:
    """The post's text, and whether the model had the web-search tool for it."""
    task = PostTask(
        persona=source.persona,
        topic=source.topic,
        content_length=length,
        style_examples=source.examples,
        previous_posts_in_batch=previous,
        batch_index=len(previous),
        batch_size=len(previous) + 1,
    )
    engine = await generation.workspace_engine(ctx)
    engine, searching = web_search.with_web_search(engine)
    try:
        done = await generation.generate(ctx, task, action=None, kind="zorbit-feed", engine=engine)
    except VARIANT_FAILURES as exc:
        failures.append(exc)
        return None
    return done.output.content, searching


async def feed_history(ctx: RequestCtx, *, page: int, limit: int) -> PageResult[Post]:
    statement = _feed_posts(ctx.actor)
    return await paginate_page(
        ctx.session,
        statement.order_by(Post.created_at.desc(), Post.id.desc()),
        page=page,
        limit=limit,
    )
