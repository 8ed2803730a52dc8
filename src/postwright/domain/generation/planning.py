"""Diversity by plan: distinct angles for a batch of posts, and the check that they stayed apart.

A bulk job first plans one angle (hook, sub-topic, format) per post — one structured model call,
or, for the builtin engine, the deterministic planner here — then writes the posts in parallel,
each from its own angle. A last pass compares the posts (word 3-gram Jaccard) and names the
pairs too alike to keep, so the later post of each pair can be rewritten.

The builtin composer (``generation/builtin``) does not read ``PostTask.angle`` yet, so the
builtin leg writes its posts from the angle here (``builtin_post``); once the composer honours
the angle, bulk can call it instead and ``builtin_post`` can go.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from postwright.domain.generation.outputs import PostText
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import get_platform
from postwright.domain.generation.prompts import AssembledPrompt, persona_block
from postwright.domain.generation.tasks import PostTask, Task

DIFFER_INSTRUCTION = (
    "Rewrite: this post came out too close to another in the same batch. Use a different "
    "hook, a different structure and different examples; keep the angle."
)
WORD = re.compile(r"[\w']+")


class Angle(BaseModel):
    hook: str = Field(description="The opening sentence, distinct from every other angle")
    subtopic: str = Field(description="The narrow slice of the topic this post covers")
    format: str = Field(description="How the post is built: story, list, how-to, question…")

    def render(self) -> str:
        """The angle as the one line a post prompt carries (``PostTask.angle``)."""
        return f"Hook: {self.hook} | Sub-topic: {self.subtopic} | Format: {self.format}"


class AnglePlan(BaseModel):
    angles: list[Angle]


@dataclass(frozen=True, kw_only=True)
class AnglePlanTask(Task[AnglePlan]):
    """Plan ``count`` distinct angles for a batch on ``topic``: one structured model call."""

    topic: str
    platform: str = "linkedin"
    count: int

    @property
    def output_type(self) -> type[AnglePlan]:
        return AnglePlan

    def finalize(self, output: AnglePlan) -> tuple[AnglePlan, bool]:
        return AnglePlan(angles=distinct_angles(output.angles)), False

    def assembled_prompt(self) -> AssembledPrompt:
        block = persona_block(self.persona)
        ask = (
            f"Plan {self.count} posts for {get_platform(self.platform).key} on the topic "
            f"'{self.topic}'. Give each post its own angle: an opening hook sentence (no two "
            "alike), a narrow sub-topic (no two alike) and a format (story, list, how-to, "
            "question, contrarian take, checklist, lesson learned, behind the scenes…). "
            f"Return exactly {self.count} angles."
        )
        return AssembledPrompt(block, ask, block)


def distinct_angles(angles: Sequence[Angle]) -> list[Angle]:
    """Drop angles whose hook repeats an earlier one (case and punctuation aside)."""
    seen: set[str] = set()
    kept = []
    for angle in angles:
        key = " ".join(WORD.findall(angle.hook.lower()))
        if key and key not in seen:
            seen.add(key)
            kept.append(angle)
    return kept


# --- the builtin engine's own planner -------------------------------------------------------

FACETS = (
    "the first week",
    "pricing",
    "hiring for it",
    "a launch that failed",
    "customer calls",
    "the tools we dropped",
    "metrics that matter",
    "onboarding newcomers",
    "writing it down",
    "review habits",
    "being on call",
    "quarterly planning",
    "retrospectives",
    "budgets",
    "feedback loops",
    "remote work",
    "quality checks",
    "handoffs between teams",
    "deadlines",
    "automation",
    "small wins",
    "saying no",
    "old shortcuts",
    "roadmaps",
    "scope creep",
)
FORMATS = (
    "story",
    "list",
    "how-to",
    "question",
    "contrarian take",
    "checklist",
    "lesson learned",
    "behind the scenes",
    "myth and fact",
    "before and after",
)
HOOKS = (
    "Nobody warned me about {facet} when we started {topic}.",
    "Here is the uncomfortable truth about {facet} in {topic}.",
    "We got {facet} wrong for a year; {topic} taught us why.",
    "Ask anyone doing {topic} about {facet} and watch them pause.",
    "{Facet} is the quiet part of {topic} that decides everything.",
    "Three questions changed how I think about {facet} and {topic}.",
    "If {topic} feels slow, look at {facet} first.",
    "The best advice on {facet} I ever got came from a {topic} mistake.",
    "Most people treat {facet} as an afterthought in {topic}. We stopped.",
    "What does {facet} look like when {topic} goes well?",
)
OPENINGS = {
    "story": (
        "Last spring a small slip with {facet} cost us a full week.",
        "A colleague once rebuilt our whole approach to {facet} over a weekend.",
        "The turning point came during an ordinary Tuesday meeting about {facet}.",
    ),
    "list": (
        "Here are the habits that stuck for {facet}:",
        "Four things we now do differently around {facet}:",
        "A short list we pin above every desk, about {facet}:",
    ),
    "how-to": (
        "Step one: write down how {facet} works today, honestly.",
        "Start by timing {facet} for a fortnight before changing anything.",
        "Pick the single most annoying part of {facet} and fix only that.",
    ),
    "question": (
        "Who owns {facet} on your team, really?",
        "When did someone last question how you handle {facet}?",
        "Would a newcomer understand your approach to {facet} in ten minutes?",
    ),
    "contrarian take": (
        "Popular advice says {facet} needs more process. I disagree.",
        "More tooling rarely fixes {facet}; fewer handovers usually do.",
        "The fashionable answer on {facet} is wrong for small teams.",
    ),
    "checklist": (
        "Before you ship, check {facet} against this:",
        "Our pre-flight list for {facet} fits on one card:",
        "Five boxes to tick on {facet} every single time:",
    ),
    "lesson learned": (
        "The lesson on {facet} arrived late and expensively.",
        "It took three attempts before {facet} clicked for us.",
        "We learned the hard way that {facet} punishes shortcuts.",
    ),
    "behind the scenes": (
        "Behind the curtain, {facet} is messier than our changelog suggests.",
        "Nobody sees the spreadsheet that keeps {facet} honest.",
        "A peek at the whiteboard where {facet} gets argued out every Monday.",
    ),
    "myth and fact": (
        "Myth: {facet} only matters at scale. Fact: it bites on day one.",
        "Myth: experts handle {facet} by instinct. Fact: they keep notes.",
        "Myth: {facet} is solved once. Fact: it drifts every quarter.",
    ),
    "before and after": (
        "Before, {facet} meant late nights and guesswork.",
        "A year ago our {facet} lived in one person's head.",
        "We used to treat {facet} as paperwork; now it is a ritual.",
    ),
}
DETAILS = (
    "Measure one number and watch it weekly.",
    "Share drafts early, even ugly ones.",
    "Cut meetings that repeat the status page.",
    "Write the decision and its reason in the same place.",
    "Let the newest person run the demo.",
    "Keep a running list of surprises.",
    "Pair on the scary parts instead of reviewing them later.",
    "Budget an afternoon a month for cleanup.",
    "Ask customers what they stopped doing because of it.",
    "Retire one rule whenever you add one.",
    "Celebrate the dull fixes out loud.",
    "Time-box the research, then decide.",
    "Rotate ownership so knowledge spreads.",
    "Record a two-minute walkthrough instead of a long document.",
    "Name the trade-off explicitly before choosing.",
    "Check the result a week later, not only on release day.",
    "Make the default path the easy path.",
    "Turn repeated questions into a short guide.",
    "Protect focus hours on the calendar.",
    "Draw the flow on paper before touching the tools.",
)
CLOSERS = (
    "How do you handle {facet}?",
    "Tell me what I missed about {facet}.",
    "Save this for your next planning session.",
    "Which of these would you try first?",
    "Curious whether this matches your experience.",
    "More notes on {topic} next week.",
    "Steal whatever helps.",
    "Disagree? I would like to hear why.",
)


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _fill(template: str, **values: str) -> str:
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
        out = out.replace("{" + name.capitalize() + "}", value[:1].upper() + value[1:])
    return out


def builtin_angles(topic: str, persona: PersonaProfile | None, count: int) -> list[Angle]:
    """``count`` angles with distinct hooks and sub-topics, the same for the same inputs."""
    topic = " ".join(topic.split()) or "our work"
    keywords = [k.lower() for k in persona.keywords] if persona else []
    facets = list(dict.fromkeys([*keywords, *FACETS]))
    _rng("facets", topic, persona.name if persona else "").shuffle(facets)
    angles: list[Angle] = []
    for index in range(count):
        facet = facets[index % len(facets)]
        # Each pass over the facets shifts the hook templates, so (hook, facet) never repeats.
        template = HOOKS[(index + index // len(facets)) % len(HOOKS)]
        angles.append(
            Angle(
                hook=_fill(template, facet=facet, topic=topic),
                subtopic=facet,
                format=FORMATS[(index * 3 + index // len(FORMATS)) % len(FORMATS)],
            )
        )
    return distinct_angles(angles)


def builtin_post(task: PostTask, angle: Angle, *, attempt: int = 0) -> PostText:
    """A post written from its angle, deterministically (``attempt`` > 0: a rewrite)."""
    rng = _rng("angle-post", task.topic, angle.render(), task.batch_index, attempt)
    topic = " ".join(task.topic.split()) or "our work"
    values = {"facet": angle.subtopic, "topic": topic}
    openings = OPENINGS.get(angle.format, OPENINGS["story"])
    opening = _fill(openings[rng.randrange(len(openings))], **values)
    details = rng.sample(DETAILS, 3)
    closer = _fill(CLOSERS[rng.randrange(len(CLOSERS))], **values)
    if task.persona and task.persona.fix_cta.strip():
        closer = task.persona.fix_cta.strip()
    hook = angle.hook if attempt == 0 else _fill(rng.choice(HOOKS), **values)
    if angle.format in ("list", "checklist"):
        body = "\n".join(f"- {line}" for line in details)
        content = f"{hook}\n\n{opening}\n{body}\n\n{closer}"
    else:
        content = f"{hook}\n\n{opening} {' '.join(details)}\n\n{closer}"
    tags = [_hashtag(angle.subtopic), _hashtag(topic)]
    profile = get_platform(task.platform)
    if profile.max_hashtags:
        content += "\n\n" + " ".join(tags[: profile.max_hashtags])
    return PostText(content=content)


def _hashtag(phrase: str) -> str:
    return "#" + "".join(word.capitalize() for word in WORD.findall(phrase))[:40]


# --- the similarity pass ----------------------------------------------------------------------


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def jaccard(first: str, second: str) -> float:
    """Word 3-gram Jaccard similarity of two texts (0: nothing shared, 1: the same)."""
    a, b = trigrams(first), trigrams(second)
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def hook_of(text: str) -> str:
    """A post's first sentence, normalised: what a reader sees in the feed."""
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]
    return " ".join(WORD.findall(first.lower()))


def max_similarity(posts: Sequence[str]) -> float:
    return max((jaccard(a, b) for a, b in itertools.combinations(posts, 2)), default=0.0)


def too_similar(posts: Sequence[str], threshold: float) -> list[int]:
    """Indexes of the posts to rewrite: the later post of every pair above ``threshold`` or
    sharing a hook with an earlier post (each index once, in order)."""
    grams = [trigrams(p) for p in posts]
    hooks = [hook_of(p) for p in posts]
    marked: list[int] = []
    for later in range(len(posts)):
        for earlier in range(later):
            if earlier in marked:
                continue
            union = grams[earlier] | grams[later]
            score = len(grams[earlier] & grams[later]) / len(union) if union else 0.0
            if score > threshold or (hooks[later] and hooks[later] == hooks[earlier]):
                marked.append(later)
                break
    return marked
