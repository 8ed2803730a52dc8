"""What the HTTP image providers share: one httpx client, error mapping, retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from postwright.domain.media.errors import MediaProviderError, ProviderFailed, ProviderRetryable

T = TypeVar("T")
ATTEMPTS = 3


def provider_error(provider: str, response: httpx.Response) -> MediaProviderError:
    """429 and 5xx may pass with time; any other refusal will not."""
    detail = _message(response)
    message = f"{provider} answered {response.status_code}: {detail}"
    retry_after = response.headers.get("retry-after")
    delay = float(retry_after) if retry_after and retry_after.isdigit() else None
    if response.status_code == 429 or response.status_code >= 500:
        return ProviderRetryable(
            message, provider=provider, status=response.status_code, retry_after=delay
        )
    return ProviderFailed(message, provider=provider, status=response.status_code)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:200]
        if isinstance(error, str):
            return error[:200]
        if body.get("detail"):
            return str(body["detail"])[:200]
    return str(body)[:200]


async def with_retries(provider: str, operation: Callable[[], Awaitable[T]]) -> T:
    """Runs ``operation``, trying again with backoff on retryable failures and network errors."""

    async def attempt() -> T:
        try:
            return await operation()
        except httpx.TransportError as error:
            raise ProviderRetryable(
                f"{provider} unreachable: {error}", provider=provider
            ) from error

    retrying = AsyncRetrying(
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_exponential(multiplier=0.2, max=5),
        retry=retry_if_exception_type(ProviderRetryable),
        reraise=True,
    )
    async for try_ in retrying:
        with try_:
            return await attempt()
    raise AssertionError("unreachable")  # pragma: no cover - tenacity reraises


async def download(client: httpx.AsyncClient, provider: str, url: str) -> bytes:
    response = await client.get(url)
    if response.status_code != 200:
        raise provider_error(provider, response)
    return response.content
