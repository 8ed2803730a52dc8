from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from postwright.domain.publishing.adapters.mastodon import MastodonAdapter
from tests.fakes.fixtures import PNG
from tests.fakes.mastodon import FakeMastodon


@pytest.fixture
def fake(fake_mastodon: FakeMastodon) -> FakeMastodon:
    return fake_mastodon


@pytest.fixture
async def adapter(fake: FakeMastodon) -> AsyncIterator[MastodonAdapter]:
    credentials = Credentials(
        access_token=fake.token, account_id=fake.account_id, instance_url=fake.base_url
    )
    adapter = MastodonAdapter(credentials, media_poll_interval=0.01, allow_loopback=True)
    yield adapter
    await adapter.aclose()


async def test_publishes_text_with_url(adapter: MastodonAdapter, fake: FakeMastodon) -> None:
    result = await adapter.publish(PublishRequest(text="Hello fediverse", idempotency_key="k1"))
    assert len(fake.posts) == 1
    assert fake.posts[0]["status"] == "Hello fediverse"
    assert fake.posts[0]["idempotency_key"] == "k1"
    assert result.external_id == fake.posts[0]["id"]
    assert result.url == f"{fake.base_url}/@postwright/{result.external_id}"


async def test_publishes_media_after_processing(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    fake.media_processing_polls = 2
    await adapter.publish(
        PublishRequest(text="With a picture", media=[Media(PNG, "image/png", "a dot")])
    )
    (post,) = fake.posts
    (media_id,) = post["media_ids"]
    assert fake.media[media_id]["description"] == "a dot"
    assert fake.media[media_id]["url"] is not None


async def test_thread_and_first_comment_reply_in_order(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    result = await adapter.publish(
        PublishRequest(
            text="1/3", thread=["2/3", "3/3"], first_comment="#tags", idempotency_key="t"
        )
    )
    texts = [p["status"] for p in fake.posts]
    assert texts == ["1/3", "2/3", "3/3", "#tags"]
    ids = [p["id"] for p in fake.posts]
    assert [p["in_reply_to_id"] for p in fake.posts] == [None, *ids[:-1]]
    assert result.thread_ids == tuple(ids[1:3])
    assert result.comment_id == ids[3]
    assert [p["idempotency_key"] for p in fake.posts] == ["t", "t:1", "t:2", "t:3"]


async def test_503_is_retryable_then_succeeds(adapter: MastodonAdapter, fake: FakeMastodon) -> None:
    fake.fail_next(503, headers={"Retry-After": "7"})
    with pytest.raises(RetryableError) as caught:
        await adapter.publish(PublishRequest(text="Try me"))
    assert caught.value.retry_after == 7
    assert fake.posts == []
    await adapter.publish(PublishRequest(text="Try me"))
    assert len(fake.posts) == 1


async def test_revoked_token_needs_reconnect(adapter: MastodonAdapter, fake: FakeMastodon) -> None:
    fake.revoke(fake.token)
    with pytest.raises(NeedsReconnect) as caught:
        await adapter.publish(PublishRequest(text="Hi"))
    assert "The access token is invalid" in caught.value.reason
    assert "reconnect" in caught.value.reason.lower()


async def test_validation_error_is_bad_content(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    fake.fail_next(422, body={"error": "Validation failed: Text character limit exceeded"})
    with pytest.raises(BadContent) as caught:
        await adapter.publish(PublishRequest(text="Too long, says the server"))
    assert "character limit" in caught.value.reason


async def test_too_long_text_is_refused_before_calling(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    with pytest.raises(BadContent, match="allows 500"):
        await adapter.publish(PublishRequest(text="x" * 501))
    assert fake.requests == []


async def test_lost_response_is_reconciled_without_duplicate(
    adapter: MastodonAdapter, fake: FakeMastodon
) -> None:
    request = PublishRequest(text="Exactly once, please", idempotency_key="once")
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["id"]
    # The idempotency key makes even a blind retry safe on Mastodon.
    result = await adapter.publish(request)
    assert result.external_id == found.external_id
    assert len(fake.posts) == 1
    fetched = await adapter.fetch_publication(found.external_id)
    assert fetched is not None
    assert fetched.text == "Exactly once, please"
    assert await adapter.fetch_publication("404") is None


async def test_verify_reports_the_account(adapter: MastodonAdapter) -> None:
    profile = await adapter.verify()
    assert profile.account_id == "109000"
    assert profile.handle == "postwright"
