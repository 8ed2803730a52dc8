"""Prompt assembly: our words to the model, kept apart from providers and model choice.

Every request is ordered stable → volatile so a provider's prefix cache (OpenAI's automatic
prefix cache keyed by ``prompt_cache_key``, Anthropic's ``cache_control`` on the system block)
covers as much of it as possible:

1. system prompt, the same for every request of a persona, platform and task kind: the persona
   block, its voice guide and example posts, then the rules and the platform's rules;
2. the job's context (topic, platform, length, style examples) at the start of the user prompt;
3. the item's own parts last (earlier posts of the batch, the planned angle, "post N of M").

The persona block renders byte-for-byte the same for the same persona. It is plain
"Label: value" text, so the builtin engine can read the persona back out of a prompt that
``assemble`` produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from postwright.core.errors import ValidationFailed
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import get_platform

PERSONA_HEADER = "# Persona"
VOICE_HEADER = "# Voice guide"
EXAMPLES_HEADER = "# Example posts by this persona (match their voice; never copy their sentences)"
RULES_HEADER = "# Rules"
EXAMPLE_POSTS = 5
EXAMPLE_CHARACTERS = 700
# (label in the prompt, PersonaProfile field) in a fixed order: the order is part of the cache key.
PERSONA_FIELDS = (
    ("Name", "name"),
    ("Description", "description"),
    ("Profession", "profession"),
    ("Bio", "bio"),
    ("Voice", "voice"),
    ("Target audience", "target_audience"),
    ("Relevant keywords", "relevant_keywords"),
    ("Opinions", "opinions"),
    ("Vocabulary", "vocabulary"),
    ("End goal", "end_goal"),
    ("Signature hashtag", "custom_hashtag"),
    ("Call to action", "fix_cta"),
    ("Never use these words", "avoid_words"),
    ("Default instructions", "default_prompt"),
)
NO_PERSONA = f"{PERSONA_HEADER}\nName: Brand voice\nVoice: clear, friendly, specific"
GENERAL_RULES = (
    "Write as this persona, in the first person, in plain language.",
    "Stay on the topic given in the task; do not invent statistics, quotes or links.",
    "Never use any of the words listed under 'Never use these words', in any form.",
    "Respect the platform's hard character limit; shorter is better than cut off.",
)


class GenerationType(StrEnum):
    POST_GENERATION = "POST_GENERATION"
    THREAD_GENERATION = "THREAD_GENERATION"
    COMMENT_GENERATION = "COMMENT_GENERATION"
    IDEA_GENERATION = "IDEA_GENERATION"
    AD_COPY_GENERATION = "AD_COPY_GENERATION"
    CONTENT_ENHANCEMENT = "CONTENT_ENHANCEMENT"
    HASHTAG_GENERATION = "HASHTAG_GENERATION"
    PERSONA_GENERATION = "PERSONA_GENERATION"
    MOMENT_EXTRACTION = "MOMENT_EXTRACTION"


TASK_GUIDANCE = {
    GenerationType.POST_GENERATION: "Write one complete post: a hook line, a short body with one "
    "concrete point of view, a call to action, then hashtags.",
    GenerationType.THREAD_GENERATION: "Write a thread: each item stands alone, the first hooks, "
    "the last closes with a call to action.",
    GenerationType.COMMENT_GENERATION: "Write a reply to someone else's post: specific to what "
    "they said, generous, never salesy, no hashtags.",
    GenerationType.IDEA_GENERATION: "Propose content ideas: each with a title, what the post would "
    "say, key takeaways and a contrarian angle.",
    GenerationType.AD_COPY_GENERATION: "Write ad copy variants: hook, body, call to action and "
    "hashtags; each variant takes a different angle.",
    GenerationType.CONTENT_ENHANCEMENT: "Improve the given text without changing its meaning; list "
    "what you changed and what else could be tried.",
    GenerationType.HASHTAG_GENERATION: "Suggest hashtags that describe the content, each with a "
    "relevance between 0 and 1.",
    GenerationType.PERSONA_GENERATION: "Describe a persona: name, description, audience, "
    "profession, keywords, opinions, vocabulary, words to avoid and end goal.",
    GenerationType.MOMENT_EXTRACTION: "Find the moments in the source worth a post each: title, "
    "one-sentence summary and a verbatim quote.",
}


@dataclass(frozen=True, slots=True)
class AssembledPrompt:
    system_prompt: str
    user_prompt: str
    # The leading part of system_prompt that depends on the persona alone (the cacheable prefix).
    persona_block: str


def generation_type(value: str | GenerationType) -> GenerationType:
    try:
        return GenerationType(str(value).strip().upper())
    except ValueError:
        raise ValidationFailed(
            f"Unknown generationType '{value}'",
            details={"supported": [g.value for g in GenerationType]},
        ) from None


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _fields_block(persona: PersonaProfile) -> str:
    lines = [PERSONA_HEADER]
    for label, attribute in PERSONA_FIELDS:
        value = _one_line(str(getattr(persona, attribute)))
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def voice_guide(persona: PersonaProfile) -> str:
    """How to sound like the persona, in a few imperative lines built from its fields."""
    lines = [VOICE_HEADER]
    voice = _one_line(persona.voice) or "clear, specific and human"
    lines.append(f"- Sound {voice}; write as {persona.name}, never about them.")
    if persona.target_audience:
        lines.append(f"- Talk to {_one_line(persona.target_audience)} as peers: no lecturing.")
    if persona.vocabulary_list:
        words = ", ".join(persona.vocabulary_list[:12])
        lines.append(f"- Reach for your own words where they fit naturally: {words}.")
    if persona.opinion_list:
        lines.append(
            "- Argue from your opinions and state them as your own: "
            + "; ".join(persona.opinion_list[:6])
            + "."
        )
    if persona.end_goal:
        lines.append(f"- Every post moves the reader towards: {_one_line(persona.end_goal)}.")
    if persona.example_posts:
        lines.append("- Match the rhythm, length and openings of the example posts below.")
    lines.append("- One idea per post, concrete over general, no filler or hype.")
    return "\n".join(lines)


def example_block(persona: PersonaProfile) -> str:
    posts = [post.strip() for post in persona.example_posts if post.strip()][:EXAMPLE_POSTS]
    if not posts:
        return ""
    shown = "\n".join(
        f'{number}. """{post[:EXAMPLE_CHARACTERS].strip()}"""'
        for number, post in enumerate(posts, 1)
    )
    return f"{EXAMPLES_HEADER}\n{shown}"


def persona_block(persona: PersonaProfile | None) -> str:
    """Everything the persona alone decides: its fields, voice guide and example posts.

    Its first paragraph is the "Label: value" fields (what ``persona_from_prompt`` reads back).
    """
    if persona is None:
        return NO_PERSONA
    parts = [_fields_block(persona), voice_guide(persona), example_block(persona)]
    return "\n\n".join(part for part in parts if part)


def rules_block(platform: str | None, kind: GenerationType) -> str:
    lines = [RULES_HEADER, *(f"- {rule}" for rule in GENERAL_RULES)]
    if platform:
        lines.append(f"- {get_platform(platform).style_guide()}")
    lines.append(f"- {TASK_GUIDANCE[kind]}")
    return "\n".join(lines)


def assemble(
    persona: PersonaProfile | None,
    platform: str | None,
    kind: str | GenerationType,
    idea_input: str,
) -> AssembledPrompt:
    """voxburst's runtime/assemble: the persona block first, then rules, then the task."""
    kind = generation_type(kind)
    block = persona_block(persona)
    system_prompt = f"{block}\n\n{rules_block(platform, kind)}"
    user_prompt = f"Topic: {_one_line(idea_input)}"
    if platform:
        user_prompt += f"\nPlatform: {get_platform(platform).key}"
    return AssembledPrompt(
        system_prompt=system_prompt, user_prompt=user_prompt, persona_block=block
    )


