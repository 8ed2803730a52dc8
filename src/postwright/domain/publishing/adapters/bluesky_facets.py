"""Rich-text facets for Bluesky posts: links, hashtags and mentions as UTF-8 byte ranges.

Bluesky does not detect links or tags in ``text``; the client sends facets whose
``byteStart``/``byteEnd`` count UTF-8 bytes, not characters (docs.bsky.app, "Links, mentions,
and rich text"). An emoji before a link shifts it by four bytes, not one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

LINK_FEATURE = "app.bsky.richtext.facet#link"
TAG_FEATURE = "app.bsky.richtext.facet#tag"
MENTION_FEATURE = "app.bsky.richtext.facet#mention"

_LINK = regex.compile(r"(?<![\w@])https?://[^\s<>\"]+")
# A tag starts after whitespace or at the start, is not only digits, and ends before
# whitespace; trailing punctuation belongs to the sentence (as in Bluesky's own parser).
# \uFF03 is the full-width number sign, which Bluesky also accepts.
_TAG = regex.compile(r"(?<!\S)[#\uFF03]([^\s#\uFF03]*[^\d\s\p{P}][^\s#\uFF03]*)")
_MENTION = regex.compile(r"(?<![\w@])@([a-zA-Z0-9][a-zA-Z0-9.-]*\.[a-zA-Z][a-zA-Z0-9-]*)")
_TRAILING = regex.compile(r"[\p{P}]+$")
_LINK_TRAILING = regex.compile(r"[.,;:!?'\")\]]+$")
MAX_TAG_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # in characters of the Python string
    end: int
    feature: dict[str, Any]


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def find_spans(text: str, resolve_did: Callable[[str], str | None] | None = None) -> list[Span]:
    spans: list[Span] = []
    for match in _LINK.finditer(text):
        url = _LINK_TRAILING.sub("", match.group(0))
        spans.append(Span(match.start(), match.start() + len(url), {"uri": url}))
    for match in _TAG.finditer(text):
        tag = _TRAILING.sub("", match.group(1))
        if not tag or len(tag) > MAX_TAG_LENGTH:
            continue
        end = match.start(1) + len(tag)
        spans.append(Span(match.start(), end, {"tag": tag}))
    for match in _MENTION.finditer(text):
        did = resolve_did(match.group(1).lower()) if resolve_did else None
        if did:
            spans.append(Span(match.start(), match.end(), {"did": did}))
    # A hashtag inside a URL's fragment is part of the link, not a tag.
    spans.sort(key=lambda span: span.start)
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def build_facets(text: str, mentions: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Facets for ``text``. ``mentions`` maps lower-case handles to DIDs; others stay plain."""
    resolved = dict(mentions or {})
    facets = []
    for span in find_spans(text, resolved.get):
        if "uri" in span.feature:
            feature = {"$type": LINK_FEATURE, **span.feature}
        elif "tag" in span.feature:
            feature = {"$type": TAG_FEATURE, **span.feature}
        else:
            feature = {"$type": MENTION_FEATURE, **span.feature}
        facets.append(
            {
                "index": {
                    "byteStart": _byte_offset(text, span.start),
                    "byteEnd": _byte_offset(text, span.end),
                },
                "features": [feature],
            }
        )
    return facets


def mentioned_handles(text: str) -> list[str]:
    return sorted({m.group(1).lower() for m in _MENTION.finditer(text)})


__all__ = ["build_facets", "find_spans", "mentioned_handles"]
