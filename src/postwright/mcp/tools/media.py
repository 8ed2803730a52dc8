"""Images: generate one for a post and get a link to it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.context import RequestCtx
from postwright.domain.media import generate
from postwright.mcp.runtime import Limit, tool

# The same budget as the API's generate-image route.
IMAGE_LIMIT = Limit("image-generate", "/api/v1/generate-image-replicate", "30/hour")


class ImageOut(BaseModel):
    url: str = Field(description="A signed link to the image; it expires at expires_at")
    key: str = Field(description="The image's storage key")
    expires_at: str
    post_id: str | None = Field(description="The post the image was attached to")


@tool(title="Generate an image", limit=IMAGE_LIMIT, writes=True)
async def generate_image(
    ctx: RequestCtx,
    prompt: Annotated[
        str | None,
        Field(max_length=4000, description="What to draw; default: built from the post"),
    ] = None,
    post_content: Annotated[
        str | None, Field(max_length=10_000, description="The post the image illustrates")
    ] = None,
    post_id: Annotated[
        str | None,
        Field(max_length=64, description="Attach the image to this post (its author only)"),
    ] = None,
) -> ImageOut:
    """Generate an image for a post and return a link to it. Give a prompt, the post's text
    or a post_id. Uses one image_creation quota unit (QUOTA_EXHAUSTED when none is left)."""
    signed = await generate.generate_now(
        ctx,
        post_content=post_content,
        post_id=post_id,
        custom_prompt=prompt,
    )
    return ImageOut(
        url=signed.url,
        key=signed.key,
        expires_at=isoformat_z(signed.expires_at),
        post_id=post_id,
    )
