"""The storage backend settings choose: local signed files (default) or an S3 bucket."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from postwright.core.clock import Clock
from postwright.core.public_url import public_base_url
from postwright.core.settings import Settings
from postwright.domain.media.storage import LocalStorage, MediaStorage

if TYPE_CHECKING:
    # boto3 takes half a second to import: only S3 deployments pay for it.
    from postwright.domain.media.s3 import S3Config


def local_root(settings: Settings) -> Path:
    return settings.media.local_dir or settings.data_dir / "media"


def local_storage(settings: Settings, clock: Clock | None = None) -> LocalStorage:
    return LocalStorage(
        local_root(settings),
        public_base_url(settings),
        settings.resolved_secret_key(),
        clock,
        any_origin=settings.public_base_url is None,
    )


def s3_config(settings: Settings) -> S3Config:
    from postwright.domain.media.s3 import S3Config

    media = settings.media
    if not media.s3_bucket:
        raise ValueError("POSTWRIGHT_MEDIA_S3_BUCKET is required with POSTWRIGHT_MEDIA_BACKEND=s3")
    secret = media.s3_secret_access_key
    return S3Config(
        bucket=media.s3_bucket,
        region=media.s3_region,
        endpoint_url=media.s3_endpoint_url,
        access_key_id=media.s3_access_key_id,
        secret_access_key=secret.get_secret_value() if secret else None,
        addressing_style=media.s3_addressing_style,
        public_base_url=media.s3_public_base_url,
    )


@lru_cache(maxsize=8)
def _cached_s3_client(config: S3Config) -> object:
    from postwright.domain.media.s3 import make_s3_client

    # boto3 clients are thread-safe and slow to build: one per configuration.
    return make_s3_client(config)


def storage_for(settings: Settings, clock: Clock | None = None) -> MediaStorage:
    if settings.media.backend == "s3":
        from postwright.domain.media.s3 import S3Storage

        config = s3_config(settings)
        # Without a CDN or public bucket domain, public keys are served through the app.
        return S3Storage(
            config,
            _cached_s3_client(config),  # type: ignore[arg-type]
            clock,
            app_media_url=f"{public_base_url(settings)}/media",
        )
    return local_storage(settings, clock)
