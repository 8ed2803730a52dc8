"""The builtin ``outbox`` provider: publishing appends to the workspace's own feed.

No account, no network: a demo can publish for real and read the result as RSS, Atom or
JSON Feed (``postwright.domain.publishing.outbox_feed``). Storage is behind ``OutboxStore``;
``InMemoryOutboxStore`` serves tests, a database store comes with the persistence layer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

from postwright.core.clock import Clock, SystemClock
from postwright.core.ids import new_id
from postwright.domain.publishing.adapters.base import (
    AccountProfile,
    Capabilities,
    Credentials,
    Media,
    MediaHost,
    PublishingAdapter,
    PublishRequest,
    PublishResult,
    RemotePost,
)
from postwright.domain.publishing.adapters.errors import NeedsReconnect


@dataclass(frozen=True, slots=True)
class OutboxAttachment:
    mime_type: str
    size: int
    url: str | None = None
    alt_text: str = ""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: str
    workspace_id: str
    text: str
    published_at: datetime
    attachments: tuple[OutboxAttachment, ...] = ()
    reply_to: str | None = None
    idempotency_key: str | None = None


class OutboxStore(Protocol):
    async def append(self, entry: OutboxEntry) -> OutboxEntry:
        """Store ``entry``. When the workspace already holds an entry with the same
        ``idempotency_key``, store nothing and return that entry instead."""
        ...

    async def entries(self, workspace_id: str, limit: int = 50) -> list[OutboxEntry]:
        """The workspace's entries, newest first."""
        ...

    async def get(self, workspace_id: str, entry_id: str) -> OutboxEntry | None: ...


class InMemoryOutboxStore:
    def __init__(self) -> None:
        self._entries: dict[str, list[OutboxEntry]] = {}
        self._lock = asyncio.Lock()

    async def append(self, entry: OutboxEntry) -> OutboxEntry:
        async with self._lock:
            feed = self._entries.setdefault(entry.workspace_id, [])
            if entry.idempotency_key is not None:
                for existing in feed:
                    if existing.idempotency_key == entry.idempotency_key:
                        return existing
            feed.append(entry)
            return entry

    async def entries(self, workspace_id: str, limit: int = 50) -> list[OutboxEntry]:
        return list(reversed(self._entries.get(workspace_id, [])))[:limit]

    async def get(self, workspace_id: str, entry_id: str) -> OutboxEntry | None:
        return next((e for e in self._entries.get(workspace_id, []) if e.id == entry_id), None)


class OutboxAdapter(PublishingAdapter):
    """``credentials.account_id`` is the workspace whose feed receives the posts."""

    provider = "outbox"
    capabilities: ClassVar[Capabilities] = Capabilities(
        first_comment=True,
        threads=True,
        media=True,
        max_media=10,
        platform=None,
        needs_account=False,
    )

    def __init__(
        self,
        credentials: Credentials,
        *,
        store: OutboxStore,
        base_url: str,
        clock: Clock | None = None,
        media_host: MediaHost | None = None,
    ) -> None:
        if not credentials.account_id:
            raise NeedsReconnect("The outbox needs a workspace id.", provider="outbox")
        self.workspace_id = credentials.account_id
        self.store = store
        self.base_url = base_url.rstrip("/")
        self.clock = clock or SystemClock()
        self.media_host = media_host

    def entry_url(self, entry_id: str) -> str:
        return f"{self.base_url}/{self.workspace_id}/entries/{entry_id}"

    async def _attachment(self, media: Media) -> OutboxAttachment:
        url = await self.media_host.public_url(media) if self.media_host else None
        return OutboxAttachment(media.mime_type, len(media.data), url, media.alt_text)

    async def _append(
        self,
        text: str,
        *,
        key: str | None,
        reply_to: str | None = None,
        attachments: tuple[OutboxAttachment, ...] = (),
    ) -> OutboxEntry:
        entry = OutboxEntry(
            id=new_id("obx"),
            workspace_id=self.workspace_id,
            text=text,
            published_at=self.clock.now(),
            attachments=attachments,
            reply_to=reply_to,
            idempotency_key=key,
        )
        return await self.store.append(entry)

    async def publish(self, request: PublishRequest) -> PublishResult:
        self.check_content(request)
        key = request.idempotency_key
        attachments = tuple([await self._attachment(m) for m in request.media])
        root = await self._append(request.text, key=key, attachments=attachments)
        thread_ids: list[str] = []
        comment_id: str | None = None
        last = root.id
        for index, text in enumerate(request.thread):
            part_key = f"{key}:{index + 1}" if key else None
            last = (await self._append(text, key=part_key, reply_to=last)).id
            thread_ids.append(last)
        if request.first_comment:
            comment_key = f"{key}:comment" if key else None
            comment_id = (
                await self._append(request.first_comment, key=comment_key, reply_to=root.id)
            ).id
        return PublishResult(
            external_id=root.id,
            url=self.entry_url(root.id),
            thread_ids=tuple(thread_ids),
            comment_id=comment_id,
        )

    def _remote(self, entry: OutboxEntry) -> RemotePost:
        return RemotePost(entry.id, self.entry_url(entry.id), entry.text, entry.published_at)

    async def fetch_publication(self, external_id: str) -> RemotePost | None:
        entry = await self.store.get(self.workspace_id, external_id)
        return self._remote(entry) if entry else None

    async def recent_posts(self, limit: int = 20) -> list[RemotePost]:
        entries = await self.store.entries(self.workspace_id, limit)
        return [self._remote(e) for e in entries if e.reply_to is None]

    async def verify(self) -> AccountProfile:
        return AccountProfile(account_id=self.workspace_id, handle=None, display_name="Outbox")

    async def aclose(self) -> None:
        return None
