"""One interface for every image source: the builtin Pillow renderer, OpenAI Images and
Replicate. A provider turns an ``ImageRequest`` into encoded bytes; storing them, charging
for them and attaching them to posts happen elsewhere (``media.service``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, Protocol, get_args

from postwright.domain.media.formats import AspectRatio, ImageType

ImageStyle = Literal["professional", "bold", "minimal", "vibrant"]
IMAGE_STYLES: Final[tuple[ImageStyle, ...]] = get_args(ImageStyle)


def parse_style(value: str | None) -> ImageStyle:
    for style in IMAGE_STYLES:
        if value == style:
            return style
    if value is None:
        return "professional"
    raise ValueError(f"unsupported style {value!r}; expected one of {IMAGE_STYLES}")


@dataclass(frozen=True)
class ImageRequest:
    """``prompt`` is for model providers; ``headline``, ``tagline`` and ``palette_seed`` are
    what the builtin renderer designs a card from (a post's headline, the persona's name)."""

    prompt: str
    aspect_ratio: AspectRatio = "1:1"
    style: ImageStyle = "professional"
    headline: str = ""
    tagline: str = ""
    palette_seed: str = ""


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    content_type: ImageType
    provider: str
    model: str | None = None


class ImageProvider(Protocol):
    @property
    def name(self) -> str: ...

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        """Raises ``ProviderRetryable`` (429, 5xx, network) or ``ProviderFailed``."""
        ...

    async def aclose(self) -> None: ...
