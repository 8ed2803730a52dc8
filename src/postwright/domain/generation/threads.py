"""Splitting text into a numbered thread ("1/5 …") where every post fits the platform."""

from __future__ import annotations

from collections.abc import Sequence

from postwright.domain.generation import text as t
from postwright.domain.generation.platforms import PlatformProfile, fit


def _pieces(body: str, profile: PlatformProfile, budget: int) -> list[str]:
    """A body as pieces within ``budget``: whole sentences packed greedily, long ones cut."""
    pieces: list[str] = []
    current = ""
    for sentence in t.sentences(body):
        candidate = f"{current} {sentence}".strip()
        if profile.fits(candidate, budget):
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = sentence
        while not profile.fits(current, budget):
            head = fit(current, profile, limit=budget).text.removesuffix("…").rstrip()
            if not head:  # one unbreakable token longer than a post: keep it as it can be
                break
            pieces.append(head)
            current = current[len(head) :].strip()
    if current:
        pieces.append(current)
    return pieces


def item_budget(profile: PlatformProfile, max_posts: int) -> int:
    """What one item may hold: room for the widest "nn/nn " prefix keeps every numbered post
    within the limit."""
    return profile.limit - len(f"{max_posts}/{max_posts} ")


def number_thread(
    bodies: Sequence[str], profile: PlatformProfile, *, max_posts: int
) -> tuple[list[str], bool]:
    """Number the posts "i/n body"; returns the posts and whether content had to be dropped.

    Over ``max_posts`` pieces, pieces before the last go: the closing post (the call to
    action) stays."""
    budget = item_budget(profile, max_posts)
    pieces = [piece for body in bodies for piece in _pieces(body, profile, budget)]
    truncated = len(pieces) > max_posts
    if truncated:
        pieces = [*pieces[: max_posts - 1], pieces[-1]] if max_posts > 1 else pieces[:1]
    total = len(pieces)
    posts = [fit(f"{i}/{total} {piece}", profile).text for i, piece in enumerate(pieces, 1)]
    return posts, truncated
