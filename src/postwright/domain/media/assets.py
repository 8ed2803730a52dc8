"""Stored media: upload targets, byte checks, ownership, signed URLs.

Keys are what the database holds (``posts.image_key``, ``media_assets.key``); URLs are signed
when somebody reads. A key's first segment is its workspace, so ownership is decided before
anything is looked up: another workspace's key is 403 (zorbit's "not image owner") without
revealing whether it exists.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import commit_point
from postwright.core.errors import Forbidden
from postwright.core.ids import new_id
from postwright.core.settings import Settings
from postwright.domain.billing.context import Acting
from postwright.domain.media.errors import (
    InvalidMediaKey,
    MediaNotFound,
    MediaTooLarge,
    UnsupportedMedia,
)
from postwright.domain.media.formats import IMAGE_TYPES, ImageType, detect_image_type
from postwright.domain.media.models import AssetOrigin, AssetStatus, MediaAsset
from postwright.domain.media.storage import (
    MediaStorage,
    UploadTarget,
    key_belongs_to,
    new_media_key,
    new_public_media_key,
    validate_key,
)

if TYPE_CHECKING:
    from postwright.domain.context import Ctx


@dataclass(frozen=True)
class SignedImage:
    key: str
    url: str
    expires_at: datetime


async def sign(storage: MediaStorage, settings: Settings, key: str) -> SignedImage:
    url, expires_at = await storage.signed_url(
        key, timedelta(seconds=settings.media.url_ttl_seconds)
    )
    return SignedImage(key=key, url=url, expires_at=expires_at)


def image_type_for(mime_type: str | None, filename: str) -> ImageType:
    """The declared type, or the one the file name suggests; only the four image types pass.
    (The bytes are checked again once they arrive.)"""
    candidate = (mime_type or mimetypes.guess_type(filename)[0] or "").lower().strip()
    if candidate == "image/jpg":
        candidate = "image/jpeg"
    for image_type in IMAGE_TYPES:
        if candidate == image_type:
            return image_type
    raise UnsupportedMedia(
        details=[
            {
                "field": "mime_type",
                "message": "must be image/jpeg, image/png, image/gif or image/webp",
            }
        ]
    )


def check_image_bytes(data: bytes, *, declared: str | None, max_bytes: int) -> ImageType:
    """The real type of ``data``; refuses anything that is not one of the four image types,
    is over ``max_bytes``, or is not what was declared."""
    if len(data) > max_bytes:
        raise MediaTooLarge(f"The file exceeds the {max_bytes} byte limit")
    detected = detect_image_type(data)
    if detected is None:
        raise UnsupportedMedia()
    if declared is not None and declared != detected:
        raise UnsupportedMedia(f"The file is {detected}, not {declared}")
    return detected


def _new_asset(
    acting: Acting,
    key: str,
    origin: AssetOrigin,
    status: AssetStatus,
    content_type: str,
    **fields: Any,
) -> MediaAsset:
    now = acting.now()
    return MediaAsset(
        id=new_id("med"),
        workspace_id=acting.workspace_id,
        user_id=acting.user_id,
        key=key,
        origin=origin,
        status=status,
        content_type=content_type,
        created_at=now,
        updated_at=now,
        **fields,
    )


async def create_upload(
    ctx: Ctx,
    *,
    filename: str,
    mime_type: str | None,
    file_size_bytes: int | None,
    folder: str = "uploads",
    post_id: str | None = None,
    public: bool = False,
) -> tuple[UploadTarget, MediaAsset]:
    """A presigned PUT for the client's own image, and the pending asset it will become.

    ``public``: the image gets a stable, unguessable ``public_url`` that answers a plain GET
    (sparkvox post images); otherwise ``public_url`` only names the file and reads are
    signed."""
    settings = ctx.settings
    content_type = image_type_for(mime_type, filename)
    limit = settings.media.max_upload_bytes
    if file_size_bytes is not None and file_size_bytes > limit:
        raise MediaTooLarge(f"Images are limited to {limit // (1024 * 1024)} MB")
    key = (
        new_public_media_key(ctx.workspace_id, folder, content_type)
        if public
        else new_media_key(ctx.workspace_id, folder, content_type)
    )
    target = await ctx.storage.presigned_upload(
        key, content_type, limit, timedelta(seconds=settings.media.upload_ttl_seconds)
    )
    asset = _new_asset(
        ctx.actor,
        key,
        AssetOrigin.UPLOAD,
        AssetStatus.PENDING,
        content_type,
        max_bytes=limit,
        filename=filename[:255],
        post_id=post_id,
    )
    ctx.session.add(asset)
    await ctx.session.flush()
    return target, asset


async def accept_upload(
    session: AsyncSession,
    storage: MediaStorage,
    *,
    key: str,
    data: bytes,
    content_type: str,
    max_bytes: int,
    now: datetime,
) -> MediaAsset:
    """The local upload route's body, once its signature checked out: stored only when the
    bytes are the image type the URL was signed for."""
    asset = await session.scalar(select(MediaAsset).where(MediaAsset.key == key).with_for_update())
    if asset is None or asset.status == AssetStatus.REJECTED:
        raise MediaNotFound()
    size = len(data)
    check_image_bytes(
        data, declared=content_type, max_bytes=min(max_bytes, asset.max_bytes or max_bytes)
    )
    await storage.put(key, data, content_type)
    asset.status = AssetStatus.READY
    asset.size_bytes = size
    asset.updated_at = now
    return asset


async def confirm_upload(
    session: AsyncSession, storage: MediaStorage, asset: MediaAsset, *, now: datetime
) -> MediaAsset:
    """For stores the app does not see uploads arrive at (S3): check the bytes once they are
    there; a file that is not the promised image is deleted and the asset rejected.

    The store is asked with no transaction open (a GET's read snapshot, upgraded to a write
    after another writer committed, would fail on SQLite); the verdict is then recorded by a
    conditional update, so two requests checking the same upload record it once."""
    if asset.status != AssetStatus.PENDING:
        return asset
    await commit_point(session)
    if not await storage.exists(asset.key):
        return asset
    data, _ = await storage.get(asset.key)
    verdict: dict[str, Any] = {"updated_at": now}
    try:
        check_image_bytes(data, declared=asset.content_type, max_bytes=asset.max_bytes or len(data))
    except (UnsupportedMedia, MediaTooLarge):
        await storage.delete(asset.key)
        verdict["status"] = AssetStatus.REJECTED
    else:
        verdict.update(status=AssetStatus.READY, size_bytes=len(data))
    await session.execute(
        update(MediaAsset)
        .where(MediaAsset.id == asset.id, MediaAsset.status == AssetStatus.PENDING)
        .values(**verdict)
    )
    await session.refresh(asset)
    return asset


async def store_upload(
    ctx: Ctx,
    *,
    data: bytes,
    content_type: str,
    folder: str,
    post_id: str | None = None,
) -> MediaAsset:
    """Bytes the client sent inline (already checked), stored and recorded as a ready asset,
    so they are downloaded, refreshed and owned like any other image."""
    key = new_media_key(ctx.workspace_id, folder, content_type)
    await ctx.storage.put(key, data, content_type)
    asset = _new_asset(
        ctx.actor,
        key,
        AssetOrigin.UPLOAD,
        AssetStatus.READY,
        content_type,
        size_bytes=len(data),
        post_id=post_id,
    )
    ctx.session.add(asset)
    return asset


def record_generated(
    session: AsyncSession,
    acting: Acting,
    *,
    key: str,
    content_type: str,
    size_bytes: int,
    provider: str,
    prompt: str,
    post_id: str | None = None,
    job_id: str | None = None,
) -> MediaAsset:
    asset = _new_asset(
        acting,
        key,
        AssetOrigin.GENERATED,
        AssetStatus.READY,
        content_type,
        size_bytes=size_bytes,
        provider=provider,
        prompt=prompt,
        post_id=post_id,
        job_id=job_id,
    )
    session.add(asset)
    return asset


async def owned_asset(ctx: Ctx, key: str) -> MediaAsset:
    """The workspace's ready asset behind ``key``: 400 for a malformed key, 403 for another
    workspace's, 404 when there is no such image (or its upload never arrived)."""
    validate_key(key)
    if not key_belongs_to(key, ctx.workspace_id):
        raise Forbidden("Forbidden: not image owner")
    asset = await ctx.session.scalar(
        select(MediaAsset).where(MediaAsset.workspace_id == ctx.workspace_id, MediaAsset.key == key)
    )
    if asset is None or asset.status == AssetStatus.REJECTED:
        raise MediaNotFound("Image not found")
    if asset.status == AssetStatus.PENDING:
        asset = await confirm_upload(ctx.session, ctx.storage, asset, now=ctx.now())
        if asset.status != AssetStatus.READY:
            raise MediaNotFound("Image not found")
    return asset


