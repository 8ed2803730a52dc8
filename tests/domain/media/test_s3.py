from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from postwright.core.clock import FrozenClock
from postwright.domain.media.errors import InvalidMediaKey, MediaNotFound, ProviderRetryable
from postwright.domain.media.s3 import S3Config, S3Storage
from tests.domain.media.fake_s3 import FakeS3

KEY = "ws_01jabc/uploads/hero.png"
CREDENTIALS = {"access_key_id": "AKIAFAKE", "secret_access_key": "fake-secret"}


@pytest.fixture(scope="module")
def fake_s3() -> Iterator[FakeS3]:
    with FakeS3().running() as server:
        yield server


@pytest.fixture
def s3(fake_s3: FakeS3) -> S3Storage:
    fake_s3.reset()
    config = S3Config(
        bucket="media",
        endpoint_url=fake_s3.base_url,
        addressing_style="path",
        **CREDENTIALS,
    )
    return S3Storage(config)


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def test_objects_round_trip_over_http(s3: S3Storage, fake_s3: FakeS3) -> None:
    await s3.put(KEY, b"\x89PNG bytes", "image/png")
    assert fake_s3.objects[("media", KEY)] == (b"\x89PNG bytes", "image/png")
    assert await s3.exists(KEY)
    assert await s3.get(KEY) == (b"\x89PNG bytes", "image/png")
    await s3.delete(KEY)
    assert not await s3.exists(KEY)
    with pytest.raises(MediaNotFound):
        await s3.get(KEY)
    put = next(r for r in fake_s3.requests if r.method == "PUT")
    assert put.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAFAKE/")


async def test_server_errors_are_retryable(s3: S3Storage, fake_s3: FakeS3) -> None:
    fake_s3.fail_next(503, times=3, body={"error": "slow down"})
    with pytest.raises(ProviderRetryable):
        await s3.put(KEY, b"data", "image/png")


async def test_presigned_urls_are_generated_offline() -> None:
    clock = FrozenClock(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    storage = S3Storage(S3Config(bucket="media", region="eu-west-1", **CREDENTIALS), clock=clock)
    url, expires_at = await storage.signed_url(KEY, timedelta(minutes=30))
    parts = urlsplit(url)
    assert parts.netloc == "media.s3.eu-west-1.amazonaws.com"
    assert parts.path == f"/{KEY}"
    query = _query(url)
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "1800"
    assert query["X-Amz-Credential"].startswith("AKIAFAKE/")
    assert len(query["X-Amz-Signature"]) == 64
    assert expires_at == clock.now() + timedelta(minutes=30)

    target = await storage.presigned_upload(KEY, "image/png", 50_000_000, timedelta(minutes=15))
    assert target.method == "PUT"
    assert target.headers == {"Content-Type": "image/png"}
    upload_query = _query(target.upload_url)
    # The content type is part of the signature: a client cannot PUT another type.
    assert "content-type" in upload_query["X-Amz-SignedHeaders"]
    assert target.public_url == f"https://media.s3.eu-west-1.amazonaws.com/{KEY}"
    assert storage.key_from_url(target.public_url) == KEY


async def test_presigned_upload_accepts_a_put_and_public_url_uses_cdn(
    fake_s3: FakeS3,
) -> None:
    import httpx

    fake_s3.reset()
    storage = S3Storage(
        S3Config(
            bucket="media",
            endpoint_url=fake_s3.base_url,
            addressing_style="path",
            public_base_url="https://cdn.example/m",
            **CREDENTIALS,
        )
    )
    target = await storage.presigned_upload(KEY, "image/png", 1000, timedelta(minutes=5))
    async with httpx.AsyncClient() as client:
        response = await client.put(target.upload_url, content=b"png", headers=target.headers)
    assert response.status_code == 200
    assert await storage.get(KEY) == (b"png", "image/png")
    assert target.public_url == f"https://cdn.example/m/{KEY}"
    assert storage.key_from_url(target.public_url) == KEY


async def test_s3_refuses_unsafe_keys_and_long_expiry(s3: S3Storage) -> None:
    with pytest.raises(InvalidMediaKey):
        await s3.put("ws_01jabc/../x", b"", "image/png")
    with pytest.raises(ValueError, match="7 days"):
        await s3.signed_url(KEY, timedelta(days=8))
