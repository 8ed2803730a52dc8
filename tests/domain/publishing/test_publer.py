from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from postwright.domain.publishing.adapters.base import Credentials, Media, PublishRequest
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from postwright.domain.publishing.adapters.publer import PublerAdapter
from tests.fakes.fixtures import PNG
from tests.fakes.publer import FakePubler


@pytest.fixture
def fake(fake_publer: FakePubler) -> FakePubler:
    return fake_publer


def make_adapter(fake: FakePubler, attempts: int = 5) -> PublerAdapter:
    credentials = Credentials(
        api_key=fake.api_key,
        account_id="acc_li",
        extra={"workspace_id": fake.workspace_id, "network": "linkedin"},
    )
    return PublerAdapter(
        credentials,
        base_url=fake.base_url,
        poll_interval=0.01,
        poll_attempts=attempts,
        allow_loopback=True,
    )


@pytest.fixture
async def adapter(fake: FakePubler) -> AsyncIterator[PublerAdapter]:
    adapter = make_adapter(fake)
    yield adapter
    await adapter.aclose()


async def test_publishes_now_and_polls_the_job(adapter: PublerAdapter, fake: FakePubler) -> None:
    fake.working_polls = 2
    result = await adapter.publish(PublishRequest(text="Hi from Publer"))
    (post,) = fake.posts
    assert result.external_id == post["id"]
    assert result.url == post["post_link"]
    assert result.extra_ids["job_id"] == post["job_id"]
    assert fake.jobs[post["job_id"]]["polls"] == 3
    auth = next(r for r in fake.requests if r.method == "POST").headers
    assert auth["authorization"] == "Bearer-API publer-key"
    assert auth["publer-workspace-id"] == "ws_1"


async def test_schedules_with_uploaded_media(adapter: PublerAdapter, fake: FakePubler) -> None:
    when = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    await adapter.publish(
        PublishRequest(text="Later", media=[Media(PNG, "image/png")], scheduled_at=when)
    )
    (post,) = fake.posts
    assert post["state"] == "scheduled"
    assert post["scheduled_at"] == "2026-06-02T09:00:00+00:00"
    assert post["type"] == "photo"
    assert fake.media[post["media"][0]["id"]] == len(PNG)


async def test_job_still_working_returns_the_job_id(fake: FakePubler) -> None:
    fake.working_polls = 100
    adapter = make_adapter(fake, attempts=2)
    try:
        result = await adapter.publish(PublishRequest(text="slow"))
    finally:
        await adapter.aclose()
    assert result.external_id == result.extra_ids["job_id"]
    assert "still processing" in result.warnings[-1]


async def test_failed_job_is_bad_content(adapter: PublerAdapter, fake: FakePubler) -> None:
    fake.fail_next_job("Text exceeds LinkedIn's limit")
    with pytest.raises(BadContent, match="exceeds LinkedIn"):
        await adapter.publish(PublishRequest(text="x"))


async def test_503_then_success(adapter: PublerAdapter, fake: FakePubler) -> None:
    fake.fail_next(503)
    with pytest.raises(RetryableError):
        await adapter.publish(PublishRequest(text="x"))
    await adapter.publish(PublishRequest(text="x"))
    assert len(fake.posts) == 1


async def test_invalid_key_needs_reconnect(adapter: PublerAdapter, fake: FakePubler) -> None:
    fake.revoke(fake.api_key)
    with pytest.raises(NeedsReconnect, match="Invalid API key"):
        await adapter.publish(PublishRequest(text="x"))


async def test_validation_error_is_bad_content(adapter: PublerAdapter, fake: FakePubler) -> None:
    fake.fail_next(422, body={"errors": ["Text can't be blank"]})
    with pytest.raises(BadContent, match="can't be blank"):
        await adapter.publish(PublishRequest(text="x"))


async def test_lost_response_reconciled(adapter: PublerAdapter, fake: FakePubler) -> None:
    request = PublishRequest(text="Lost job")
    fake.lose_next_response()
    with pytest.raises(RetryableError):
        await adapter.publish(request)
    found = await adapter.find_recent(request)
    assert found is not None
    assert found.external_id == fake.posts[0]["id"]
    assert await adapter.fetch_publication(found.external_id) == found


async def test_verify_checks_the_account_is_in_the_workspace(
    adapter: PublerAdapter, fake: FakePubler
) -> None:
    assert (await adapter.verify()).display_name == "Ada on LinkedIn"
    fake.accounts = []
    try:
        with pytest.raises(NeedsReconnect, match="no longer has"):
            await adapter.verify()
    finally:
        fake.accounts = [{"id": "acc_li", "name": "Ada on LinkedIn", "provider": "linkedin"}]
