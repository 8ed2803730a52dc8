"""LinkedIn Posts API (versioned ``/rest`` endpoints).

Docs (learn.microsoft.com/linkedin): Posts API — ``POST /rest/posts`` with ``LinkedIn-Version``
and ``X-Restli-Protocol-Version: 2.0.0``, the new post's URN in the ``x-restli-id`` header;
Images API — ``POST /rest/images?action=initializeUpload`` then ``PUT`` the bytes to
``uploadUrl``; Comments API — ``POST /rest/socialActions/{urn}/comments``; "little text
format" for ``commentary`` (reserved characters escaped, hashtags as templates); Sign In with
LinkedIn using OpenID Connect — ``GET /v2/userinfo`` for the member's ``sub``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
import regex

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
    DuplicatePost,
    NeedsReconnect,
    PublishingError,
    RetryableError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    error_message,
    json_object,
)

DEFAULT_BASE_URL = "https://api.linkedin.com"
DEFAULT_VERSION = "202510"
# Little text format: these characters have meaning and are escaped to be shown literally;
# an unescaped one makes LinkedIn cut the commentary short.
_RESERVED = regex.compile(r"([\\|{}@\[\]()<>#*_~])")
_URN = regex.compile(r"urn:li:(?:share|ugcPost):\d+")
_HASHTAG = regex.compile(r"(?<![\p{L}\p{N}_#])#([\p{L}\p{N}_]+)")


def little_text(text: str) -> str:
    """Escape ``text`` for ``commentary``, keeping ``#tags`` as clickable hashtag templates."""
    out: list[str] = []
    position = 0
    for match in _HASHTAG.finditer(text):
        out.append(_RESERVED.sub(r"\\\1", text[position : match.start()]))
        out.append("{hashtag|\\#|" + _RESERVED.sub(r"\\\1", match.group(1)) + "}")
        position = match.end()
    out.append(_RESERVED.sub(r"\\\1", text[position:]))
    return "".join(out)


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def _classify(response: httpx.Response, provider: str) -> PublishingError | None:
    message = error_message(response)
    if response.status_code == 422 and "duplicate" in message.lower():
        existing = _URN.search(message)
        return DuplicatePost(
            "LinkedIn refused the post as a duplicate of one already published.",
            provider=provider,
            status_code=422,
            existing_id=existing.group(0) if existing else None,
        )
    if response.status_code == 403:
        return NeedsReconnect(
            f"LinkedIn denied the post ({message}); reconnect the account and grant the "
            "w_member_social permission.",
            provider=provider,
            status_code=403,
        )
    return None


class LinkedInAdapter(PublishingAdapter):
    provider = "linkedin"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=True, threads=False, media=True, max_media=9, platform="linkedin"
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
        api_version: str = DEFAULT_VERSION,
    ) -> None:
        if not credentials.access_token:
            raise NeedsReconnect("The LinkedIn account has no access token.", provider="linkedin")
        self.credentials = credentials
        self.api_version = api_version
        self.http = ProviderHttp(
            self.provider, HttpOptions(base_url, timeout_seconds, allow_loopback), client, _classify
        )

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.credentials.access_token}",
            "LinkedIn-Version": self.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    async def _author(self) -> str:
        if self.credentials.account_id:
            return self.credentials.account_id
        return (await self.verify()).account_id

    async def _upload_image(self, author: str, media: Media) -> str:
        response = await self.http.request(
            "POST",
            "/rest/images",
            params={"action": "initializeUpload"},
            headers=self._headers(),
            json_body={"initializeUploadRequest": {"owner": author}},
        )
        value = json_object(response, self.provider).get("value", {})
        await self.http.request(
            "PUT",
            value["uploadUrl"],
            headers={
                "Authorization": f"Bearer {self.credentials.access_token}",
                "Content-Type": media.mime_type,
            },
            content=media.data,
        )
        return str(value["image"])

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        if request.media and any(not m.mime_type.startswith("image/") for m in request.media):
            raise BadContent(
                "Only images can be attached to LinkedIn posts here.", provider=self.provider
            )
        author = await self._author()
        images = [(await self._upload_image(author, m), m.alt_text) for m in request.media]
        body: dict[str, Any] = {
            "author": author,
            "commentary": little_text(request.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0][0], "altText": images[0][1]}}
        elif images:
            body["content"] = {
                "multiImage": {"images": [{"id": urn, "altText": alt} for urn, alt in images]}
            }
        response = await self.http.request(
            "POST", "/rest/posts", headers=self._headers(), json_body=body
        )
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise RetryableError(
                "LinkedIn accepted the post without naming it; reconcile before retrying.",
                provider=self.provider,
            )
        warnings: tuple[str, ...] = ()
        if request.thread:
            warnings = ("LinkedIn has no threads; the thread parts were not published.",)
        result = PublishResult(external_id=urn, url=post_url(urn), warnings=warnings)
        if not request.first_comment:
            return result
        try:
            comment_id = await self._comment(author, urn, request.first_comment)
        except PublishingError as exc:
            exc.partial = result
            raise
        return replace(result, comment_id=comment_id)

    async def _comment(self, author: str, urn: str, text: str) -> str:
        response = await self.http.request(
            "POST",
            f"/rest/socialActions/{quote(urn, safe='')}/comments",
            headers=self._headers(),
            json_body={"actor": author, "object": urn, "message": {"text": text}},
        )
        comment_id: str | None = response.headers.get("x-restli-id")
        if comment_id:
            return comment_id
        return str(json_object(response, self.provider).get("id", ""))

    def _remote(self, post: dict[str, Any]) -> RemotePost:
        created = post.get("createdAt") or post.get("publishedAt")
        return RemotePost(
            external_id=str(post["id"]),
            url=post_url(str(post["id"])),
            text=_unescape(str(post.get("commentary", ""))),
            created_at=datetime.fromtimestamp(created / 1000, UTC) if created else None,
        )

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        try:
            response = await self.http.request(
                "GET", f"/rest/posts/{quote(external_id, safe='')}", headers=self._headers()
            )
        except PublishingError as exc:
            if exc.status_code == 404:
                return None
            raise
        return self._remote(json_object(response, self.provider))

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        # Finding by author needs r_member_social (or r_organization_social for pages).
        response = await self.http.request(
            "GET",
            "/rest/posts",
            headers={**self._headers(), "X-RestLi-Method": "FINDER"},
            params={"q": "author", "author": await self._author(), "count": min(limit, 100)},
        )
        elements = json_object(response, self.provider).get("elements", [])
        return [self._remote(post) for post in elements]

    async def verify(self) -> AccountProfile:
        response = await self.http.request(
            "GET",
            "/v2/userinfo",
            headers={"Authorization": f"Bearer {self.credentials.access_token}"},
        )
        info = json_object(response, self.provider)
        return AccountProfile(
            account_id=f"urn:li:person:{info['sub']}",
            handle=info.get("email"),
            display_name=info.get("name"),
        )

    async def aclose(self) -> None:
        await self.http.aclose()


_TEMPLATE = regex.compile(r"\{hashtag\|\\#\|([^}]*)\}")
_ESCAPED = regex.compile(r"\\(.)")


def _unescape(commentary: str) -> str:
    return _ESCAPED.sub(r"\1", _TEMPLATE.sub(r"#\1", commentary))
