"""Defect checks for generated posts, comments and ad copy, and the topic set they run over.

Each check names one defect class a reader would notice (issue 11). They are written apart
from the composer, with their own word lists, so a composer bug cannot hide in a shared
helper. Used by tests/domain/generation/test_builtin_quality.py and bench/quality.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import snowballstemmer

from postwright.domain.generation import (
    AdCopyTask,
    BuiltinEngine,
    CommentTask,
    PersonaProfile,
    PostTask,
    get_platform,
    known_platforms,
)
from postwright.domain.generation.outputs import AdCopySet, CommentSet
from postwright.domain.personas.system import SYSTEM_PERSONAS

TOPICS: dict[str, tuple[str, ...]] = {
    "noun": (
        "AI in healthcare",
        "Remote work culture",
        "Climate tech funding",
        "Developer experience",
        "Customer onboarding",
        "Open source sustainability",
        "Email marketing for small shops",
        "Team retrospectives",
        "Data privacy in schools",
        "Product-market fit",
    ),
    "gerund": (
        "Hiring your first engineer",
        "Building in public",
        "Scaling a support team",
        "Writing better release notes",
        "Switching careers into tech",
        "Managing remote teams across time zones",
        "Running effective one-on-ones",
        "Learning to say no",
    ),
    "question": (
        "Is remote work here to stay?",
        "Should startups hire a CMO before product-market fit?",
        "How will AI change customer support in 2025?",
        "What makes a good onboarding flow?",
        "Can small brands compete on TikTok?",
        "Do code reviews slow teams down?",
        "Why do most rebrands fail?",
        "Is SEO still worth it in 2025?",
    ),
    "instruction": (
        "Write a post about AI in healthcare",
        "Write a LinkedIn post about our new pricing",
        "Share tips on remote onboarding",
        "Explain why small teams should self-host their marketing tools",
        "Give 3 reasons to switch to Rust",
        "Create a post announcing our Series A",
        "Talk about burnout in startups",
        "Share lessons from our first product launch",
        "Explain how we reduced cloud costs",
        "Write a short post on accessibility in design",
        "Tell people about our community meetup in Berlin",
        "Draft a tweet about GPT-5 for customer support",
    ),
    "statement": (
        "Remote work is here to stay",
        "We cut our cloud bill by 40%",
        "Distribution matters more than product",
        "Our team shipped v2 of the mobile app",
        "Most meetings should be emails",
        "Good documentation beats clever code",
        "We hired our first designer",
        "Cold email still works",
    ),
    "clause": (
        "Why small teams should self-host their marketing tools",
        "How we onboard new engineers",
        "What I learned from 10 years of freelancing",
        "How to price a SaaS product",
        "Why we stopped doing daily standups",
        "What nobody tells you about fundraising",
    ),
    "brand": (
        "GPT-5 for customer support",
        "iOS 18 privacy features",
        "MongoDB vs PostgreSQL in 2025",
        "Kubernetes for small teams",
        "Q4 planning",
        "Shopify SEO tips",
        "Figma Dev Mode",
        "Python 3.13 performance",
    ),
}
PERSONAS: dict[str, PersonaProfile | None] = {"none": None, **SYSTEM_PERSONAS}
LENGTHS = ("short", "medium", "long")
BATCH = 5
MAX_JACCARD = 0.35

IMPERATIVES = frozenset(
    """ship talk test measure default focus build start stop keep write read ask listen learn
    share help make take give show hire cut use try run plan avoid choose pick delete
    simplify automate document""".split()  # noqa: SIM905
)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
COUNTED = re.compile(
    r"\b(two|three|four|five|[2-5]) (?:\w+ )?(things|lessons|habits|tips|items|reasons|"
    r"mistakes|ways|steps)\b",
    re.I,
)
PASTED = re.compile(
    r"\b(?:write|create|draft|generate|compose|share|give|explain|tell)\s+(?:me\s+)?"
    r"(?:an?|some|\d+)\s+(?:\w+\s+)?(?:post|tweet|thread|caption|article|tips|reasons)\b"
    r"|\b(?:about|on|with|of)\s+(?:Write|Share|Explain|Create|Give|Tell|Talk|Draft)\b",
    re.I,
)
GARBLED = re.compile(r"\b(?:about|on|with)\s+\w+ed\s+\w+ing\b")
STEMMER = snowballstemmer.stemmer("english")
WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def jaccard(a: str, b: str) -> float:
    left, right = trigrams(a), trigrams(b)
    return len(left & right) / len(left | right) if left | right else 0.0


def sentences_of(post: str) -> list[str]:
    out = []
    for line in post.splitlines():
        line = re.sub(r"^\d+\.\s+", "", line.strip())
        if not line or line.startswith("#"):
            continue
        out += [s.strip() for s in re.split(r"(?<=[.!?:])\s+", line) if s.strip()]
    return out


def hashtags(post: str) -> list[str]:
    return re.findall(r"(?<![\w#])#[^\W_][\w]*", post)


def avoided(text: str, avoid: Iterable[str]) -> list[str]:
    """Avoided words in any inflection (stems), and as one word in hashtags."""
    stems = [STEMMER.stemWord(w) for w in words(text)]
    squashed = {w.lower() for w in re.findall(r"#(\w+)", text)}
    found = []
    for phrase in avoid:
        target = [STEMMER.stemWord(w) for w in words(phrase)]
        size = len(target)
        inline = any(stems[i : i + size] == target for i in range(len(stems) - size + 1))
        tagged = size > 1 and any("".join(words(phrase)) in tag for tag in squashed)
        if size and (inline or tagged):
            found.append(phrase)
    return found


@dataclass
class Case:
    form: str
    topic: str
    persona: str
    platform: str
    length: str


@dataclass
class Report:
    posts: int = 0
    batches: int = 0
    defects: list[str] = field(default_factory=list)
    jaccards: list[float] = field(default_factory=list)

    @property
    def max_jaccard(self) -> float:
        return max(self.jaccards, default=0.0)


def cases() -> list[Case]:
    """Every topic on three platforms with rotating personas and lengths; together they
    cover every persona on every platform."""
    platforms = known_platforms()
    names = list(PERSONAS)
    found = []
    flat = [(form, topic) for form, topics in TOPICS.items() for topic in topics]
    for i, (form, topic) in enumerate(flat):
        for k in range(3):
            found.append(
                Case(
                    form,
                    topic,
                    names[(i // len(platforms) + k) % len(names)],
                    platforms[(3 * i + k) % len(platforms)],
                    LENGTHS[(i + k) % 3],
                )
            )
    return found


ENGINE = BuiltinEngine()


def run(task):  # type: ignore[no-untyped-def]
    return asyncio.run(ENGINE.run(task))


def batch(case: Case, size: int = BATCH) -> list[str]:
    persona = PERSONAS[case.persona]
    posts: list[str] = []
    for index in range(size):
        task = PostTask(
            persona=persona,
            topic=case.topic,
            platform=case.platform,
            batch_index=index,
            batch_size=size,
            previous_posts_in_batch=list(posts),
            content_length=case.length,  # type: ignore[arg-type]
        )
        result = run(task)
        assert result.provider == "builtin"
        posts.append(result.output.content)
    return posts


def _audience_groups(persona: PersonaProfile | None) -> list[str]:
    if persona is None:
        return []
    parts = re.split(r",|\band\b", persona.target_audience)
    groups = [p.strip() for p in parts if p.strip()[:1].isupper()]
    # "CTOs" is written that way anywhere; "Software engineers" is not
    return [g for g in groups if not any(c.isupper() for c in g.split()[0][1:])]


def post_defects(post: str, case: Case) -> list[str]:
    persona = PERSONAS[case.persona]
    profile = get_platform(case.platform)
    found = []
    for match in re.finditer(r"\bI (?:believe|am convinced)\s+(\S+)", post):
        word = match.group(1)
        bare = word.strip(".,:;").lower()
        after = post[match.end() :].split(maxsplit=1)
        # "focus wins" is a belief, "focus on users" an imperative
        verb_follows = bool(after) and after[0].rstrip(".,;:!?").endswith("s")
        imperative = bare in IMPERATIVES and not verb_follows
        capital = word[:1].isupper() and not any(c.isupper() for c in word[1:])
        if capital or imperative:
            found.append(f"'I believe' + {word!r}")
    items = len(re.findall(r"(?m)^\d+\.\s", post))
    for match in COUNTED.finditer(post):
        wanted = NUMBER_WORDS[match.group(1).lower()]
        if items != wanted:
            found.append(f"{match.group(0)!r} with {items} list items")
    if PASTED.search(post):
        found.append(f"pasted instruction: {PASTED.search(post).group(0)!r}")  # type: ignore[union-attr]
    if case.form == "instruction" and case.topic.lower() in post.lower():
        found.append("instruction pasted whole")
    for group in _audience_groups(persona):
        for match in re.finditer(re.escape(group), post):
            before = post[: match.start()].rstrip(" ")
            if before and before[-1] not in ".!?:\n":
                found.append(f"audience pasted capitalised: {group!r}")
    if GARBLED.search(post):
        found.append(f"garbled: {GARBLED.search(post).group(0)!r}")  # type: ignore[union-attr]
    if case.form == "statement":
        stated = case.topic.rstrip(".").lower()
        if f"{stated}?" in post.lower():
            found.append("statement turned into a question")
    if not profile.fits(post):
        found.append(f"over the {profile.key} limit ({profile.measure(post)})")
    tags = hashtags(post)
    if not profile.min_hashtags <= len(tags) <= profile.max_hashtags:
        found.append(f"{len(tags)} hashtags on {profile.key}")
    if persona and (hits := avoided(post, persona.avoid_list)):
        found.append(f"avoided words {hits}")
    for sentence in sentences_of(post):
        if re.search(r"\b(\w+) \1\b", sentence, re.I) and not re.search(r"\bthat that\b", sentence):
            found.append(f"doubled word: {sentence!r}")
        if re.search(r"\b(?:a|an|the) (?:a|an|the|our|their|your)\b", sentence, re.I):
            found.append(f"double article: {sentence!r}")
    return found


def batch_defects(posts: Sequence[str]) -> tuple[list[str], list[float]]:
    found, scores = [], []
    seen: dict[str, int] = {}
    for index, post in enumerate(posts):
        for sentence in dict.fromkeys(" ".join(s.lower().split()) for s in sentences_of(post)):
            if len(sentence.split()) >= 4 and sentence in seen:
                found.append(
                    f"sentence repeated in posts {seen[sentence]} and {index}: {sentence!r}"
                )
            seen.setdefault(sentence, index)
    for a, b in combinations(posts, 2):
        score = jaccard(a, b)
        scores.append(score)
        if score > MAX_JACCARD:
            found.append(f"3-gram Jaccard {score:.2f} > {MAX_JACCARD}")
    return found, scores


def check_posts(selected: Sequence[Case] | None = None) -> Report:
    report = Report()
    for case in selected or cases():
        posts = batch(case)
        report.posts += len(posts)
        report.batches += 1
        label = f"[{case.persona}/{case.platform}/{case.length}] {case.topic!r}"
        for post in posts:
            report.defects += [f"{label}: {d}" for d in post_defects(post, case)]
        found, scores = batch_defects(posts)
        report.defects += [f"{label}: {d}" for d in found]
        report.jaccards += scores
    return report


GENERIC = frozenset(
    """this that great point true well said saving part agree more needed reminder today
    really like framed experience hard keeping going after first thanks sharing matches seen
    small steps done consistently interesting take what biggest surprise along resonates
    most teams underestimate effort behind explain clearly section share team clear
    practical bit landed couldn't about with from have will""".split()  # noqa: SIM905
)


