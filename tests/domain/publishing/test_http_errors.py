from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from postwright.domain.publishing.adapters.base import Credentials, PublishRequest
from postwright.domain.publishing.adapters.errors import BadContent, NeedsReconnect, RetryableError
from postwright.domain.publishing.adapters.http import (
    classify_response,
    error_message,
    retry_after_seconds,
)
from postwright.domain.publishing.adapters.mastodon import MastodonAdapter
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import free_port


@pytest.fixture
async def slow_adapter(fake_mastodon: FakeMastodon) -> AsyncIterator[MastodonAdapter]:
    credentials = Credentials(access_token=fake_mastodon.token, instance_url=fake_mastodon.base_url)
    adapter = MastodonAdapter(credentials, timeout_seconds=0.3, allow_loopback=True)
    yield adapter
    await adapter.aclose()


async def test_timeout_is_retryable_and_says_the_post_may_exist(
    slow_adapter: MastodonAdapter, fake_mastodon: FakeMastodon
) -> None:
    request = PublishRequest(text="slow")
    fake_mastodon.delay_next(0.6)
    with pytest.raises(RetryableError, match="may or may not exist"):
        await slow_adapter.publish(request)
    # The server went on to create the post after the client gave up: exactly the case
    # reconciliation exists for. Waiting here also keeps it from landing in another test.
    for _ in range(100):
        if fake_mastodon.posts:
            break
        await asyncio.sleep(0.02)
    assert await slow_adapter.find_recent(request) is not None


async def test_unreachable_provider_is_retryable() -> None:
    credentials = Credentials(access_token="t", instance_url=f"http://127.0.0.1:{free_port()}")
    adapter = MastodonAdapter(credentials, timeout_seconds=1, allow_loopback=True)
    try:
        with pytest.raises(RetryableError, match="Could not reach mastodon"):
            await adapter.publish(PublishRequest(text="anyone?"))
    finally:
        await adapter.aclose()


def _response(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 5, 1, 12, 0, 42, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(_response(429, {}, {"Retry-After": "12"}), now) == 12
    assert retry_after_seconds(_response(503, {}, {"Retry-After": later}), now) == 42
    assert retry_after_seconds(_response(503, {}, {"Retry-After": "soon"}), now) is None
    reset = str(int(now.timestamp()) + 5)
    assert retry_after_seconds(_response(429, {}, {"ratelimit-reset": reset}), now) == 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": "Validation failed"}, "Validation failed"),
        ({"detail": "Too long", "title": "Bad"}, "Too long"),
        ({"message": "nope", "status": 422}, "nope"),
        ({"errors": [{"message": "first"}]}, "first"),
        ({"errors": ["as text"]}, "as text"),
        ({"error": "invalid_grant", "error_description": "expired"}, "expired"),
    ],
)
def test_error_message_reads_common_shapes(body: object, message: str) -> None:
    assert error_message(_response(400, body)) == message


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (408, RetryableError),
        (429, RetryableError),
        (500, RetryableError),
        (502, RetryableError),
        (503, RetryableError),
        (504, RetryableError),
        (401, NeedsReconnect),
        (403, NeedsReconnect),
        (400, BadContent),
        (413, BadContent),
        (422, BadContent),
    ],
)
def test_statuses_map_to_error_kinds(status: int, kind: type[Exception]) -> None:
    error = classify_response(_response(status, {"error": "x"}), "mastodon")
    assert isinstance(error, kind)
    assert error.status_code == status
