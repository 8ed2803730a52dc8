"""S3-compatible storage (AWS S3, MinIO, Cloudflare R2) with presigned GET and PUT URLs.

boto3 signs the URLs (SigV4); its blocking calls run in a worker thread so the event loop
stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import quote, unquote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from postwright.core.clock import Clock, SystemClock
from postwright.domain.media.errors import MediaNotFound, ProviderFailed, ProviderRetryable
from postwright.domain.media.storage import (
    UploadTarget,
    is_public_key,
    is_valid_key,
    validate_key,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# SigV4 presigned URLs cannot outlive a week.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_T = TypeVar("_T")


@dataclass(frozen=True)
class S3Config:
    """Filled by the caller from settings. ``endpoint_url`` points at MinIO or R2;
    ``public_base_url`` is a CDN or public bucket domain used for stable public URLs."""

    bucket: str
    region: str = "us-east-1"
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    public_base_url: str | None = None
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 30.0


def make_s3_client(config: S3Config) -> S3Client:
    addressing_style = config.addressing_style
    if addressing_style == "auto" and config.endpoint_url is None:
        # On AWS itself "auto" presigns against the global s3.amazonaws.com, which answers
        # buckets outside us-east-1 with a redirect the signature does not survive; the
        # virtual-hosted regional name works in every region.
        addressing_style = "virtual"
    botocore_config = Config(
        signature_version="s3v4",
        s3={"addressing_style": addressing_style},
        # MinIO and R2 do not all accept the streaming checksums newer botocore sends.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        # botocore's ``max_attempts`` counts retries only; ``total_max_attempts`` includes
        # the first try, which is what "three attempts" means.
        retries={"total_max_attempts": 3, "mode": "standard"},
        connect_timeout=config.connect_timeout_seconds,
        read_timeout=config.read_timeout_seconds,
    )
    return boto3.session.Session().client(
        "s3",
        region_name=config.region,
        endpoint_url=config.endpoint_url,
        aws_access_key_id=config.access_key_id,
        aws_secret_access_key=config.secret_access_key,
        aws_session_token=config.session_token,
        config=botocore_config,
    )


class S3Storage:
    """``app_media_url`` (``{public base}/media``): where the app serves public keys
    (``storage.is_public_key``) when no ``public_base_url`` names a public bucket or CDN."""

    def __init__(
        self,
        config: S3Config,
        client: S3Client | None = None,
        clock: Clock | None = None,
        *,
        app_media_url: str | None = None,
    ) -> None:
        self.config = config
        self.app_media_url = app_media_url.rstrip("/") if app_media_url else None
        self._client = client or make_s3_client(config)
        self._clock = clock or SystemClock()

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        validate_key(key)
        await self._call(
            lambda: self._client.put_object(
                Bucket=self.config.bucket, Key=key, Body=data, ContentType=content_type
            )
        )

    async def get(self, key: str) -> tuple[bytes, str]:
        validate_key(key)

        def fetch() -> tuple[bytes, str]:
            response = self._client.get_object(Bucket=self.config.bucket, Key=key)
            body = response["Body"].read()
            return body, response.get("ContentType") or "application/octet-stream"

        return await self._call(fetch)

    async def exists(self, key: str) -> bool:
        validate_key(key)
        try:
            await self._call(lambda: self._client.head_object(Bucket=self.config.bucket, Key=key))
        except MediaNotFound:
            return False
        return True

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._call(lambda: self._client.delete_object(Bucket=self.config.bucket, Key=key))

    async def signed_url(self, key: str, expires_in: timedelta) -> tuple[str, datetime]:
        validate_key(key)
        seconds = _presign_seconds(expires_in)
        url = self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.config.bucket, "Key": key},
            ExpiresIn=seconds,
        )
        return url, self._expires_at(seconds)

    async def presigned_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        """A presigned PUT bound to ``content_type``. S3 cannot cap a PUT's size in the
        signature, so the caller checks size and bytes once the upload lands
        (``service.validate_stored_upload``)."""
        validate_key(key)
        seconds = _presign_seconds(expires_in)
        url = self._client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.config.bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=seconds,
            HttpMethod="PUT",
        )
        return UploadTarget(
            upload_url=url,
            method="PUT",
            headers={"Content-Type": content_type},
            public_url=self.public_url(key),
            key=key,
            content_type=content_type,
            max_bytes=max_bytes,
            expires_at=self._expires_at(seconds),
        )

    def public_url(self, key: str) -> str:
        quoted = quote(validate_key(key), safe="/")
        if self.app_media_url and not self.config.public_base_url and is_public_key(key):
            return f"{self.app_media_url}/{quoted}"
        return f"{self._public_prefix()}/{quoted}"

    def key_from_url(self, url: str) -> str | None:
        key = self._key_under(self._public_prefix(), url)
        if key is None and self.app_media_url:
            key = self._key_under(self.app_media_url, url)
        return key

    @staticmethod
    def _key_under(base: str, url: str) -> str | None:
        prefix = urlsplit(base + "/")
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc):
            return None
        if not parts.path.startswith(prefix.path):
            return None
        key = unquote(parts.path[len(prefix.path) :])
        return key if is_valid_key(key) else None

    def _public_prefix(self) -> str:
        config = self.config
        if config.public_base_url:
            return config.public_base_url.rstrip("/")
        if config.endpoint_url:
            return f"{config.endpoint_url.rstrip('/')}/{config.bucket}"
        return f"https://{config.bucket}.s3.{config.region}.amazonaws.com"

    def _expires_at(self, seconds: int) -> datetime:
        moment = self._clock.now() + timedelta(seconds=seconds)
        return moment.astimezone(UTC).replace(microsecond=0)

    async def _call(self, operation: Callable[[], _T]) -> _T:
        try:
            return await asyncio.to_thread(operation)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _MISSING_CODES or status == 404:
                raise MediaNotFound() from None
            message = f"S3 request failed ({code or status})"
            if status is None or status == 429 or status >= 500:
                raise ProviderRetryable(message, provider="s3", status=status) from error
            raise ProviderFailed(message, provider="s3", status=status) from error
        except BotoCoreError as error:
            raise ProviderRetryable(f"S3 unreachable: {error}", provider="s3") from error


def _presign_seconds(expires_in: timedelta) -> int:
    seconds = int(expires_in.total_seconds())
    if not 0 < seconds <= MAX_PRESIGN_SECONDS:
        raise ValueError("presigned URLs last between 1 second and 7 days")
    return seconds
