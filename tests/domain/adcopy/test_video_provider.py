"""The HeyGen-style provider client against a fake provider on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from postwright.domain.adcopy.video_providers import (
    HeyGenStyleProvider,
    VideoProviderError,
    VideoRequest,
)
from tests.fakes.heygen import VIDEO_BYTES, FakeHeyGen

REQUEST = VideoRequest(
    script="Hey! You need to check out this amazing fan.",
    voice_id="male-1",
    aspect_ratio="9:16",
    avatar_url="https://cdn.example.com/avatar.jpg",
    title="Breeze Fan",
)


@pytest.fixture(scope="module")
def heygen_server() -> Iterator[FakeHeyGen]:
    with FakeHeyGen().running() as fake:
        yield fake


@pytest.fixture
def heygen(heygen_server: FakeHeyGen) -> FakeHeyGen:
    heygen_server.reset()
    return heygen_server


async def test_submit_poll_and_download_a_video(heygen: FakeHeyGen) -> None:
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key, allow_loopback=True)
    try:
        video_id = await provider.submit(REQUEST)
        first = await provider.status(video_id)
        second = await provider.status(video_id)
        assert second.video_url is not None
        data = await provider.download(second.video_url)
    finally:
        await provider.aclose()

    assert first.state == "processing"
    assert second.state == "completed"
    assert data == VIDEO_BYTES
    [sent] = heygen.posts
    assert sent["dimension"] == {"width": 720, "height": 1280}
    video_input = sent["video_inputs"][0]
    assert video_input["character"] == {
        "type": "talking_photo",
        "talking_photo_url": "https://cdn.example.com/avatar.jpg",
    }
    assert video_input["voice"] == {
        "type": "text",
        "input_text": REQUEST.script,
        "voice_id": "male-1",
    }


async def test_outages_are_retried_and_refusals_are_not(heygen: FakeHeyGen) -> None:
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key, allow_loopback=True)
    try:
        heygen.fail_next(503, times=2)
        video_id = await provider.submit(REQUEST)
        heygen.fail_next(400)
        with pytest.raises(VideoProviderError) as refused:
            await provider.submit(REQUEST)
    finally:
        await provider.aclose()

    assert video_id
    assert refused.value.retryable is False
    assert len(heygen.posts) == 1


async def test_a_wrong_key_and_a_failed_render_are_reported(heygen: FakeHeyGen) -> None:
    wrong = HeyGenStyleProvider(heygen.base_url, "not-the-key", allow_loopback=True)
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key, allow_loopback=True)
    try:
        with pytest.raises(VideoProviderError) as unauthorized:
            await wrong.submit(REQUEST)
        heygen.fail_videos = True
        status = await provider.status(await provider.submit(REQUEST))
    finally:
        await wrong.aclose()
        await provider.aclose()

    assert unauthorized.value.retryable is False
    assert (status.state, status.error) == ("failed", "avatar could not be animated")


async def test_a_redirected_video_url_is_followed_one_checked_hop_at_a_time(
    heygen: FakeHeyGen,
) -> None:
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key, allow_loopback=True)
    hop = f"{heygen.base_url}/redirect?to={quote(heygen.base_url + '/files/v.mp4')}"
    try:
        data = await provider.download(f"{heygen.base_url}/redirect?to={quote(hop)}")
    finally:
        await provider.aclose()

    assert data == VIDEO_BYTES
    assert [r.path for r in heygen.requests] == ["/redirect", "/redirect", "/files/v.mp4"]


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://10.0.0.5/video.mp4",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        "http://2852039166/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
async def test_a_video_url_to_an_internal_address_is_refused_never_fetched(
    heygen: FakeHeyGen, target: str
) -> None:
    """The video URL is a third party's answer: given directly or behind a redirect, an
    internal target (cloud metadata, the private network) fails the download for good."""
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key, allow_loopback=True)
    try:
        with pytest.raises(VideoProviderError) as direct:
            await provider.download(target)
        with pytest.raises(VideoProviderError) as redirected:
            await provider.download(f"{heygen.base_url}/redirect?to={quote(target)}")
    finally:
        await provider.aclose()

    for refused in (direct.value, redirected.value):
        assert refused.retryable is False
        assert "refused" in str(refused)
    # Only the redirect was requested, once: no retry, and nothing else was fetched.
    assert [r.path for r in heygen.requests] == ["/redirect"]


async def test_a_loopback_video_url_is_refused_outside_tests(heygen: FakeHeyGen) -> None:
    provider = HeyGenStyleProvider(heygen.base_url, heygen.api_key)
    try:
        with pytest.raises(VideoProviderError) as refused:
            await provider.download(f"{heygen.base_url}/files/v.mp4")
    finally:
        await provider.aclose()

    assert refused.value.retryable is False
    assert heygen.requests == []
