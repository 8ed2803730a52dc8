"""Text primitives shared by the platform rules and both engines.

Lengths are measured the way each platform measures them: code points, grapheme clusters
(what a reader sees as one character: "👩‍👩‍👧" or "é" written as e + combining accent), or
X's weighted count. ``regex``'s ``\\X`` follows Unicode's extended grapheme cluster rules.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import regex
import snowballstemmer  # type: ignore[import-untyped]

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


# A word for avoided-word matching: letters and digits, with an English possessive kept on
# ("synergy's"); hyphens split ("game-changer" is "game" + "changer").
_MATCH_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['\u2019]\p{L}+)?")
# The words of a CamelCase hashtag body: "DisruptTheMarket" → Disrupt, The, Market.
_CAMEL_PART = regex.compile(
    r"\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+|[^\p{Lu}\p{Ll}\p{N}]+"
)
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The word's English stem, lower-cased: "Disrupting" → "disrupt", "Synergies" → "synergi"."""
    return str(_STEMMER.stemWord(word.lower().replace("\u2019", "'")))


@dataclass(frozen=True, slots=True)
class AvoidedUse:
    term: str  # the persona's word or phrase
    found: str  # how the text wrote it ("Disrupting" for "disrupt")


def _stem_sequence(value: str, *, camel: bool) -> list[tuple[str, str]]:
    """(stem, surface) per word; with ``camel`` a CamelCase word counts as its parts."""
    sequence: list[tuple[str, str]] = []
    for match in _MATCH_WORD.finditer(value):
        word = match.group(0)
        parts = [word]
        if camel and regex.search(r"\p{Ll}\p{Lu}", word):
            parts = _CAMEL_PART.findall(word)
        sequence.extend((stem(part), part) for part in parts)
    return sequence