def comment_defects(post: str, comments: CommentSet) -> list[str]:
    found = []
    post_words = set(words(post))
    for comment in comments.comments:
        quote = comment.quote
        content = [w for w in words(quote) if w not in GENERIC and len(w) > 1]
        if not any(w in post_words for w in content):
            found.append(f"comment names nothing in the post: {quote!r}")
        for match in re.finditer(r"(?<=[a-z,] )([A-Z][a-z]+)\b", quote):
            if match.group(1).lower() in post_words and match.group(1) not in post:
                found.append(f"capitalised mid-sentence: {quote!r}")
        if re.search(r"\. [A-Z]\w* matters\.", quote):
            found.append(f"broken 'X matters': {quote!r}")
    return found


# (headline, body) as the networks document them: Google RSA headline 30 / description 90;
# Meta headline 40 / primary text 125 recommended; TikTok ad text 100; LinkedIn headline 70 /
# intro text 150 recommended; Pinterest title 100 / description 500. Universal copy runs on
# Meta too. Google search ads carry no hashtags.
AD_LIMITS = {
    "google": (30, 90),
    "meta": (40, 125),
    "tiktok": (40, 100),
    "linkedin": (70, 150),
    "pinterest": (100, 500),
    "universal": (40, 125),
}
AD_DANGLING = ("a", "an", "the", "and", "or", "for", "with", "of", "to", "your", "our")
QUOTE_CUES = ("mention", "use a question", "focus on", "headline", "instruction", "pirate")


