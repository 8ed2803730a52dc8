"""Errors the media layer raises. Input problems are ``AppError``s (the envelope renders them);
provider failures carry whether a retry could help, so jobs know to back off or give up."""

from __future__ import annotations

from typing import ClassVar

from postwright.core.errors import AppError, NotFound, PayloadTooLarge, ValidationFailed


class InvalidMediaKey(ValidationFailed):
    default_message = "Invalid media key"


class UnsupportedMedia(ValidationFailed):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Only JPG, PNG, GIF and WebP images are accepted"


class MediaTooLarge(PayloadTooLarge):
    default_message = "The file exceeds the size limit"


class MediaNotFound(NotFound):
    default_message = "Media not found"


class MediaProviderError(AppError):
    """An image or video provider did not deliver. ``retryable`` tells a job whether trying
    again later may succeed (rate limits, outages) or not (rejected prompt, failed run)."""

    status_code: ClassVar[int] = 502
    code: ClassVar[str] = "PROVIDER_ERROR"
    default_message = "The media provider failed"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        provider: str,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.retry_after = retry_after


class ProviderRetryable(MediaProviderError):
    """429, 5xx, timeouts and connection errors."""

    retryable = True


class ProviderFailed(MediaProviderError):
    """The provider answered and refused or failed the work; retrying will not help."""
