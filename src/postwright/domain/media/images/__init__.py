"""Image providers behind one interface; settings pick which one draws."""

from __future__ import annotations

from postwright.core.settings import Settings
from postwright.domain.media.images.base import (
    IMAGE_STYLES,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageStyle,
    parse_style,
)
from postwright.domain.media.images.builtin import BuiltinImageProvider
from postwright.domain.media.images.openai import OpenAIImageProvider
from postwright.domain.media.images.replicate import ReplicateImageProvider


def image_provider_for(settings: Settings) -> ImageProvider:
    """The configured provider; the builtin renderer when none (or no key) is configured."""
    media = settings.media
    if media.image_provider == "openai" and media.openai_api_key is not None:
        return OpenAIImageProvider(
            api_key=media.openai_api_key.get_secret_value(),
            base_url=media.openai_base_url,
            model=media.openai_model,
            timeout_seconds=media.provider_timeout_seconds,
        )
    if media.image_provider == "replicate" and media.replicate_api_token is not None:
        return ReplicateImageProvider(
            api_token=media.replicate_api_token.get_secret_value(),
            base_url=media.replicate_base_url,
            model=media.replicate_model,
            timeout_seconds=media.provider_timeout_seconds,
            poll_interval_seconds=media.provider_poll_interval_seconds,
        )
    return BuiltinImageProvider()


__all__ = [
    "IMAGE_STYLES",
    "BuiltinImageProvider",
    "GeneratedImage",
    "ImageProvider",
    "ImageRequest",
    "ImageStyle",
    "OpenAIImageProvider",
    "ReplicateImageProvider",
    "image_provider_for",
    "parse_style",
]
