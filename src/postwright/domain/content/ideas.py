"""Content ideas: generated inside a thread (``idea_generation``: one unit per idea), read
back by thread, by message or one at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from postwright.core.ids import new_id
from postwright.core.tenancy import get_scoped, scoped
from postwright.domain.billing.service import QuotaType, consume_quota
from postwright.domain.content import threads
from postwright.domain.content.conversation_models import (
    Idea,
    MessageRole,
    Thread,
    ThreadMessage,
    ThreadType,
)
from postwright.domain.content.metering import units_available
from postwright.domain.generation import service as generation
from postwright.domain.generation.tasks import IdeaTask

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

IDEAS_PER_REQUEST = 3


@dataclass(frozen=True)
class IdeaRun:
    thread: Thread
    prompt_message: ThreadMessage
    response_message: ThreadMessage
    ideas: list[Idea]


async def generate_ideas(ctx: Ctx, *, prompt: str, thread_id: str | None) -> IdeaRun:
    """A new thread unless ``thread_id`` names one of the workspace's (404 otherwise)."""
    session = ctx.session
    thread = await threads.get_thread(ctx, thread_id, for_update=True) if thread_id else None
    wanted = await units_available(ctx, QuotaType.IDEA_GENERATION, wanted=IDEAS_PER_REQUEST)
    context = await threads.context_of(session, thread) if thread else []
    engine = await generation.workspace_engine(ctx)
    done = await generation.generate(
        ctx,
        IdeaTask(prompt=prompt, count=wanted, conversation=context),
        action=None,
        kind="zorbit-idea",
        engine=engine,
    )
    generated = done.output.ideas
    if generated:
        await consume_quota(session, ctx.actor, QuotaType.IDEA_GENERATION, units=len(generated))
    if thread is None:
        thread = await threads.start_thread(ctx, type=ThreadType.IDEA, prompt=prompt)
    asked = await threads.add_message(ctx, thread, role=MessageRole.USER, content=prompt)
    answered = await threads.add_message(
        ctx, thread, role=MessageRole.ASSISTANT, content=f"Generated ideas for: {prompt}"
    )
    now = ctx.now()
    ideas = [
        Idea(
            id=new_id("idea"),
            workspace_id=ctx.workspace_id,
            user_id=ctx.user_id,
            thread_id=thread.id,
            message_id=answered.id,
            title=idea.title[:500],
            content=idea.content,
            key_takeaways=list(idea.key_takeaways),
            controversial_angle=idea.controversial_angle,
            created_at=now,
            updated_at=now,
        )
        for idea in generated
    ]
    session.add_all(ideas)
    await session.flush()
    return IdeaRun(thread=thread, prompt_message=asked, response_message=answered, ideas=ideas)


async def list_ideas(ctx: Ctx, *, thread_id: str | None, message_id: str | None) -> list[Idea]:
    """The workspace's ideas, newest first, narrowed to a thread and/or a message. An unknown
    (or another workspace's) thread or message simply has no ideas here."""
    statement = scoped(Idea, ctx.workspace_id)
    if thread_id:
        statement = statement.where(Idea.thread_id == thread_id)
    if message_id:
        statement = statement.where(Idea.message_id == message_id)
    rows = await ctx.session.scalars(statement.order_by(Idea.created_at.desc(), Idea.id.asc()))
    return list(rows)


async def get_idea(ctx: Ctx, idea_id: str) -> Idea:
    return await get_scoped(ctx.session, Idea, ctx.workspace_id, idea_id)
