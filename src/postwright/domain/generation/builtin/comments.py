"""Builtin comments: each one names a noun phrase that is actually in the post."""

from __future__ import annotations

import regex

from postwright.domain.generation import text as t
from postwright.domain.generation.builtin.compose import fill, persona_key, seeded
from postwright.domain.generation.builtin.topics import chunks, is_proper, mid
from postwright.domain.generation.builtin.voice import read_persona
from postwright.domain.generation.builtin.words import split_words
from postwright.domain.generation.hashtags import extract_keywords
from postwright.domain.generation.outputs import Comment, CommentSet
from postwright.domain.generation.persona import PersonaProfile

# Adverbs and particles a chunker without a tagger takes for nouns ("moves again").
PARTICLES = split_words(
    """until again enough along away back around ago ahead instead already soon later
    often never always together apart anyway otherwise right wrong most"""
)
SHORT = (
    "Great point on {phrase}.",
    "This is so true about {phrase}!",
    "Saving this one for the part on {phrase}.",
    "Couldn't agree more on {phrase}.",
    "Well said, {author}. The bit on {phrase} landed.",
    "Needed this reminder about {phrase} today.",
)
MEDIUM = (
    "Really like how you framed {phrase}. In my experience the hard part is keeping it "
    "going after the first win.",
    "Thanks for sharing this, {author}. The part about {phrase} matches what I have seen: "
    "small steps, done consistently.",
    "Interesting take on {phrase}. What was the biggest surprise for you along the way?",
    "This resonates. Most teams underestimate the effort behind {phrase}, and you explain "
    "why clearly.",
    "The section on {phrase} is the one I will share with my team. Clear and practical.",
)


def phrases_in(post: str, limit: int = 5, *, strict: bool = True) -> list[str]:
    """Noun phrases of the post, best first, as they read mid-sentence."""
    plain = t.HASHTAG.sub(" ", t.URL.sub(" ", post))
    flat = " ".join(plain.split()).lower()
    scores = dict(extract_keywords(plain, limit=30))
    opening = " ".join(plain.split()[:40]).lower()
    found = []
    for chunk in chunks(plain):
        if any(word.lower() in PARTICLES for word in chunk.split()):
            continue
        if any(word.lower().endswith("ing") for word in chunk.split()[1:]):
            continue  # "people using": a noun and a verb, not a phrase
        words = chunk.split()
        if not 1 <= len(words) <= 4 or " ".join(chunk.lower().split()) not in flat:
            continue
        score = sum(scores.get(word.lower(), 0.0) for word in words) + scores.get(
            chunk.lower(), 0.0
        )
        thin = len(chunk) < (8 if strict else 4) or chunk.lower().endswith(("ly", "ed", "ing"))
        if len(words) == 1 and not is_proper(chunk) and thin:
            continue  # "clear", "team": too thin to respond to
        score += 1.0 if 2 <= len(words) <= 3 else 0.0
        score += 0.5 if chunk.lower() in opening else 0.0
        found.append((score, chunk))
    ranked = [mid(chunk) for _, chunk in sorted(found, key=lambda p: -p[0])]
    if not ranked and strict:
        return phrases_in(post, limit, strict=False)
    return list(dict.fromkeys(ranked))[:limit]


def comments(
    *,
    persona: PersonaProfile | None,
    post_content: str,
    author_name: str | None,
    user_comment: str | None,
    length: str,
    variants: int,
) -> CommentSet:
    rng = seeded(
        "comment", persona_key(persona), post_content, author_name, user_comment, length, variants
    )
    voice = read_persona(persona)
    phrases = [p for p in phrases_in(post_content) if not voice.avoid.hits(p)] or ["this"]
    author = (author_name or "").split(" ")[0]
    kinds = (
        ["medium" if length in {"medium", "long"} else "short"]
        if variants == 1
        else ["short", "short", "medium", "short", "medium"]
    )
    result = []
    start = rng.randrange(10)
    for i in range(variants):
        kind = kinds[i % len(kinds)]
        pool = [
            line
            for line in (MEDIUM if kind == "medium" else SHORT)
            if author or "{author}" not in line
        ]
        phrase = phrases[i % len(phrases)]
        if phrase == "this":
            pool = [
                line.replace(" on {phrase}", "").replace(" about {phrase}", "") for line in pool
            ]
        quote = fill(pool[(start + i) % len(pool)], phrase=phrase, author=author)
        if user_comment and i == 0:
            quote = f"{user_comment.strip().rstrip('.')}. {quote}"
        quote = regex.sub(r"\s{2,}", " ", quote)
        result.append(Comment(quote=quote, type="medium" if kind == "medium" else "short"))
    return CommentSet(comments=result)
