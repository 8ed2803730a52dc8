"""A persona's fields as the composer uses them: opinions by kind, goal, audience groups,
vocabulary, keywords and the persona's own CTA."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import regex

from postwright.domain.generation.builtin import words as w
from postwright.domain.generation.builtin.avoid import Avoider
from postwright.domain.generation.builtin.topics import mid
from postwright.domain.generation.persona import PersonaProfile

Kind = Literal["belief", "rule", "phrase"]


def kind_of(text: str) -> Kind:
    """ "Simple systems beat clever ones" is a belief, "ship small" a rule (an imperative);
    anything else is a phrase that only fits after a colon."""
    parts = [p.lower().strip(",.;:") for p in text.split()]
    if not parts:
        return "phrase"
    second = parts[1] if len(parts) > 1 else ""
    finite = {"is", "are", "was", "were", "will", "can", "should", "must", "beat", "win", "wins"}
    finite |= w.FINITE_VERBS | {"matter", "beats", "matters", "comes", "works", "pays", "compounds"}
    if parts[0] in w.BASE_VERBS and second not in finite:
        return "rule"
    if parts[0] in w.STATEMENT_SUBJECTS or any(p in finite for p in parts[1:]):
        return "belief"
    return "phrase"


@dataclass(frozen=True)
class Line:
    text: str  # mid-sentence casing, no final stop
    kind: Kind


@dataclass
class PersonaVoice:
    opinions: list[Line] = field(default_factory=list)
    goal: Line | None = None
    groups: list[str] = field(default_factory=list)
    vocab: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    cta: str | None = None
    avoid: Avoider = field(default_factory=lambda: Avoider(()))


def _line(text: str) -> Line:
    text = " ".join(text.split()).strip().rstrip(".!;")
    return Line(mid(text), kind_of(text))


def _groups(audience: str) -> list[str]:
    parts = regex.split(r",|\band\b|&|/", " ".join(audience.split()).rstrip("."))
    groups = []
    for part in parts:
        part = part.strip()
        if not part or len(part.split()) > 5:
            continue
        first = part.split()[0].lower()
        if first in {"the", "a", "an", "people", "anyone", "everyone"}:
            continue
        groups.append(mid(part))
    return groups


ADJECTIVES = w.split_words(
    """clear concrete simple direct warm plain friendly practical honest bold casual formal
    technical short long precise playful professional conversational"""
)


def _nounish(term: str) -> bool:
    """Vocabulary goes into "watch the {vocab}": a noun, not "clear" or "plainly"."""
    words = term.lower().split()
    if not words or len(words) > 3:
        return False
    last = words[-1]
    return last not in ADJECTIVES and not last.endswith(("ly", "ful", "ous", "ive"))


def read_persona(persona: PersonaProfile | None) -> PersonaVoice:
    if persona is None:
        return PersonaVoice()
    avoid = Avoider(persona.avoid_list)
    goal = _line(persona.end_goal) if persona.end_goal.strip() else None
    return PersonaVoice(
        opinions=[_line(o) for o in persona.opinion_list if not avoid.hits(o)],
        goal=goal if goal and not avoid.hits(goal.text) else None,
        groups=[g for g in _groups(persona.target_audience) if not avoid.hits(g)],
        vocab=[mid(v) for v in persona.vocabulary_list if _nounish(v) and not avoid.hits(v)],
        keywords=[k for k in persona.keywords if not avoid.hits(k)],
        cta=persona.fix_cta.strip() or None,
        avoid=avoid,
    )
