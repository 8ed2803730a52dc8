"""Conversation threads behind post and idea generation.

A thread groups a user's prompts and the engine's answers; the last ``CONTEXT_MESSAGES``
messages are given to the engine as context for the next generation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.ids import new_id
from postwright.core.tenancy import get_scoped
from postwright.domain.content.conversation_models import (
    MessageRole,
    Thread,
    ThreadMessage,
    ThreadType,
)

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

CONTEXT_MESSAGES = 10
TITLE_LENGTH = 200


def _title(prompt: str) -> str:
    title = " ".join(prompt.split())
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1].rstrip() + "…"


async def start_thread(ctx: Ctx, *, type: ThreadType, prompt: str) -> Thread:
    now = ctx.now()
    thread = Thread(
        id=new_id("thread"),
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        type=type,
        title=_title(prompt),
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(thread)
    await ctx.session.flush()
    return thread


async def get_thread(ctx: Ctx, thread_id: str, *, for_update: bool = False) -> Thread:
    """A thread of the actor's workspace, or 404 ("Thread not found")."""
    return await get_scoped(ctx.session, Thread, ctx.workspace_id, thread_id, for_update=for_update)


async def context_of(session: AsyncSession, thread: Thread) -> list[str]:
    """The thread's last ``CONTEXT_MESSAGES`` messages, oldest first, as the engine reads them."""
    rows = await session.scalars(
        select(ThreadMessage)
        .where(
            ThreadMessage.workspace_id == thread.workspace_id,
            ThreadMessage.thread_id == thread.id,
        )
        .order_by(ThreadMessage.position.desc())
        .limit(CONTEXT_MESSAGES)
    )
    return [f"{m.role}: {m.content}" for m in reversed(list(rows))]


async def add_message(
    ctx: Ctx, thread: Thread, *, role: MessageRole, content: str
) -> ThreadMessage:
    """Appended after the thread's last message (callers hold the thread row locked)."""
    now = ctx.now()
    last = await ctx.session.scalar(
        select(func.max(ThreadMessage.position)).where(ThreadMessage.thread_id == thread.id)
    )
    message = ThreadMessage(
        position=(last or 0) + 1,
        id=new_id("message"),
        workspace_id=ctx.workspace_id,
        thread_id=thread.id,
        role=role,
        content=content,
        created_at=now,
    )
    ctx.session.add(message)
    thread.updated_at = now
    await ctx.session.flush()
    return message
