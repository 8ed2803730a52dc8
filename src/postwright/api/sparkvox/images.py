"""sparkvox: Generate Image (async, 202) and Image Upload URL for a project's post."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.errors import InsufficientCredits, NotFound, error_responses
from postwright.domain.media import assets, generate
from postwright.domain.media.errors import MediaTooLarge, UnsupportedMedia

router = APIRouter(prefix="/api/v1/projects", tags=["sparkvox: posts"])


class GenerateImageBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    post_content: str | None = Field(
        default=None,
        max_length=10_000,
        description="Override text to illustrate (defaults to saved generated_content)",
    )


class Accepted(BaseModel):
    accepted: bool


class UploadUrlBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = Field(min_length=1, max_length=255)
    mime_type: str | None = Field(default=None, max_length=100)
    file_size_bytes: int | None = Field(default=None, ge=0)


class UploadUrlOut(BaseModel):
    upload_url: str
    storage_path: str
    content_type: str
    public_url: str


@router.post(
    "/{project_id}/posts/{post_id}/generate-image",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=error_responses(NotFound, InsufficientCredits),
    openapi_extra=rate_limited("ai"),
)
async def generate_image(
    project_id: str,
    post_id: str,
    ctx: CtxDep,
    body: GenerateImageBody | None = None,
) -> Accepted:
    """Starts image generation (5 credits, reserved now, charged when the image is ready).
    Poll the post until ``image_url`` is a URL, or ``__error__``."""
    await generate.start_post_image(
        ctx,
        project_id=project_id,
        post_id=post_id,
        post_content=body.post_content if body else None,
    )
    return Accepted(accepted=True)


@router.post(
    "/{project_id}/posts/{post_id}/upload-url",
    response_model=UploadUrlOut,
    responses=error_responses(NotFound, MediaTooLarge, UnsupportedMedia),
)
async def upload_url(
    project_id: str,
    post_id: str,
    body: UploadUrlBody,
    ctx: CtxDep,
) -> UploadUrlOut:
    """A presigned PUT for a JPG, PNG, GIF or WebP of at most 50 MB. Then PATCH the post with
    ``image_url`` set to ``public_url``: a stable, unguessable URL anyone can GET once the
    upload arrived."""
    post = await generate.project_post(ctx, project_id, post_id)
    target, _ = await assets.create_upload(
        ctx,
        filename=body.filename,
        mime_type=body.mime_type,
        file_size_bytes=body.file_size_bytes,
        folder="post-images",
        post_id=post.id,
        public=True,
    )
    return UploadUrlOut(
        upload_url=target.upload_url,
        storage_path=target.key,
        content_type=target.content_type,
        public_url=target.public_url,
    )
