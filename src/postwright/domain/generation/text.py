"""Text primitives shared by the platform rules and both engines.

Lengths are measured the way each platform measures them: code points, grapheme clusters
(what a reader sees as one character: "👩‍👩‍👧" or "é" written as e + combining accent), or
X's weighted count. ``regex``'s ``\\X`` follows Unicode's extended grapheme cluster rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

GRAPHEME = regex.compile(r"\X")
# Links the platforms shorten or weigh specially. Trailing punctuation belongs to the sentence.
URL = regex.compile(r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?…)\]'\"]*(?:\s|$))")
HASHTAG = regex.compile(r"(?<![\w#])#[\p{L}\p{N}_]+")
WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'\u2019_-]*")
EMOJI_GRAPHEME = regex.compile(r"^(?:\p{Extended_Pictographic}|\p{Regional_Indicator})")

# twitter-text config v3: weights in 1/100 of a character; code points outside these ranges
# (CJK, most symbols) weigh 2, and an emoji sequence weighs 2 however many code points it has.
X_SCALE = 100
X_DEFAULT_WEIGHT = 200
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def contains(self, index: int) -> bool:
        """Whether cutting the text at ``index`` would split this span."""
        return self.start < index < self.end


def graphemes(text: str) -> list[str]:
    return GRAPHEME.findall(text)


def grapheme_count(text: str) -> int:
    return len(graphemes(text))


def protected_spans(text: str) -> list[Span]:
    """URLs and hashtags: text must never be cut inside one."""
    spans = [Span(m.start(), m.end()) for m in URL.finditer(text)]
    spans += [Span(m.start(), m.end()) for m in HASHTAG.finditer(text)]
    return sorted(spans, key=lambda s: s.start)


def _x_weight(cluster: str) -> int:
    if EMOJI_GRAPHEME.match(cluster):
        return X_DEFAULT_WEIGHT
    total = 0
    for char in cluster:
        point = ord(char)
        light = any(lo <= point <= hi for lo, hi in X_LIGHT_RANGES)
        total += X_SCALE if light else X_DEFAULT_WEIGHT
    return total


def _without_urls(text: str) -> tuple[str, int]:
    """The text with its URLs removed, and how many there were."""
    parts = URL.split(text)
    return "".join(parts), len(parts) - 1


def x_weighted_length(text: str, *, url_length: int = 23) -> int:
    """X's count: NFC-normalised, weighted per code point, emoji as 2, URLs as ``url_length``."""
    rest, url_count = _without_urls(unicodedata.normalize("NFC", text))
    weight = sum(_x_weight(cluster) for cluster in graphemes(rest))
    return -(-weight // X_SCALE) + url_count * url_length


def length_in_graphemes(text: str, *, url_length: int | None = None) -> int:
    if url_length is None:
        return grapheme_count(text)
    rest, url_count = _without_urls(text)
    return grapheme_count(rest) + url_count * url_length


def length_in_codepoints(text: str, *, url_length: int | None = None) -> int:
    if url_length is None:
        return len(text)
    rest, url_count = _without_urls(text)
    return len(rest) + url_count * url_length


def words(text: str) -> list[str]:
    return WORD.findall(text)


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """Persona list fields arrive as "AI, ML, Tech" (zorbit) or as lists; both mean the same."""
    if value is None:
        return []
    items = regex.split(r"[,;\n]", value) if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item and item.strip()]


def avoid_pattern(avoid_words: Iterable[str]) -> regex.Pattern[str] | None:
    """One case-insensitive, whole-word pattern for every word or phrase to avoid."""
    terms = sorted({w.strip() for w in avoid_words if w.strip()}, key=len, reverse=True)
    if not terms:
        return None
    alternatives = "|".join(regex.escape(term) for term in terms)
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}_])(?:{alternatives})(?![\p{{L}}\p{{N}}_])", regex.I)


def contains_avoided(text: str, avoid_words: Iterable[str]) -> bool:
    pattern = avoid_pattern(avoid_words)
    return bool(pattern and pattern.search(text))


def scrub_avoided(text: str, avoid_words: Iterable[str]) -> str:
    """Remove avoided words (whole words, any case) and tidy the spaces they leave.

    Repeats until stable: removing a word can join two fragments into a new avoided phrase.
    """
    pattern = avoid_pattern(avoid_words)
    if pattern is None:
        return text
    while pattern.search(text):
        text = pattern.sub("", text)
        text = regex.sub(r"#(?=[\s#]|$)", "", text)  # a hashtag whose word was removed
        text = regex.sub(r"[ \t]{2,}", " ", text)
        text = regex.sub(r"[ \t]+([,.;:!?])", r"\1", text)
        text = regex.sub(r"(?m)^[ \t]+|[ \t]+$", "", text)
    return text.strip()


def sentences(text: str) -> list[str]:
    parts = regex.split(r"(?<=[.!?…])\s+", text.strip())
    return [part.strip() for part in parts if part.strip()]


def title_case(phrase: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in phrase.split())


def as_hashtag(phrase: str) -> str:
    """ "climate tech" → "#ClimateTech"; keeps existing capitals ("#ESG")."""
    cleaned = [w for w in words(phrase.replace("#", " ")) if w]
    if not cleaned:
        return ""
    body = "".join(w[:1].upper() + w[1:] for w in cleaned)
    body = regex.sub(r"[^\p{L}\p{N}_]", "", body)
    return f"#{body}" if body else ""
