"""What a model is told when its output breaks a rule, so it can repair the output itself.

The engine sends an output that uses an avoided word, runs over the platform's limit or
carries too many hashtags back to the model once, naming each violation. Only when the second
answer still breaks a rule does the task's deterministic ``finalize`` repair it, by whole
sentences (``text.drop_avoided_sentences``, ``platforms.fit``, ``platforms.limit_hashtags``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from postwright.domain.generation import text as t
from postwright.domain.generation.ad_limits import AdLimits
from postwright.domain.generation.outputs import AdCopyVariant
from postwright.domain.generation.platforms import PlatformProfile, hashtags_in

RETRY_HEADER = "Your answer breaks these rules:"
RETRY_FOOTER = "Write the whole answer again with every rule met; change nothing else."


def avoided_violation(text: str, avoid: Iterable[str], *, where: str = "") -> list[str]:
    uses = t.avoided_uses(text, avoid)
    if not uses:
        return []
    named = ", ".join(
        f'"{use.found}"'
        + ("" if use.found.lower() == use.term.lower() else f' (a form of "{use.term}")')
        for use in uses
    )
    place = f" in {where}" if where else ""
    return [
        f"It uses words this persona never uses{place}: {named}. Rewrite those sentences "
        "without them, in any form."
    ]


def length_violation(
    text: str, profile: PlatformProfile, *, limit: int | None = None, where: str = ""
) -> list[str]:
    budget = limit if limit is not None else profile.limit
    size = profile.measure(text)
    if size <= budget:
        return []
    place = f"{where} " if where else ""
    return [
        f"The {place}text is {size} characters as {profile.display_name} counts them; the "
        f"hard limit is {budget}. Shorten the body and keep the opening line, the call to "
        "action and the hashtags."
    ]


def hashtag_violation(text: str, profile: PlatformProfile) -> list[str]:
    count = len(hashtags_in(text))
    if count <= profile.max_hashtags:
        return []
    if profile.max_hashtags == 0:
        return [f"It has {count} hashtags; {profile.display_name} posts use none."]
    return [
        f"It has {count} hashtags; {profile.display_name} allows at most "
        f"{profile.max_hashtags}. Keep only the {profile.max_hashtags} most relevant."
    ]


def text_violations(
    text: str,
    profile: PlatformProfile,
    avoid: Iterable[str],
    *,
    limit: int | None = None,
    hashtags: bool = True,
    where: str = "",
) -> list[str]:
    """Every rule ``text`` breaks: avoided words, the length limit, the hashtag cap."""
    found = avoided_violation(text, avoid, where=where)
    found += length_violation(text, profile, limit=limit, where=where)
    if hashtags:
        found += hashtag_violation(text, profile)
    return found


def ad_field_violations(variant: AdCopyVariant, limits: AdLimits, *, where: str) -> list[str]:
    """Each field of an ad variant over its network's limit, named with its size and limit."""
    found = []
    fields = (
        ("headline (hook)", variant.hook, limits.headline),
        (f"{limits.body_name} (body)", variant.body, limits.body),
        ("call to action (cta)", variant.cta, limits.cta),
    )
    for name, value, limit in fields:
        size = limits.measure(value)
        if size > limit:
            found.append(
                f"The {name} of {where} is {size} characters; {limits.display_name} allows at "
                f"most {limit}. Rewrite it within {limit} characters, in whole words, keeping "
                "its angle."
            )
    return found


def ad_set_violations(variants: list[AdCopyVariant], wanted: int) -> list[str]:
    """Fewer variants than asked for, or variants that share a body (each takes its own angle)."""
    found = []
    if len(variants) < wanted:
        found.append(f"It has {len(variants)} variants; write {wanted}, each with its own angle.")
    first_with: dict[str, int] = {}
    for number, variant in enumerate(variants, 1):
        key = " ".join(variant.body.lower().split())
        if key in first_with:
            found.append(
                f"Variant {number} has the same body as variant {first_with[key]}; give each "
                "variant its own angle and body."
            )
        else:
            first_with[key] = number
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def output_avoided(output: BaseModel, avoid: Iterable[str]) -> list[str]:
    """Avoided words anywhere in a structured output (ideas, ad copy, comments …)."""
    avoid = list(avoid)
    if not avoid:
        return []
    return avoided_violation("\n".join(_strings(output.model_dump())), avoid)


def retry_message(violations: Iterable[str]) -> str:
    lines = "\n".join(f"- {violation}" for violation in violations)
    return f"{RETRY_HEADER}\n{lines}\n{RETRY_FOOTER}"
