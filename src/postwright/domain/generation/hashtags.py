"""Keyword extraction and hashtag suggestion without a model.

Term-frequency scoring over the content (stopwords removed, adjacent pairs as phrases, words a
persona marks as relevant boosted), normalised to a 0-1 relevance. It is what the builtin engine
uses for hashtags and for finding what a text is about.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from itertools import pairwise

from postwright.domain.generation import text as t
from postwright.domain.generation.outputs import HashtagSet, HashtagSuggestion

STOPWORDS = frozenset(
    """a about above after again against all almost also am an and any are aren't as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each even ever every few for from further get
    gets getting got had hadn't has hasn't have haven't having he her here hers herself him
    himself his how i i'm if in into is isn't it it's its itself just let's like make makes made
    many me more most much must my myself new no nor not now of off on once one only or other
    our ours ourselves out over own really same say says she should shouldn't so some still such
    than that that's the their theirs them themselves then there there's these they they're
    thing things think this those through to today too under until up us use used using very
    want was wasn't way we we're well were weren't what what's when where which while who whom
    why will with without won't would wouldn't yes yet you you're your yours yourself
    yourselves always never something anything everything post posts write writing via per
    year years day days week time""".split()  # noqa: SIM905 - prose reads better here
)


_CLAUSE_BREAK = re.compile(r"[.!?:;,()\n]+")


def _terms(content: str) -> list[str]:
    return [w.lower().strip("'’-_") for w in t.words(content.replace("#", " "))]  # noqa: RUF001


def _keeps(term: str) -> bool:
    return len(term) > 2 and term not in STOPWORDS and not term.isdigit()


def extract_keywords(
    content: str, *, boost: Iterable[str] = (), limit: int = 10
) -> list[tuple[str, float]]:
    """The content's key terms and phrases with a 0-1 score, best first.

    Single terms count once per occurrence; a two-word phrase that recurs counts 1.5 per
    occurrence and absorbs its words' counts, so "climate tech" beats "climate" and "tech".
    Words and phrases in ``boost`` (a persona's relevantKeywords) gain weight when they occur,
    and appear with a low score when they do not, so they remain candidates.
    """
    terms = _terms(content)
    counts: Counter[str] = Counter(term for term in terms if _keeps(term))
    # A phrase never spans punctuation: "SMEs: ESG" is two subjects, not one.
    pairs = Counter(
        f"{a} {b}"
        for clause in _CLAUSE_BREAK.split(content)
        for a, b in pairwise(_terms(clause))
        if _keeps(a) and _keeps(b)
    )
    scores: dict[str, float] = {}
    for phrase, n in pairs.items():
        if n >= 2 or len(terms) <= 12:
            scores[phrase] = 1.5 * n
    for term, n in counts.items():
        scores[term] = n + 0.01 * min(len(term), 12)  # longer words are usually more specific
    display = {b.strip().lower(): b.strip() for b in boost if b.strip()}
    for phrase in display:
        scores[phrase] = scores.get(phrase, 0.2) + 1.0
    if not scores:
        return []
    # Position: words that open the text usually name its subject.
    for index, term in enumerate(dict.fromkeys(terms)):
        if term in scores:
            scores[term] += 0.5 / (1 + index)
    top = max(scores.values())
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [
        (display.get(phrase, phrase), round(0.5 + 0.49 * math.sqrt(s / top), 2))
        for phrase, s in ranked[:limit]
    ]


def _as_written(content: str, phrase: str) -> str:
    """The phrase with the capitals the author gave it ("cmo" → "CMO"), when it occurs."""
    found = re.search(re.escape(phrase), content, re.IGNORECASE)
    return found.group(0) if found else phrase


def suggest_hashtags(
    content: str,
    *,
    count: int,
    boost: Iterable[str] = (),
    fixed: Iterable[str] = (),
    avoid: Iterable[str] = (),
) -> HashtagSet:
    """``count`` hashtags for ``content``; ``fixed`` tags (a persona's own) come first."""
    suggestions: list[HashtagSuggestion] = []
    seen: set[str] = set()
    avoid = list(avoid)

    def add(tag: str, relevance: float) -> None:
        body = tag.lstrip("#")
        if body and body.lower() not in seen and not t.contains_avoided(body, avoid):
            seen.add(body.lower())
            suggestions.append(HashtagSuggestion(tag=body, relevance=relevance))

    for tag in fixed:
        add(t.as_hashtag(tag), 0.99)
    # "#MarketingTools #Marketing #Tools" says one thing three times: a word already inside a
    # chosen phrase waits, and is used only when nothing else fills the count.
    candidates = extract_keywords(content, boost=boost, limit=count * 3)
    covered = {w for phrase, _ in candidates if " " in phrase for w in phrase.lower().split()}
    held_back: list[tuple[str, float]] = []
    for phrase, relevance in candidates:
        if len(suggestions) >= count:
            break
        if t.contains_avoided(phrase, avoid):
            continue
        if " " not in phrase and phrase.lower() in covered:
            held_back.append((phrase, relevance))
            continue
        add(t.as_hashtag(_as_written(content, phrase)), relevance)
    for phrase, relevance in held_back:
        if len(suggestions) >= count:
            break
        add(t.as_hashtag(_as_written(content, phrase)), relevance)
    return HashtagSet(suggestions=suggestions[:count])
