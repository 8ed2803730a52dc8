"""Platform profiles (limits and style rules) and fitting text into them.

The numbers live in ``data/platform_limits.json``, one sourced row per platform, so a change in
a platform's rules is a data edit with its citation next to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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


def _longest_fitting(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest cut for which ``fits`` holds; lengths grow with the cut, so bisect."""
    lo, hi, best = 0, len(cuts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(cuts[mid]):
            best, lo = cuts[mid], mid + 1
        else:
            hi = mid - 1
    return best


def _safe(cuts: list[int], spans: list[t.Span]) -> list[int]:
    return [c for c in cuts if not any(span.contains(c) for span in spans)]


def cut_sentence(sentence: str, fits: Callable[[str], bool]) -> str:
    """The longest start of ``sentence`` that ``fits``, ended with an ellipsis.

    Cuts at a word boundary when one fits, else (Japanese and Chinese have no spaces) at a
    grapheme boundary; never inside a URL, a hashtag or a grapheme cluster. "" when nothing fits.
    """
    spans = t.protected_spans(sentence)

    def candidate(cut: int) -> str:
        return sentence[:cut].rstrip().rstrip(",;:-\u2013\u2014\u3001") + ELLIPSIS

    def ok(cut: int) -> bool:
        return bool(sentence[:cut].strip()) and fits(candidate(cut))

    word_cuts = _safe([m.start() for m in regex.finditer(r"\s+", sentence)], spans)
    best = _longest_fitting(word_cuts, ok)
    if best is None:
        ends = [m.end() for m in t.GRAPHEME.finditer(sentence)][:-1]
        best = _longest_fitting(_safe(ends, spans), ok)
    return candidate(best) if best is not None else ""


@dataclass(frozen=True, slots=True)
class _Post:
    """A text as hook, body and closing line (the call to action) plus its hashtag tags."""

    units: list[t.Unit]
    hook: int | None
    body: list[int]
    closing: int | None
    tags: list[tuple[int, str]]  # (unit index, tag) for every tag in a hashtag-only unit

    @classmethod
    def parse(cls, text: str) -> _Post:
        units = t.units(text)
        prose = [i for i, unit in enumerate(units) if not unit.is_hashtags]
        tags = [
            (i, m.group(0))
            for i, unit in enumerate(units)
            if unit.is_hashtags
            for m in t.HASHTAG.finditer(unit.text)
        ]
        closing = prose[-1] if len(prose) >= 2 else None
        body = prose[1:-1] if closing is not None else prose[1:]
        return cls(units, prose[0] if prose else None, body, closing, tags)

    def render(
        self,
        *,
        body: int,
        tags: int,
        closing: bool = True,
        hook: str | None = None,
    ) -> str:
        """The first ``body`` body units and ``tags`` tags; ``hook`` replaces the hook's text."""
        keep_tags: dict[int, list[str]] = {}
        for index, tag in self.tags[:tags]:
            keep_tags.setdefault(index, []).append(tag)
        kept = {i for i in (self.hook, *self.body[:body]) if i is not None}
        if closing and self.closing is not None:
            kept.add(self.closing)
        kept |= set(keep_tags)
        units = list(self.units)
        for index, unit_tags in keep_tags.items():
            units[index] = t.Unit(" ".join(unit_tags), units[index].gap)
        if hook is not None and self.hook is not None:
            units[self.hook] = t.Unit(hook, units[self.hook].gap)
            if not hook:
                kept.discard(self.hook)
        drop = {i for i in range(len(units)) if i not in kept}
        return t.join_units(t.without_units(units, drop))


def _cut_hook(post: _Post, fits: Callable[[str], bool], *, tags: int, closing: bool) -> str | None:
    """The post reduced to its opening sentence, cut to fit, with ``tags`` tags and maybe the
    closing line; None when no cut of the opening sentence fits."""
    if post.hook is None:
        return None

    def fits_with(hook: str) -> bool:
        return fits(post.render(body=0, tags=tags, closing=closing, hook=hook))

    hook = cut_sentence(post.units[post.hook].text, fits_with)
    return post.render(body=0, tags=tags, closing=closing, hook=hook) if hook else None


def fit(
    text: str,
    platform: str | PlatformProfile,
    *,
    limit: int | None = None,
) -> Fitted:
    """Fit ``text`` into the platform's limit (or ``limit``) by shortening its body.

    Whole sentences go first, from the end of the body; the opening line, the closing line
    (the call to action) and the hashtags stay. Only then do hashtags above the platform's
    minimum go (whole tags, from the last), then the opening sentence is cut at a word (or, in
    text without spaces, a grapheme) boundary with an ellipsis; the call to action and the
    minimum hashtags go last. A closing line longer than half the budget counts as body.
    """
    profile = platform if isinstance(platform, PlatformProfile) else get_platform(platform)
    budget = limit if limit is not None else profile.limit
    text = text.strip()
    if profile.measure(text) <= budget:
        return Fitted(text, truncated=False)

    def fits(candidate: str) -> bool:
        return bool(candidate) and profile.measure(candidate) <= budget

    post = _Post.parse(text)
    all_tags = len(post.tags)
    if post.closing is not None:
        closing_text = post.render(body=0, tags=all_tags, hook="")
        if profile.measure(closing_text) > budget // 2:
            post = _Post(post.units, post.hook, [*post.body, post.closing], None, post.tags)
    keep_body = _longest_fitting(
        list(range(len(post.body) + 1)), lambda n: fits(post.render(body=n, tags=all_tags))
    )
    if keep_body is not None:
        return Fitted(post.render(body=keep_body, tags=all_tags), truncated=True)
    floor = min(profile.min_hashtags, all_tags)
    for closing, tag_counts in ((True, range(all_tags, floor - 1, -1)), (False, (floor, 0))):
        for tags in tag_counts:
            shortest = post.render(body=0, tags=tags, closing=closing)
            if fits(shortest):
                return Fitted(shortest, truncated=True)
        for tags in (floor, 0):
            hook = _cut_hook(post, fits, tags=tags, closing=closing)
            if hook is not None:
                return Fitted(hook, truncated=True)
    return Fitted(cut_sentence(text, fits), truncated=True)


def fit_title(title: str, platform: str | PlatformProfile) -> Fitted:
    """Titles (YouTube) have their own, shorter limit."""
    profile = platform if isinstance(platform, PlatformProfile) else get_platform(platform)
    return fit(title, profile, limit=profile.title_limit or profile.limit)


def hashtags_in(text: str) -> list[str]:
    return [m.group(0) for m in t.HASHTAG.finditer(text)]


def limit_hashtags(text: str, profile: PlatformProfile) -> str:
    """At most the platform's hashtag count (Instagram: 5), each kept or dropped whole.

    Tags in the closing tag block go first, from the last; tags written inside sentences stay,
    unless they alone exceed the cap: then their sentences go, from the end.
    """
    post = _Post.parse(text)
    inline = [i for i, unit in enumerate(post.units) if not unit.is_hashtags]
    inline_count = sum(len(hashtags_in(post.units[i].text)) for i in inline)
    if inline_count + len(post.tags) <= profile.max_hashtags:
        return text.strip()
    room = max(profile.max_hashtags - inline_count, 0)
    drop = {index for index, _ in post.tags}
    keep: dict[int, list[str]] = {}
    for index, tag in post.tags[:room]:
        keep.setdefault(index, []).append(tag)
    units = list(post.units)
    for index, tags in keep.items():
        units[index] = t.Unit(" ".join(tags), units[index].gap)
        drop.discard(index)
    for index in reversed(inline):
        if inline_count <= profile.max_hashtags:
            break
        count = len(hashtags_in(units[index].text))
        if count:
            drop.add(index)
            inline_count -= count
    return t.join_units(t.without_units(units, drop))


__all__ = [
    "Fitted",
    "PlatformProfile",
    "cut_sentence",
    "fit",
    "fit_title",
    "get_platform",
    "hashtags_in",
    "known_platforms",
    "limit_hashtags",
    "platform_key",
]
