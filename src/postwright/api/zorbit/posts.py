"""zorbit: ``/api/v1/post`` — list, create, read, update, soft delete, and AI generation.
(``/post/publish`` and ``/post/share-linkedin`` live with publishing.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PaymentRequired,
    ValidationFailed,
    error_responses,
)
from postwright.core.pagination import MAX_PAGE
from postwright.domain.content import post_generation, post_service, posts
from postwright.domain.content.images import ImageUpload, parse_data_uri
from postwright.domain.content.models import Post
from postwright.domain.content.posts import PostChanges, PostQuery, PostSummary
from postwright.domain.context import RequestCtx
from postwright.domain.media.assets import readable_image_url

router = APIRouter(prefix="/api/v1/post", tags=["zorbit: posts"])


@contextmanager
def blank_wording() -> Iterator[None]:
    """zorbit words the Post service's empty-content refusal as "must not be blank"."""
    try:
        yield
    except post_service.EmptyContent as exc:
        raise ValidationFailed(
            details=[{"field": exc.field, "message": "must not be blank"}]
        ) from None


IMAGE = Field(default=None, description="data:image/<png|jpeg|gif|webp>;base64,<data> (10 MB)")


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=5000)
    personaId: str | None = Field(default=None, max_length=64)
    selectedPosts: list[str] = Field(
        default_factory=list, max_length=20, description="Posts whose style to imitate"
    )
    threadId: str | None = Field(
        default=None,
        max_length=64,
        description="Continue this thread; required unless isFirstMessage is true",
    )
    isFirstMessage: bool | None = Field(
        default=None,
        description="Start a new thread (any threadId is then ignored). Default: true when "
        "no threadId is given",
    )
    contentLength: Literal["short", "medium", "long"] = "medium"


class GeneratedContent(BaseModel):
    text: str


class GeneratedPostOut(BaseModel):
    id: str
    content: GeneratedContent
    timestamp: str
    personaId: str | None
    contentLength: str | None


class PersonaUsed(BaseModel):
    id: str
    name: str
    isSystem: bool


class GenerateOut(BaseModel):
    posts: list[GeneratedPostOut]
    partialSuccess: bool
    totalRequested: int
    totalGenerated: int
    personaUsed: PersonaUsed | None
    threadId: str
    generationTime: float


class PostListItem(BaseModel):
    id: str
    content: str
    type: str
    personaId: str | None
    createdAt: str
    scheduledOn: str | None
    isPostedOnLinkedin: bool
    linkedinUrl: str | None


class PostList(BaseModel):
    posts: list[PostListItem]
    hasMore: bool
    totalCount: int
    page: int
    totalPages: int


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=50_000)
    type: str = Field(default="post", min_length=1, max_length=40)
    personaId: str | None = Field(default=None, max_length=64)
    isSaved: bool = False
    image: str | None = IMAGE


class Created(BaseModel):
    id: str
    content: str
    type: str
    userId: str
    createdAt: str


class PostOut(BaseModel):
    id: str
    title: str | None
    content: str
    imageUrl: str | None
    imageKey: str | None
    published: bool
    isPostedOnLinkedin: bool
    linkedinUrl: str | None
    linkedinPostedAt: str | None
    type: str
    source: str
    createdAt: str
    updatedAt: str
    isLiked: bool
    isDisliked: bool
    isSaved: bool
    userId: str
    personaId: str | None


class UpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str | None = Field(default=None, max_length=50_000)
    type: str | None = Field(default=None, min_length=1, max_length=40)
    isLiked: bool | None = None
    isDisliked: bool | None = None
    isSaved: bool | None = None
    scheduledOn: datetime | None = Field(
        default=None, description="ISO 8601 with a timezone (stored in UTC); null unschedules"
    )
    image: str | None = Field(default=None, description='A data URI; "" or null removes it')

    def changes(self) -> PostChanges:
        sent = self.model_fields_set
        image: ImageUpload | None = parse_data_uri(self.image) if self.image else None
        return PostChanges(
            content=self.content,
            type=self.type,
            is_liked=self.isLiked,
            is_disliked=self.isDisliked,
            is_saved=self.isSaved,
            scheduled_on=self.scheduledOn,
            unschedule="scheduledOn" in sent and self.scheduledOn is None,
            image=image,
            remove_image="image" in sent and not self.image,
        )


class Updated(BaseModel):
    id: str
    content: str
    updatedAt: str


class Deleted(BaseModel):
    success: bool
    deletedAt: str | None


def list_item(post: PostSummary) -> PostListItem:
    return PostListItem(
        id=post.id,
        content=post.content,
        type=post.type,
        personaId=post.persona_id,
        createdAt=isoformat_z(post.created_at),
        scheduledOn=isoformat_z(post.scheduled_on),
        isPostedOnLinkedin=posts.is_posted(post),
        linkedinUrl=post.external_url,
    )


