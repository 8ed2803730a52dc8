"""Mastodon: ``POST /api/v1/statuses`` with ``Idempotency-Key``, media via ``POST /api/v2/media``.

Docs: docs.joinmastodon.org/methods/statuses (statuses, threads via ``in_reply_to_id``),
/methods/media (v2 upload answers 202 while processing; ``GET /api/v1/media/:id`` answers 206
until the file is ready), /methods/accounts (verify_credentials, account statuses).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from html.parser import HTMLParser
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
    NeedsReconnect,
    PublishingError,
    RetryableError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    json_object,
)


class _TextOnly(HTMLParser):
    """Status ``content`` is HTML; reconciliation compares the text a user wrote."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "p"} and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    return "".join(parser.parts).strip()


class MastodonAdapter(PublishingAdapter):
    provider = "mastodon"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=True, threads=True, media=True, max_media=4, platform="mastodon"
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
        visibility: str = "public",
        media_poll_interval: float = 0.5,
        media_poll_attempts: int = 20,
    ) -> None:
        instance = base_url or credentials.instance_url
        if not instance:
            raise NeedsReconnect("The Mastodon account has no instance URL.", provider="mastodon")
        if not credentials.access_token:
            raise NeedsReconnect("The Mastodon account has no access token.", provider="mastodon")
        self.credentials = credentials
        self.http = ProviderHttp(
            self.provider, HttpOptions(instance, timeout_seconds, allow_loopback), client
        )
        self.visibility = visibility
        self.media_poll_interval = media_poll_interval
        self.media_poll_attempts = media_poll_attempts

    def _headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.credentials.access_token}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def _upload(self, media: Media) -> str:
        response = await self.http.request(
            "POST",
            "/api/v2/media",
            headers=self._headers(),
            files={"file": ("upload", media.data, media.mime_type)},
            data={"description": media.alt_text} if media.alt_text else None,
        )
        attachment = json_object(response, self.provider)
        media_id = str(attachment["id"])
        if response.status_code == 202 or attachment.get("url") is None:
            await self._wait_until_processed(media_id)
        return media_id

    async def _wait_until_processed(self, media_id: str) -> None:
        for _ in range(self.media_poll_attempts):
            response = await self.http.request(
                "GET", f"/api/v1/media/{media_id}", headers=self._headers()
            )
            if response.status_code == 200:
                return
            await asyncio.sleep(self.media_poll_interval)
        raise RetryableError(
            "Mastodon is still processing the image; try again shortly.", provider=self.provider
        )

    async def _status(
        self,
        text: str,
        *,
        key: str | None,
        reply_to: str | None = None,
        media_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"status": text, "visibility": self.visibility}
        if media_ids:
            body["media_ids"] = media_ids
        if reply_to:
            body["in_reply_to_id"] = reply_to
        response = await self.http.request(
            "POST", "/api/v1/statuses", headers=self._headers(key), json_body=body
        )
        return json_object(response, self.provider)

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        media_ids = [await self._upload(item) for item in request.media]
        key = request.idempotency_key
        root = await self._status(request.text, key=key, media_ids=media_ids)
        ids: list[str] = []
        last = str(root["id"])
        comment_id: str | None = None
        # Each reply gets its own derived key, so a retried thread re-finds what exists.
        follow_ups = [*request.thread, *([request.first_comment] if request.first_comment else [])]
        for index, text in enumerate(follow_ups):
            part_key = f"{key}:{index + 1}" if key else None
            try:
                reply = await self._status(text, key=part_key, reply_to=last)
            except PublishingError as exc:
                exc.partial = self._result(root, ids, None)
                raise
            last = str(reply["id"])
            if index < len(request.thread):
                ids.append(last)
            else:
                comment_id = last
        return self._result(root, ids, comment_id)

    def _result(
        self, root: dict[str, Any], thread_ids: list[str], comment_id: str | None
    ) -> PublishResult:
        return PublishResult(
            external_id=str(root["id"]),
            url=root.get("url") or root.get("uri"),
            thread_ids=tuple(thread_ids),
            comment_id=comment_id,
        )

    def _remote(self, status: dict[str, Any]) -> RemotePost:
        created = status.get("created_at")
        return RemotePost(
            external_id=str(status["id"]),
            url=status.get("url") or status.get("uri"),
            text=html_to_text(str(status.get("content", ""))),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        )

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        try:
            response = await self.http.request(
                "GET", f"/api/v1/statuses/{external_id}", headers=self._headers()
            )
        except PublishingError as exc:
            if exc.status_code == 404:
                return None
            raise
        return self._remote(json_object(response, self.provider))

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        account_id = self.credentials.account_id or (await self.verify()).account_id
        response = await self.http.request(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            headers=self._headers(),
            params={"limit": min(limit, 40), "exclude_replies": "true"},
        )
        return [self._remote(status) for status in response.json()]

    async def verify(self) -> AccountProfile:
        response = await self.http.request(
            "GET", "/api/v1/accounts/verify_credentials", headers=self._headers()
        )
        account = json_object(response, self.provider)
        return AccountProfile(
            account_id=str(account["id"]),
            handle=account.get("acct"),
            display_name=account.get("display_name"),
            url=account.get("url"),
        )

    async def aclose(self) -> None:
        await self.http.aclose()
