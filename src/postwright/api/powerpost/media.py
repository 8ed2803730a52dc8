"""powerpost: Upload Media and Generate Images, in powerpost's snake_case.

Uploads are presigned: ``POST /media/upload`` hands out a PUT URL, the client sends the
bytes there, and ``GET /media/{media_id}`` reports ``ready`` once they proved to be a JPG,
PNG, GIF or WebP (``rejected`` otherwise). Image generations run like content generations:
``POST /images/generate`` answers 202 with a ``generation_id`` to poll.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import InsufficientCredits, NotFound, error_responses
from postwright.domain.media import assets, generate
from postwright.domain.media.errors import MediaTooLarge, UnsupportedMedia
from postwright.domain.media.formats import AspectRatio
from postwright.domain.media.images import ImageStyle
from postwright.domain.media.models import AssetStatus, ImageJobStatus

router = APIRouter(prefix="/api/v1/content", tags=["powerpost: media"])


class UploadBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = Field(min_length=1, max_length=255)
    mime_type: str | None = Field(default=None, max_length=100)
    file_size_bytes: int | None = Field(default=None, ge=0)


class UploadOut(BaseModel):
    media_id: str
    status: str
    upload_url: str
    method: str
    headers: dict[str, str]
    storage_key: str
    content_type: str
    max_bytes: int
    expires_at: str


class MediaOut(BaseModel):
    media_id: str
    status: Literal["pending", "ready", "rejected"]
    filename: str | None
    content_type: str
    size_bytes: int | None
    storage_key: str
    url: str | None = Field(description="Signed download URL (when ready)")
    url_expires_at: str | None
    created_at: str


class GenerateImagesBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str | None = Field(default=None, max_length=4000)
    caption: str | None = Field(
        default=None, max_length=10_000, description="An existing caption to illustrate"
    )
    count: int = Field(default=1, ge=1, le=generate.MAX_IMAGES_PER_JOB)
    aspect_ratio: AspectRatio = "1:1"
    style: ImageStyle = "professional"
    persona_id: str | None = Field(default=None, max_length=64)


class ImageOut(BaseModel):
    url: str
    storage_key: str
    expires_at: str


class ImageOutputs(BaseModel):
    images: list[ImageOut]


class GenerationError(BaseModel):
    code: str
    message: str


class ImageGenerationOut(BaseModel):
    generation_id: str
    status: Literal["processing", "completed", "failed"]
    prompt: str
    count: int
    aspect_ratio: str
    style: str
    credits_used: int
    created_at: str
    completed_at: str | None = None
    outputs: ImageOutputs | None = None
    error: GenerationError | None = None


def _media_out(view: assets.AssetView) -> MediaOut:
    asset = view.asset
    return MediaOut(
        media_id=asset.id,
        status=AssetStatus(asset.status).value,
        filename=asset.filename,
        content_type=asset.content_type,
        size_bytes=asset.size_bytes,
        storage_key=asset.key,
        url=view.signed.url if view.signed else None,
        url_expires_at=isoformat_z(view.signed.expires_at) if view.signed else None,
        created_at=isoformat_z(asset.created_at),
    )


def _generation_out(view: generate.JobView) -> ImageGenerationOut:
    job = view.job
    state = ImageJobStatus(job.status)
    return ImageGenerationOut(
        generation_id=job.id,
        status=state.value,
        prompt=job.prompt,
        count=job.count,
        aspect_ratio=job.aspect_ratio,
        style=job.style,
        # What this generation costs: held while it runs, charged when done, 0 if it failed.
        credits_used=0 if state is ImageJobStatus.FAILED else job.credits_reserved,
        created_at=isoformat_z(job.created_at),
        completed_at=isoformat_z(job.completed_at),
        outputs=ImageOutputs(
            images=[
                ImageOut(
                    url=image.url,
                    storage_key=image.key,
                    expires_at=isoformat_z(image.expires_at),
                )
                for image in view.images
            ]
        )
        if state is ImageJobStatus.COMPLETED
        else None,
        error=GenerationError(
            code="GENERATION_FAILED", message=job.error or "Failed to generate images"
        )
        if state is ImageJobStatus.FAILED
        else None,
    )


@router.post(
    "/media/upload",
    status_code=status.HTTP_201_CREATED,
    response_model=UploadOut,
    responses=error_responses(MediaTooLarge, UnsupportedMedia),
)
async def upload_media(body: UploadBody, ctx: CtxDep) -> UploadOut:
    """A presigned PUT URL for one image (JPG, PNG, GIF, WebP; at most 50 MB)."""
    target, asset = await assets.create_upload(
        ctx,
        filename=body.filename,
        mime_type=body.mime_type,
        file_size_bytes=body.file_size_bytes,
    )
    return UploadOut(
        media_id=asset.id,
        status=AssetStatus(asset.status).value,
        upload_url=target.upload_url,
        method=target.method,
        headers=target.headers,
        storage_key=target.key,
        content_type=target.content_type,
        max_bytes=target.max_bytes,
        expires_at=isoformat_z(target.expires_at),
    )


@router.get("/media/{media_id}", response_model=MediaOut, responses=error_responses(NotFound))
async def get_media(media_id: str, ctx: CtxDep) -> MediaOut:
    view = await assets.asset_view(ctx, media_id)
    return _media_out(view)


@router.post(
    "/images/generate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImageGenerationOut,
    responses=error_responses(InsufficientCredits, NotFound),
    openapi_extra=rate_limited("ai"),
)
async def generate_images(body: GenerateImagesBody, ctx: CtxDep) -> ImageGenerationOut:
    """Starts generating ``count`` images (5 credits each, held now, charged when done)."""
    job = await generate.start_images(
        ctx,
        prompt=body.prompt,
        caption=body.caption,
        count=body.count,
        style=body.style,
        aspect_ratio=body.aspect_ratio,
        persona_id=body.persona_id,
    )
    return _generation_out(generate.JobView(job, []))


@router.get(
    "/images/{generation_id}",
    response_model=ImageGenerationOut,
    responses=error_responses(NotFound),
)
async def get_image_generation(generation_id: str, ctx: CtxDep) -> ImageGenerationOut:
    view = await generate.job_view(ctx, generation_id)
    return _generation_out(view)