async def post_out(post: Post, ctx: RequestCtx) -> PostOut:
    posted = posts.is_posted(post)
    image_url = await readable_image_url(
        ctx.storage,
        ctx.settings,
        workspace_id=post.workspace_id,
        image_url=post.image_url,
        image_key=post.image_key,
    )
    return PostOut(
        id=post.id,
        title=post.title,
        content=post.content,
        imageUrl=image_url,
        imageKey=post.image_key,
        published=posted,
        isPostedOnLinkedin=posted,
        linkedinUrl=post.external_url,
        linkedinPostedAt=isoformat_z(post.published_at),
        type=post.type,
        source=str(post.source),
        createdAt=isoformat_z(post.created_at),
        updatedAt=isoformat_z(post.updated_at),
        isLiked=post.is_liked,
        isDisliked=post.is_disliked,
        isSaved=post.is_saved,
        userId=post.user_id,
        personaId=post.persona_id,
    )


@router.post(
    "/generate",
    response_model=GenerateOut,
    responses=error_responses(PaymentRequired, NotFound, Conflict),
    openapi_extra=rate_limited("post-generate", "100/hour"),
)
async def generate_posts(body: GenerateBody, ctx: CtxDep) -> GenerateOut:
    """Writes post variants in a thread (its last 10 messages are context; ``selectedPosts``
    are style examples). Consumes one ``post_generation`` unit per post generated; a
    variant that failed is left out and ``partialSuccess`` is true."""

    done = await post_generation.generate_posts(
        ctx,
        post_generation.PostRequest(
            prompt=body.prompt,
            persona_id=body.personaId,
            selected_post_ids=body.selectedPosts,
            thread_id=body.threadId,
            is_first_message=body.isFirstMessage,
            content_length=body.contentLength,
        ),
    )
    persona = done.persona
    return GenerateOut(
        posts=[
            GeneratedPostOut(
                id=p.id,
                content=GeneratedContent(text=p.content),
                timestamp=isoformat_z(p.created_at),
                personaId=p.persona_id,
                contentLength=p.content_length,
            )
            for p in done.posts
        ],
        partialSuccess=done.partial_success,
        totalRequested=done.requested,
        totalGenerated=len(done.posts),
        personaUsed=(
            PersonaUsed(id=persona.id, name=persona.name, isSystem=persona.is_system)
            if persona
            else None
        ),
        threadId=done.thread.id,
        generationTime=done.seconds,
    )


@router.get("", response_model=PostList, responses=error_responses())
async def list_posts(
    ctx: CtxDep,
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    limit: int = Query(default=10, ge=1, le=100),
    type: str | None = Query(default=None, max_length=40),
    personaId: str | None = Query(default=None, max_length=64),
    scheduledOnly: bool = False,
    postedOnly: bool = False,
    sort: str = Query(
        default="createdAt:desc",
        max_length=40,
        description="field:direction; fields createdAt, scheduledOn, linkedinPostedAt",
    ),
) -> PostList:
    result = await posts.list_posts(
        ctx,
        PostQuery(
            type=type,
            persona_id=personaId,
            scheduled_only=scheduledOnly,
            posted_only=postedOnly,
            sort=sort,
        ),
        page=page,
        limit=limit,
    )
    return PostList(
        posts=[list_item(p) for p in result.items],
        hasMore=result.has_more,
        totalCount=result.total_count,
        page=result.page,
        totalPages=result.total_pages,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=error_responses(Conflict, PayloadTooLarge),
)
async def create_post(body: CreateBody, ctx: CtxDep) -> Created:
    with blank_wording():
        post = await posts.create_post(
            ctx,
            content=body.content,
            type=body.type,
            persona_id=body.personaId,
            is_saved=body.isSaved,
            image=parse_data_uri(body.image) if body.image else None,
        )
    return Created(
        id=post.id,
        content=post.content,
        type=post.type,
        userId=post.user_id,
        createdAt=isoformat_z(post.created_at),
    )


@router.get("/{post_id}", response_model=PostOut, responses=error_responses(NotFound))
async def get_post(post_id: str, ctx: CtxDep) -> PostOut:
    return await post_out(await posts.get_post(ctx, post_id), ctx)


@router.put(
    "/{post_id}",
    response_model=Updated,
    responses=error_responses(Forbidden, NotFound, Conflict, PayloadTooLarge),
)
async def update_post(
    post_id: str,
    body: UpdateBody,
    ctx: CtxDep,
) -> Updated:
    """Only the post's owner (403 otherwise). Liking clears a dislike and vice versa."""

    with blank_wording():
        post = await posts.update_post(ctx, post_id, body.changes())
    return Updated(id=post.id, content=post.content, updatedAt=isoformat_z(post.updated_at))


@router.delete(
    "/{post_id}",
    response_model=Deleted,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def delete_post(post_id: str, ctx: CtxDep) -> Deleted:
    """Soft delete by the post's owner; restorable for 30 days."""

    post = await posts.delete_post(ctx, post_id)
    return Deleted(success=True, deletedAt=isoformat_z(post.deleted_at))
