from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from postwright.domain.publishing.adapters.x import XAdapter
from tests.fakes.fixtures import PNG
from tests.fakes.x import FakeX


@pytest.fixture
def fake(fake_x: FakeX) -> FakeX:
    return fake_x


@pytest.fixture
async def adapter(fake: FakeX) -> AsyncIterator[XAdapter]:
    credentials = Credentials(access_token=fake.token, account_id=fake.user_id, handle="pw")
    adapter = XAdapter(credentials, base_url=fake.base_url, allow_loopback=True)
    yield adapter
    await adapter.aclose()


async def test_publishes_with_media(adapter: XAdapter, fake: FakeX) -> None:
    result = await adapter.publish(PublishRequest(text="Look", media=[Media(PNG, "image/png")]))
    (post,) = fake.posts
    assert result.external_id == post["id"]
    assert result.url == f"https://x.com/pw/status/{post['id']}"
    (media_id,) = post["media_ids"]
    assert fake.media[media_id] == {"size": len(PNG), "category": "tweet_image"}


async def test_thread_replies_to_previous_and_comment_last(adapter: XAdapter, fake: FakeX) -> None:
    result = await adapter.publish(
        PublishRequest(text="A thread 🧵", thread=["two", "three"], first_comment="Sources")
    )
    ids = [p["id"] for p in fake.posts]
    assert [p["text"] for p in fake.posts] == ["A thread 🧵", "two", "three", "Sources"]
    assert [p["in_reply_to_tweet_id"] for p in fake.posts] == [None, *ids[:-1]]
    assert result.thread_ids == (ids[1], ids[2])
    assert result.comment_id == ids[3]


async def test_thread_failure_reports_what_exists(adapter: XAdapter, fake: FakeX) -> None:
    fake.fail_next(503, after=2)
    with pytest.raises(RetryableError) as caught:
        await adapter.publish(PublishRequest(text="root", thread=["two", "three"]))
    partial = caught.value.partial
    assert partial is not None
    assert partial.external_id == fake.posts[0]["id"]
    assert partial.thread_ids == (fake.posts[1]["id"],)


async def test_rate_limit_is_retryable_with_reset(adapter: XAdapter, fake: FakeX) -> None:
    reset = int(time.time()) + 60
    fake.fail_next(429, headers={"x-rate-limit-reset": str(reset)})
    with pytest.raises(RetryableError) as caught:
        await adapter.publish(PublishRequest(text="hi"))
    assert caught.value.retry_after is not None
    assert 50 < caught.value.retry_after <= 60
    await adapter.publish(PublishRequest(text="hi"))
    assert len(fake.posts) == 1


async def test_503_then_success(adapter: XAdapter, fake: FakeX) -> None:
    fake.fail_next(503)
    with pytest.raises(RetryableError, match="temporarily unavailable"):
        await adapter.publish(PublishRequest(text="hi"))
    await adapter.publish(PublishRequest(text="hi"))
    assert len(fake.posts) == 1


async def test_unauthorized_needs_reconnect(adapter: XAdapter, fake: FakeX) -> None:
    fake.revoke(fake.token)
    with pytest.raises(NeedsReconnect, match="reconnect"):
        await adapter.publish(PublishRequest(text="hi"))


async def test_duplicate_is_bad_content_not_reconnect(adapter: XAdapter, fake: FakeX) -> None:
    await adapter.publish(PublishRequest(text="same"))
    with pytest.raises(BadContent, match="duplicate"):
        await adapter.publish(PublishRequest(text="same"))


async def test_weighted_length_is_checked_before_calling(adapter: XAdapter, fake: FakeX) -> None:
    with pytest.raises(BadContent, match="allows 280"):
        await adapter.publish(PublishRequest(text="漢" * 141))
    assert fake.requests == []


async def test_lost_response_reconciled_through_tco_links(adapter: XAdapter, fake: FakeX) -> None:
    request = PublishRequest(text="Read https://example.com/a?b=1 now")
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["id"]
    assert await adapter.fetch_publication(found.external_id) == found
    assert await adapter.fetch_publication("1") is None


async def test_verify(adapter: XAdapter, fake: FakeX) -> None:
    profile = await adapter.verify()
    assert (profile.account_id, profile.handle) == (fake.user_id, "postwright")