def ad_defects(ads: AdCopySet, platform: str, instructions: str | None) -> list[str]:
    found = []
    head_limit, body_limit = AD_LIMITS.get(platform, (120, 500))
    bodies = [v.body for v in ads.variants]
    if len(set(bodies)) != len(bodies):
        found.append("variants share a body")
    if len({v.hook for v in ads.variants}) != len(ads.variants):
        found.append("variants share a hook")
    for variant in ads.variants:
        if len(variant.hook) > head_limit:
            found.append(
                f"{platform} headline {len(variant.hook)} > {head_limit}: {variant.hook!r}"
            )
        if len(variant.body) > body_limit:
            found.append(f"{platform} body {len(variant.body)} > {body_limit}")
        if platform == "google" and variant.hashtags:
            found.append(f"hashtags on a Google search ad: {variant.hashtags}")
        for value in (variant.hook, variant.cta):
            # "Who is it for?" ends well; "The fan for" reads as cut.
            last = value.rstrip(" .!,").rsplit(" ", 1)[-1].lower()
            if last in AD_DANGLING:
                found.append(f"field ends on a joining word: {value!r}")
        text = f"{variant.hook} {variant.body} {variant.cta}".lower()
        if instructions:
            for clause in re.split(r"[.;!\n]+", instructions):
                clause = " ".join(clause.lower().split())
                if len(clause) > 8 and clause in text:
                    found.append(f"instruction quoted: {clause!r}")
            for cue in QUOTE_CUES:
                if cue in text:
                    found.append(f"instruction word {cue!r} in copy")
    return found


