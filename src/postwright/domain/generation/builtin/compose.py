"""Composing posts offline from persona, topic and platform rules.

The topic is read first (``topics.read_topic``): its form decides which hooks fit, its key
phrases fill the body, so two topics give two different bodies. The persona adds its opinions
(as beliefs or rules, each in a frame that fits), its goal, its audience and vocabulary. Each
post has a format (a take, a list, a story, a how-to, a contrarian take) chosen per batch item
or by the task's ``angle``; no line the batch already used is used again.

Deterministic: every choice comes from a ``random.Random`` seeded with a hash of the inputs, so
the same request yields the same post.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from postwright.domain.generation.builtin import lexicon
from postwright.domain.generation.builtin.avoid import Avoider
from postwright.domain.generation.builtin.topics import Topic, cap, is_proper, mid, read_topic
from postwright.domain.generation.builtin.voice import PersonaVoice, read_persona
from postwright.domain.generation.hashtags import suggest_hashtags
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import PlatformProfile, get_platform
from postwright.domain.generation.text import as_hashtag, sentences

FORMATS = ("take", "list", "story", "howto", "contrarian")
CORE_LINES = {"short": 1, "medium": 3, "long": 5}
PARAGRAPH_PLATFORMS = {"linkedin", "instagram", "facebook", "youtube", "tiktok"}
SLOT = re.compile(r"\{(\w+)\}")
# Words in an ``angle`` that name a format ("a contrarian take", "a 3-step how-to").
ANGLE_FORMATS = (
    ("list", ("list", "tips", "checklist", "ways", "mistakes", "reasons", "lessons", "steps")),
    ("story", ("story", "personal", "anecdote", "experience", "behind the scenes", "journey")),
    ("howto", ("how-to", "how to", "guide", "tutorial", "walkthrough", "step")),
    ("contrarian", ("contrarian", "myth", "unpopular", "hot take", "debate", "controversial")),
    ("take", ("opinion", "take", "insight", "observation", "question", "lesson")),
)


def seeded(*parts: object) -> random.Random:
    """A generator seeded from the inputs alone (never from the clock or the process)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode()
    return random.Random(int.from_bytes(hashlib.sha256(blob).digest()[:8], "big"))


def persona_key(persona: PersonaProfile | None) -> str:
    return persona.model_dump_json() if persona else ""


def clean_topic(topic: str) -> str:
    """The topic's subject: what "about {topic}" slots elsewhere (ideas, moments) expect."""
    return read_topic(topic).subject


def fill(template: str, **values: str) -> str:
    """Fill ``{name}`` and ``{Name}`` (capitalised) slots."""
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
        out = out.replace("{" + name.capitalize() + "}", cap(value))
    return out


