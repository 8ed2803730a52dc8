"""The builtin engine's other kinds: enhancement, ideas, personas, moments.

Ad copy lives in ``adcopy``, comments in ``comments``."""

from __future__ import annotations

import regex

from postwright.domain.generation import text as t
from postwright.domain.generation.builtin import lexicon
from postwright.domain.generation.builtin.compose import (
    clean_topic,
    fill,
    persona_key,
    seeded,
)
from postwright.domain.generation.builtin.topics import read_topic
from postwright.domain.generation.builtin.voice import read_persona
from postwright.domain.generation.hashtags import extract_keywords, suggest_hashtags
from postwright.domain.generation.outputs import (
    EnhancedText,
    Idea,
    IdeaSet,
    Moment,
    MomentPost,
    MomentSet,
)
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import get_platform, hashtags_in

# Wordy phrases and their plainer forms: the edits a careful editor makes first.
TIGHTEN = (
    (r"\bin order to\b", "to"),
    (r"\ba lot of\b", "many"),
    (r"\bvery good\b", "excellent"),
    (r"\bvery important\b", "essential"),
    (r"\bdue to the fact that\b", "because"),
    (r"\bat this point in time\b", "now"),
    (r"\breally\s+", ""),
    (r"\bbasically,?\s+", ""),
)
ENERGETIC_TONES = {"enthusiastic", "excited", "engaging", "casual", "humorous", "playful"}


def enhance(
    text: str, *, platform: str | None, tone: str | None, style: str | None
) -> EnhancedText:
    profile = get_platform(platform or "facebook")
    changes: list[str] = []
    result = " ".join(text.split())
    for pattern, replacement in TIGHTEN:
        updated = regex.sub(pattern, replacement, result, flags=regex.I)
        if updated != result:
            changes.append("Tightened wordy phrasing")
            result = updated
    parts = t.sentences(result)
    capitalised = [p[:1].upper() + p[1:] for p in parts]
    if capitalised != parts:
        changes.append("Capitalised sentence starts")
    if capitalised and not regex.search(r"[.!?…]$", capitalised[-1]):
        capitalised[-1] += "."
        changes.append("Completed the final sentence")
    energetic = (tone or "").lower() in ENERGETIC_TONES or (style or "") in ENERGETIC_TONES
    if energetic and capitalised:
        first = capitalised[0].rstrip(".") + "!"
        capitalised[0] = f"{first} {lexicon.EMOJI[len(text) % len(lexicon.EMOJI)]}"
        changes.append("Added energy and an emoji to the opening")
    if profile.key in {"linkedin", "instagram", "facebook"} and len(capitalised) > 2:
        result = capitalised[0] + "\n\n" + " ".join(capitalised[1:])
        changes.append("Gave the opening line its own paragraph")
    else:
        result = " ".join(capitalised)
    suggestions = []
    if "?" not in result:
        suggestions.append("End with a question to invite replies")
    if not hashtags_in(result) and profile.max_hashtags:
        tags = suggest_hashtags(result, count=max(1, profile.min_hashtags)).hashtags
        suggestions.append(f"Add hashtags such as {' '.join(tags)}" if tags else "Add hashtags")
    if any(len(s.split()) > 25 for s in t.sentences(result)):
        suggestions.append("Split sentences longer than 25 words")
    return EnhancedText(
        enhanced=result, changes=list(dict.fromkeys(changes)), suggestions=suggestions
    )


def ideas(*, persona: PersonaProfile | None, prompt: str, count: int) -> IdeaSet:
    rng = seeded("ideas", persona_key(persona), prompt, count)
    read = read_topic(prompt)
    voice = read_persona(persona)
    topic = read.subject
    keyword = voice.keywords[0] if voice.keywords else (read.terms[-1] if read.terms else topic)
    audience = voice.groups[0] if voice.groups else "the people it affects"
    start = rng.randrange(len(lexicon.IDEA_ANGLES))
    result = []
    for i in range(count):
        title_t, content_t, angle_t = lexicon.IDEA_ANGLES[(start + i) % len(lexicon.IDEA_ANGLES)]
        takeaways = [
            f"Start with one clear goal for {topic}",
            f"Connect {topic} to {keyword}",
            f"Share results with {audience}",
        ]
        result.append(
            Idea(
                title=t.title_case(fill(title_t, topic=topic)),
                content=fill(content_t, topic=topic),
                key_takeaways=takeaways,
                controversial_angle=fill(angle_t, topic=topic),
            )
        )
    return IdeaSet(ideas=result)


