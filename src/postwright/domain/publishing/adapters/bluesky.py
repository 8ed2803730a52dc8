"""Bluesky through the AT Protocol XRPC API of the account's PDS.

Docs (docs.bsky.app): ``com.atproto.server.createSession`` / ``refreshSession`` (app
passwords; the refresh call authenticates with the *refresh* JWT), ``com.atproto.repo.
uploadBlob`` (raw bytes, ≤ 1,000,000 bytes per image), ``com.atproto.repo.createRecord`` with
an ``app.bsky.feed.post`` record (``text``, ``createdAt``, ``facets``, ``embed``
``app.bsky.embed.images``, ``reply`` with ``root``/``parent`` strong refs), ``listRecords`` and
``getRecord`` for reconciliation, ``com.atproto.identity.resolveHandle`` for mentions. Errors
are ``{"error", "message"}``; an expired access JWT answers 400 ``ExpiredToken``.
"""

from __future__ import annotations

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
from postwright.domain.publishing.adapters.bluesky_facets import build_facets, mentioned_handles
from postwright.domain.publishing.adapters.errors import (
    BadContent,
    NeedsReconnect,
    PublishingError,
)
from postwright.domain.publishing.adapters.http import (
    DEFAULT_TIMEOUT_SECONDS,
    HttpOptions,
    ProviderHttp,
    json_object,
)

DEFAULT_BASE_URL = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
MAX_IMAGE_BYTES = 1_000_000


def _classify(response: httpx.Response, provider: str) -> PublishingError | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if error in {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AccountTakedown"}:
        return NeedsReconnect(
            f"The Bluesky session is no longer valid ({error}); reconnect with an app password.",
            provider=provider,
            status_code=response.status_code,
        )
    return None


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


async def create_session(http: ProviderHttp, identifier: str, app_password: str) -> Credentials:
    """Log in with a handle (or DID/email) and an app password."""
    response = await http.request(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        json_body={"identifier": identifier, "password": app_password},
    )
    return _session_credentials(json_object(response, http.provider), app_password, http.base_url)


async def refresh_session(http: ProviderHttp, credentials: Credentials) -> Credentials:
    """New access and refresh JWTs from the refresh JWT (which is single-use)."""
    response = await http.request(
        "POST",
        "/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {credentials.refresh_token}"},
    )
    return _session_credentials(
        json_object(response, http.provider), credentials.api_key, http.base_url
    )


def _session_credentials(body: dict[str, Any], app_password: str | None, pds: str) -> Credentials:
    return Credentials(
        access_token=str(body["accessJwt"]),
        refresh_token=str(body["refreshJwt"]),
        account_id=str(body["did"]),
        handle=str(body["handle"]),
        instance_url=pds,
        api_key=app_password,
    )