def _signature(template: str) -> str:
    """The longest fixed stretch of a template: seeing it in an earlier post means the line
    was used, whatever filled its slots."""
    pieces = [p.strip(" .,:;!?").lower() for p in SLOT.split(template)[::2]]
    return max(pieces, key=len, default="")


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class Writer:
    """One post's choices: slot values that rotate, lines used, the batch's earlier text."""

    topic: Topic
    voice: PersonaVoice
    rng: random.Random
    base: int
    batch_index: int
    previous: str
    focus: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    turns: dict[str, int] = field(default_factory=dict)
    count_word: str | None = None  # a list hook's "three"
    extra: dict[str, str] = field(default_factory=dict)  # {opinion}, {goal}

    def _rotate(self, name: str, options: Sequence[str]) -> str | None:
        if not options:
            return None
        first = 0 if name == "term" and self.focus else self.base + self.batch_index
        turn = self.turns.get(name, first)
        self.turns[name] = turn + 1
        return options[turn % len(options)]

    def _slots(self, template: str) -> dict[str, str] | None:
        topic, voice = self.topic, self.voice
        terms = [term for term in [*self.focus, *topic.terms] if not voice.avoid.hits(term)]
        subject = topic.subject if not voice.avoid.hits(topic.subject) else None
        values: dict[str, str] = {}
        for name in dict.fromkeys(SLOT.findall(template)):
            key = name.lower()
            value: str | None
            if key in self.extra:
                value = self.extra[key]
            elif key == "subject":
                value = subject or (terms[0] if terms else None)
            elif key in {"term", "term2"}:
                value = self._rotate("term", terms or ([subject] if subject else []))
            elif key == "other":
                value = next((x for x in terms if x != subject), None)
            elif key == "group":
                value = self._rotate("group", voice.groups)
            elif key == "vocab":
                value = self._rotate("vocab", voice.vocab)
            elif key == "keyword":
                value = self._rotate("keyword", [mid(k) for k in voice.keywords])
            elif key == "sentence":
                value = topic.sentence
            elif key == "sentence_mid":
                value = mid(topic.sentence) if topic.sentence else None
            elif key == "clause":
                value = topic.clause
            elif key == "count":
                value = self.count_word
            else:
                value = None
            if value is None:
                return None
            values[key] = value
        return values

    def render(self, template: str) -> str | None:
        values = self._slots(template)
        if values is None:
            return None
        line = template
        for name, value in values.items():
            line = line.replace("{" + name + "}", value)
            line = line.replace("{" + cap(name) + "}", cap(value))
        return line

    def fresh(self, line: str, template: str) -> bool:
        signature = _signature(template)
        if _normal(line) in self.used:
            return False
        if _normal(line) in self.previous:
            return False
        return not (len(signature) >= 12 and signature in self.previous)

    def pick(
        self, name: str, pool: Sequence[str], *, count: int = 1, reuse: bool = True
    ) -> list[str]:
        """Up to ``count`` lines from ``pool``: fresh for this batch, free of avoided words."""
        order = list(range(len(pool)))
        seeded(self.base, name).shuffle(order)
        start = (self.batch_index * count) % max(len(order), 1)
        order = order[start:] + order[:start]
        chosen: list[str] = []
        spare: list[str] = []
        for index in order:
            line = self.render(pool[index])
            if line is None or self.voice.avoid.hits(line) or _normal(line) in self.used:
                continue
            if self.fresh(line, pool[index]):
                chosen.append(line)
                self.used.add(_normal(line))
            else:
                spare.append(line)
            if len(chosen) == count:
                break
        # A long batch may exhaust a pool: reuse the lines earlier posts used least recently.
        for line in spare[: count - len(chosen)] if reuse else ():
            chosen.append(line)
            self.used.add(_normal(line))
        return chosen

    def one(self, name: str, pool: Sequence[str], *, reuse: bool = True) -> str | None:
        picked = self.pick(name, pool, reuse=reuse)
        return picked[0] if picked else None


def _opinion(writer: Writer) -> str | None:
    """One of the persona's opinions the batch has not voiced yet, in a frame that fits it:
    "I believe" only before a belief, "My rule:" before an imperative."""
    opinions = writer.voice.opinions
    if not opinions:
        return None
    start = writer.base + writer.batch_index
    for step in range(len(opinions)):
        line = opinions[(start + step) % len(opinions)]
        if _normal(line.text) in writer.previous:
            continue
        leads: tuple[str, ...]
        if line.kind == "belief" and line.text[:1].islower():
            leads = lexicon.BELIEF_LEADS
        elif line.kind == "rule":
            leads = lexicon.RULE_LEADS
        else:
            leads = lexicon.PHRASE_LEADS
        writer.extra["opinion"] = line.text
        return writer.one(f"opinion-{line.kind}", leads, reuse=False)
    return None


def _goal(writer: Writer) -> str | None:
    """The persona's goal, once per batch."""
    goal = writer.voice.goal
    if goal is None or _normal(goal.text) in writer.previous:
        return None
    leads = lexicon.GOAL_VERB_LEADS if goal.kind == "rule" else lexicon.GOAL_PHRASE_LEADS
    writer.extra["goal"] = goal.text
    return writer.one("goal", leads, reuse=False)


