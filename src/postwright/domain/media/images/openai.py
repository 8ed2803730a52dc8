"""OpenAI Images: ``POST {base_url}/images/generations`` answering base64 images.

The request and response follow the public API reference: ``data[0].b64_json`` holds the
image; errors come as ``{"error": {"message", "type", "code"}}``.
"""

from __future__ import annotations

import base64
import binascii

import httpx

from postwright.domain.media.errors import ProviderFailed
from postwright.domain.media.formats import AspectRatio, detect_image_type
from postwright.domain.media.images.base import GeneratedImage, ImageRequest
from postwright.domain.media.images.http import provider_error, with_retries

# gpt-image-1 offers one square, one portrait and one landscape size.
GPT_IMAGE_SIZES: dict[AspectRatio, str] = {
    "1:1": "1024x1024",
    "4:5": "1024x1536",
    "9:16": "1024x1536",
    "16:9": "1536x1024",
}
DALL_E_SIZES: dict[AspectRatio, str] = {
    "1:1": "1024x1024",
    "4:5": "1024x1792",
    "9:16": "1024x1792",
    "16:9": "1792x1024",
}
STYLE_HINTS = {
    "professional": "clean, professional, editorial photography look",
    "bold": "bold colours, strong shapes, high contrast",
    "minimal": "minimalist, lots of negative space, soft light",
    "vibrant": "vibrant, energetic, colourful illustration",
}


class OpenAIImageProvider:
    name = "openai"

    def __init__(self, *, api_key: str, base_url: str, model: str, timeout_seconds: float) -> None:
        self.model = model
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout_seconds,
            follow_redirects=False,
        )

    def _payload(self, request: ImageRequest) -> dict[str, object]:
        prompt = f"{request.prompt.strip()}. Style: {STYLE_HINTS[request.style]}. No text."
        payload: dict[str, object] = {"model": self.model, "prompt": prompt[:4000], "n": 1}
        if self.model.startswith("dall-e"):
            payload["size"] = DALL_E_SIZES[request.aspect_ratio]
            payload["response_format"] = "b64_json"
        else:
            payload["size"] = GPT_IMAGE_SIZES[request.aspect_ratio]
            payload["output_format"] = "png"
        return payload

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        payload = self._payload(request)

        async def call() -> httpx.Response:
            response = await self._client.post("/images/generations", json=payload)
            if response.status_code != 200:
                raise provider_error(self.name, response)
            return response

        response = await with_retries(self.name, call)
        try:
            encoded = response.json()["data"][0]["b64_json"]
            data = base64.b64decode(encoded, validate=True)
        except (ValueError, KeyError, IndexError, TypeError, binascii.Error) as error:
            raise ProviderFailed("openai returned no image", provider=self.name) from error
        content_type = detect_image_type(data)
        if content_type is None:
            raise ProviderFailed("openai returned bytes that are not an image", provider=self.name)
        return GeneratedImage(data, content_type, self.name, self.model)

    async def aclose(self) -> None:
        await self._client.aclose()
