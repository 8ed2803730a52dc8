from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.errors import (
    BadContent,
    DuplicatePost,
    NeedsReconnect,
    RetryableError,
)
from postwright.domain.publishing.adapters.linkedin import LinkedInAdapter, little_text
from tests.fakes.fixtures import PNG
from tests.fakes.linkedin import FakeLinkedIn


@pytest.fixture
def fake(fake_linkedin: FakeLinkedIn) -> FakeLinkedIn:
    return fake_linkedin


@pytest.fixture
async def adapter(fake: FakeLinkedIn) -> AsyncIterator[LinkedInAdapter]:
    adapter = LinkedInAdapter(
        Credentials(access_token=fake.token, account_id=fake.author),
        base_url=fake.base_url,
        allow_loopback=True,
    )
    yield adapter
    await adapter.aclose()


async def test_publishes_post_with_first_comment(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    result = await adapter.publish(
        PublishRequest(text="Shipping day (finally)!", first_comment="#launch Try it today")
    )
    (post,) = fake.posts
    assert result.external_id == post["id"]
    assert result.url == f"https://www.linkedin.com/feed/update/{post['id']}/"
    assert post["commentary"] == "Shipping day \\(finally\\)!"
    assert post["lifecycleState"] == "PUBLISHED"
    assert post["distribution"]["feedDistribution"] == "MAIN_FEED"
    (comment,) = fake.comments
    assert comment["object"] == post["id"]
    assert comment["text"] == "#launch Try it today"
    assert result.comment_id == comment["id"]


async def test_uploads_images_then_attaches_them(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    await adapter.publish(PublishRequest(text="One", media=[Media(PNG, "image/png", "first")]))
    await adapter.publish(
        PublishRequest(text="Two", media=[Media(PNG, "image/png"), Media(PNG, "image/png")])
    )
    single, multi = fake.posts
    assert single["content"]["media"]["altText"] == "first"
    assert fake.images[single["content"]["media"]["id"]] == PNG
    assert len(multi["content"]["multiImage"]["images"]) == 2


def test_little_text_escapes_reserved_and_templates_hashtags() -> None:
    assert little_text("Hi @ana [1] #AI_news *x*") == (
        "Hi \\@ana \\[1\\] {hashtag|\\#|AI\\_news} \\*x\\*"
    )
    assert little_text("C# and a#b") == "C\\# and a\\#b"


async def test_thread_is_reported_not_published(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    result = await adapter.publish(PublishRequest(text="Root", thread=["more"]))
    assert len(fake.posts) == 1
    assert len(result.warnings) == 1
    assert "thread" in result.warnings[0]


async def test_503_then_success(adapter: LinkedInAdapter, fake: FakeLinkedIn) -> None:
    fake.fail_next(503)
    with pytest.raises(RetryableError):
        await adapter.publish(PublishRequest(text="Hello"))
    await adapter.publish(PublishRequest(text="Hello"))
    assert len(fake.posts) == 1


async def test_invalid_token_needs_reconnect(adapter: LinkedInAdapter, fake: FakeLinkedIn) -> None:
    fake.revoke(fake.token)
    with pytest.raises(NeedsReconnect, match="Invalid access token"):
        await adapter.publish(PublishRequest(text="Hello"))


async def test_duplicate_names_the_existing_post(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    first = await adapter.publish(PublishRequest(text="Same words"))
    with pytest.raises(DuplicatePost, match="duplicate") as caught:
        await adapter.publish(PublishRequest(text="Same words"))
    assert isinstance(caught.value, BadContent)
    assert caught.value.existing_id == first.external_id


async def test_failed_first_comment_reports_the_published_post(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    fake.fail_next(503, after=1)  # the post goes through, its comment does not
    with pytest.raises(RetryableError) as caught:
        await adapter.publish(PublishRequest(text="Post", first_comment="Comment"))
    assert caught.value.partial is not None
    assert caught.value.partial.external_id == fake.posts[0]["id"]
    assert fake.comments == []


async def test_lost_response_is_found_by_reconciliation(
    adapter: LinkedInAdapter, fake: FakeLinkedIn
) -> None:
    request = PublishRequest(text="Lost in transit (maybe) #ops")
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["id"]
    assert found.text == "Lost in transit (maybe) #ops"
    fetched = await adapter.fetch_publication(found.external_id)
    assert fetched is not None
    assert fetched.url == found.url
    # Without read access (r_member_social), a retry is the way to learn the post exists.
    with pytest.raises(DuplicatePost) as caught:
        await adapter.publish(request)
    assert caught.value.existing_id == found.external_id
    assert len(fake.posts) == 1


async def test_verify_resolves_member_urn(fake: FakeLinkedIn) -> None:
    adapter = LinkedInAdapter(
        Credentials(access_token=fake.token), base_url=fake.base_url, allow_loopback=True
    )
    try:
        assert (await adapter.verify()).account_id == fake.author
        await adapter.publish(PublishRequest(text="No URN stored yet"))
    finally:
        await adapter.aclose()
    assert fake.posts[0]["author"] == fake.author
