"""Composing posts offline from persona, topic and platform rules.

Deterministic: every choice comes from a ``random.Random`` seeded with a hash of the inputs, so
the same request yields the same post, and a different ``batch_index`` (or different previous
posts in the batch) yields a different hook and structure.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence

from postwright.domain.generation import text as t
from postwright.domain.generation.builtin import lexicon
from postwright.domain.generation.hashtags import extract_keywords, suggest_hashtags
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import PlatformProfile, get_platform

BODY_SENTENCES = {"short": 1, "medium": 3, "long": 6}
PARAGRAPH_PLATFORMS = {"linkedin", "instagram", "facebook", "youtube", "tiktok"}


def seeded(*parts: object) -> random.Random:
    """A generator seeded from the inputs alone (never from the clock or the process)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return random.Random(int.from_bytes(hashlib.sha256(blob).digest()[:8], "big"))


def persona_key(persona: PersonaProfile | None) -> str:
    return persona.model_dump_json() if persona else ""


def clean_topic(topic: str) -> str:
    topic = " ".join(topic.split()).strip(" .!?:;,")
    return topic or "what we are working on"


# A topic opening with one of these is a clause ("Why small teams should …"), not the noun
# phrase the phrasebook's slots expect; "Here is why …" turns it into a hook of its own.
EXPLAINED_CLAUSES = frozenset({"why", "how"})
QUESTION_WORDS = frozenset(
    {
        "what",
        "when",
        "where",
        "who",
        "which",
        "should",
        "can",
        "could",
        "is",
        "are",
        "do",
        "does",
        "will",
        "would",
    }
)
# Capitalised only because they open the topic; a mid-sentence slot wants them lower-case.
COMMON_OPENERS = frozenset(
    {
        "a",
        "an",
        "the",
        "our",
        "my",
        "your",
        "their",
        "this",
        "these",
        "those",
        "some",
        "new",
        "better",
        "building",
        "using",
        "running",
        "making",
        "getting",
        "small",
        "big",
        "remote",
        "hiring",
        "scaling",
        "writing",
        "learning",
        "managing",
        "working",
        "modern",
        "simple",
    }
)


def lower_opening(phrase: str) -> str:
    first, _, rest = phrase.partition(" ")
    if first.lower() in COMMON_OPENERS | EXPLAINED_CLAUSES | QUESTION_WORDS and first[1:].islower():
        return f"{first.lower()} {rest}".strip()
    return phrase


# English clauses usually end on their object: "… self-host their marketing tools".
_OBJECT = re.compile(
    r"\b(?:a|an|the|our|their|my|your|its)\s+(.+?)(?:\s+(?:in|on|for|with|to|at|by|of|from)\b.*)?[?.!]*$",
    re.IGNORECASE,
)


def subject_of(topic: str) -> str:
    """The noun phrase a clause topic is about: its object, else its last key phrase."""
    found = _OBJECT.search(topic)
    if found and len(found.group(1).split()) <= 4:
        return found.group(1)
    ranked = [term for term, _ in extract_keywords(topic, limit=5)]
    phrases = [term for term in ranked if " " in term]
    return (phrases or ranked or [topic])[0]


def as_written(text: str, term: str) -> str:
    """``term`` (found lower-cased) with the capitals it has in ``text``: "cmo" → "CMO"."""
    found = re.search(re.escape(term), text, re.IGNORECASE)
    return found.group(0) if found else term


def topic_hook(topic: str) -> str | None:
    """A hook that states a clause topic itself, or None for a noun-phrase topic."""
    first = topic.split(" ", 1)[0].lower()
    if first in EXPLAINED_CLAUSES:
        return f"Here is {lower_opening(topic)}."
    if first in QUESTION_WORDS or topic.endswith("?"):
        return topic[:1].upper() + topic[1:].rstrip("?") + "?"
    return None


def fill(template: str, **values: str) -> str:
    """Fill ``{name}`` and ``{Name}`` (capitalised) slots."""
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
        out = out.replace("{" + name.capitalize() + "}", value[:1].upper() + value[1:])
    return out


class Voice:
    """A persona's choices for one request: keyword, audience, opinion, goal, CTA, tags."""

    def __init__(self, persona: PersonaProfile | None, topic: str, rng: random.Random) -> None:
        self.persona = persona
        stated = clean_topic(topic)
        self.hook = topic_hook(stated)
        self.topic = subject_of(stated) if self.hook else lower_opening(stated)
        self.rng = rng
        keywords = persona.keywords if persona else []
        topic_terms = [k for k, _ in extract_keywords(self.topic, limit=3)]
        self.stated = stated
        self.keyword = (
            rng.choice(keywords)
            if keywords
            else as_written(stated, (topic_terms or [self.topic])[0])
        )
        audience = persona.target_audience if persona else ""
        self.audience = " ".join(audience.split()).rstrip(".") or "the people we work with"
        self.opinions = persona.opinion_list if persona else []
        self.goal = persona.end_goal.strip().rstrip(".") if persona else ""

    def slots(self) -> dict[str, str]:
        return {"topic": self.topic, "keyword": self.keyword, "audience": self.audience}

    def cta(self, index: int) -> str:
        if self.persona and self.persona.fix_cta.strip():
            return self.persona.fix_cta.strip()
        return fill(lexicon.CTAS[index % len(lexicon.CTAS)], **self.slots())

    def hashtags(self, content: str, profile: PlatformProfile) -> list[str]:
        if profile.max_hashtags == 0:
            return []
        wanted = max(profile.min_hashtags, min(3, profile.max_hashtags))
        persona = self.persona
        tags = suggest_hashtags(
            # The topic, not the phrasebook's sentences, says what the post is about.
            self.stated,
            count=wanted,
            boost=persona.keywords if persona else (),
            fixed=persona.hashtag_list if persona else (),
            avoid=persona.avoid_list if persona else (),
        )
        return tags.hashtags


