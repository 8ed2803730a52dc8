"""The builtin engine's image prompt: the post's key terms staged in the asked style.

Deterministic (no model): the subject is the post's strongest keywords, the mood follows the
persona's voice, the frame follows the platform.
"""

from __future__ import annotations

from postwright.domain.generation import text as t
from postwright.domain.generation.hashtags import extract_keywords
from postwright.domain.generation.image_prompts import (
    NEGATIVE,
    ImagePrompt,
    ImagePromptTask,
    aspect_ratio,
)

STYLE_LOOK = {
    "photorealistic": "photorealistic photograph, natural light, shallow depth of field",
    "illustration": "clean editorial illustration, flat shapes, soft gradients",
    "minimal": "minimalist composition, generous negative space, two-colour palette",
    "3d": "3D render, soft studio lighting, matte materials",
    "watercolor": "loose watercolour painting, visible paper texture",
    "cinematic": "cinematic still, dramatic lighting, anamorphic framing",
}
DEFAULT_LOOK = STYLE_LOOK["photorealistic"]


def compose_image_prompt(task: ImagePromptTask) -> ImagePrompt:
    persona = task.persona
    boost = persona.keywords if persona else ()
    terms = [
        term
        for term, _ in extract_keywords(task.content, boost=boost, limit=6)
        if not t.contains_avoided(term, task.avoid)
    ]
    subject = ", ".join(terms[:4]) or "the idea of the post"
    style = (task.style or "").strip()
    look = STYLE_LOOK.get(style.lower(), f"{style} style" if style else DEFAULT_LOOK)
    voice = persona.voice.strip() if persona else ""
    mood = voice if voice and not t.contains_avoided(voice, task.avoid) else "optimistic, confident"
    parts = [
        f"An image illustrating {subject}",
        f"{look}",
        f"mood: {mood}",
        "a single clear focal point, uncluttered background",
        f"composed for a {aspect_ratio(task.platform)} frame",
        "no text or logos",
    ]
    return ImagePrompt(prompt="; ".join(parts) + ".", negative_prompt=NEGATIVE)
