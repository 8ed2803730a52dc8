"""HTTP to providers: one client per adapter, and one place that turns failures into
RetryableError / NeedsReconnect / BadContent with a reason a user can act on."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from postwright.core.outbound import pinned_transport
from postwright.domain.publishing.adapters.errors import (
    BadContent,
    NeedsReconnect,
    PublishingError,
    RetryableError,
)

DEFAULT_TIMEOUT_SECONDS = 20.0
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
RECONNECT_STATUSES = frozenset({401})

# A provider may decide a failed response itself (X's 403 for duplicates); None falls back to
# the status-based rules.
Classifier = Callable[[httpx.Response, str], PublishingError | None]


@dataclass(frozen=True, slots=True)
class HttpOptions:
    base_url: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    # Tests' fake providers live on 127.0.0.1; nothing else internal is ever reachable.
    allow_loopback: bool = False


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (delta or HTTP date) or X's ``x-rate-limit-reset``."""
    now = now or datetime.now(UTC)
    value = response.headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value.strip())
        try:
            return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
        except (TypeError, ValueError):
            return None
    # X sends x-rate-limit-reset, Bluesky's PDS ratelimit-reset: both epoch seconds.
    reset = response.headers.get("x-rate-limit-reset") or response.headers.get("ratelimit-reset")
    if reset and reset.isdigit():
        return max(0.0, int(reset) - now.timestamp())
    return None


def error_message(response: httpx.Response) -> str:
    """The provider's own words for a failure, from the usual JSON error shapes."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip()
        return text[:300] if text else response.reason_phrase
    if isinstance(body, dict):
        for key in ("detail", "message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], str):
            return errors[0]
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0].get("message") or errors[0].get("detail")
            if isinstance(first, str):
                return first
    return response.reason_phrase or f"HTTP {response.status_code}"


def classify_response(response: httpx.Response, provider: str) -> PublishingError:
    status = response.status_code
    message = error_message(response)
    if status in RETRYABLE_STATUSES:
        what = "rate-limited the request" if status == 429 else "is temporarily unavailable"
        return RetryableError(
            f"{provider} {what} ({status}): {message}",
            provider=provider,
            status_code=status,
            retry_after=retry_after_seconds(response),
        )
    if status in RECONNECT_STATUSES:
        return NeedsReconnect(
            f"The {provider} connection is no longer valid ({message}); reconnect the account.",
            provider=provider,
            status_code=status,
        )
    if status == 403:
        return NeedsReconnect(
            f"{provider} refused the request ({message}); the account may have lost the "
            "permission to post. Reconnect it.",
            provider=provider,
            status_code=status,
        )
    if status >= 500:
        return RetryableError(
            f"{provider} failed ({status}): {message}", provider=provider, status_code=status
        )
    return BadContent(
        f"{provider} rejected the post: {message}", provider=provider, status_code=status
    )


class ProviderHttp:
    """An httpx client bound to one provider's base URL, raising classified errors."""

    def __init__(
        self,
        provider: str,
        options: HttpOptions,
        client: httpx.AsyncClient | None = None,
        classifier: Classifier | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = options.base_url.rstrip("/")
        self._owns_client = client is None
        # Instance URLs (Mastodon, Bluesky PDS) are user-given: every connection is checked
        # and goes to the address checked (no rebinding); fixed hosts take the same path.
        self._client = client or httpx.AsyncClient(
            transport=pinned_transport(allow_loopback=options.allow_loopback),
            timeout=httpx.Timeout(options.timeout_seconds, connect=5.0),
            follow_redirects=False,
        )
        self._classifier = classifier

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        try:
            response = await self._client.request(
                method,
                self.url(path),
                headers=dict(headers or {}),
                params=params,
                json=json_body,
                content=content,
                files=files,
                data=data,
            )
        except httpx.TimeoutException as exc:
            raise RetryableError(
                f"{self.provider} did not answer in time; the post may or may not exist yet.",
                provider=self.provider,
            ) from exc
        except httpx.TransportError as exc:
            raise RetryableError(
                f"Could not reach {self.provider}: {exc.__class__.__name__}.",
                provider=self.provider,
            ) from exc
        if response.is_success:
            return response
        raise self.failure(response)

    def failure(self, response: httpx.Response) -> PublishingError:
        if self._classifier is not None:
            decided = self._classifier(response, self.provider)
            if decided is not None:
                return decided
        return classify_response(response, self.provider)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


def json_object(response: httpx.Response, provider: str) -> dict[str, Any]:
    """The response body as a JSON object; a malformed body is the provider's fault."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RetryableError(
            f"{provider} answered with a body that is not JSON.", provider=provider
        ) from exc
    if not isinstance(body, dict):
        raise RetryableError(f"{provider} answered with an unexpected body.", provider=provider)
    return body


__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "HttpOptions",
    "ProviderHttp",
    "classify_response",
    "error_message",
    "json_object",
    "retry_after_seconds",
]
