"""Replicate: create a prediction on an official model, wait for it, download its output.

``POST {base_url}/models/{owner}/{name}/predictions`` with ``Prefer: wait`` usually answers
with the finished prediction; otherwise ``urls.get`` is polled until ``status`` is
``succeeded``, ``failed`` or ``canceled``. ``output`` is a URL or a list of URLs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from postwright.domain.media.errors import ProviderFailed, ProviderRetryable
from postwright.domain.media.formats import detect_image_type
from postwright.domain.media.images.base import GeneratedImage, ImageRequest
from postwright.domain.media.images.http import download, provider_error, with_retries
from postwright.domain.media.images.openai import STYLE_HINTS

FINISHED = frozenset({"succeeded", "failed", "canceled"})


class ReplicateImageProvider:
    name = "replicate"

    def __init__(
        self,
        *,
        api_token: str,
        base_url: str,
        model: str,
        timeout_seconds: float,
        poll_interval_seconds: float,
    ) -> None:
        self.model = model
        self._timeout = timeout_seconds
        self._poll_interval = poll_interval_seconds
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_token}"},
            timeout=min(timeout_seconds, 90.0),
            follow_redirects=False,
        )

    async def generate(self, request: ImageRequest) -> GeneratedImage:
        prompt = f"{request.prompt.strip()}. {STYLE_HINTS[request.style]}"
        body = {
            "input": {
                "prompt": prompt[:4000],
                "aspect_ratio": request.aspect_ratio,
                "output_format": "png",
                "num_outputs": 1,
            }
        }

        async def create() -> dict[str, Any]:
            response = await self._client.post(
                f"/models/{self.model}/predictions", json=body, headers={"Prefer": "wait=60"}
            )
            if response.status_code not in (200, 201, 202):
                raise provider_error(self.name, response)
            return dict(response.json())

        prediction = await with_retries(self.name, create)
        prediction = await self._until_finished(prediction)
        if prediction.get("status") != "succeeded":
            reason = prediction.get("error") or prediction.get("status")
            raise ProviderFailed(f"replicate prediction {reason}", provider=self.name)
        url = _first_output(prediction.get("output"))
        data = await with_retries(self.name, lambda: download(self._client, self.name, url))
        content_type = detect_image_type(data)
        if content_type is None:
            raise ProviderFailed("replicate output is not an image", provider=self.name)
        return GeneratedImage(data, content_type, self.name, self.model)

    async def _until_finished(self, prediction: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + self._timeout
        while prediction.get("status") not in FINISHED:
            if time.monotonic() > deadline:
                raise ProviderRetryable("replicate prediction timed out", provider=self.name)
            await asyncio.sleep(self._poll_interval)
            url = (prediction.get("urls") or {}).get("get") or f"/predictions/{prediction['id']}"

            async def poll(url: str = url) -> dict[str, Any]:
                response = await self._client.get(url)
                if response.status_code != 200:
                    raise provider_error(self.name, response)
                return dict(response.json())

            prediction = await with_retries(self.name, poll)
        return prediction

    async def aclose(self) -> None:
        await self._client.aclose()


def _first_output(output: Any) -> str:
    if isinstance(output, list) and output and isinstance(output[0], str):
        return output[0]
    if isinstance(output, str) and output:
        return output
    raise ProviderFailed("replicate prediction has no output", provider="replicate")
