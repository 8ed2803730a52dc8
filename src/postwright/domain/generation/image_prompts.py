"""An image prompt from a post: what an image model needs to illustrate it on-brand.

voxburst's ``build-image-prompt`` (1 credit) runs ``ImagePromptTask`` through the metered
``generate``; the result goes to any image provider (or our ``/v1/ai`` image routes) as is.
The prompt describes a picture, never text to render in it: image models spell badly.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from postwright.domain.generation import text as t
from postwright.domain.generation.errors import AiResponseIncomplete
from postwright.domain.generation.prompts import AssembledPrompt, persona_block
from postwright.domain.generation.tasks import Task

# Long enough for a detailed scene, short enough for every provider (DALL-E 3: 4,000;
# Stable Diffusion: ~77 tokens are weighted most, the rest still read).
MAX_PROMPT_CHARACTERS = 1000
# The frame each platform shows best (feed images), as an aspect ratio.
PLATFORM_ASPECT = {
    "instagram": "4:5",
    "tiktok": "9:16",
    "pinterest": "2:3",
    "youtube": "16:9",
    "x": "16:9",
    "twitter": "16:9",
    "linkedin": "1:1",
    "facebook": "1:1",
}
DEFAULT_ASPECT = "1:1"
NEGATIVE = "text, letters, watermark, logo, distorted hands, blurry, low resolution"


class ImagePrompt(BaseModel):
    prompt: str = Field(description="One paragraph describing the image: subject, scene, style")
    negative_prompt: str = Field(
        default=NEGATIVE, description="What the image must not contain, comma-separated"
    )


def aspect_ratio(platform: str | None) -> str:
    return PLATFORM_ASPECT.get((platform or "").strip().lower(), DEFAULT_ASPECT)


@dataclass(frozen=True, kw_only=True)
class ImagePromptTask(Task[ImagePrompt]):
    content: str
    style: str | None = None
    platform: str | None = None

    @property
    def output_type(self) -> type[ImagePrompt]:
        return ImagePrompt

    def assembled_prompt(self) -> AssembledPrompt:
        """Stable → volatile: persona and rules, then the style, then the post."""
        block = persona_block(self.persona)
        system = (
            f"{block}\n\n# Task\nWrite a prompt for an image model that illustrates a social "
            "media post by this persona. Describe one concrete scene: subject, setting, "
            "composition, lighting, colour palette and mood that fit the persona's voice. "
            "No text, letters or logos in the image. One paragraph, at most "
            f"{MAX_PROMPT_CHARACTERS} characters. Never use the persona's avoided words."
        )
        user = f"Style: {self.style or 'photorealistic'}\n"
        user += f"Aspect ratio: {aspect_ratio(self.platform)}\n\nPost:\n{self.content}"
        return AssembledPrompt(system, user, block)

    def violations(self, output: ImagePrompt) -> list[str]:
        found = super().violations(output)
        if len(output.prompt) > MAX_PROMPT_CHARACTERS:
            found.append(
                f"The prompt has {len(output.prompt)} characters; the maximum is "
                f"{MAX_PROMPT_CHARACTERS}."
            )
        return found

    def finalize(self, output: ImagePrompt) -> tuple[ImagePrompt, bool]:
        kept = t.drop_avoided_sentences(output.prompt, self.avoid).strip()
        if not kept:
            raise AiResponseIncomplete(details={"reason": "the image prompt was empty"})
        truncated = False
        if len(kept) > MAX_PROMPT_CHARACTERS:
            cut = kept[:MAX_PROMPT_CHARACTERS]
            kept, truncated = cut[: cut.rfind(" ")].rstrip(" ,;") if " " in cut else cut, True
        negative = output.negative_prompt.strip() or NEGATIVE
        return ImagePrompt(prompt=kept, negative_prompt=negative), truncated
