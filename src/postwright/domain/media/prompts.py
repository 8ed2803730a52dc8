"""From a post to an image: its headline for a designed card, a prompt for a model."""

from __future__ import annotations

import re

HEADLINE_CHARS = 110
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
_HASHTAGS = re.compile(r"(^|\s)#\w+")
_URLS = re.compile(r"https?://\S+")


def _clean(text: str) -> str:
    text = _URLS.sub("", text)
    text = _HASHTAGS.sub(" ", text)
    return " ".join(text.split())


def headline_of(content: str) -> str:
    """A post's hook: its first line, or first sentence, shortened at a word boundary."""
    lines = [_clean(line) for line in content.splitlines()]
    first = next((line for line in lines if line), "")
    first = _SENTENCE_END.split(first, maxsplit=1)[0]
    if len(first) <= HEADLINE_CHARS:
        return first
    cut = first[:HEADLINE_CHARS].rsplit(" ", 1)[0].rstrip(",;:—-")
    return f"{cut}…"


def image_prompt_for(content: str, *, persona: str = "", platform: str = "linkedin") -> str:
    """A model prompt illustrating the post's subject without copying its text."""
    body = _clean(content)[:600]
    subject = headline_of(content) or body[:120]
    audience = f" for the audience of {persona}" if persona else ""
    return (
        f"An illustration for a {platform} post{audience} about: {subject}. "
        f"Context: {body}. A single clear subject, natural composition, no words or letters."
    )