async def read_owned(ctx: Ctx, key: str) -> tuple[bytes, str]:
    asset = await owned_asset(ctx, key)
    return await ctx.storage.get(asset.key)


async def refresh_url(ctx: Ctx, key: str) -> SignedImage:
    asset = await owned_asset(ctx, key)
    if not await ctx.storage.exists(asset.key):
        raise MediaNotFound("Image not found")
    return await sign(ctx.storage, ctx.settings, asset.key)


async def display_url(
    storage: MediaStorage, settings: Settings, *, image_url: str | None, image_key: str | None
) -> str | None:
    """What a post shows as its image: the sentinel while a job runs, a freshly signed URL
    for a stored key, or an outside URL as given. For readers of ``posts.image_url``."""
    if image_url in (GENERATING, FAILED) or not image_key:
        return image_url
    try:
        return (await sign(storage, settings, image_key)).url
    except InvalidMediaKey:
        return image_url


async def readable_image_url(
    storage: MediaStorage,
    settings: Settings,
    *,
    workspace_id: str,
    image_url: str | None,
    image_key: str | None,
) -> str | None:
    """A post's image as its reader should get it: our own files (by key, or by a URL of
    ours a client wrote back) signed for now, outside URLs and job sentinels as stored.

    A URL naming another workspace's file is handed back unsigned: writing it onto a post
    must not become a way to read that file."""
    key = image_key
    if key is None and image_url and image_url not in (GENERATING, FAILED):
        key = storage.key_from_url(image_url)
    if key is None or not key_belongs_to(key, workspace_id):
        return image_url
    return await display_url(storage, settings, image_url=image_url, image_key=key)


# sparkvox shows these in ``image_url`` while a job runs and when it failed.
GENERATING = "__generating__"
FAILED = "__error__"


def key_for_url(storage: MediaStorage, url: str, workspace_id: str) -> str | None:
    """The workspace's key behind one of our public URLs (sparkvox PATCH ``image_url``), or
    None for an outside URL or another workspace's file."""
    key = storage.key_from_url(url)
    return key if key is not None and key_belongs_to(key, workspace_id) else None


@dataclass(frozen=True)
class AssetView:
    asset: MediaAsset
    signed: SignedImage | None


async def asset_view(ctx: Ctx, asset_id: str) -> AssetView:
    """An asset of this workspace (404 otherwise), its upload checked if it just arrived, with
    a signed URL once it is ready."""
    asset = await ctx.session.scalar(
        select(MediaAsset).where(
            MediaAsset.id == asset_id, MediaAsset.workspace_id == ctx.workspace_id
        )
    )
    if asset is None:
        raise MediaNotFound()
    asset = await confirm_upload(ctx.session, ctx.storage, asset, now=ctx.now())
    ready = asset.status == AssetStatus.READY
    signed = await sign(ctx.storage, ctx.settings, asset.key) if ready else None
    return AssetView(asset, signed)
