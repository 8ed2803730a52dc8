"""Publer REST API (``https://app.publer.com/api/v1``).

Docs (publer.com/docs): ``Authorization: Bearer-API <key>`` and ``Publer-Workspace-Id``;
"Creating Posts" — ``POST /posts/schedule`` (``bulk.state: scheduled`` with per-account
``scheduled_at``) or ``POST /posts/schedule/publish`` (now) answer ``{"job_id"}``, then poll
``GET /job_status/{job_id}`` until ``complete``/``failed``; ``POST /media`` (multipart
``file``) for uploads; ``GET /posts`` to list, ``GET /accounts`` and ``GET /users/me`` to
verify. Publer forwards to the network named by the account (``extra["network"]``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from postwright.domain.publishing.adapters.base import (
    AccountProfile,
    Capabilities,
    Credentials,
    Media,
    PublishingAdapter,
    PublishRequest,
    PublishResult,
    RemotePost,
)
from postwright.domain.publishing.adapters.errors import (
    BadContent,
    NeedsReconnect,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    json_object,
)

DEFAULT_BASE_URL = "https://app.publer.com/api/v1"
DONE = {"complete", "completed"}


def _failure_message(payload: Any) -> str | None:
    """Publer reports per-post failures inside a completed job's payload."""
    if not isinstance(payload, dict):
        return None
    failures = payload.get("failures")
    if not failures:
        return None
    if isinstance(failures, dict):
        failures = list(failures.values())
    first = failures[0] if isinstance(failures, list) and failures else failures
    if isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict):
        return str(first.get("message") or first)
    return str(first)


class PublerAdapter(PublishingAdapter):
    provider = "publer"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=False, threads=False, media=True, max_media=10, platform=None
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
        poll_interval: float = 1.0,
        poll_attempts: int = 30,
    ) -> None:
        workspace = credentials.extra.get("workspace_id")
        if not credentials.api_key or not credentials.account_id or not workspace:
            raise NeedsReconnect(
                "The Publer connection needs an API key, a workspace id and an account id.",
                provider="publer",
            )
        self.credentials = credentials
        self.workspace_id = workspace
        self.network = credentials.extra.get("network", "linkedin")
        self.poll_interval = poll_interval
        self.poll_attempts = poll_attempts
        self.http = ProviderHttp(
            self.provider, HttpOptions(base_url, timeout_seconds, allow_loopback), client
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer-API {self.credentials.api_key}",
            "Publer-Workspace-Id": self.workspace_id,
            "Accept": "application/json",
        }

    async def _upload(self, media: Media) -> dict[str, Any]:
        response = await self.http.request(
            "POST",
            "/media",
            headers=self._headers(),
            files={"file": ("upload", media.data, media.mime_type)},
        )
        uploaded = json_object(response, self.provider)
        kind = "video" if media.mime_type.startswith("video/") else "image"
        return {"id": str(uploaded["id"]), "type": kind, "alt_text": media.alt_text}

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        warnings: list[str] = []
        if request.first_comment:
            warnings.append("Publer first comments are not supported here; it was not published.")
        if request.thread:
            warnings.append("Publer threads are not supported here; only the first part went.")
        media = [await self._upload(item) for item in request.media]
        content: dict[str, Any] = {"type": "photo" if media else "status", "text": request.text}
        if media:
            content["media"] = media
        account: dict[str, Any] = {"id": self.credentials.account_id}
        path = "/posts/schedule/publish"
        if request.scheduled_at is not None:
            path = "/posts/schedule"
            account["scheduled_at"] = request.scheduled_at.astimezone(UTC).isoformat()
        body = {
            "bulk": {
                "state": "scheduled",
                "posts": [{"networks": {self.network: content}, "accounts": [account]}],
            }
        }
        response = await self.http.request("POST", path, headers=self._headers(), json_body=body)
        job_id = str(json_object(response, self.provider)["job_id"])
        finished = await self._wait_for(job_id)
        post = await self.find_recent(request) if finished else None
        if post is None:
            # Still processing: the job id is the handle until a later reconciliation.
            warnings.append("Publer is still processing the post.")
            return PublishResult(
                external_id=job_id, url=None, extra_ids={"job_id": job_id}, warnings=tuple(warnings)
            )
        return PublishResult(
            external_id=post.external_id,
            url=post.url,
            extra_ids={"job_id": job_id},
            warnings=tuple(warnings),
        )

    async def _wait_for(self, job_id: str) -> bool:
        for attempt in range(self.poll_attempts):
            response = await self.http.request(
                "GET", f"/job_status/{job_id}", headers=self._headers()
            )
            job = json_object(response, self.provider)
            status = str(job.get("status", ""))
            problem = _failure_message(job.get("payload"))
            if status == "failed" or problem:
                raise BadContent(
                    f"Publer could not schedule the post: {problem or 'the job failed'}",
                    provider=self.provider,
                )
            if status in DONE:
                return True
            if attempt + 1 < self.poll_attempts:
                await asyncio.sleep(self.poll_interval)
        return False

    def _remote(self, post: dict[str, Any]) -> RemotePost:
        when = post.get("scheduled_at") or post.get("created_at")
        return RemotePost(
            external_id=str(post["id"]),
            url=post.get("post_link") or None,
            text=str(post.get("text", "")),
            created_at=datetime.fromisoformat(when.replace("Z", "+00:00")) if when else None,
        )

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        response = await self.http.request(
            "GET",
            "/posts",
            headers=self._headers(),
            params={"account_ids[]": self.credentials.account_id, "limit": limit},
        )
        posts = json_object(response, self.provider).get("posts", [])
        return [self._remote(post) for post in posts][:limit]

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        for post in await self.recent_posts(limit=100):
            if post.external_id == external_id:
                return post
        return None

    async def verify(self) -> AccountProfile:
        response = await self.http.request("GET", "/accounts", headers=self._headers())
        accounts = response.json()
        for account in accounts if isinstance(accounts, list) else []:
            if str(account.get("id")) == self.credentials.account_id:
                return AccountProfile(
                    account_id=str(account["id"]),
                    handle=account.get("name"),
                    display_name=account.get("name"),
                )
        raise NeedsReconnect(
            "The Publer workspace no longer has this social account; reconnect it in Publer.",
            provider=self.provider,
        )

    async def aclose(self) -> None:
        await self.http.aclose()
