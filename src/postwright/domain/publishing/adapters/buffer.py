"""Buffer's GraphQL API (``POST https://api.buffer.com``, ``Authorization: Bearer <API key>``).

Docs (developers.buffer.com): ``createPost`` mutation (``text``, ``channelId``,
``schedulingType``, ``mode`` shareNow/customScheduled with ``dueAt``, ``assets`` as a list of
``{image: {url}}`` — media by public URL only, there is no upload endpoint), ``posts`` and
``post`` queries, ``account { organizations }``. Errors: HTTP 200 with a GraphQL ``errors``
array (``extensions.code`` UNAUTHORIZED, FORBIDDEN, NOT_FOUND, …) for system problems, typed
``MutationError`` members of the payload union for user-fixable ones, 429 for rate limits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from postwright.domain.publishing.adapters.base import (
    AccountProfile,
    Capabilities,
    Credentials,
    MediaHost,
    PublishingAdapter,
    PublishRequest,
    PublishResult,
    RemotePost,
)
from postwright.domain.publishing.adapters.errors import (
    BadContent,
    NeedsReconnect,
    RetryableError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    json_object,
)

DEFAULT_BASE_URL = "https://api.buffer.com"
POST_FIELDS = "id text status dueAt"
CREATE_POST = f"""
mutation CreatePost($input: CreatePostInput!) {{
  createPost(input: $input) {{
    __typename
    ... on PostActionSuccess {{ post {{ {POST_FIELDS} }} }}
    ... on MutationError {{ message }}
  }}
}}"""
RECENT_POSTS = f"""
query RecentPosts($input: PostsInput!, $first: Int) {{
  posts(input: $input, first: $first) {{ edges {{ node {{ {POST_FIELDS} }} }} }}
}}"""
ONE_POST = f"""
query OnePost($input: PostInput!) {{ post(input: $input) {{ {POST_FIELDS} }} }}"""
ACCOUNT = "query Account { account { id email organizations { id name } } }"

_RECONNECT_CODES = {"UNAUTHORIZED", "UNAUTHENTICATED", "FORBIDDEN"}
_RETRY_CODES = {"INTERNAL_SERVER_ERROR", "RATE_LIMIT_EXCEEDED", "SERVICE_UNAVAILABLE"}


class BufferAdapter(PublishingAdapter):
    """Hands the post to Buffer, which publishes it to the channel (now or at ``dueAt``)."""

    provider = "buffer"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=False, threads=False, media=True, max_media=4, platform=None
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
        media_host: MediaHost | None = None,
    ) -> None:
        if not credentials.api_key or not credentials.account_id:
            raise NeedsReconnect(
                "The Buffer connection needs an API key and a channel id.", provider="buffer"
            )
        self.credentials = credentials
        self.media_host = media_host
        self.http = ProviderHttp(
            self.provider, HttpOptions(base_url, timeout_seconds, allow_loopback), client
        )

    async def _graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.http.request(
            "POST",
            "/",
            headers={"Authorization": f"Bearer {self.credentials.api_key}"},
            json_body={"query": query, "variables": variables or {}},
        )
        body = json_object(response, self.provider)
        errors = body.get("errors") or []
        if errors:
            first = errors[0]
            code = str(first.get("extensions", {}).get("code", ""))
            message = str(first.get("message", "unknown error"))
            if code in _RECONNECT_CODES:
                raise NeedsReconnect(
                    f"Buffer refused the API key ({message}); create a new key and reconnect.",
                    provider=self.provider,
                )
            if code in _RETRY_CODES:
                raise RetryableError(f"Buffer failed: {message}", provider=self.provider)
            raise BadContent(f"Buffer rejected the request: {message}", provider=self.provider)
        return body.get("data") or {}

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        warnings: list[str] = []
        if request.first_comment:
            warnings.append("Buffer has no first comment; it was not published.")
        if request.thread:
            warnings.append("Buffer threads are not supported here; only the first part went.")
        assets = []
        for media in request.media:
            if self.media_host is None:
                raise BadContent(
                    "Buffer takes images by public URL and no media hosting is configured.",
                    provider=self.provider,
                )
            image: dict[str, str] = {"url": await self.media_host.public_url(media)}
            if media.alt_text:
                image["altText"] = media.alt_text
            assets.append({"image": image})
        post_input: dict[str, Any] = {
            "text": request.text,
            "channelId": self.credentials.account_id,
            "schedulingType": "automatic",
            "mode": "shareNow",
        }
        if request.scheduled_at is not None:
            post_input["mode"] = "customScheduled"
            post_input["dueAt"] = (
                request.scheduled_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            )
        if assets:
            post_input["assets"] = assets
        data = await self._graphql(CREATE_POST, {"input": post_input})
        payload = data.get("createPost") or {}
        if "post" not in payload:
            kind = payload.get("__typename", "MutationError")
            message = payload.get("message", "unknown error")
            if kind == "UnauthorizedError":
                raise NeedsReconnect(f"Buffer: {message}", provider=self.provider)
            if kind == "UnexpectedError":
                raise RetryableError(f"Buffer failed: {message}", provider=self.provider)
            raise BadContent(f"Buffer rejected the post: {message}", provider=self.provider)
        post = payload["post"]
        return PublishResult(
            external_id=str(post["id"]),
            url=None,  # Buffer names the network's URL only once it has sent the post
            extra_ids={"status": str(post.get("status", ""))},
            warnings=tuple(warnings),
        )

    def _remote(self, node: dict[str, Any]) -> RemotePost:
        due = node.get("dueAt")
        return RemotePost(
            external_id=str(node["id"]),
            url=None,
            text=str(node.get("text", "")),
            created_at=datetime.fromisoformat(due.replace("Z", "+00:00")) if due else None,
        )

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        try:
            data = await self._graphql(ONE_POST, {"input": {"id": external_id}})
        except BadContent:
            return None
        post = data.get("post")
        return self._remote(post) if post else None

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        organization = self.credentials.extra.get("organization_id")
        if not organization:
            organization = await self._organization_id()
        data = await self._graphql(
            RECENT_POSTS,
            {
                "input": {
                    "organizationId": organization,
                    "filter": {"channelIds": [self.credentials.account_id]},
                },
                "first": limit,
            },
        )
        edges = (data.get("posts") or {}).get("edges", [])
        return [self._remote(edge["node"]) for edge in edges]

    async def _organization_id(self) -> str:
        organizations = (await self._graphql(ACCOUNT))["account"]["organizations"]
        if not organizations:
            raise NeedsReconnect("The Buffer account has no organization.", provider=self.provider)
        return str(organizations[0]["id"])

    async def verify(self) -> AccountProfile:
        account = (await self._graphql(ACCOUNT))["account"]
        return AccountProfile(account_id=str(account["id"]), handle=account.get("email"))

    async def aclose(self) -> None:
        await self.http.aclose()
