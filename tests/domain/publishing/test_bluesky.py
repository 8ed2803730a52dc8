from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.bluesky import BlueskyAdapter
from postwright.domain.publishing.adapters.bluesky_facets import build_facets
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.fixtures import PNG


@pytest.fixture
def fake(fake_bluesky: FakeBluesky) -> FakeBluesky:
    return fake_bluesky


@pytest.fixture
async def adapter(fake: FakeBluesky) -> AsyncIterator[BlueskyAdapter]:
    credentials = Credentials(handle=fake.handle, api_key=fake.app_password)
    adapter = BlueskyAdapter(credentials, base_url=fake.base_url, allow_loopback=True)
    yield adapter
    await adapter.aclose()


def _covered(text: str, facet: dict[str, object]) -> str:
    index = facet["index"]
    assert isinstance(index, dict)
    return text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")


def test_facets_use_utf8_byte_offsets_after_emoji() -> None:
    text = "🚀🇫🇷 café → https://example.com/ü?q=1. #BuildInPublic #2024 done"
    facets = build_facets(text)
    assert [_covered(text, f) for f in facets] == ["https://example.com/ü?q=1", "#BuildInPublic"]
    link = facets[0]
    prefix = "🚀🇫🇷 café → "
    assert link["index"]["byteStart"] == len(prefix.encode("utf-8")) == 23
    assert link["index"]["byteStart"] != len(prefix)
    assert link["features"] == [
        {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/ü?q=1"}
    ]
    assert facets[1]["features"] == [
        {"$type": "app.bsky.richtext.facet#tag", "tag": "BuildInPublic"}
    ]


def test_hashtag_in_url_fragment_belongs_to_the_link() -> None:
    text = "see https://example.com/#anchor"
    (facet,) = build_facets(text)
    assert facet["features"][0]["$type"] == "app.bsky.richtext.facet#link"


async def test_publishes_with_facets_mentions_and_image(
    adapter: BlueskyAdapter, fake: FakeBluesky
) -> None:
    text = "Hi @alice.bsky.social and @nobody.example 👋 #atproto https://bsky.app"
    result = await adapter.publish(
        PublishRequest(text=text, media=[Media(PNG, "image/png", "a pixel")])
    )
    (post,) = fake.posts
    record = post["value"]
    assert result.external_id == post["uri"]
    assert result.url == f"https://bsky.app/profile/{fake.handle}/post/{post['uri'].split('/')[-1]}"
    assert result.extra_ids["cid"] == post["cid"]
    covered = {_covered(text, f): f["features"][0] for f in record["facets"]}
    assert covered["@alice.bsky.social"]["did"] == "did:plc:alice"
    assert "@nobody.example" not in covered
    assert covered["#atproto"]["tag"] == "atproto"
    assert covered["https://bsky.app"]["uri"] == "https://bsky.app"
    (image,) = record["embed"]["images"]
    assert image["alt"] == "a pixel"
    assert fake.blobs[image["image"]["ref"]["$link"]] == PNG
    assert adapter.credentials.account_id == fake.did


async def test_thread_uses_root_and_parent_refs(adapter: BlueskyAdapter, fake: FakeBluesky) -> None:
    result = await adapter.publish(
        PublishRequest(text="1", thread=["2", "3"], first_comment="links below")
    )
    root, second, third, comment = fake.posts
    root_ref = {"uri": root["uri"], "cid": root["cid"]}
    assert "reply" not in root["value"]
    assert second["value"]["reply"] == {"root": root_ref, "parent": root_ref}
    assert third["value"]["reply"] == {
        "root": root_ref,
        "parent": {"uri": second["uri"], "cid": second["cid"]},
    }
    assert comment["value"]["reply"]["parent"]["uri"] == third["uri"]
    assert result.thread_ids == (second["uri"], third["uri"])
    assert result.comment_id == comment["uri"]


async def test_expired_session_is_refreshed_once(
    adapter: BlueskyAdapter, fake: FakeBluesky
) -> None:
    await adapter.publish(PublishRequest(text="first"))
    old_refresh = adapter.credentials.refresh_token
    fake.expire_access_tokens()
    await adapter.publish(PublishRequest(text="second"))
    assert len(fake.posts) == 2
    assert adapter.credentials.refresh_token != old_refresh
    assert fake.sessions_created == 2  # one login, one refresh


async def test_wrong_app_password_needs_reconnect(fake: FakeBluesky) -> None:
    adapter = BlueskyAdapter(
        Credentials(handle=fake.handle, api_key="wrong"),
        base_url=fake.base_url,
        allow_loopback=True,
    )
    try:
        with pytest.raises(NeedsReconnect, match="reconnect"):
            await adapter.publish(PublishRequest(text="hi"))
    finally:
        await adapter.aclose()
    assert fake.posts == []


async def test_503_then_success(adapter: BlueskyAdapter, fake: FakeBluesky) -> None:
    await adapter.verify()
    fake.fail_next(503)
    with pytest.raises(RetryableError):
        await adapter.publish(PublishRequest(text="hi"))
    await adapter.publish(PublishRequest(text="hi"))
    assert len(fake.posts) == 1


async def test_invalid_record_is_bad_content(adapter: BlueskyAdapter, fake: FakeBluesky) -> None:
    await adapter.verify()
    fake.fail_next(400, body={"error": "InvalidRequest", "message": "Invalid record"})
    with pytest.raises(BadContent, match="Invalid record"):
        await adapter.publish(PublishRequest(text="hi"))


async def test_graphemes_are_counted_not_code_points(adapter: BlueskyAdapter) -> None:
    family = "👨‍👩‍👧"  # one grapheme, five code points
    await adapter.publish(PublishRequest(text=family * 300))
    with pytest.raises(BadContent, match="allows 300"):
        await adapter.publish(PublishRequest(text="a" * 301))


async def test_lost_response_is_found_again(adapter: BlueskyAdapter, fake: FakeBluesky) -> None:
    request = PublishRequest(text="Only once 🦋")
    await adapter.verify()
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["uri"]
    assert await adapter.fetch_publication(found.external_id) == found
    assert await adapter.fetch_publication(f"at://{fake.did}/app.bsky.feed.post/none") is None
