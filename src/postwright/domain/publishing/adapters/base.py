"""The one interface every publishing provider implements, and the values it exchanges."""

from __future__ import annotations

import hashlib
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar, Protocol

import regex

from postwright.domain.generation.platforms import get_platform
from postwright.domain.publishing.adapters.errors import BadContent


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a connected account holds. Each provider uses the fields it needs.

    ``account_id`` is the author URN (LinkedIn), user id (X), DID (Bluesky), account id
    (Mastodon), channel id (Buffer), account id (Publer) or workspace id (outbox).
    """

    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: datetime | None = None
    account_id: str | None = None
    handle: str | None = None
    instance_url: str | None = None
    api_key: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def with_tokens(
        self, access_token: str, refresh_token: str | None, expires_at: datetime | None
    ) -> Credentials:
        return replace(
            self,
            access_token=access_token,
            refresh_token=refresh_token or self.refresh_token,
            expires_at=expires_at,
        )


@dataclass(frozen=True, slots=True)
class Media:
    data: bytes
    mime_type: str
    alt_text: str = ""


class MediaHost(Protocol):
    """Makes media reachable at a stable public URL, for providers that fetch media by URL
    (Buffer). The storage layer implements it; the URL must outlive the scheduled time."""

    async def public_url(self, media: Media) -> str: ...


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """One post. ``thread`` holds the follow-up texts, each published as a reply to the previous.

    ``idempotency_key`` is passed to providers that honour one (Mastodon) and stored with the
    post where the provider allows it (outbox); reconciliation falls back to matching text.
    ``scheduled_at`` only matters to schedulers (Buffer, Publer); networks publish now.
    """

    text: str
    media: Sequence[Media] = ()
    first_comment: str | None = None
    thread: Sequence[str] = ()
    idempotency_key: str | None = None
    scheduled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    external_id: str
    url: str | None
    thread_ids: tuple[str, ...] = ()
    comment_id: str | None = None
    # Provider-specific handles worth storing: Bluesky's record ``cid``, Publer's ``job_id``,
    # Buffer's post ``status``.
    extra_ids: Mapping[str, str] = field(default_factory=dict)
    # What the provider could not do and silently skipped (e.g. a first comment on Buffer).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemotePost:
    """A post as the provider reports it back, for reconciliation."""

    external_id: str
    url: str | None
    text: str
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """Who the credentials act as, from the provider's verify call."""

    account_id: str
    handle: str | None
    display_name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    first_comment: bool
    threads: bool
    media: bool
    max_media: int
    # Key into generation's platform profiles for the text limit; None when the limit
    # depends on where a scheduler forwards the post.
    platform: str | None
    needs_account: bool = True


_WHITESPACE = regex.compile(r"\s+")


def text_fingerprint(text: str) -> str:
    """A stable digest of what a post says, insensitive to what networks rewrite.

    Networks normalise whitespace, Unicode form and trailing spaces, so the fingerprint does
    too. Used to recognise our own post among an account's recent posts after a crash.
    """
    normal = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


class PublishingAdapter(ABC):
    provider: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    @abstractmethod
    async def publish(self, request: PublishRequest) -> PublishResult:
        """Publish the post (and its thread and first comment) or raise a PublishingError."""

    @abstractmethod
    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        """The post with this id, or None when the provider no longer has it."""

    @abstractmethod
    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        """The account's most recent posts, newest first."""

    @abstractmethod
    async def verify(self) -> AccountProfile:
        """Check the credentials with the provider; NeedsReconnect when they no longer work."""

    async def find_recent(self, request: PublishRequest, limit: int = 20) -> RemotePost | None:
        """The recent post that matches ``request``, if the provider already has it.

        Call this before re-publishing after a crash between the provider call and recording
        its result: a match means the post went out and must not be sent again.
        """
        wanted = text_fingerprint(request.text)
        for post in await self.recent_posts(limit):
            if text_fingerprint(post.text) == wanted:
                return post
        return None

    @abstractmethod
    async def aclose(self) -> None:
        """Release the HTTP client when the adapter created it."""

    def check_content(self, request: PublishRequest) -> None:
        """Refuse what the network would refuse, before spending a call on it."""
        caps = self.capabilities
        if not request.text.strip() and not request.media:
            raise BadContent("The post is empty.", provider=self.provider)
        if request.media and not caps.media:
            raise BadContent(f"{self.provider} posts cannot carry media.", provider=self.provider)
        if len(request.media) > caps.max_media:
            raise BadContent(
                f"{self.provider} accepts at most {caps.max_media} images per post.",
                provider=self.provider,
            )
        if caps.platform is None:
            return
        profile = get_platform(caps.platform)
        for index, text in enumerate([request.text, *request.thread]):
            if not profile.fits(text):
                where = "The post" if index == 0 else f"Thread part {index + 1}"
                raise BadContent(
                    f"{where} is {profile.measure(text)} characters; "
                    f"{profile.display_name} allows {profile.limit}.",
                    provider=self.provider,
                )


__all__ = [
    "AccountProfile",
    "Capabilities",
    "Credentials",
    "Media",
    "MediaHost",
    "PublishRequest",
    "PublishResult",
    "PublishingAdapter",
    "RemotePost",
    "text_fingerprint",
]
