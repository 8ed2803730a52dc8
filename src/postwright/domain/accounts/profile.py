"""The profile image: a key of the user's own workspace, shown as a freshly signed URL."""

from __future__ import annotations

from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import User
from postwright.domain.context import RequestCtx
from postwright.domain.media import assets


async def update_profile(
    ctx: RequestCtx,
    *,
    name: str | None = None,
    image_key: str | None = None,
    bio: str | None = None,
) -> User:
    """Updates the profile; an ``image_key`` must name a ready image of this workspace
    (400 malformed, 403 another workspace's, 404 none such) and sets ``image_url``."""
    if image_key is not None:
        asset = await assets.owned_asset(ctx, image_key)
        image_key = asset.key
    user = await accounts.update_profile(ctx, name=name, image_key=image_key, bio=bio)
    if image_key is not None:
        # The stable name of the file; readers get it signed (``profile_image_url``).
        user.image_url = ctx.storage.public_url(image_key)
    return user


async def profile_image_url(ctx: RequestCtx, user: User) -> str | None:
    """The URL to show: our own file signed for now, an outside URL as stored."""
    return await assets.readable_image_url(
        ctx.storage,
        ctx.settings,
        workspace_id=ctx.workspace_id,
        image_url=user.image_url,
        image_key=user.image_key,
    )