class BlueskyAdapter(PublishingAdapter):
    """Keeps its session fresh: after ``publish``, ``credentials`` holds any renewed JWTs."""

    provider = "bluesky"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=True, threads=True, media=True, max_media=4, platform="bluesky"
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        allow_loopback: bool = False,
    ) -> None:
        if not credentials.access_token and not (credentials.handle and credentials.api_key):
            raise NeedsReconnect(
                "The Bluesky account needs a handle and an app password.", provider="bluesky"
            )
        self.credentials = credentials
        pds = base_url or credentials.instance_url or DEFAULT_BASE_URL
        self.http = ProviderHttp(
            self.provider, HttpOptions(pds, timeout_seconds, allow_loopback), client, _classify
        )

    async def _renew(self) -> None:
        if self.credentials.refresh_token:
            try:
                self.credentials = await refresh_session(self.http, self.credentials)
                return
            except NeedsReconnect:
                pass
        if self.credentials.handle and self.credentials.api_key:
            self.credentials = await create_session(
                self.http, self.credentials.handle, self.credentials.api_key
            )
            return
        raise NeedsReconnect(
            "The Bluesky session expired and cannot be renewed; reconnect the account.",
            provider=self.provider,
        )

    async def _call(self, method: str, nsid: str, **kwargs: Any) -> dict[str, Any]:
        """An authenticated XRPC call; an expired session is renewed once, then retried.

        Retrying is safe: a request refused for its token created nothing.
        """
        if not self.credentials.access_token:
            await self._renew()
        extra_headers = kwargs.pop("headers", {})
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self.credentials.access_token}", **extra_headers}
            try:
                response = await self.http.request(
                    method, f"/xrpc/{nsid}", headers=headers, **kwargs
                )
            except NeedsReconnect:
                if attempt:
                    raise
                await self._renew()
                continue
            return json_object(response, self.provider)
        raise AssertionError("unreachable")

    @property
    def _did(self) -> str:
        assert self.credentials.account_id, "a session always names its DID"
        return self.credentials.account_id

    def _url(self, uri: str) -> str:
        who = self.credentials.handle or self._did
        return f"https://bsky.app/profile/{who}/post/{rkey_of(uri)}"

    async def _upload(self, media: Media) -> dict[str, Any]:
        if len(media.data) > MAX_IMAGE_BYTES:
            raise BadContent(
                "Bluesky images must be at most 1 MB; this one is "
                f"{len(media.data) / 1_000_000:.1f} MB.",
                provider=self.provider,
            )
        body = await self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            content=media.data,
            headers={"Content-Type": media.mime_type},
        )
        return {"alt": media.alt_text, "image": body["blob"]}

    async def _mentions(self, text: str) -> dict[str, str]:
        resolved: dict[str, str] = {}
        for handle in mentioned_handles(text):
            try:
                body = await self._call(
                    "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
                )
            except BadContent:
                continue  # an unknown handle stays plain text, as in the Bluesky app
            resolved[handle] = str(body["did"])
        return resolved

    async def _create(
        self,
        text: str,
        *,
        images: list[dict[str, Any]] | None = None,
        reply: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        facets = build_facets(text, await self._mentions(text))
        if facets:
            record["facets"] = facets
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        if reply:
            record["reply"] = reply
        if not self.credentials.account_id:
            await self._renew()
        return await self._call(
            "POST",
            "com.atproto.repo.createRecord",
            json_body={"repo": self._did, "collection": POST_COLLECTION, "record": record},
        )

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        images = [await self._upload(item) for item in request.media]
        root = await self._create(request.text, images=images)
        root_ref = {"uri": root["uri"], "cid": root["cid"]}
        parent_ref = root_ref
        thread: list[str] = []
        comment: str | None = None
        follow_ups = [*request.thread, *([request.first_comment] if request.first_comment else [])]
        for index, text in enumerate(follow_ups):
            try:
                reply = await self._create(text, reply={"root": root_ref, "parent": parent_ref})
            except PublishingError as exc:
                exc.partial = PublishResult(
                    external_id=root["uri"], url=self._url(root["uri"]), thread_ids=tuple(thread)
                )
                raise
            parent_ref = {"uri": reply["uri"], "cid": reply["cid"]}
            if index < len(request.thread):
                thread.append(reply["uri"])
            else:
                comment = reply["uri"]
        return PublishResult(
            external_id=root["uri"],
            url=self._url(root["uri"]),
            thread_ids=tuple(thread),
            comment_id=comment,
            extra_ids={"cid": root["cid"]},
        )

    def _remote(self, uri: str, value: dict[str, Any]) -> RemotePost:
        created = value.get("createdAt")
        return RemotePost(
            external_id=uri,
            url=self._url(uri),
            text=str(value.get("text", "")),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        )

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        repo = external_id.removeprefix("at://").split("/", 1)[0]
        try:
            body = await self._call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": repo, "collection": POST_COLLECTION, "rkey": rkey_of(external_id)},
            )
        except BadContent:
            return None  # RecordNotFound answers 400
        return self._remote(str(body["uri"]), body["value"])

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        if not self.credentials.account_id:
            await self._renew()
        body = await self._call(
            "GET",
            "com.atproto.repo.listRecords",
            params={"repo": self._did, "collection": POST_COLLECTION, "limit": min(limit, 100)},
        )
        return [self._remote(str(r["uri"]), r["value"]) for r in body.get("records", [])]

    async def verify(self) -> AccountProfile:
        body = await self._call("GET", "com.atproto.server.getSession")
        return AccountProfile(
            account_id=str(body["did"]),
            handle=body.get("handle"),
            url=f"https://bsky.app/profile/{body.get('handle')}",
        )

    async def aclose(self) -> None:
        await self.http.aclose()
