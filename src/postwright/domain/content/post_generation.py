"""``POST /api/v1/post/generate``: posts written by the engine inside a conversation thread.

Each request asks for ``POSTS_PER_REQUEST`` variants (fewer when the quota has fewer units
left); a variant the engine fails on is left out (``partial_success``), and only the posts
actually generated consume ``post_generation`` units.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from postwright.core.errors import AppError, ValidationFailed
from postwright.domain.billing.service import QuotaType, consume_quota
from postwright.domain.content import threads
from postwright.domain.content.conversation_models import MessageRole, Thread, ThreadType
from postwright.domain.content.metering import units_available
from postwright.domain.content.models import Post, PostSource
from postwright.domain.content.posts import new_post, usable_persona, zorbit_posts
from postwright.domain.generation import service as generation
from postwright.domain.generation.errors import AiProviderError, AiResponseIncomplete
from postwright.domain.generation.tasks import ContentLength, PostTask
from postwright.domain.personas.service import PersonaView

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx

POSTS_PER_REQUEST = 2
MAX_STYLE_EXAMPLES = 5
# Failures of one variant that leave the others standing; anything else fails the request.
VARIANT_FAILURES = (AiProviderError, AiResponseIncomplete)


@dataclass(frozen=True)
class PostRequest:
    prompt: str
    persona_id: str | None = None
    selected_post_ids: Sequence[str] = ()
    thread_id: str | None = None
    is_first_message: bool | None = None
    content_length: ContentLength = "medium"


@dataclass(frozen=True)
class GeneratedPosts:
    posts: list[Post]
    requested: int
    persona: PersonaView | None
    thread: Thread
    seconds: float

    @property
    def partial_success(self) -> bool:
        return len(self.posts) < self.requested


async def _style_examples(ctx: RequestCtx, ids: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = {
        post.id: post.content
        for post in await ctx.session.scalars(zorbit_posts(ctx.actor).where(Post.id.in_(wanted)))
    }
    missing = [post_id for post_id in wanted if post_id not in found]
    if missing:
        raise ValidationFailed(
            "Unknown selected posts",
            details=[{"field": "selectedPosts", "message": f"no such posts: {missing}"}],
        )
    return [found[post_id] for post_id in wanted][:MAX_STYLE_EXAMPLES]


async def _thread_for(ctx: RequestCtx, request: PostRequest) -> Thread:
    first = request.is_first_message
    if first is None:
        first = request.thread_id is None
    if first:
        return await threads.start_thread(ctx, type=ThreadType.POST, prompt=request.prompt)
    if request.thread_id is None:
        raise ValidationFailed(
            "threadId is required unless isFirstMessage is true",
            details=[{"field": "threadId", "message": "required when isFirstMessage is false"}],
        )
    return await threads.get_thread(ctx, request.thread_id, for_update=True)


async def generate_posts(ctx: RequestCtx, request: PostRequest) -> GeneratedPosts:
    started = time.perf_counter()
    session = ctx.session
    persona = await usable_persona(ctx, request.persona_id)
    examples = await _style_examples(ctx, request.selected_post_ids)
    thread = await _thread_for(ctx, request)
    wanted = await units_available(ctx, QuotaType.POST_GENERATION, wanted=POSTS_PER_REQUEST)
    context = await threads.context_of(session, thread)
    texts: list[str] = []
    failures: list[AppError] = []
    for index in range(wanted):
        task = PostTask(
            persona=persona.profile if persona else None,
            topic=request.prompt,
            content_length=request.content_length,
            style_examples=examples,
            conversation=context,
            previous_posts_in_batch=texts,
            batch_index=index,
            batch_size=wanted,
        )
        engine = await generation.workspace_engine(ctx)
        try:
            done = await generation.generate(
                ctx,
                task,
                action=None,
                kind="zorbit-post",
                engine=engine,
            )
        except VARIANT_FAILURES as exc:
            failures.append(exc)
            continue
        texts.append(done.output.content)
    if not texts:
        raise failures[0]
    await consume_quota(session, ctx.actor, QuotaType.POST_GENERATION, units=len(texts))
    await threads.add_message(ctx, thread, role=MessageRole.USER, content=request.prompt)
    reply = await threads.add_message(
        ctx, thread, role=MessageRole.ASSISTANT, content="\n\n---\n\n".join(texts)
    )
    posts = [
        new_post(
            ctx.actor,
            content=text,
            source=PostSource.GENERATED,
            persona_id=persona.id if persona else None,
            thread_id=thread.id,
            content_length=request.content_length,
            attributes={"messageId": reply.id},
        )
        for text in texts
    ]
    session.add_all(posts)
    await session.flush()
    return GeneratedPosts(
        posts=posts,
        requested=POSTS_PER_REQUEST,
        persona=persona,
        thread=thread,
        seconds=round(time.perf_counter() - started, 2),
    )