def _choice_index(rng_base: int, batch_index: int, size: int, used: set[int]) -> int:
    """Walk from a seeded start by batch index, skipping choices earlier posts already used."""
    for step in range(size):
        index = (rng_base + batch_index + step) % size
        if index not in used:
            return index
    return (rng_base + batch_index) % size


def _used_hooks(previous: Sequence[str], topic: str) -> set[int]:
    firsts = {p.strip().splitlines()[0].strip().lower() for p in previous if p.strip()}
    used = set()
    for index, hook in enumerate(lexicon.HOOKS):
        rendered = fill(hook, topic=topic).lower()
        if any(first.endswith(rendered) or rendered in first for first in firsts):
            used.add(index)
    return used


def compose_post(
    *,
    persona: PersonaProfile | None,
    topic: str,
    platform: str,
    batch_index: int = 0,
    previous_posts: Sequence[str] = (),
    content_length: str = "medium",
) -> str:
    profile = get_platform(platform)
    rng = seeded(
        "post",
        persona_key(persona),
        topic,
        profile.key,
        content_length,
        batch_index,
        list(previous_posts),
    )
    base = seeded("base", persona_key(persona), topic).randrange(1_000)
    voice = Voice(persona, topic, rng)
    slots = voice.slots()
    hook_index = _choice_index(
        base, batch_index, len(lexicon.HOOKS), _used_hooks(previous_posts, voice.topic)
    )
    hook = fill(lexicon.HOOKS[hook_index], **slots)
    if voice.hook and batch_index % 2 == 0:
        hook = voice.hook
    if profile.emoji == "welcome":
        hook = f"{rng.choice(lexicon.EMOJI)} {hook}"
    body_template = lexicon.BODIES[(base + 2 * batch_index) % len(lexicon.BODIES)]
    body = [fill(s, **slots) for s in body_template]
    if voice.opinions:
        body.insert(
            1,
            fill(rng.choice(lexicon.OPINION_LEADS), opinion=rng.choice(voice.opinions).rstrip(".")),
        )
    if voice.goal:
        body.append(fill(rng.choice(lexicon.GOAL_LEADS), goal=voice.goal))
    body = body[: BODY_SENTENCES.get(content_length, 3) + (1 if voice.opinions else 0)]
    cta = voice.cta(base + batch_index)
    tags = voice.hashtags(" ".join(body), profile)
    return _assemble_within(profile, hook, body, cta, tags)


def _layout(profile: PlatformProfile, hook: str, body: list[str], cta: str, tags: list[str]) -> str:
    tag_line = " ".join(tags)
    if profile.key in PARAGRAPH_PLATFORMS:
        paragraphs = [hook, " ".join(body[:2]), " ".join(body[2:]), cta, tag_line]
        return "\n\n".join(p for p in paragraphs if p)
    return "\n".join(p for p in (" ".join([hook, *body]), cta, tag_line) if p)


def _assemble_within(
    profile: PlatformProfile, hook: str, body: list[str], cta: str, tags: list[str]
) -> str:
    """Drop body sentences, then optional hashtags, until the post fits; the fit() cut is last."""
    body, tags = list(body), list(tags)
    while True:
        post = _layout(profile, hook, body, cta, tags)
        if profile.fits(post):
            return post
        if len(body) > 1:
            body.pop()
        elif len(tags) > profile.min_hashtags:
            tags.pop()
        elif body:
            body.pop()
        elif tags:
            tags.pop()
        else:
            return post  # the task's finalize fits what is left


def thread_items(*, persona: PersonaProfile | None, topic: str, max_posts: int) -> list[str]:
    rng = seeded("thread", persona_key(persona), topic, max_posts)
    voice = Voice(persona, topic, rng)
    slots = voice.slots()
    hook = fill(rng.choice(lexicon.HOOKS), **slots) + " A thread 🧵"
    points = [fill(s, **slots) for s in rng.choice(lexicon.BODIES)]
    if voice.opinions:
        points.insert(0, fill(lexicon.OPINION_LEADS[0], opinion=voice.opinions[0].rstrip(".")))
    items = [hook, *points[: max(0, max_posts - 2)], voice.cta(rng.randrange(100))]
    return items[:max_posts]


def youtube_title(topic: str, rng: random.Random) -> str:
    patterns = ("{Topic}: What You Need to Know", "{Topic}, Explained", "How We Approach {Topic}")
    return fill(rng.choice(patterns), topic=t.title_case(clean_topic(topic)))
