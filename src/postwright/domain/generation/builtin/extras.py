"""The builtin engine's other kinds: enhancement, ad copy, comments, ideas, personas, moments."""

from __future__ import annotations

import regex

from postwright.domain.generation import text as t
from postwright.domain.generation.builtin import lexicon
from postwright.domain.generation.builtin.compose import (
    Voice,
    clean_topic,
    fill,
    persona_key,
    seeded,
)
from postwright.domain.generation.hashtags import extract_keywords, suggest_hashtags
from postwright.domain.generation.outputs import (
    AdCopySet,
    AdCopyVariant,
    Comment,
    CommentSet,
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


def ad_copy(
    *,
    persona: PersonaProfile | None,
    product_name: str,
    product_description: str,
    platform: str,
    ad_format: str,
    tone: str,
    custom_instructions: str | None,
    count: int,
) -> AdCopySet:
    rng = seeded(
        "ad",
        persona_key(persona),
        product_name,
        product_description,
        platform,
        ad_format,
        tone,
        custom_instructions,
    )
    keywords = [
        k
        for k, _ in extract_keywords(f"{product_description} {custom_instructions or ''}", limit=4)
    ]
    benefit = keywords[0] if keywords else "every day"
    product = " ".join(product_name.split()) or "our product"
    tone_line = lexicon.AD_TONE_WORDS.get(tone, lexicon.AD_TONE_WORDS["professional"])
    focus = f" {custom_instructions.strip().rstrip('.')}." if custom_instructions else ""
    description = " ".join(product_description.split()).rstrip(".")
    variants = []
    start = rng.randrange(len(lexicon.AD_ANGLES))
    for i in range(count):
        _, hook_t, cta_t = lexicon.AD_ANGLES[(start + i) % len(lexicon.AD_ANGLES)]
        hook = fill(hook_t, product=product, benefit=benefit)
        body = f"{description}." if description else f"{product} is ready when you are."
        if ad_format in {"long", "story"}:
            body += f" {tone_line}{focus}"
        elif ad_format == "hook":
            body = tone_line
        else:
            body += focus
        tags = suggest_hashtags(
            f"{product}. {product_description}",
            count=2,
            avoid=persona.avoid_list if persona else (),
        ).hashtags
        variants.append(
            AdCopyVariant(
                hook=hook, body=body.strip(), cta=fill(cta_t, product=product), hashtags=tags
            )
        )
    return AdCopySet(variants=variants)


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
    phrases = [k for k, _ in extract_keywords(post_content, limit=5)] or ["this"]
    author = (author_name or "").split(" ")[0] or "friend"
    kinds = (
        ["medium" if length in {"medium", "long"} else "short"]
        if variants == 1
        else ["short", "short", "medium", "short", "medium"]
    )
    result = []
    start = rng.randrange(10)
    for i in range(variants):
        kind = kinds[i % len(kinds)]
        pool = lexicon.COMMENT_MEDIUM if kind == "medium" else lexicon.COMMENT_SHORT
        quote = fill(pool[(start + i) % len(pool)], phrase=phrases[i % len(phrases)], author=author)
        if user_comment and i == 0:
            quote = f"{user_comment.strip().rstrip('.')}. {quote}"
        result.append(Comment(quote=quote, type="medium" if kind == "medium" else "short"))
    return CommentSet(comments=result)


def ideas(*, persona: PersonaProfile | None, prompt: str, count: int) -> IdeaSet:
    rng = seeded("ideas", persona_key(persona), prompt, count)
    voice = Voice(persona, prompt, rng)
    topic = clean_topic(voice.topic)
    start = rng.randrange(len(lexicon.IDEA_ANGLES))
    result = []
    for i in range(count):
        title_t, content_t, angle_t = lexicon.IDEA_ANGLES[(start + i) % len(lexicon.IDEA_ANGLES)]
        takeaways = [
            f"Start with one clear goal for {topic}",
            f"Connect {topic} to {voice.keyword}",
            f"Share results with {voice.audience}",
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
    voice = Voice(persona, title, rng)
    lines = [
        f"“{quote.strip()}”",
        f"That line stayed with me. It is about {clean_topic(title).lower()}, and it says "
        "more than most long reports do.",
        f"Why it matters: {summary.rstrip('.')}.",
        f"For {voice.audience}, the lesson is practical: pick one thing from it and try it "
        "this week.",
        voice.cta(rng.randrange(100)),
    ]
    first_comment = (
        f"Context for this one: the full conversation on {clean_topic(title).lower()} is "
        "worth your time. What stood out to you?"
    )
    return MomentPost(post="\n\n".join(lines), first_comment=first_comment)
