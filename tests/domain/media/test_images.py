"""Image providers: the builtin card renderer, OpenAI Images and Replicate over HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pydantic import SecretStr

from postwright.core.settings import MediaSettings
from postwright.domain.media.errors import ProviderFailed, ProviderRetryable
from postwright.domain.media.formats import ASPECT_RATIOS, IMAGE_SIZES, AspectRatio
from postwright.domain.media.images import (
    IMAGE_STYLES,
    BuiltinImageProvider,
    ImageRequest,
    ImageStyle,
    OpenAIImageProvider,
    ReplicateImageProvider,
    image_provider_for,
)
from postwright.domain.media.images.builtin import palette_for
from tests.conftest import make_settings
from tests.fakes.images import FakeOpenAIImages, FakeReplicate

REQUEST = ImageRequest(
    prompt="A team retrospective",
    headline="Why we stopped shipping on Fridays",
    tagline="Ada Lovelace",
    palette_seed="persona_1",
)


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAIImages]:
    with FakeOpenAIImages().running() as server:
        yield server


@pytest.fixture(scope="module")
def fake_replicate() -> Iterator[FakeReplicate]:
    with FakeReplicate().running() as server:
        yield server


def _openai(server: FakeOpenAIImages, key: str = "sk-test") -> OpenAIImageProvider:
    server.reset()
    return OpenAIImageProvider(
        api_key=key, base_url=f"{server.base_url}/v1", model="gpt-image-1", timeout_seconds=10
    )


def _replicate(server: FakeReplicate) -> ReplicateImageProvider:
    server.reset()
    return ReplicateImageProvider(
        api_token="r8_test",
        base_url=f"{server.base_url}/v1",
        model="black-forest-labs/flux-schnell",
        timeout_seconds=30,
        poll_interval_seconds=0.01,
    )


@pytest.mark.parametrize("style", IMAGE_STYLES)
@pytest.mark.parametrize("aspect_ratio", ASPECT_RATIOS)
async def test_builtin_draws_a_designed_card_per_style_and_ratio(
    style: ImageStyle, aspect_ratio: AspectRatio
) -> None:
    request = ImageRequest(
        prompt=REQUEST.prompt,
        aspect_ratio=aspect_ratio,
        style=style,
        headline=REQUEST.headline,
        tagline=REQUEST.tagline,
        palette_seed=REQUEST.palette_seed,
    )
    image = await BuiltinImageProvider().generate(request)
    assert image.provider == "builtin"
    assert image.content_type == "image/png"
    with Image.open(io.BytesIO(image.data)) as picture:
        assert picture.size == IMAGE_SIZES[aspect_ratio]
        colours = picture.convert("RGB").getcolors(maxcolors=1_000_000)
    # Text, background and accents: a designed picture, not a flat placeholder.
    assert colours is not None
    assert len(colours) > 50
    again = await BuiltinImageProvider().generate(request)
    assert again.data == image.data


def test_a_persona_keeps_its_colours() -> None:
    assert palette_for("persona_1") == palette_for("persona_1")
    assert len({palette_for(f"persona_{i}") for i in range(40)}) > 3


async def test_openai_images_are_decoded_from_base64(fake_openai: FakeOpenAIImages) -> None:
    provider = _openai(fake_openai)
    try:
        image = await provider.generate(
            ImageRequest(prompt="A lighthouse", aspect_ratio="16:9", style="minimal")
        )
    finally:
        await provider.aclose()
    assert image.provider == "openai"
    assert image.model == "gpt-image-1"
    assert image.data.startswith(b"\x89PNG")
    body = fake_openai.bodies[0]
    assert body["model"] == "gpt-image-1"
    assert body["size"] == "1536x1024"
    assert body["prompt"].startswith("A lighthouse")
    assert fake_openai.requests[0].headers["authorization"] == "Bearer sk-test"


async def test_openai_rate_limits_are_retried(fake_openai: FakeOpenAIImages) -> None:
    provider = _openai(fake_openai)
    fake_openai.fail_next(429, times=2)
    try:
        image = await provider.generate(REQUEST)
    finally:
        await provider.aclose()
    assert image.data.startswith(b"\x89PNG")
    assert len(fake_openai.requests) == 3


async def test_openai_refusals_are_not_retried(fake_openai: FakeOpenAIImages) -> None:
    provider = _openai(fake_openai, key="sk-wrong")
    with pytest.raises(ProviderFailed, match="Incorrect API key"):
        await provider.generate(REQUEST)
    await provider.aclose()
    assert len(fake_openai.requests) == 1
    provider = _openai(fake_openai)
    fake_openai.fail_next(
        400, body={"error": {"message": "Your request was rejected", "type": "x", "code": None}}
    )
    with pytest.raises(ProviderFailed, match="rejected"):
        await provider.generate(REQUEST)
    await provider.aclose()


async def test_openai_outages_end_retryable(fake_openai: FakeOpenAIImages) -> None:
    provider = _openai(fake_openai)
    fake_openai.fail_next(503, times=3)
    with pytest.raises(ProviderRetryable):
        await provider.generate(REQUEST)
    await provider.aclose()


async def test_replicate_answering_at_once(fake_replicate: FakeReplicate) -> None:
    provider = _replicate(fake_replicate)
    try:
        image = await provider.generate(
            ImageRequest(prompt="A lighthouse", aspect_ratio="9:16", style="bold")
        )
    finally:
        await provider.aclose()
    assert image.provider == "replicate"
    assert image.data.startswith(b"\x89PNG")
    create = fake_replicate.requests[0]
    assert create.path == "/v1/models/black-forest-labs/flux-schnell/predictions"
    assert create.headers["prefer"].startswith("wait")
    assert fake_replicate.bodies[0]["input"]["aspect_ratio"] == "9:16"


async def test_replicate_predictions_are_polled_until_done(fake_replicate: FakeReplicate) -> None:
    provider = _replicate(fake_replicate)
    fake_replicate.finish_after = 3
    try:
        image = await provider.generate(REQUEST)
    finally:
        await provider.aclose()
    assert image.data.startswith(b"\x89PNG")
    polls = [r for r in fake_replicate.requests if r.path.startswith("/v1/predictions/")]
    assert len(polls) == 3


async def test_replicate_failed_runs_are_final(fake_replicate: FakeReplicate) -> None:
    provider = _replicate(fake_replicate)
    fake_replicate.fail_run = True
    with pytest.raises(ProviderFailed, match="NSFW"):
        await provider.generate(REQUEST)
    await provider.aclose()


def test_settings_pick_the_provider(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    assert image_provider_for(make_settings(url, tmp_path)).name == "builtin"
    openai = make_settings(
        url,
        tmp_path,
        media=MediaSettings(image_provider="openai", openai_api_key=SecretStr("sk")),
    )
    assert image_provider_for(openai).name == "openai"
    replicate = make_settings(
        url,
        tmp_path,
        media=MediaSettings(image_provider="replicate", replicate_api_token=SecretStr("r8")),
    )
    assert image_provider_for(replicate).name == "replicate"
