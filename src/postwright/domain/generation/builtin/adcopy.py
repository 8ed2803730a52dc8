"""Builtin ad copy: five variants, each with its own angle, hook and body, within the ad
network's field limits, following the request's custom instructions (never quoting them).

Field limits are the generation domain's one table (``ad_limits``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from postwright.domain.generation import text as t
from postwright.domain.generation.ad_limits import AdLimits, ad_limits, shorten
from postwright.domain.generation.builtin.avoid import Avoider
from postwright.domain.generation.builtin.compose import fill, persona_key, seeded
from postwright.domain.generation.builtin.topics import DETERMINERS, chunks, mid
from postwright.domain.generation.hashtags import suggest_hashtags
from postwright.domain.generation.outputs import AdCopySet, AdCopyVariant
from postwright.domain.generation.persona import PersonaProfile

TONE_LINES = {
    "professional": "Designed for results, built to last.",
    "casual": "No fuss, just something that works.",
    "urgent": "Don't wait on this one.",
    "luxe": "Crafted with care for those who expect more.",
    "playful": "Fun to use, easy to love.",
    "bold": "Made for people who go all in.",
}


@dataclass(frozen=True)
class Angle:
    name: str
    hooks: tuple[str, ...]  # longest first; the first that fits the headline limit wins
    questions: tuple[str, ...]
    bodies: tuple[str, ...]  # with features; the first whose slots are all known is used
    plain: str  # without features
    short: str  # when instructions leave little room (Google's 90 characters)
    cta: str


ANGLES = (
    Angle(
        "benefit",
        ("{Product}: the {category} that just works", "Meet {product}", "{Product}"),
        ("Want a better {category}?", "Want {feature}?", "Ready for more?"),
        ("{Product} brings {feature} and {feature2} together.", "{Product} brings you {feature}."),
        "{Product} does the everyday job better.",
        "Made for every day.",
        "Shop now",
    ),
    Angle(
        "problem",
        ("Tired of settling for less?", "Still settling?", "Fed up?"),
        ("Tired of settling for less?", "Still settling?", "Fed up?"),
        (
            "No more compromises: {feature} and {feature2}, in one {category}.",
            "No more compromises: {feature}, finally done right.",
        ),
        "No more compromises: {product} fixes the everyday annoyances.",
        "No more compromises.",
        "Try it today",
    ),
    Angle(
        "detail",
        ("The detail people notice first", "Look closer", "Look again"),
        ("Noticed the details?", "Seen it up close?", "Looked closely?"),
        (
            "The detail people notice first: {feature}.",
            "Look closer at {product}: {feature}, made with care.",
        ),
        "The details of {product} are worth a closer look.",
        "Worth a closer look.",
        "See the details",
    ),
    Angle(
        "urgency",
        ("Now available: {product}", "{Product} is here", "New: {product}", "Out now"),
        ("Ready for {product}?", "Ready to switch?", "Ready?"),
        ("Why wait? Get {feature} with {product} today.", "Why wait? {Product} is ready today."),
        "Why wait? {Product} is ready today.",
        "Why wait? Get it today.",
        "Get yours now",
    ),
    Angle(
        "story",
        ("Why we built {product}", "Made for people like you", "Made for you"),
        ("Who is {product} for?", "Made for you?", "Sound familiar?"),
        (
            "We built {product} because we wanted {feature} without trade-offs.",
            "We built {product} for people who care about {feature}.",
        ),
        "We built {product} for people who want things done right.",
        "Made with care, for you.",
        "Learn more",
    ),
)


@dataclass
class Directives:
    """What custom instructions ask for; clauses no pattern understands are ignored."""

    mentions: list[str] = field(default_factory=list)
    question_headline: bool = False
    short: bool = False
    no_hashtags: bool = False
    hashtags: list[str] = field(default_factory=list)
    audience: str | None = None
    cta: str | None = None
    avoid: list[str] = field(default_factory=list)
    emoji: bool = False


def _strip(value: str) -> str:
    return value.strip().strip("\"'\u201c\u201d\u2018\u2019").strip().rstrip(".!,;:")


MENTION = regex.compile(
    r"^(?:please\s+)?(?:mention|include|highlight|emphasi[sz]e|feature|stress|promote|"
    r"call\s+out|talk\s+about|focus\s+on|push|note|add)\s+(?:that\s+)?(?:the\s+fact\s+that\s+)?"
    r"(?P<what>.+)$",
    regex.I,
)
AUDIENCE = regex.compile(
    r"^(?:target|aim\s+(?:it\s+)?at|speak\s+to|write\s+for|address)\s+(?P<who>.+)$", regex.I
)
CTA = regex.compile(
    r"^(?:end\s+with|use\s+the\s+cta|cta(?:\s+should\s+be)?|call\s+to\s+action(?:\s+should\s+be)?)"
    r"\s*:?\s*(?P<cta>.+)$",
    regex.I,
)
AVOID = regex.compile(
    r"^(?:avoid|don'?t\s+(?:mention|use|say)|do\s+not\s+(?:mention|use|say)|never\s+(?:say|use|"
    r"mention))\s+(?:the\s+words?\s+)?(?P<what>.+)$",
    regex.I,
)


def read_instructions(text: str | None) -> Directives:
    found = Directives()
    if not text:
        return found
    for raw in regex.split(r"[.;!\n]+", text):
        clause = " ".join(raw.split()).strip()
        low = clause.lower()
        if not clause:
            continue
        if "question" in low and regex.search(r"headline|hook|title|open|start", low):
            found.question_headline = True
        elif regex.search(r"\b(?:no|without|don'?t use|do not use|skip)\s+hashtags?\b", low):
            found.no_hashtags = True
        elif regex.search(r"\b(?:use|add|include)\s+(?:an?\s+|some\s+)?emojis?\b", low):
            found.emoji = True
        elif regex.search(r"\bemoji", low):
            continue  # "no emoji": the builtin copy has none anyway
        elif regex.search(r"\b(?:keep\s+it|be|make\s+it)\s+(?:short|brief|concise|punchy)\b", low):
            found.short = True
        elif match := AVOID.match(clause):
            found.avoid += [_strip(w) for w in regex.split(r",|\bor\b|\band\b", match["what"])]
        elif match := CTA.match(clause):
            found.cta = _strip(match["cta"])
        elif match := AUDIENCE.match(clause):
            found.audience = mid(_strip(regex.sub(r"^(?:at|to)\s+", "", match["who"])))
        elif tags := t.HASHTAG.findall(clause):
            found.hashtags += tags
        elif match := MENTION.match(clause):
            what = _strip(match["what"])
            if what and not regex.search(r"\bhashtag|emoji|question\b", what, regex.I):
                found.mentions.append(what)
    return found


def mention_line(what: str, turn: int) -> str:
    """A sentence that says ``what``: "free shipping" → "Free shipping included."."""
    words = what.split()
    first = words[0].lower() if words else ""
    text = mid(what)
    options: tuple[str, ...]
    if first in DETERMINERS:
        options = ("Don't miss {x}.", "Ask us about {x}.")
    elif any(w.lower() in {"is", "are", "ships", "comes", "has", "have", "lasts"} for w in words):
        options = ("{X}.",)
    else:
        options = ("{X} included.", "Plus {x}.", "Now with {x}.", "Comes with {x}.")
    line = options[turn % len(options)]
    return line.replace("{x}", text).replace("{X}", text[:1].upper() + text[1:])


@dataclass(frozen=True)
class Product:
    name: str
    category: str | None
    features: list[str]
    description: str


def _noun_parts(chunk: str) -> list[str]:
    """ "Small-batch coffee beans roasted weekly" → ["Small-batch coffee beans"]: a participle
    or an adverb ends a product's noun phrase."""
    parts: list[list[str]] = [[]]
    chunk_words = chunk.split()
    for index, word in enumerate(chunk_words):
        low = word.lower()
        following = chunk_words[index + 1].lower() if index + 1 < len(chunk_words) else ""
        participle = low.endswith("ed") and (not following or following.endswith("ly"))
        if len(low) > 4 and (participle or low.endswith("ly")):
            parts.append([])
        else:
            parts[-1].append(word)
    found = []
    for part in parts:
        if len(part) == 1 and (len(part[0]) < 6 or part[0].lower().endswith("s")):
            continue  # "door", "speeds": too thin alone
        if part:
            found.append(" ".join(part))
    return found