def _angle_format(angle: str | None) -> str | None:
    if not angle:
        return None
    lowered = angle.lower()
    for name, cues in ANGLE_FORMATS:
        if any(cue in lowered for cue in cues):
            return name
    return None


def _angle_focus(angle: str | None, topic: Topic) -> list[str]:
    """A sub-topic the angle names ("sub-topic: onboarding costs"), used before the topic's
    own terms."""
    if not angle:
        return []
    from postwright.domain.generation.builtin.topics import chunks

    known = {term.lower() for term in topic.terms}
    cues = {cue for _, group in ANGLE_FORMATS for cue in group}
    cues |= {"sub-topic", "subtopic", "topic", "hook", "format", "angle", "item", "post"}
    found = []
    for chunk in [c for part in re.split(r"[;:,.()\n]+", angle) for c in chunks(part)]:
        low = chunk.lower()
        if low in known or any(cue == low or cue in low.split() for cue in cues):
            continue
        if len(chunk.split()) <= 4:
            found.append(mid(chunk))
    return found[:2]


def _format_for(topic: Topic, base: int, batch_index: int, angle: str | None) -> str:
    chosen = _angle_format(angle)
    if chosen:
        return chosen
    order = list(FORMATS)
    seeded(base, "formats").shuffle(order)
    if topic.requested in {"tips", "ways", "reasons", "mistakes", "lessons", "checklist", "list"}:
        order.remove("list")
        order.insert(0, "list")
    elif topic.requested in {"story", "stories"}:
        order.remove("story")
        order.insert(0, "story")
    return order[batch_index % len(order)]


@dataclass
class Draft:
    hook: str
    body: list[str]
    items: list[str]
    cta: str
    tags: list[str]
    hook_template: str | None = None  # a list hook, re-filled when items are dropped
    emoji: str = ""

    def with_items(self, count: int, writer: Writer) -> None:
        self.items = self.items[:count]
        if self.hook_template:
            writer.count_word = lexicon.COUNT_WORDS[count]
            self.hook = writer.render(self.hook_template) or self.hook


def _hook(writer: Writer, kind: str) -> tuple[str, list[str]]:
    """The opening line and, for a topic sentence used as the hook, the line that follows."""
    topic = writer.topic
    own = writer.rng.random() < 0.6
    # The topic's own sentence opens at most one post of a batch.
    stated = topic.sentence or topic.clause or ""
    own = own and _normal(stated.rstrip(".?")) not in writer.previous
    if kind in {"take", "contrarian"} and own and topic.form in {"statement", "question"}:
        hooks = lexicon.STATEMENT_HOOKS if topic.form == "statement" else lexicon.QUESTION_HOOKS
        hook = writer.one(f"hook-{topic.form}", hooks, reuse=False)
        follows = (
            lexicon.STATEMENT_FOLLOWS if topic.form == "statement" else lexicon.QUESTION_FOLLOWS
        )
        follow = writer.one(f"follow-{topic.form}", follows, reuse=False)
        if hook:
            return hook, [follow] if follow else []
    if kind in {"take", "howto", "contrarian"} and own and topic.form == "clause":
        hook = writer.one("hook-clause", lexicon.CLAUSE_HOOKS, reuse=False)
        if hook:
            return hook, []
    hook = writer.one(f"hook-{kind}", lexicon.HOOKS[kind])
    return hook or cap(f"A few notes on {topic.subject}."), []


def _core(writer: Writer, kind: str, size: int) -> list[str]:
    if kind in {"story", "howto"}:
        arcs = lexicon.STORY_ARCS if kind == "story" else lexicon.HOWTO_ARCS
        joined = [" ".join(arc[: max(size, 3)]) for arc in arcs]
        picked = writer.one(kind, joined)
        return sentences(picked) if picked else []
    lines = []
    if kind == "contrarian":
        lines += writer.pick("contrarian", lexicon.CONTRARIAN_LINES, count=1)
    lines += writer.pick("take", lexicon.TAKE_LINES, count=max(size - len(lines) - 1, 1))
    extra_pool = [
        *lexicon.GROUP_LINES,
        *(lexicon.VOCAB_LINES if writer.voice.vocab else ()),
        *(lexicon.KEYWORD_LINES if writer.voice.keywords else ()),
    ]
    if size > 1:
        lines += writer.pick("extra", extra_pool, count=1)
    return lines[:size]