def _avoid_terms(avoid_words: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    terms = []
    for term in dict.fromkeys(w.strip() for w in avoid_words if w.strip()):
        stems = tuple(s for s, _ in _stem_sequence(term, camel=False))
        if stems:
            terms.append((term, stems))
    return terms


def avoided_uses(text: str, avoid_words: Iterable[str]) -> list[AvoidedUse]:
    """Every avoided word or phrase the text uses, in any inflection and any case.

    Words are compared by their English stem, so "Disrupting" matches "disrupt" and "Synergies"
    matches "synergy"; a phrase matches its words in sequence; CamelCase hashtags count as their
    words ("#DisruptTheMarket" uses "disrupt").
    """
    terms = _avoid_terms(avoid_words)
    if not terms:
        return []
    found: dict[str, AvoidedUse] = {}
    for camel in (False, True):
        sequence = _stem_sequence(text, camel=camel)
        stems = [s for s, _ in sequence]
        for term, wanted in terms:
            if term in found:
                continue
            size = len(wanted)
            for index in range(len(stems) - size + 1):
                if tuple(stems[index : index + size]) == wanted:
                    surface = " ".join(w for _, w in sequence[index : index + size])
                    found[term] = AvoidedUse(term=term, found=surface)
                    break
    return list(found.values())


def contains_avoided(text: str, avoid_words: Iterable[str]) -> bool:
    return bool(avoided_uses(text, avoid_words))


# Where a sentence ends: Latin terminators before a space or the end, CJK full-width ones
# anywhere (Japanese and Chinese put no space after them), each with its closing quotes or
# brackets; and every line break.
SENTENCE_END = regex.compile(
    r"(?:[.!?\u2026]+[\"'\u2019\u201d)\]]*(?=\s|$)|[\u3002\uff01\uff1f\uff0e]+"
    r"[\u300d\u300f\u3011\uff09\"'\u2019\u201d)\]]*)"
)


CJK_ENDS = ("\u3002", "\uff01", "\uff1f", "\uff0e", "\u300d", "\u300f", "\u3011", "\uff09")


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence (or one line without a sentence end) and the whitespace that follows it."""

    text: str
    gap: str

    @property
    def is_hashtags(self) -> bool:
        """A unit of hashtags only: the tag block that closes most posts."""
        return bool(self.text) and not HASHTAG.sub("", self.text).strip()


def units(text: str) -> list[Unit]:
    """The text as sentences with their separators, so removing one keeps the others intact.

    Boundaries are sentence ends (``SENTENCE_END``) and line breaks, moved forward to the end
    of a grapheme cluster so a combining mark or emoji modifier stays with its base.
    """
    bounds = {0, len(text)}
    cluster_ends = {m.end() for m in GRAPHEME.finditer(text)}
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        while end not in cluster_ends and end < len(text):
            end += 1
        bounds.add(end)
    bounds |= {m.start() for m in regex.finditer(r"\n", text)}
    pieces: list[Unit] = []
    ordered = sorted(bounds)
    for start, end in pairwise(ordered):
        chunk = text[start:end]
        body = chunk.strip()
        if not body:
            if pieces:
                last = pieces[-1]
                pieces[-1] = Unit(last.text, last.gap + chunk)
            continue
        lead = chunk[: len(chunk) - len(chunk.lstrip())]
        if lead and pieces:
            last = pieces[-1]
            pieces[-1] = Unit(last.text, last.gap + lead)
        trail = chunk[len(chunk.rstrip()) :]
        pieces.append(Unit(body, trail))
    return pieces


def join_units(pieces: Iterable[Unit]) -> str:
    """Units back into text; a removed unit's paragraph break is not lost with it."""
    out = ""
    for unit in pieces:
        # Japanese and Chinese sentences follow each other with no space.
        joiner = "" if unit.text.endswith(CJK_ENDS) else " "
        out += unit.text + (unit.gap or joiner)
    out = regex.sub(r"[ \t]+\n", "\n", out)
    return regex.sub(r"\n{3,}", "\n\n", out).strip()


def without_units(pieces: list[Unit], drop: set[int]) -> list[Unit]:
    """``pieces`` minus the indexes in ``drop``; a dropped unit's line break moves to the unit
    before it, so "Hook.\n\nBad sentence.\n\n#Tags" keeps the tags on their own paragraph."""
    kept: list[Unit] = []
    for index, unit in enumerate(pieces):
        if index in drop:
            if kept and unit.gap.count("\n") > kept[-1].gap.count("\n"):
                kept[-1] = Unit(kept[-1].text, unit.gap)
            continue
        kept.append(unit)
    return kept


def drop_avoided_sentences(text: str, avoid_words: Iterable[str]) -> str:
    """The text without every sentence that uses an avoided word; never a word cut out of one.

    In a block of hashtags only the offending tags go, each as a whole ("#Synergy" is dropped,
    "#Teams" next to it stays).
    """
    avoid = list(avoid_words)
    if not _avoid_terms(avoid):
        return text.strip()
    pieces = units(text)
    drop: set[int] = set()
    for index, unit in enumerate(pieces):
        if not contains_avoided(unit.text, avoid):
            continue
        if unit.is_hashtags:
            tags = [m.group(0) for m in HASHTAG.finditer(unit.text)]
            kept = " ".join(tag for tag in tags if not contains_avoided(tag, avoid))
            pieces[index] = Unit(kept, unit.gap)
            if not kept:
                drop.add(index)
        else:
            drop.add(index)
    return join_units(without_units(pieces, drop))


def sentences(text: str) -> list[str]:
    """The text's sentences, stripped. Ends include the CJK full stop, exclamation and
    question marks, and line breaks after an end mark."""
    parts: list[str] = []
    current = ""
    for unit in units(text.strip()):
        current = f"{current} {unit.text}".strip() if current else unit.text
        if SENTENCE_END.search(unit.text) or "\n" in unit.gap or not unit.gap:
            parts.append(current)
            current = ""
    if current:
        parts.append(current)
    return parts


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
