"""Avatar-video providers (HeyGen / D-ID style): submit a script, poll until the video is
ready, download it. The job workflow drives the three calls as separate durable steps, so a
crash mid-render resumes polling the same provider video instead of paying for another.

The HTTP provider speaks HeyGen's v2 shapes::

    POST {base}/v2/video/generate   X-Api-Key   {"video_inputs": [...], "dimension": {...}}
        -> {"error": null, "data": {"video_id": "…"}}
    GET  {base}/v1/video_status.get?video_id=…
        -> {"data": {"status": "pending|processing|completed|failed", "video_url", "error"}}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from postwright.core.outbound import UnsafeUrl, ensure_public_url, pinned_client
from postwright.core.settings import Settings
from postwright.domain.adcopy.design import VIDEO_SIZES

ProviderState = Literal["processing", "completed", "failed"]
DEFAULT_AVATAR = "default"
DOWNLOAD_TIMEOUT_SECONDS = 120.0
# A CDN may redirect a file URL once or twice (a signed URL to its edge); more is a loop.
MAX_DOWNLOAD_REDIRECTS = 5


class VideoProviderError(RuntimeError):
    """``retryable``: a rate limit, outage or timeout that a later attempt may get past."""

    # ``retryable`` has a default so the error survives pickling (DBOS records step errors).
    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class VideoRequest:
    script: str
    voice_id: str
    aspect_ratio: str
    avatar_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ProviderStatus:
    state: ProviderState
    video_url: str | None = None
    error: str | None = None


class VideoProvider(Protocol):
    name: str

    async def submit(self, request: VideoRequest) -> str:
        """Start a render; returns the provider's video id."""
        ...

    async def status(self, video_id: str) -> ProviderStatus: ...

    async def download(self, url: str) -> bytes: ...

    async def aclose(self) -> None: ...


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, VideoProviderError) and exc.retryable


class HeyGenStyleProvider:
    name = "heygen"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        attempts: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_loopback: bool = False,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"X-Api-Key": api_key, "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
        )
        self._attempts = attempts
        # For the file download only (tests: ``settings.http.allow_loopback_urls``); the
        # operator's own API base URL is trusted as configured.
        self._allow_loopback = allow_loopback

    async def aclose(self) -> None:
        await self._client.aclose()

    async def submit(self, request: VideoRequest) -> str:
        width, height = VIDEO_SIZES[request.aspect_ratio]
        character: dict[str, Any] = (
            {"type": "talking_photo", "talking_photo_url": request.avatar_url}
            if request.avatar_url
            else {"type": "avatar", "avatar_id": DEFAULT_AVATAR, "avatar_style": "normal"}
        )
        body = {
            "title": request.title,
            "video_inputs": [
                {
                    "character": character,
                    "voice": {
                        "type": "text",
                        "input_text": request.script,
                        "voice_id": request.voice_id,
                    },
                }
            ],
            "dimension": {"width": width, "height": height},
        }
        data = await self._call("POST", "/v2/video/generate", json=body)
        video_id = (data.get("data") or {}).get("video_id")
        if not video_id:
            raise VideoProviderError("provider answered without a video_id", retryable=False)
        return str(video_id)

    async def status(self, video_id: str) -> ProviderStatus:
        data = await self._call("GET", "/v1/video_status.get", params={"video_id": video_id})
        found = data.get("data") or {}
        state = found.get("status")
        if state == "completed":
            url = found.get("video_url")
            if not url:
                raise VideoProviderError("completed video has no video_url", retryable=False)
            return ProviderStatus("completed", video_url=str(url))
        if state == "failed":
            error = found.get("error")
            message = error.get("message") if isinstance(error, dict) else error
            return ProviderStatus("failed", error=str(message or "the provider failed the video"))
        return ProviderStatus("processing")

    async def download(self, url: str) -> bytes:
        async for attempt in self._retrying():
            with attempt:
                return await self._fetch_file(url)
        raise AssertionError("unreachable")

    async def _fetch_file(self, url: str) -> bytes:
        """The finished file from the provider's CDN (not its API: no API key is sent).

        The URL is data from a third party's answer, so it goes through the outbound guard
        like any user-given URL: every hop must be a public address (redirects are followed
        here, one checked hop at a time), and each connection goes to the address that was
        checked — a video URL pointing at cloud metadata or the internal network is refused,
        never fetched into the workspace's assets."""
        async with pinned_client(
            allow_loopback=self._allow_loopback, timeout=DOWNLOAD_TIMEOUT_SECONDS
        ) as http:
            for _ in range(MAX_DOWNLOAD_REDIRECTS + 1):
                try:
                    await ensure_public_url(
                        url,
                        allow_loopback=self._allow_loopback,
                        field="video_url",
                        require_resolvable=False,
                    )
                except UnsafeUrl as exc:
                    raise VideoProviderError(
                        f"the provider's video URL was refused: {exc.message}", retryable=False
                    ) from exc
                try:
                    response = await http.get(url)
                except httpx.TransportError as exc:
                    raise VideoProviderError(f"download failed: {exc}", retryable=True) from exc
                if not response.is_redirect:
                    _raise_for(response)
                    return response.content
                url = str(response.url.join(response.headers["location"]))
        raise VideoProviderError("the video URL redirects too many times", retryable=False)

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        async for attempt in self._retrying():
            with attempt:
                try:
                    response = await self._client.request(method, path, **kwargs)
                except httpx.TransportError as exc:
                    raise VideoProviderError(
                        f"provider unreachable: {exc}", retryable=True
                    ) from exc
                _raise_for(response)
                payload = response.json()
                if not isinstance(payload, dict):
                    raise VideoProviderError("provider answered with non-object", retryable=False)
                return payload
        raise AssertionError("unreachable")

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.2, max=5),
            reraise=True,
        )


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    retryable = response.status_code == 429 or response.status_code >= 500
    raise VideoProviderError(
        f"provider answered {response.status_code}: {response.text[:200]}", retryable=retryable
    )


def video_provider_for(settings: Settings) -> VideoProvider | None:
    """The configured avatar provider, or None for the builtin renderer."""
    config = settings.adcopy
    if config.video_provider == "builtin":
        return None
    if config.video_provider_api_key is None:
        raise VideoProviderError(
            "POSTWRIGHT_ADCOPY_VIDEO_PROVIDER_API_KEY is not set", retryable=False
        )
    return HeyGenStyleProvider(
        config.video_provider_base_url,
        config.video_provider_api_key.get_secret_value(),
        allow_loopback=settings.http.allow_loopback_urls,
    )