def _cta(writer: Writer) -> str:
    voice = writer.voice
    options = list(lexicon.CTAS)
    persona_cta = voice.cta if voice.cta and not voice.avoid.hits(voice.cta) else None
    if persona_cta and writer.rng.random() < 0.4 and _normal(persona_cta) not in writer.previous:
        return persona_cta
    return writer.one("cta", options) or persona_cta or "What would you add?"


def _hashtags(
    persona: PersonaProfile | None,
    topic: Topic,
    profile: PlatformProfile,
    avoid: Avoider,
    rng: random.Random,
) -> list[str]:
    if profile.max_hashtags == 0:
        return []
    wanted = max(profile.min_hashtags, min(3, profile.max_hashtags))
    # ". " between them: a hashtag phrase never spans two terms ("#OnboardingCustomer")
    source = ". ".join([topic.clause or topic.sentence or topic.subject, *topic.terms])
    suggested = suggest_hashtags(
        source,
        count=wanted + 2,
        fixed=persona.hashtag_list if persona else (),
        avoid=persona.avoid_list if persona else (),
    ).hashtags
    pool = [tag for tag in suggested if not avoid.hits(tag)]
    pool += [
        tag
        for term in [*topic.terms, *(persona.keywords if persona else [])]
        if (tag := as_hashtag(term if is_proper(term) else term.title())) and not avoid.hits(tag)
    ]
    pool += ["#Learning", "#Work", "#Ideas"]
    seen: dict[str, str] = {}
    for tag in pool:
        seen.setdefault(tag.lower(), tag)
    unique = list(seen.values())
    fixed = [tag for tag in unique[: len(persona.hashtag_list) if persona else 0]]
    rest = unique[len(fixed) :]
    # The strongest tags, in a per-post order: the batch does not end on one identical line.
    head = rest[1 : max(wanted - len(fixed), 0) + 1]
    rng.shuffle(head)
    return [*fixed, *rest[:1], *head][:wanted]


def _layout(profile: PlatformProfile, draft: Draft) -> str:
    tag_line = " ".join(draft.tags)
    hook = f"{draft.emoji} {draft.hook}" if draft.emoji else draft.hook
    items = "\n".join(f"{n}. {item}" for n, item in enumerate(draft.items, start=1))
    if profile.key in PARAGRAPH_PLATFORMS:
        body = [" ".join(draft.body[i : i + 2]) for i in range(0, len(draft.body), 2)]
        head = f"{hook}\n{items}" if items else hook
        parts = [head, *body, draft.cta, tag_line]
        return "\n\n".join(p for p in parts if p)
    opening = f"{hook}\n{items}" if items else hook
    lines = [opening, " ".join(draft.body), draft.cta, tag_line]
    return "\n".join(p for p in lines if p)


def _within(profile: PlatformProfile, draft: Draft, writer: Writer) -> str:
    """Drop body lines, then optional hashtags, then list items (the hook's count follows),
    until the post fits; the finalize cut is the last resort."""
    while True:
        post = _layout(profile, draft)
        if profile.fits(post):
            return post
        if draft.body:
            draft.body.pop()
        elif len(draft.tags) > profile.min_hashtags:
            draft.tags.pop()
        elif len(draft.items) > 2:
            draft.with_items(len(draft.items) - 1, writer)
        elif draft.items:
            draft.items = []
            draft.hook = cap(f"A few notes on {writer.topic.subject}.")
            draft.hook_template = None
        elif draft.cta:
            draft.cta = ""
        else:
            return post


