"""zorbit: ``/api/v1/comments`` — generated replies (single and beast mode) and the list."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import Conflict, Forbidden, NotFound, PaymentRequired, error_responses
from postwright.core.pagination import MAX_PAGE
from postwright.domain.content import comments
from postwright.domain.content.comment_models import Comment

router = APIRouter(prefix="/api/v1/comments", tags=["zorbit: comments"])
GENERATION_ERRORS = error_responses(PaymentRequired, Conflict)


class BeastModeBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    postContent: str = Field(min_length=1, max_length=10_000)
    platform: str = Field(default="linkedin", max_length=20, description="linkedin or x")
    userComment: str | None = Field(default=None, max_length=2000)
    authorName: str | None = Field(default=None, max_length=200)
    authorBio: str | None = Field(default=None, max_length=1000)

    def request(self) -> comments.CommentRequest:
        return comments.CommentRequest(
            post_content=self.postContent,
            platform=comments.comment_platform(self.platform),
            user_comment=self.userComment,
            author_name=self.authorName,
            author_bio=self.authorBio,
        )


class GenerateBody(BeastModeBody):
    tone: str | None = Field(default=None, max_length=100)
    length: Literal["short", "medium", "long"] = "short"
    authorUrl: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")

    def request(self) -> comments.CommentRequest:
        return replace(
            super().request(), tone=self.tone, length=self.length, author_url=self.authorUrl
        )


class LinkedinComment(BaseModel):
    quote: str
    profileUrl: str | None


class GeneratedLinkedin(BaseModel):
    comment: LinkedinComment
    message: str
    generationTime: float
    platform: str


class GeneratedReply(BaseModel):
    comment: str
    message: str
    generationTime: float
    platform: str


class BeastComment(BaseModel):
    quote: str
    type: str


class BeastModeOut(BaseModel):
    comments: list[BeastComment]
    message: str
    generationTime: float
    platform: str


class CommentItem(BaseModel):
    id: str
    firstName: str
    lastName: str
    title: str
    quote: str
    date: str


class Pagination(BaseModel):
    total: int
    page: int
    limit: int
    totalPages: int


class CommentList(BaseModel):
    comments: list[CommentItem]
    pagination: Pagination


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    firstName: str = Field(min_length=1, max_length=200)
    lastName: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=500)
    quote: str = Field(min_length=1, max_length=5000)
    image: str = Field(
        default="",
        max_length=2000,
        pattern=r"^(https?://\S+)?$",
        description="An image URL, or empty",
    )


class Created(BaseModel):
    id: str
    firstName: str
    lastName: str
    quote: str
    createdAt: str


class Deleted(BaseModel):
    success: bool
    deletedAt: str | None


@router.post(
    "/generate",
    response_model=GeneratedLinkedin | GeneratedReply,
    responses=GENERATION_ERRORS,
    openapi_extra=rate_limited("comment-generate", "200/hour"),
)
async def generate_comment(
    body: GenerateBody,
    ctx: CtxDep,
) -> GeneratedLinkedin | GeneratedReply:
    """One ``comment_generation`` unit. LinkedIn comments are saved to the comment list and
    answered as ``{quote, profileUrl}``; an X reply is answered as a string."""
    request = body.request()

    done = await comments.generate_comment(ctx, request)
    quote = done.comments[0].quote
    if request.platform == "x":
        return GeneratedReply(
            comment=quote,
            message="Reply generated",
            generationTime=done.seconds,
            platform="x",
        )
    return GeneratedLinkedin(
        comment=LinkedinComment(quote=quote, profileUrl=request.author_url),
        message="Comment generated and saved",
        generationTime=done.seconds,
        platform="linkedin",
    )


@router.post(
    "/beast-mode",
    response_model=BeastModeOut,
    responses=GENERATION_ERRORS,
    openapi_extra=rate_limited("comment-beast-mode", "40/hour"),
)
async def beast_mode(
    body: BeastModeBody,
    ctx: CtxDep,
) -> BeastModeOut:
    """Five varied comments for five ``comment_generation`` units (402 unless five are left)."""
    request = body.request()

    done = await comments.beast_mode(ctx, request)
    return BeastModeOut(
        comments=[BeastComment(quote=c.quote, type=c.type) for c in done.comments],
        message="Beast mode comments generated",
        generationTime=done.seconds,
        platform=request.platform,
    )


@router.get("", response_model=CommentList, responses=error_responses())
async def list_comments(
    ctx: CtxDep,
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    limit: int = Query(default=10, ge=1, le=100),
    search: str | None = Query(default=None, max_length=100, description="First or last name"),
) -> CommentList:
    result = await comments.list_comments(ctx, page=page, limit=limit, search=search)
    return CommentList(
        comments=[
            CommentItem(
                id=c.id,
                firstName=c.first_name,
                lastName=c.last_name,
                title=c.title,
                quote=c.quote,
                date=isoformat_z(c.created_at),
            )
            for c in result.items
        ],
        pagination=Pagination(
            total=result.total_count,
            page=result.page,
            limit=result.limit,
            totalPages=result.total_pages,
        ),
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Created,
    responses=error_responses(Conflict),
)
async def create_comment(body: CreateBody, ctx: CtxDep) -> Created:
    comment: Comment = await comments.create_comment(
        ctx,
        first_name=body.firstName,
        last_name=body.lastName,
        title=body.title,
        quote=body.quote,
        image=body.image,
    )
    return Created(
        id=comment.id,
        firstName=comment.first_name,
        lastName=comment.last_name,
        quote=comment.quote,
        createdAt=isoformat_z(comment.created_at),
    )


@router.delete(
    "/{comment_id}",
    response_model=Deleted,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def delete_comment(comment_id: str, ctx: CtxDep) -> Deleted:
    """Soft delete by the comment's owner."""

    comment = await comments.delete_comment(ctx, comment_id)
    return Deleted(success=True, deletedAt=isoformat_z(comment.deleted_at))
