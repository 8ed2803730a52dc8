"""zorbit: ``/api/v1/idea`` — content ideas generated in threads, and reading them back."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import Conflict, NotFound, PaymentRequired, error_responses
from postwright.domain.content import ideas
from postwright.domain.content.conversation_models import Idea, ThreadMessage

router = APIRouter(prefix="/api/v1/idea", tags=["zorbit: ideas"])


class IdeaBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=5000)
    threadId: str | None = Field(
        default=None, max_length=64, description="Continue this thread (404 if unknown)"
    )


class IdeaOut(BaseModel):
    id: str
    title: str
    content: str
    keyTakeaways: list[str]
    controversialAngle: str


class IdeaListItem(IdeaOut):
    createdAt: str


class ThreadOut(BaseModel):
    id: str
    title: str
    type: str
    createdAt: str


class PromptMessage(BaseModel):
    id: str
    content: str
    createdAt: str


class ResponseMessage(PromptMessage):
    contentIdeas: list[IdeaOut]


class IdeaRunOut(BaseModel):
    thread: ThreadOut
    promptMessage: PromptMessage
    responseMessage: ResponseMessage


def idea_out(idea: Idea) -> IdeaOut:
    return IdeaOut(
        id=idea.id,
        title=idea.title,
        content=idea.content,
        keyTakeaways=[str(k) for k in idea.key_takeaways],
        controversialAngle=idea.controversial_angle,
    )


def _message(message: ThreadMessage) -> PromptMessage:
    return PromptMessage(
        id=message.id, content=message.content, createdAt=isoformat_z(message.created_at)
    )


@router.post(
    "",
    response_model=IdeaRunOut,
    responses=error_responses(PaymentRequired, NotFound, Conflict),
    openapi_extra=rate_limited("idea-generate", "50/hour"),
)
async def generate_ideas(
    body: IdeaBody,
    ctx: CtxDep,
) -> IdeaRunOut:
    """Consumes one ``idea_generation`` unit per idea generated."""

    run = await ideas.generate_ideas(
        ctx,
        prompt=body.prompt,
        thread_id=body.threadId,
    )
    thread, answer = run.thread, run.response_message
    return IdeaRunOut(
        thread=ThreadOut(
            id=thread.id,
            title=thread.title,
            type=str(thread.type),
            createdAt=isoformat_z(thread.created_at),
        ),
        promptMessage=_message(run.prompt_message),
        responseMessage=ResponseMessage(
            **_message(answer).model_dump(), contentIdeas=[idea_out(i) for i in run.ideas]
        ),
    )


@router.get("", response_model=list[IdeaListItem], responses=error_responses())
async def list_ideas(
    ctx: CtxDep,
    threadId: str | None = Query(default=None, max_length=64),
    messageId: str | None = Query(default=None, max_length=64),
) -> list[IdeaListItem]:
    """The workspace's ideas, newest first; narrowed to a thread and/or a message."""
    found = await ideas.list_ideas(ctx, thread_id=threadId, message_id=messageId)
    return [
        IdeaListItem(**idea_out(i).model_dump(), createdAt=isoformat_z(i.created_at)) for i in found
    ]


@router.get("/{idea_id}", response_model=IdeaOut, responses=error_responses(NotFound))
async def get_idea(idea_id: str, ctx: CtxDep) -> IdeaOut:
    return idea_out(await ideas.get_idea(ctx, idea_id))
