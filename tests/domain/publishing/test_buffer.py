from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.buffer import BufferAdapter
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from tests.fakes.buffer import FakeBuffer
from tests.fakes.fixtures import PNG


class StaticHost:
    def __init__(self) -> None:
        self.hosted: list[bytes] = []

    async def public_url(self, media: Media) -> str:
        self.hosted.append(media.data)
        return f"https://media.example.com/{len(self.hosted)}.png"


@pytest.fixture
def fake(fake_buffer: FakeBuffer) -> FakeBuffer:
    return fake_buffer


@pytest.fixture
async def adapter(fake: FakeBuffer) -> AsyncIterator[BufferAdapter]:
    credentials = Credentials(api_key=fake.api_key, account_id="chan_linkedin")
    adapter = BufferAdapter(
        credentials, base_url=fake.base_url, media_host=StaticHost(), allow_loopback=True
    )
    yield adapter
    await adapter.aclose()


async def test_shares_now_with_hosted_image(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    result = await adapter.publish(
        PublishRequest(text="Hello Buffer", media=[Media(PNG, "image/png", "alt")])
    )
    (post,) = fake.posts
    assert result.external_id == post["id"]
    assert result.extra_ids["status"] == "sending"
    assert post["assets"] == [
        {"image": {"url": "https://media.example.com/1.png", "altText": "alt"}}
    ]


async def test_schedules_with_due_time_in_utc(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    paris = timezone(timedelta(hours=2))
    await adapter.publish(
        PublishRequest(text="Later", scheduled_at=datetime(2026, 6, 2, 11, 0, tzinfo=paris))
    )
    assert fake.posts[0]["dueAt"] == "2026-06-02T09:00:00Z"
    assert fake.posts[0]["status"] == "scheduled"


async def test_first_comment_and_thread_are_reported(adapter: BufferAdapter) -> None:
    result = await adapter.publish(PublishRequest(text="x", first_comment="c", thread=["t"]))
    assert len(result.warnings) == 2


async def test_media_without_host_is_bad_content(fake: FakeBuffer) -> None:
    adapter = BufferAdapter(
        Credentials(api_key=fake.api_key, account_id="chan_x"),
        base_url=fake.base_url,
        allow_loopback=True,
    )
    try:
        with pytest.raises(BadContent, match="public URL"):
            await adapter.publish(PublishRequest(text="x", media=[Media(PNG, "image/png")]))
    finally:
        await adapter.aclose()


async def test_rate_limit_then_success(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    fake.fail_next(429, headers={"Retry-After": "30"})
    with pytest.raises(RetryableError) as caught:
        await adapter.publish(PublishRequest(text="x"))
    assert caught.value.retry_after == 30
    fake.fail_next(503)
    with pytest.raises(RetryableError):
        await adapter.publish(PublishRequest(text="x"))
    await adapter.publish(PublishRequest(text="x"))
    assert len(fake.posts) == 1


async def test_invalid_key_needs_reconnect(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    fake.revoke(fake.api_key)
    with pytest.raises(NeedsReconnect, match="Invalid API key"):
        await adapter.publish(PublishRequest(text="x"))


async def test_mutation_error_is_bad_content(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    fake.char_limit = 5
    try:
        with pytest.raises(BadContent, match="too long"):
            await adapter.publish(PublishRequest(text="longer than five"))
    finally:
        fake.char_limit = 3000


async def test_lost_response_reconciled(adapter: BufferAdapter, fake: FakeBuffer) -> None:
    request = PublishRequest(text="Handed over once", scheduled_at=datetime.now(UTC))
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["id"]
    assert await adapter.fetch_publication(found.external_id) == found
    assert await adapter.fetch_publication("post_missing") is None


async def test_verify(adapter: BufferAdapter) -> None:
    assert (await adapter.verify()).account_id == "acc_1"