def persona_from_prompt(system_prompt: str) -> PersonaProfile | None:
    """Read back the persona block ``assemble`` wrote; None when the prompt has none."""
    if not system_prompt.startswith(PERSONA_HEADER):
        return None
    fields: dict[str, str] = {}
    by_label = dict(PERSONA_FIELDS)
    for line in system_prompt.splitlines()[1:]:
        if line.startswith("#"):
            break
        label, _, value = line.partition(": ")
        if label in by_label and value.strip():
            fields[by_label[label]] = value.strip()
    if "name" not in fields:
        return None
    return PersonaProfile.model_validate(fields)


LEAD_INS = (
    "write a post about",
    "write a linkedin post about",
    "write a tweet about",
    "write about",
    "create a post about",
    "generate a post about",
    "a post about",
    "post about",
    "write a post on",
    "topic:",
)


def topic_from_prompt(user_prompt: str) -> str:
    """A request's topic: its 'Topic:' line, else the instruction minus its lead-in."""
    for line in user_prompt.splitlines():
        if line.lower().startswith("topic:"):
            return line.split(":", 1)[1].strip()
    topic = _one_line(user_prompt)
    lowered = topic.lower()
    for lead in LEAD_INS:
        if lowered.startswith(lead):
            topic = topic[len(lead) :]
            break
    return topic.strip(" .:!?") or _one_line(user_prompt)