def compose_post(
    *,
    persona: PersonaProfile | None,
    topic: str,
    platform: str,
    batch_index: int = 0,
    previous_posts: Sequence[str] = (),
    content_length: str = "medium",
    angle: str | None = None,
) -> str:
    profile = get_platform(platform)
    voice = read_persona(persona)
    read = _readable(topic, voice)
    base = seeded("base", persona_key(persona), topic).randrange(1_000)
    rng = seeded(
        "post", persona_key(persona), topic, profile.key, content_length, batch_index, angle
    )
    writer = Writer(
        topic=read,
        voice=voice,
        rng=rng,
        base=base,
        batch_index=batch_index,
        previous=_normal("\n".join(previous_posts)),
        focus=_angle_focus(angle, read),
    )
    kind = _format_for(read, base, batch_index, angle)
    size = CORE_LINES.get(content_length, 3)
    items: list[str] = []
    hook_template = None
    follow: list[str] = []
    if kind == "list":
        items = writer.pick("items", lexicon.LIST_ITEMS, count=3)
        writer.count_word = lexicon.COUNT_WORDS.get(len(items))
        order = list(lexicon.HOOKS["list"])
        seeded(base, "hook-list").shuffle(order)
        hook_template = next(
            (h for h in order[batch_index % len(order) :] + order if writer.render(h)), None
        )
        if hook_template and len(items) >= 2:
            hook = writer.render(hook_template) or ""
        else:
            kind, items, hook_template = "take", [], None
    if kind != "list":
        hook, follow = _hook(writer, kind)
    emoji = rng.choice(lexicon.EMOJI) if profile.emoji == "welcome" else ""
    body = [*follow, *(_core(writer, kind, size) if kind != "list" else [])]
    if kind == "list" and size > 1:
        body += writer.pick("take", lexicon.TAKE_LINES, count=1)
    if content_length != "short" and (line := _opinion(writer)):
        # never inside a story or a how-to: their lines only make sense in order
        body.insert(len(body) if kind in {"story", "howto"} else min(2, len(body)), line)
    wants_goal = content_length == "long" or (content_length == "medium" and rng.random() < 0.5)
    if wants_goal and (line := _goal(writer)):
        body.append(line)
    draft = Draft(
        hook=hook,
        body=body,
        items=items,
        cta=_cta(writer),
        tags=_hashtags(persona, read, profile, voice.avoid, rng),
        hook_template=hook_template,
        emoji=emoji,
    )
    return _within(profile, draft, writer)


def _readable(topic: str, voice: PersonaVoice) -> Topic:
    """The topic, or a neutral one when nothing of it is left to say (all avoided words)."""
    read = read_topic(topic)
    if not read.subject.strip(" .") or voice.avoid.hits(read.subject):
        usable = [t for t in read.terms if not voice.avoid.hits(t)]
        if usable:
            return replace(read, subject=usable[0])
        return read_topic("")
    return read


def thread_items(*, persona: PersonaProfile | None, topic: str, max_posts: int) -> list[str]:
    voice = read_persona(persona)
    read = _readable(topic, voice)
    base = seeded("base", persona_key(persona), topic).randrange(1_000)
    writer = Writer(
        topic=read,
        voice=voice,
        rng=seeded("thread", persona_key(persona), topic, max_posts),
        base=base,
        batch_index=0,
        previous="",
    )
    hook, follow = _hook(writer, "take")
    points = [*follow, *_core(writer, "take", max(max_posts, 3))]
    if opinion := _opinion(writer):
        points.insert(1, opinion)
    items = [f"{hook} A thread 🧵", *points[: max(0, max_posts - 2)], _cta(writer)]
    return items[:max_posts]


SMALL_WORDS = frozenset({"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "vs"})


def headline_case(phrase: str) -> str:
    """Title case that keeps "iOS", "GPT-5" and "MongoDB" as written."""
    out = []
    for index, word in enumerate(phrase.split()):
        if index and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        elif is_proper(word):
            out.append(word)
        else:
            out.append(cap(word))
    return " ".join(out)


def youtube_title(topic: str, rng: random.Random) -> str:
    patterns = ("{Topic}: What You Need to Know", "{Topic}, Explained", "How We Approach {Topic}")
    return rng.choice(patterns).replace("{Topic}", headline_case(read_topic(topic).subject))
