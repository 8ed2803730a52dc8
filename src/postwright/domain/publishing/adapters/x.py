"""X API v2: ``POST /2/tweets``, threads via ``reply.in_reply_to_tweet_id``, media via
``POST /2/media/upload``.

Docs (docs.x.com): Manage Posts (create post: ``text``, ``media.media_ids``, ``reply``),
Media upload v2 (multipart ``media`` + ``media_category``, answers ``data.id``), User posts
timeline (``GET /2/users/:id/tweets`` with ``tweet.fields``), ``GET /2/users/me``, rate limits
(429 with ``x-rate-limit-reset`` as epoch seconds). Errors are problem+json documents.
"""

from __future__ import annotations

from datetime import datetime
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
    DuplicatePost,
    NeedsReconnect,
    PublishingError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    error_message,
    json_object,
)

DEFAULT_BASE_URL = "https://api.x.com"


def _classify(response: httpx.Response, provider: str) -> PublishingError | None:
    if response.status_code != 403:
        return None
    message = error_message(response)
    if "duplicate" in message.lower():
        return DuplicatePost(
            "X refused the post as a duplicate of one already published.",
            provider=provider,
            status_code=403,
        )
    return NeedsReconnect(
        f"X denied the request ({message}); reconnect the account with tweet.write access.",
        provider=provider,
        status_code=403,
    )


def _expand_links(tweet: dict[str, Any]) -> str:
    """X rewrites links to t.co; put the originals back so reconciliation can match text."""
    text = str(tweet.get("text", ""))
    for link in tweet.get("entities", {}).get("urls", []):
        if link.get("url") and link.get("expanded_url"):
            text = text.replace(link["url"], link["expanded_url"])
    return text


class XAdapter(PublishingAdapter):
    provider = "x"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=True, threads=True, media=True, max_media=4, platform="x"
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
    ) -> None:
        if not credentials.access_token:
            raise NeedsReconnect("The X account has no access token.", provider="x")
        self.credentials = credentials
        self.http = ProviderHttp(
            self.provider, HttpOptions(base_url, timeout_seconds, allow_loopback), client, _classify
        )

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.access_token}"}

    def _url(self, tweet_id: str) -> str:
        if self.credentials.handle:
            return f"https://x.com/{self.credentials.handle}/status/{tweet_id}"
        return f"https://x.com/i/web/status/{tweet_id}"

    async def _upload(self, media: Media) -> str:
        category = "tweet_gif" if media.mime_type == "image/gif" else "tweet_image"
        response = await self.http.request(
            "POST",
            "/2/media/upload",
            headers=self._headers(),
            files={"media": ("upload", media.data, media.mime_type)},
            data={"media_category": category, "media_type": media.mime_type},
        )
        return str(json_object(response, self.provider)["data"]["id"])

    async def _tweet(
        self, text: str, *, reply_to: str | None = None, media_ids: list[str] | None = None
    ) -> str:
        body: dict[str, Any] = {"text": text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        response = await self.http.request(
            "POST", "/2/tweets", headers=self._headers(), json_body=body
        )
        return str(json_object(response, self.provider)["data"]["id"])

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        media_ids = [await self._upload(item) for item in request.media]
        root = await self._tweet(request.text, media_ids=media_ids)
        thread_ids: list[str] = []
        comment_id: str | None = None
        last = root
        # X has no first comment; it becomes a reply under the last post of the thread.
        follow_ups = [*request.thread, *([request.first_comment] if request.first_comment else [])]
        for index, text in enumerate(follow_ups):
            try:
                last = await self._tweet(text, reply_to=last)
            except PublishingError as exc:
                exc.partial = PublishResult(
                    external_id=root, url=self._url(root), thread_ids=tuple(thread_ids)
                )
                raise
            if index < len(request.thread):
                thread_ids.append(last)
            else:
                comment_id = last
        return PublishResult(
            external_id=root,
            url=self._url(root),
            thread_ids=tuple(thread_ids),
            comment_id=comment_id,
        )

    def _remote(self, tweet: dict[str, Any]) -> RemotePost:
        created = tweet.get("created_at")
        return RemotePost(
            external_id=str(tweet["id"]),
            url=self._url(str(tweet["id"])),
            text=_expand_links(tweet),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        )

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        try:
            response = await self.http.request(
                "GET",
                f"/2/tweets/{external_id}",
                headers=self._headers(),
                params={"tweet.fields": "created_at,entities"},
            )
        except PublishingError as exc:
            if exc.status_code == 404:
                return None
            raise
        body = json_object(response, self.provider)
        # X answers 200 with an ``errors`` array (and no ``data``) for a deleted post.
        return self._remote(body["data"]) if "data" in body else None

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        user_id = self.credentials.account_id or (await self.verify()).account_id
        response = await self.http.request(
            "GET",
            f"/2/users/{user_id}/tweets",
            headers=self._headers(),
            params={"max_results": max(5, min(limit, 100)), "tweet.fields": "created_at,entities"},
        )
        tweets = json_object(response, self.provider).get("data", [])
        return [self._remote(tweet) for tweet in tweets]

    async def verify(self) -> AccountProfile:
        response = await self.http.request("GET", "/2/users/me", headers=self._headers())
        user = json_object(response, self.provider)["data"]
        return AccountProfile(
            account_id=str(user["id"]),
            handle=user.get("username"),
            display_name=user.get("name"),
            url=f"https://x.com/{user.get('username')}",
        )

    async def aclose(self) -> None:
        await self.http.aclose()
