"""Ad networks' copy field limits — one table for every engine — and the deterministic
fallback that shortens a field to its limit.

An ad variant is a headline (our ``hook``), a body (Google's description, Meta's primary text),
a call to action and hashtags. The builtin composer writes within these limits; a model whose
field runs over is asked once to rewrite it (``violations``), and only then does ``shorten``
cut it, by whole sentences and then whole words, never inside a word.

Sources: Google responsive search ads — headline 30, description 90, double-width characters
(Chinese, Japanese, Korean) count twice (support.google.com/google-ads/answer/7684791,
answer/1704389); Meta — headline 40, primary text 125 recommended, longer text folds behind
"See more" (facebook.com/business/ads-guide); TikTok ad text 100 (ads.tiktok.com/help);
LinkedIn headline 70 and introductory text 150 recommended (linkedin.com/help, ad specs);
Pinterest title 100 (help.pinterest.com). Google search ads carry no hashtags.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

from postwright.domain.generation import text as t
from postwright.domain.generation.platforms import ELLIPSIS, Fitted, cut_sentence


@dataclass(frozen=True, slots=True)
class AdLimits:
    """One network's field limits, in characters as the network counts them."""

    network: str
    display_name: str
    headline: int
    body: int
    cta: int
    hashtags: int
    body_name: str = "body"
    wide_counts_double: bool = False

    def measure(self, text: str) -> int:
        """User-perceived characters; on Google a full-width character counts as two."""
        if not self.wide_counts_double:
            return t.grapheme_count(text)
        return sum(
            2 if unicodedata.east_asian_width(cluster[0]) in "WF" else 1
            for cluster in t.graphemes(text)
        )

    def fits(self, text: str, limit: int) -> bool:
        return self.measure(text) <= limit


AD_LIMITS: dict[str, AdLimits] = {
    limits.network: limits
    for limits in (
        AdLimits(
            network="google",
            display_name="Google Ads",
            headline=30,
            body=90,
            cta=15,
            hashtags=0,
            body_name="description",
            wide_counts_double=True,
        ),
        AdLimits(
            network="meta",
            display_name="Meta",
            headline=40,
            body=125,
            cta=25,
            hashtags=3,
            body_name="primary text",
        ),
        AdLimits(
            network="tiktok", display_name="TikTok", headline=40, body=100, cta=25, hashtags=3
        ),
        AdLimits(
            network="linkedin",
            display_name="LinkedIn",
            headline=70,
            body=150,
            cta=25,
            hashtags=3,
            body_name="introductory text",
        ),
        AdLimits(
            network="pinterest",
            display_name="Pinterest",
            headline=100,
            body=200,
            cta=25,
            hashtags=3,
            body_name="description",
        ),
        # Copy meant to run anywhere: the strictest common social limits (Meta's).
        AdLimits(
            network="universal",
            display_name="every network",
            headline=40,
            body=125,
            cta=25,
            hashtags=3,
        ),
    )
}


def ad_limits(network: str) -> AdLimits:
    return AD_LIMITS.get(network, AD_LIMITS["universal"])


# Words a shortened phrase must not end on: "The fastest espresso machine for" reads as cut.
DANGLING = frozenset(
    """a an the and or but nor for with without of to in on at by from into onto as than
    your our their its his her my this that these those which who whose is are was were
    be can will just so very more most""".split()  # noqa: SIM905
)


# Scripts written without spaces between words: there a grapheme boundary is the only cut.
NO_SPACES = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")


def _clean_end(phrase: str) -> str:
    words = phrase.split()
    while words:
        last = words[-1].rstrip(",;:-\u2013\u2014(&/")
        if not last or last.lower() in DANGLING:
            words.pop()
            continue
        words[-1] = last
        break
    return " ".join(words)


def shorten(
    text: str, limit: int, measure: Callable[[str], int], *, ellipsis: bool = False
) -> Fitted:
    """``text`` within ``limit``: the leading whole sentences that fit; else the first
    sentence's leading whole words, never ending on a joining word ("for", "the") or a comma,
    with "…" when ``ellipsis`` (body text, where a shortened sentence should look it); text with
    no space to cut at (Japanese, Chinese) is cut at a grapheme boundary with "…"."""
    text = text.strip()
    if measure(text) <= limit:
        return Fitted(text, truncated=False)
    pieces = t.units(text)
    for count in range(len(pieces) - 1, 0, -1):
        kept = t.join_units(pieces[:count])
        if measure(kept) <= limit:
            return Fitted(kept, truncated=True)
    first = pieces[0].text if pieces else text
    words = first.split()
    suffix = ELLIPSIS if ellipsis else ""
    for count in range(len(words) - 1, 0, -1):
        phrase = _clean_end(" ".join(words[:count]))
        if phrase and measure(phrase + suffix) <= limit:
            return Fitted(phrase + suffix, truncated=True)
    if not NO_SPACES.search(first):
        return Fitted("", truncated=True)  # not even the first word fits: none is cut
    return Fitted(cut_sentence(first, lambda cut: measure(cut) <= limit), truncated=True)


__all__ = ["AD_LIMITS", "AdLimits", "ad_limits", "shorten"]
