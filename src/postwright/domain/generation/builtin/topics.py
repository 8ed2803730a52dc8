"""Reading a topic: its form, the noun phrase it is about, its key terms, its own capitals.

A topic arrives in many shapes — "AI in healthcare", "Hiring your first engineer", "Is remote
work here to stay?", "Write a post about AI in healthcare", "Remote work is here to stay",
"Why small teams should self-host" — and each fits different sentences. ``read_topic`` names
the form so the composer only uses templates that fit it; an instruction is unwrapped into its
subject and never pasted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import regex

from postwright.domain.generation.builtin import words as w

Form = Literal["noun", "gerund", "question", "statement", "clause"]
TOKEN = regex.compile(
    r"[\p{L}\p{N}#@$€£][\p{L}\p{N}'\u2019+#.%&/-]*[\p{L}\p{N}+#%]|[\p{L}\p{N}$€£%]"
)
# Verbs that end a noun phrase inside a clause or question ("… hire a CMO", "will AI change …").
VERBISH = w.BASE_VERBS | w.split_words(
    """change affect replace transform stay survive matter work need die happen go become get
    know think feel see find mean look seem switch move migrate adopt price pay"""
)
MODALS = w.split_words(
    """will would should can could must may might do does did don't doesn't didn't won't can't
    to i we you they"""
)
DETERMINERS = frozenset({"a", "an", "the", "our", "their", "your", "my", "his", "her", "its"})
JOINERS = frozenset({"in", "for", "of", "on"})
FALLBACK_SUBJECT = "the work we do"


@dataclass(frozen=True)
class Topic:
    """What the composer knows about a topic once it has read it."""

    raw: str
    form: Form
    subject: str  # a noun phrase with mid-sentence capitals: "AI in healthcare"
    sentence: str | None = None  # the topic as a sentence of its own, for statements/questions
    clause: str | None = None  # "why small teams should …", for "Here is {clause}."
    terms: list[str] = field(default_factory=list)  # key noun phrases, best first
    requested: str | None = None  # what an instruction asked for: "tips", "lessons", …


def tokens(text: str) -> list[str]:
    return [tok.rstrip(".") or tok for tok in TOKEN.findall(text)]


def is_proper(word: str) -> bool:
    """A capital the author meant: a brand, a place, an acronym, "iOS", "GPT-5", "Q4"."""
    core = word.strip("\"'\u201c\u201d\u2018\u2019()")
    if not core or (not core[:1].isalpha() and not core[:1].isdigit()):
        return False
    if any(ch.isdigit() for ch in core) or any(ch.isupper() for ch in core[1:]):
        return True
    return core.lower().strip("'\u2019s") in w.PROPER_WORDS or core.lower() in w.PROPER_WORDS


def mid(phrase: str) -> str:
    """``phrase`` as it reads inside a sentence: "Remote work" → "remote work", "MongoDB" kept.

    Only capitals that exist because the phrase opened a sentence (or a Title Cased topic)
    come down; brands, acronyms and names keep theirs.
    """
    parts = phrase.split(" ")
    title_cased = len(parts) > 1 and all(p[:1].isupper() for p in parts if p[:1].isalpha())
    out = []
    for index, part in enumerate(parts):
        lowerable = part[:1].isupper() and not is_proper(part) and part != "I"
        if lowerable and (index == 0 or title_cased):
            part = part[:1].lower() + part[1:]
        out.append(part)
    return " ".join(out)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def gerund(verb: str) -> str:
    """ "ship" → "shipping", "write" → "writing", "build" → "building"."""
    lower = verb.lower()
    if lower.endswith("ie"):
        return lower[:-2] + "ying"
    if lower.endswith("e") and not lower.endswith(("ee", "ye", "oe")):
        return lower[:-1] + "ing"
    vowels = "aeiou"
    if (
        len(lower) <= 4
        and len(lower) >= 3
        and lower[-1] not in vowels + "wxy"
        and lower[-2] in vowels
        and lower[-3] not in vowels
    ):
        return lower + lower[-1] + "ing"
    return lower + "ing"


def _clean(topic: str) -> str:
    return " ".join(topic.replace("\u2019", "'").split()).strip(' .!:;,"\u201c\u201d')


def _unwrap_instruction(text: str) -> tuple[str, str | None] | None:
    """ "Write a post about AI in healthcare" → ("AI in healthcare", "post"); None if no
    instruction. "Explain why …" keeps its clause; "Share tips on X" remembers "tips"."""
    parts = text.split(" ")
    lowered = [p.lower().strip(",:") for p in parts]
    start = 0
    while start < len(lowered) and lowered[start] in {"please", "can", "could", "you", "pls"}:
        start += 1
    if start >= len(lowered) or lowered[start] not in w.INSTRUCTION_VERBS:
        return None
    verb = lowered[start]
    index = start + 1
    if verb in {"talk", "tell"}:
        while index < len(lowered) and lowered[index] in {"people", "me", "us", "everyone"}:
            index += 1
    requested = None
    while index < len(lowered) and (
        lowered[index] in w.REQUEST_FILLERS or lowered[index] in w.REQUEST_NOUNS
    ):
        if lowered[index] in w.REQUEST_NOUNS:
            requested = lowered[index]
        index += 1
    if index < len(lowered) and lowered[index] in w.REQUEST_LINKS:
        index += 1
    elif requested is None and verb in {"write", "draft", "create", "generate", "compose"}:
        # "Write LinkedIn copy" without a subject: nothing left to be about.
        pass
    rest = " ".join(parts[index:]).strip(" ,:")
    if not rest:
        return FALLBACK_SUBJECT, requested
    first = rest.split(" ", 1)[0].lower()
    if first in w.BASE_VERBS and index > start + 1:
        # "Give 3 reasons to switch to Rust" → "switching to Rust"
        head, _, tail = rest.partition(" ")
        rest = f"{gerund(head)} {tail}".strip()
    if verb in {"announce", "introduce", "celebrate", "promote", "showcase", "highlight"}:
        requested = requested or verb
    return rest, requested


def chunks(text: str) -> list[str]:
    """Noun phrases: runs of content words, joined across "in/for/of/on" ("AI in healthcare")."""
    runs: list[list[str]] = [[]]
    toks = tokens(text)
    after_modal = False
    for index, tok in enumerate(toks):
        low = tok.lower()
        following = toks[index + 1].lower() if index + 1 < len(toks) else ""
        verb = low in VERBISH and (after_modal or following in DETERMINERS)
        # "we reduced …", "it ships …": a pronoun's next word is its verb
        after_pronoun = index > 0 and toks[index - 1].lower() in w.STATEMENT_SUBJECTS
        verb = verb or (after_pronoun and low.endswith(("ed", "s")))
        finite = low in _STRONG_FINITE or low in w.PAST_VERBS or low in w.S_VERBS
        if (finite and low not in MODALS) or verb:
            after_modal = False
            if runs[-1]:
                runs.append([])
            continue
        if low in w.FUNCTION_WORDS or low in w.QUESTION_OPENERS or finite:
            after_modal = low in MODALS
            if low in JOINERS and runs[-1]:
                runs[-1].append(f"\0{tok}")
            elif runs[-1]:
                runs.append([])
            continue
        runs[-1].append(tok)
    found = []
    for run in runs:
        while run and run[-1].startswith("\0"):
            run.pop()
        if not run:
            continue
        phrase = " ".join(tok.lstrip("\0") for tok in run)
        found.append(phrase)
        if any(tok.startswith("\0") for tok in run):
            # the parts on their own, too: "AI in healthcare" → "AI", "healthcare"
            piece: list[str] = []
            for tok in [*run, "\0"]:
                if tok.startswith("\0"):
                    if piece:
                        found.append(" ".join(piece))
                    piece = []
                else:
                    piece.append(tok)
    return [f for f in dict.fromkeys(found) if _subject_worthy(f)]


def _subject_worthy(phrase: str) -> bool:
    words = phrase.lower().split()
    if len(words) == 1 and words[0].endswith("ing"):
        return False  # "switching" alone says nothing
    if all(word in w.NOT_SUBJECTS or word.isdigit() for word in words):
        return False
    return not (len(words) == 1 and len(words[0]) < 2)


def _bare(phrase: str) -> str:
    """ "our new pricing" → "new pricing": a term may follow "a" or stand as a modifier."""
    parts = phrase.split(" ")
    while len(parts) > 1 and parts[0].lower() in DETERMINERS | {"some", "this", "these"}:
        parts = parts[1:]
    return " ".join(parts)


def _term_worthy(phrase: str) -> bool:
    """A single common word ("healthcare", "startups") reads badly in most slots; a brand
    or an acronym ("AI", "Rust") or a real phrase does not."""
    parts = phrase.split()
    return len(parts) > 1 or is_proper(parts[0])


def _best_subject(candidates: list[str]) -> str | None:
    """The longest phrase of at most four words, the later one on a tie (English puts the
    object last)."""
    scored = [
        (min(len(c.split()), 4) - (3 if len(c.split()) > 5 else 0), index, c)
        for index, c in enumerate(candidates)
        if not c.lower().startswith(("#", "@"))
    ]
    if not scored:
        return None
    return max(scored)[2]


def _form_of(text: str) -> Form:
    parts = text.split(" ")
    first = parts[0].lower()
    if text.endswith("?"):
        return "question"
    if first in w.CLAUSE_OPENERS:
        return "clause"
    if first in w.QUESTION_OPENERS:
        return "question"
    if first in w.STATEMENT_SUBJECTS and len(parts) > 1:
        return "statement"
    lowered = [p.lower().strip(",;:") for p in parts]
    for index, word in enumerate(lowered[1:], start=1):
        if lowered[index - 1] in {"that", "which", "who", "to"}:
            continue  # "things that work", not a statement
        if word in _STRONG_FINITE or word in w.PAST_VERBS or word in w.S_VERBS:
            return "statement"
    if first.endswith("ing") and len(first) > 4 and first not in _ING_NOUNS:
        return "gerund"
    return "noun"


_STRONG_FINITE = w.split_words(
    """is are was were isn't aren't wasn't weren't will won't would can can't cannot could
    should shouldn't must has have had hasn't haven't does doesn't don't did didn't beat
    made took got kept grew lost won cut ran built"""
)
_ING_NOUNS = frozenset({"thing", "things", "morning", "evening", "spring", "king", "wedding"})


def read_topic(topic: str) -> Topic:
    text = _clean(topic)
    if not text or text == FALLBACK_SUBJECT:
        return Topic(raw=topic, form="noun", subject=FALLBACK_SUBJECT, terms=[])
    requested = None
    unwrapped = _unwrap_instruction(text)
    if unwrapped:
        text, requested = unwrapped
        text = _clean(text)
        if text == FALLBACK_SUBJECT:
            return Topic(raw=topic, form="noun", subject=text, requested=requested)
        if text.lower().startswith(("why ", "how ", "what ")) and text.endswith("?"):
            text = text.rstrip("?")
    form = _form_of(text)
    if form == "question" and not text.endswith("?"):
        text += "?"
    found = chunks(text)
    if form in {"noun", "gerund"}:
        subject = mid(text)
        if len(subject.split()) > 8:
            subject = mid(_best_subject(found) or subject)
        terms = [mid(c) for c in found if c.lower() != text.lower() and _term_worthy(c)]
        return Topic(
            raw=topic,
            form=form,
            subject=subject,
            terms=list(dict.fromkeys([_bare(subject), *(_bare(t) for t in terms)])),
            requested=requested,
        )
    gerunds = [tok for tok in tokens(text) if tok.lower().endswith("ing") and len(tok) > 5]
    subject = mid(_best_subject(found) or (gerunds[-1] if gerunds else FALLBACK_SUBJECT))
    terms = [_bare(subject), *(_bare(mid(c)) for c in found if _term_worthy(c))]
    terms = list(dict.fromkeys(terms))
    sentence = cap(text) if form in {"question", "statement"} else None
    if sentence and form == "statement" and not sentence.endswith((".", "!")):
        sentence += "."
    clause = mid(text.rstrip("?")) if form == "clause" else None
    return Topic(
        raw=topic,
        form=form,
        subject=subject,
        sentence=sentence,
        clause=clause,
        terms=terms,
        requested=requested,
    )