PERSONA_LEAD = regex.compile(
    r"^(?:please\s+)?(?:create|generate|make|build|design)?\s*(?:a\s+)?persona\s+(?:for|of)\s+"
    r"(?:an?\s+|the\s+)?",
    regex.I,
)


def persona_from_description(description: str) -> PersonaProfile:
    cleaned = PERSONA_LEAD.sub("", " ".join(description.split())).rstrip(".")
    pieces = regex.split(r"\s+(?:who|that)\s+", cleaned, maxsplit=1, flags=regex.I)
    role = pieces[0].strip() or "brand voice"
    focus = pieces[1].strip() if len(pieces) > 1 else ""
    focus = regex.sub(r"^(?:focus(?:es)?\s+on|cares?\s+about|works?\s+on)\s+", "", focus.strip())
    keywords = [t.title_case(k) for k, _ in extract_keywords(cleaned, limit=4)]
    name = t.title_case(" ".join(role.split()[:4]))
    return PersonaProfile(
        name=name,
        description=f"A {role} focused on {focus}." if focus else f"A {role}.",
        target_audience=f"{t.title_case(role)}s and the people they serve",
        profession=t.title_case(role),
        relevant_keywords=", ".join(keywords),
        opinions=f"{focus[:1].upper() + focus[1:]} comes first" if focus else "Practical first",
        vocabulary="Clear, concrete, field-specific terms explained plainly",
        avoid_words="Overly technical jargon",
        end_goal=f"Educate and engage the {role} community",
        voice="Knowledgeable, warm, direct",
    )


def moments(source_text: str, *, max_moments: int) -> MomentSet:
    candidates = [s for s in t.sentences(source_text) if 6 <= len(s.split()) <= 60]
    weights = dict(extract_keywords(source_text, limit=25))
    scored = []
    for index, sentence in enumerate(candidates):
        terms = {w.lower() for w in t.words(sentence)}
        score = sum(v for k, v in weights.items() if k in terms or k in sentence.lower())
        score += 0.5 if regex.search(r"\d", sentence) else 0
        score += (
            0.3
            if regex.search(
                r"\b(?:never|always|biggest|mistake|learned|secret)\b", sentence, regex.I
            )
            else 0
        )
        scored.append((score, index, sentence))
    chosen = sorted(sorted(scored, key=lambda s: (-s[0], s[1]))[:max_moments], key=lambda s: s[1])
    result = []
    for _, _, sentence in chosen:
        key = next((k for k, _ in extract_keywords(sentence, limit=1)), "key moment")
        summary = " ".join(sentence.split()[:20]).rstrip(",;:") + (
            "…" if len(sentence.split()) > 20 else ""
        )
        result.append(Moment(title=t.title_case(key), summary=summary, quote=sentence))
    return MomentSet(moments=result)


def moment_post(
    *, persona: PersonaProfile | None, title: str, summary: str, quote: str
) -> MomentPost:
    rng = seeded("moment", persona_key(persona), title, quote)
    voice = read_persona(persona)
    audience = voice.groups[0] if voice.groups else "anyone working on this"
    closing = [
        "What would you take from it?",
        "Which part would you try first?",
        *([voice.cta] if voice.cta else []),
    ]
    lines = [
        f"“{quote.strip()}”",
        f"That line stayed with me. It is about {clean_topic(title).lower()}, and it says "
        "more than most long reports do.",
        f"Why it matters: {summary.rstrip('.')}.",
        f"For {audience}, the lesson is practical: pick one thing from it and try it this week.",
        rng.choice(closing),
    ]
    first_comment = (
        f"Context for this one: the full conversation on {clean_topic(title).lower()} is "
        "worth your time. What stood out to you?"
    )
    return MomentPost(post="\n\n".join(lines), first_comment=first_comment)
