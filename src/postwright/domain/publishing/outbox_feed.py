"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents for a workspace's outbox.

XML is built with ElementTree, which escapes text and attribute values; characters XML 1.0
cannot carry at all (most C0 controls) are removed first, since no escaping makes them legal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

import regex

from postwright.domain.publishing.adapters.outbox import OutboxEntry

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_XML_ILLEGAL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TITLE_LENGTH = 80


@dataclass(frozen=True, slots=True)
class FeedInfo:
    title: str
    home_url: str
    feed_url: str
    description: str = ""
    author: str | None = None


def entry_title(text: str) -> str:
    """The first line, shortened: feed readers show titles in lists."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _serialize(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _updated(entries: Sequence[OutboxEntry]) -> datetime:
    return max((e.published_at for e in entries), default=datetime(1970, 1, 1, tzinfo=UTC))


def render_rss(info: FeedInfo, entries: Sequence[OutboxEntry], entry_url: str) -> bytes:
    """``entry_url`` is a format string with ``{id}``, e.g. ``https://h/outbox/ws/entries/{id}``."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.home_url)
    _sub(channel, "description", info.description or info.title)
    _sub(channel, "lastBuildDate", format_datetime(_updated(entries).astimezone(UTC)))
    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry_title(entry.text))
        _sub(item, "link", entry_url.format(id=entry.id))
        _sub(item, "description", entry.text)
        _sub(item, "guid", entry.id, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(entry.published_at.astimezone(UTC)))
        hosted = [a for a in entry.attachments if a.url]
        if hosted:  # RSS allows one enclosure per item
            first = hosted[0]
            _sub(
                item, "enclosure", url=first.url or "", length=str(first.size), type=first.mime_type
            )
    return _serialize(rss)


def render_atom(info: FeedInfo, entries: Sequence[OutboxEntry], entry_url: str) -> bytes:
    ET.register_namespace("", ATOM_NS)

    def q(tag: str) -> str:
        return f"{{{ATOM_NS}}}{tag}"

    feed = ET.Element(q("feed"))
    _sub(feed, q("id"), info.feed_url)
    _sub(feed, q("title"), info.title)
    _sub(feed, q("updated"), _iso(_updated(entries)))
    _sub(feed, q("link"), rel="self", href=info.feed_url)
    _sub(feed, q("link"), rel="alternate", href=info.home_url)
    author = _sub(feed, q("author"))
    _sub(author, q("name"), info.author or info.title)
    for entry in entries:
        node = _sub(feed, q("entry"))
        url = entry_url.format(id=entry.id)
        _sub(node, q("id"), url)
        _sub(node, q("title"), entry_title(entry.text))
        _sub(node, q("updated"), _iso(entry.published_at))
        _sub(node, q("published"), _iso(entry.published_at))
        _sub(node, q("link"), rel="alternate", href=url)
        _sub(node, q("content"), entry.text, type="text")
        for attachment in entry.attachments:
            if attachment.url:
                _sub(
                    node,
                    q("link"),
                    rel="enclosure",
                    href=attachment.url,
                    type=attachment.mime_type,
                    length=str(attachment.size),
                )
    return _serialize(feed)


def render_json_feed(info: FeedInfo, entries: Sequence[OutboxEntry], entry_url: str) -> str:
    items: list[dict[str, Any]] = []
    for entry in entries:
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry_url.format(id=entry.id),
            "title": entry_title(entry.text),
            "content_text": entry.text,
            "date_published": _iso(entry.published_at),
        }
        attachments = [
            {"url": a.url, "mime_type": a.mime_type, "size_in_bytes": a.size}
            for a in entry.attachments
            if a.url
        ]
        if attachments:
            item["attachments"] = attachments
        if entry.reply_to:
            item["_postwright"] = {"in_reply_to": entry.reply_to}
        items.append(item)
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.feed_url,
        "items": items,
    }
    if info.description:
        document["description"] = info.description
    if info.author:
        document["authors"] = [{"name": info.author}]
    return json.dumps(document, ensure_ascii=False)


__all__ = ["FeedInfo", "entry_title", "render_atom", "render_json_feed", "render_rss"]
