"""Platform profiles (limits and style rules) and fitting text into them.

The numbers live in ``data/platform_limits.json``, one sourced row per platform, so a change in
a platform's rules is a data edit with its citation next to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import regex

from postwright.core.errors import ValidationFailed
from postwright.domain.generation import text as t

Counting = Literal["codepoints", "graphemes", "x_weighted"]
EmojiUse = Literal["none", "sparing", "welcome"]
ELLIPSIS = "…"
SENTENCE_END = regex.compile(r"[.!?…][\"')\]]*(?=\s|$)|\n")


@dataclass(frozen=True, slots=True)
class PlatformProfile:
    key: str
    display_name: str
    limit: int
    counting: Counting
    url_length: int | None
    min_hashtags: int
    max_hashtags: int
    emoji: EmojiUse
    line_breaks: str
    tone: str
    source: str
    title_limit: int | None = None

    def measure(self, text: str) -> int:
        """The length of ``text`` as this platform counts it."""
        if self.counting == "x_weighted":
            return t.x_weighted_length(text, url_length=self.url_length or 23)
        if self.counting == "graphemes":
            return t.length_in_graphemes(text, url_length=self.url_length)
        return t.length_in_codepoints(text, url_length=self.url_length)

    def fits(self, text: str, limit: int | None = None) -> bool:
        return self.measure(text) <= (limit if limit is not None else self.limit)

    def style_guide(self) -> str:
        """The platform's rules as prompt text: the same words for every engine and request."""
        low, high = self.min_hashtags, self.max_hashtags
        hashtags = "no hashtags" if high == 0 else f"{low}-{high} hashtags"
        return (
            f"Platform: {self.display_name}. Hard limit: {self.limit} characters"
            f" ({self.counting.replace('_', ' ')}). Use {hashtags}; emoji: {self.emoji};"
            f" line breaks: {self.line_breaks}; tone: {self.tone}."
        )


@dataclass(frozen=True, slots=True)
class Fitted:
    text: str
    truncated: bool


@cache
def _table() -> tuple[dict[str, PlatformProfile], dict[str, str]]:
    raw = json.loads(
        resources.files("postwright.domain.generation")
        .joinpath("data/platform_limits.json")
        .read_text(encoding="utf-8")
    )
    profiles = {}
    for row in raw["platforms"]:
        low, high = row["hashtags"]
        profiles[row["key"]] = PlatformProfile(
            key=row["key"],
            display_name=row["display_name"],
            limit=row["limit"],
            counting=row["counting"],
            url_length=row["url_length"],
            min_hashtags=low,
            max_hashtags=high,
            emoji=row["emoji"],
            line_breaks=row["line_breaks"],
            tone=row["tone"],
            source=row["source"],
            title_limit=row.get("title_limit"),
        )
    return profiles, dict(raw["aliases"])


def known_platforms() -> list[str]:
    return sorted(_table()[0])


def platform_key(name: str) -> str:
    """Canonical key for a platform name or alias ("Twitter" → "x"); unknown → ValidationFailed."""
    profiles, aliases = _table()
    normal = name.strip().lower().replace(" ", "_").replace("-", "_")
    key = aliases.get(normal, normal)
    if key not in profiles:
        raise ValidationFailed(
            f"Unknown platform '{name}'",
            details={"platform": name, "supported": known_platforms()},
        )
    return key


def get_platform(name: str) -> PlatformProfile:
    return _table()[0][platform_key(name)]


def _cut_points(text: str, pattern: regex.Pattern[str]) -> list[int]:
    return sorted({m.end() for m in pattern.finditer(text)})


def _longest_fitting(
    text: str, cuts: list[int], profile: PlatformProfile, limit: int, suffix: str = ""
) -> int | None:
    """The largest cut whose prefix (+ suffix) fits; prefix lengths grow with the cut."""
    lo, hi, best = 0, len(cuts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        prefix = text[: cuts[mid]].rstrip()
        if prefix and profile.measure(prefix + suffix) <= limit:
            best, lo = cuts[mid], mid + 1
        else:
            hi = mid - 1
    return best


def _safe(cuts: list[int], spans: list[t.Span]) -> list[int]:
    return [c for c in cuts if not any(span.contains(c) for span in spans)]


def fit(text: str, platform: str | PlatformProfile, *, limit: int | None = None) -> Fitted:
    """Fit ``text`` into the platform's limit (or ``limit``), cutting as gently as possible.

    The last sentence boundary that fits wins, else the last word boundary (marked with an
    ellipsis), else the last grapheme boundary. A cut never lands inside a URL or a hashtag,
    and never splits a grapheme cluster.
    """
    profile = platform if isinstance(platform, PlatformProfile) else get_platform(platform)
    budget = limit if limit is not None else profile.limit
    text = text.strip()
    if profile.measure(text) <= budget:
        return Fitted(text, truncated=False)
    spans = t.protected_spans(text)
    sentence_cut = _longest_fitting(
        text, _safe(_cut_points(text, SENTENCE_END), spans), profile, budget
    )
    if sentence_cut is not None:
        return Fitted(text[:sentence_cut].rstrip(), truncated=True)
    word_cuts = _safe([m.start() for m in regex.finditer(r"\s+", text)], spans)
    word_cut = _longest_fitting(text, word_cuts, profile, budget, ELLIPSIS)
    if word_cut is not None:
        return Fitted(_end_word_cut(text[:word_cut]), truncated=True)
    boundaries, position = [], 0
    for cluster in t.graphemes(text):
        position += len(cluster)
        boundaries.append(position)
    grapheme_cut = _longest_fitting(text, _safe(boundaries, spans), profile, budget)
    return Fitted(text[:grapheme_cut] if grapheme_cut else "", truncated=True)


def _end_word_cut(prefix: str) -> str:
    return prefix.rstrip().rstrip(",;:-\u2013\u2014") + ELLIPSIS


def fit_title(title: str, platform: str | PlatformProfile) -> Fitted:
    """Titles (YouTube) have their own, shorter limit."""
    profile = platform if isinstance(platform, PlatformProfile) else get_platform(platform)
    return fit(title, profile, limit=profile.title_limit or profile.limit)


def hashtags_in(text: str) -> list[str]:
    return [m.group(0) for m in t.HASHTAG.finditer(text)]


def limit_hashtags(text: str, profile: PlatformProfile) -> str:
    """Keep at most the platform's hashtag count; extra tags become plain words (Instagram's 5)."""
    seen = 0

    def keep_or_demote(match: regex.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return match.group(0) if seen <= profile.max_hashtags else match.group(0)[1:]

    return t.HASHTAG.sub(keep_or_demote, text)


__all__ = [
    "Fitted",
    "PlatformProfile",
    "fit",
    "fit_title",
    "get_platform",
    "hashtags_in",
    "known_platforms",
    "limit_hashtags",
    "platform_key",
]