def read_product(name: str, description: str) -> Product:
    name = " ".join(name.split()) or "our product"
    description = " ".join(description.split()).rstrip(".")
    found = [
        part
        for chunk in chunks(description)
        for part in _noun_parts(chunk)
        if part.lower() not in name.lower() and name.lower() not in part.lower()
    ]
    category = mid(regex.split(r" (?:for|in|of|on) ", found[0])[0]) if found else None
    if category and len(category.split()) > 3:
        category = " ".join(category.split()[-3:])
    features = [mid(c) for c in found[1:] if len(c.split()) <= 4]
    return Product(name, category, features, description)


def _body_line(angle: Angle, product: Product, turn: int) -> str:
    features = product.features[turn:] + product.features[:turn]
    values = {
        "product": product.name,
        "category": product.category or "",
        "feature": features[0] if features else "",
        "feature2": features[1] if len(features) > 1 else "",
    }
    for template in angle.bodies:
        needed = regex.findall(r"\{(\w+)\}", template.lower())
        if all(values.get(slot) for slot in needed):
            return fill(template, **values)
    return fill(angle.plain, product=product.name)


def _headline(
    angle: Angle, product: Product, limits: AdLimits, question: bool, avoid: Avoider, emoji: bool
) -> str:
    values = {
        "product": product.name,
        "category": product.category or "",
        "feature": product.features[0] if product.features else "",
    }
    pool = angle.questions if question else angle.hooks
    mark = "✨ " if emoji else ""
    for template in pool:
        needed = regex.findall(r"\{(\w+)\}", template.lower())
        if not all(values.get(slot) for slot in needed):
            continue
        line = fill(template, **values)
        if limits.fits(mark + line, limits.headline) and not avoid.hits(line):
            return mark + line
    return shorten(product.name, limits.headline, limits.measure).text


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
    wants = read_instructions(custom_instructions)
    avoid = Avoider([*(persona.avoid_list if persona else []), *wants.avoid])
    product = read_product(product_name, product_description)
    product = Product(
        product.name,
        product.category if product.category and not avoid.hits(product.category) else None,
        [f for f in product.features if not avoid.hits(f)],
        product.description,
    )
    limits = ad_limits(platform)
    body_limit = limits.body
    tone_line = TONE_LINES.get(tone, TONE_LINES["professional"])
    start = rng.randrange(len(ANGLES))
    variants = []
    for i in range(count):
        angle = ANGLES[(start + i) % len(ANGLES)]
        hook = _headline(angle, product, limits, wants.question_headline, avoid, wants.emoji)
        required = [mention_line(m, i) for m in wants.mentions]
        if wants.audience:
            required.append(f"Made for {wants.audience}.")
        main = _body_line(angle, product, i)
        lines = []
        if ad_format in {"long", "story"} and not wants.short:
            if i == 0 and product.description:
                lines.append(product.description + ".")
            if i == len(ANGLES) - 1 or i == count - 1:
                lines.append(tone_line)
        elif ad_format == "hook" and i == 0:
            lines.append(tone_line)
        body = ""
        for line in required:
            if not avoid.hits(line) and limits.fits(f"{body} {line}".strip(), body_limit):
                body = f"{body} {line}".strip()
        # The angle's own line always goes in, shortened if the instructions took the room.
        short = fill(angle.short, product=product.name)
        for line in (main, short):
            if not avoid.hits(line) and limits.fits(f"{line} {body}".strip(), body_limit):
                body = f"{line} {body}".strip()
                break
        for line in lines:
            if not avoid.hits(line) and limits.fits(f"{body} {line}", body_limit):
                body = f"{body} {line}"
        cta = wants.cta if wants.cta and not avoid.hits(wants.cta) else angle.cta
        tags: list[str] = []
        if limits.hashtags and not wants.no_hashtags:
            tags = [tag for tag in wants.hashtags if not avoid.hits(tag)]
            tags += suggest_hashtags(
                f"{product.name}. {product.description}",
                count=2,
                avoid=persona.avoid_list if persona else (),
            ).hashtags
            tags = [tag for tag in dict.fromkeys(tags) if not avoid.hits(tag)][: limits.hashtags]
        variants.append(
            AdCopyVariant(
                hook=hook,
                body=body or product.name,
                cta=shorten(cta, limits.cta, limits.measure).text,
                hashtags=tags,
            )
        )
    return AdCopySet(variants=variants)