AD_PRODUCTS = (
    ("Breeze Fan", "A quiet desk fan with three speeds and USB-C charging"),
    ("Northwind Coffee", "Small-batch coffee beans roasted weekly and delivered to your door"),
    ("LedgerLite", "Simple bookkeeping software for freelancers and small agencies"),
    ("Trailhead Pack 30L", "A waterproof hiking backpack with a ventilated back panel"),
    ("Glow Serum", ""),
)
AD_INSTRUCTIONS = (
    None,
    "Mention free shipping.",
    "Use a question headline.",
    "Focus on the summer sale",
    "Mention free shipping. Use a question headline. Keep it short.",
    "Target busy parents; avoid the word cheap",
    "Write in pirate speak and quote Shakespeare",
)


def check_ads() -> Report:
    report = Report()
    for name, description in AD_PRODUCTS:
        for platform in ("google", "meta", "tiktok", "linkedin", "pinterest", "universal"):
            for i, instructions in enumerate(AD_INSTRUCTIONS):
                ad_format = ("short", "long", "hook", "story")[i % 4]
                ads = run(
                    AdCopyTask(
                        product_name=name,
                        product_description=description,
                        platform=platform,
                        format=ad_format,  # type: ignore[arg-type]
                        custom_instructions=instructions,
                    )
                ).output
                report.posts += len(ads.variants)
                report.batches += 1
                label = f"[ad {platform}/{ad_format}] {name} / {instructions!r}"
                report.defects += [f"{label}: {d}" for d in ad_defects(ads, platform, instructions)]
                bodies = [f"{v.hook} {v.body}" for v in ads.variants]
                report.jaccards += [jaccard(a, b) for a, b in combinations(bodies, 2)]
    return report


def check_comments(posts: Sequence[str]) -> Report:
    report = Report()
    for post in posts:
        for variants in (1, 5):
            result = run(
                CommentTask(post_content=post, variants=variants, author_name="Sam Lee")
            ).output
            report.posts += len(result.comments)
            report.defects += [f"[comment] {d}" for d in comment_defects(post, result)]
    return report
