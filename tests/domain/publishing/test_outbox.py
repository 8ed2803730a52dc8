from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from postwright.core.clock import FrozenClock
from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.outbox import InMemoryOutboxStore, OutboxAdapter
from postwright.domain.publishing.outbox_feed import (
    FeedInfo,
    render_atom,
    render_json_feed,
    render_rss,
)
from tests.fakes.fixtures import PNG

ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = 'Tom & Jerry <script>alert("x")</script> ]]> \x00\x07 done'


class Host:
    async def public_url(self, media: Media) -> str:
        return "https://cdn.example.com/a.png?x=1&y=2"


def make(store: InMemoryOutboxStore, clock: FrozenClock, workspace: str = "ws_1") -> OutboxAdapter:
    return OutboxAdapter(
        Credentials(account_id=workspace),
        store=store,
        base_url="https://pw.example.com/outbox",
        clock=clock,
        media_host=Host(),
    )


async def _published(store: InMemoryOutboxStore) -> FeedInfo:
    clock = FrozenClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    adapter = make(store, clock)
    await adapter.publish(PublishRequest(text="First post\nsecond line"))
    clock.advance(timedelta(minutes=5))
    await adapter.publish(PublishRequest(text=NASTY, media=[Media(PNG, "image/png")]))
    return FeedInfo(
        title="Acme <outbox>",
        home_url="https://pw.example.com/",
        feed_url="https://pw.example.com/outbox/ws_1/feed.atom",
        author="Acme & Co",
    )


async def test_publish_appends_entries_with_urls_and_threads() -> None:
    store = InMemoryOutboxStore()
    adapter = make(store, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
    result = await adapter.publish(
        PublishRequest(text="root", thread=["two"], first_comment="comment", idempotency_key="k")
    )
    entries = await store.entries("ws_1")
    assert [e.text for e in entries] == ["comment", "two", "root"]
    assert result.url == f"https://pw.example.com/outbox/ws_1/entries/{result.external_id}"
    assert entries[1].reply_to == result.external_id
    assert result.thread_ids == (entries[1].id,)
    assert result.comment_id == entries[0].id
    assert await store.entries("ws_other") == []


async def test_same_idempotency_key_publishes_once() -> None:
    store = InMemoryOutboxStore()
    adapter = make(store, FrozenClock(datetime(2026, 5, 1, tzinfo=UTC)))
    first = await adapter.publish(PublishRequest(text="once", idempotency_key="k"))
    again = await adapter.publish(PublishRequest(text="once", idempotency_key="k"))
    assert first.external_id == again.external_id
    assert len(await store.entries("ws_1")) == 1
    found = await adapter.find_recent(PublishRequest(text="once"))
    assert found is not None
    assert found.external_id == first.external_id
    assert await adapter.fetch_publication(first.external_id) == found


async def test_rss_is_valid_xml_in_order_and_escaped() -> None:
    store = InMemoryOutboxStore()
    info = await _published(store)
    entries = await store.entries("ws_1")
    document = render_rss(info, entries, "https://pw.example.com/outbox/ws_1/entries/{id}")
    channel = ET.fromstring(document).find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Acme <outbox>"
    items = channel.findall("item")
    assert [i.findtext("description") for i in items] == [
        NASTY.replace("\x00", "").replace("\x07", ""),
        "First post\nsecond line",
    ]
    assert items[1].findtext("title") == "First post"
    assert items[1].findtext("pubDate") == "Fri, 01 May 2026 09:00:00 +0000"
    enclosure = items[0].find("enclosure")
    assert enclosure is not None
    assert enclosure.get("url") == "https://cdn.example.com/a.png?x=1&y=2"
    assert enclosure.get("length") == str(len(PNG))
    assert b"<script>" not in document


async def test_atom_is_valid_and_ordered() -> None:
    store = InMemoryOutboxStore()
    info = await _published(store)
    entries = await store.entries("ws_1")
    feed = ET.fromstring(render_atom(info, entries, "https://pw.example.com/e/{id}"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2026-05-01T09:05:00Z"
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Acme & Co"
    nodes = feed.findall(f"{ATOM}entry")
    assert [n.findtext(f"{ATOM}published") for n in nodes] == [
        "2026-05-01T09:05:00Z",
        "2026-05-01T09:00:00Z",
    ]
    content = nodes[0].find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "text"
    assert content.text is not None
    assert content.text.startswith('Tom & Jerry <script>alert("x")</script> ]]>')


async def test_json_feed_is_valid_json_feed_1_1() -> None:
    store = InMemoryOutboxStore()
    info = await _published(store)
    entries = await store.entries("ws_1")
    feed = json.loads(render_json_feed(info, entries, "https://pw.example.com/e/{id}"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == info.feed_url
    assert feed["authors"] == [{"name": "Acme & Co"}]
    first, second = feed["items"]
    assert first["content_text"] == NASTY
    assert first["attachments"] == [
        {
            "url": "https://cdn.example.com/a.png?x=1&y=2",
            "mime_type": "image/png",
            "size_in_bytes": len(PNG),
        }
    ]
    assert second["date_published"] == "2026-05-01T09:00:00Z"
    assert second["url"] == f"https://pw.example.com/e/{second['id']}"


def test_empty_feed_renders() -> None:
    info = FeedInfo(title="t", home_url="https://h/", feed_url="https://h/f")
    assert ET.fromstring(render_rss(info, [], "{id}")).find("channel") is not None
    assert ET.fromstring(render_atom(info, [], "{id}")).tag == f"{ATOM}feed"
    assert json.loads(render_json_feed(info, [], "{id}"))["items"] == []
