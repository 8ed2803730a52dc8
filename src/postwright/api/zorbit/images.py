"""zorbit: generate-image-replicate, download-image, refresh-image-url."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import Conflict, Forbidden, NotFound, PaymentRequired, error_responses
from postwright.domain.media import assets, generate

router = APIRouter(prefix="/api/v1", tags=["zorbit: images"])


class GenerateImageBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    postContent: str | None = Field(default=None, max_length=10_000)
    postId: str | None = Field(default=None, max_length=64)
    customPrompt: str | None = Field(default=None, max_length=4000)


class GeneratedImageOut(BaseModel):
    success: bool
    imageUrl: str
    imageKey: str


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    imageKey: str = Field(min_length=1, max_length=512)


class RefreshedUrl(BaseModel):
    imageUrl: str
    expiresAt: str


@router.post(
    "/generate-image-replicate",
    response_model=GeneratedImageOut,
    responses=error_responses(PaymentRequired, Forbidden, NotFound, Conflict),
    openapi_extra=rate_limited("image-generate", "30/hour"),
)
async def generate_image(
    body: GenerateImageBody,
    ctx: CtxDep,
) -> GeneratedImageOut:
    """Consumes one ``image_creation`` quota unit. With ``postId`` the image is attached to
    the post; without ``customPrompt`` the prompt is built from the post's content."""

    signed = await generate.generate_now(
        ctx,
        post_content=body.postContent,
        post_id=body.postId,
        custom_prompt=body.customPrompt,
    )
    return GeneratedImageOut(success=True, imageUrl=signed.url, imageKey=signed.key)


@router.get(
    "/download-image",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}, "image/gif": {}}},
        **error_responses(Forbidden, NotFound),
    },
)
async def download_image(
    key: Annotated[str, Query(min_length=1, max_length=512, description="Image key")],
    ctx: CtxDep,
) -> Response:
    """The image's bytes; 403 for another workspace's key."""
    data, content_type = await assets.read_owned(ctx, key)
    filename = key.rsplit("/", 1)[-1]
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post(
    "/refresh-image-url",
    response_model=RefreshedUrl,
    responses=error_responses(Forbidden, NotFound),
)
async def refresh_image_url(body: RefreshBody, ctx: CtxDep) -> RefreshedUrl:
    signed = await assets.refresh_url(ctx, body.imageKey)
    return RefreshedUrl(imageUrl=signed.url, expiresAt=isoformat_z(signed.expires_at))
