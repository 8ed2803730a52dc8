"""sparkvox: ``/api/v1/projects/{id}/posts`` — list, get and update generated LinkedIn drafts,
exactly as the sparkvox document describes them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import NotFound, error_responses
from postwright.domain.content.models import Post, ReviewStatus
from postwright.domain.context import RequestCtx
from postwright.domain.media.assets import readable_image_url
from postwright.domain.projects import posts
from postwright.domain.projects.posts import UNSET, PostEdit, ReviewedPost
from postwright.domain.projects.scheduling import ProviderNotConnected

router = APIRouter(prefix="/api/v1/projects/{project_id}/posts", tags=["sparkvox: posts"])

StatusValue = Literal["pending", "approved", "discarded"]


class PostOut(BaseModel):
    id: str
    moment_id: str | None
    platform: str
    generated_content: str
    first_comment: str | None
    status: StatusValue
    publish_tool: str | None
    image_url: str | None
    created_at: str | None


class PostList(BaseModel):
    posts: list[PostOut]


class PostEnvelope(BaseModel):
    post: PostOut


class UpdatedPost(PostOut):
    """The updated post; ``scheduled_at`` and ``job_id`` only when a ``provider`` was given."""

    scheduled_at: str | None = None
    job_id: str | None = None


class UpdatePostBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: StatusValue | None = None
    generated_content: str | None = Field(default=None, max_length=posts.MAX_CONTENT)
    first_comment: str | None = Field(default=None, max_length=5000)
    image_url: str | None = Field(default=None, max_length=2000)
    provider: str | None = Field(
        default=None, max_length=40, description="linkedin, buffer or publer: also schedule it"
    )
    account_id: str | None = Field(default=None, max_length=200)

    def edit(self) -> PostEdit:
        sent = self.model_fields_set
        content: Any = UNSET
        if "generated_content" in sent:
            # null is no content at all: refused like an empty string.
            content = self.generated_content or ""
        return PostEdit(
            status=ReviewStatus(self.status) if self.status else None,
            generated_content=content,
            first_comment=self.first_comment if "first_comment" in sent else UNSET,
            image_url=self.image_url if "image_url" in sent else UNSET,
            provider=self.provider,
            account_id=self.account_id,
        )


async def post_out(post: Post, ctx: RequestCtx) -> PostOut:
    image_url = await readable_image_url(
        ctx.storage,
        ctx.settings,
        workspace_id=post.workspace_id,
        image_url=post.image_url,
        image_key=post.image_key,
    )
    return PostOut(
        id=post.id,
        moment_id=post.moment_id,
        platform=post.platform,
        generated_content=post.content,
        first_comment=post.first_comment,
        status=ReviewStatus(post.review_status).value,
        publish_tool=post.publish_provider,
        image_url=image_url,
        created_at=isoformat_z(post.created_at),
    )


async def updated_out(reviewed: ReviewedPost, ctx: RequestCtx) -> UpdatedPost:
    body = (await post_out(reviewed.post, ctx)).model_dump()
    if reviewed.scheduled is not None:
        body["scheduled_at"] = isoformat_z(reviewed.scheduled.scheduled_at)
        body["job_id"] = reviewed.scheduled.job_id
    return UpdatedPost(**body)


@router.get("", response_model=PostList, responses=error_responses(NotFound))
async def list_posts(
    project_id: str,
    ctx: CtxDep,
    status: Annotated[
        StatusValue | None, Query(description="pending, approved or discarded")
    ] = None,
) -> PostList:
    """Generated posts for a project: one long-form LinkedIn post per extracted moment."""
    rows = await posts.list_posts(ctx, project_id, status=ReviewStatus(status) if status else None)
    return PostList(posts=[await post_out(p, ctx) for p in rows])


@router.get("/{post_id}", response_model=PostEnvelope, responses=error_responses(NotFound))
async def get_post(project_id: str, post_id: str, ctx: CtxDep) -> PostEnvelope:
    post = await posts.get_post(ctx, project_id, post_id)
    return PostEnvelope(post=await post_out(post, ctx))


@router.patch(
    "/{post_id}",
    response_model=UpdatedPost,
    response_model_exclude_unset=True,
    responses=error_responses(NotFound, ProviderNotConnected),
)
async def update_post(
    project_id: str, post_id: str, body: UpdatePostBody, ctx: CtxDep
) -> UpdatedPost:
    """Update status and content. Without ``provider`` the post is approved (or set to
    ``status``) in Postwright only; with ``provider`` it is approved and scheduled to the
    connected tool (400 ``PROVIDER_NOT_CONNECTED`` without a connection)."""
    reviewed = await posts.review_post(ctx, project_id, post_id, body.edit())
    return await updated_out(reviewed, ctx)
