from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from postwright.core.clock import FrozenClock
from postwright.domain.media.errors import InvalidMediaKey, MediaNotFound
from postwright.domain.media.storage import (
    LocalStorage,
    key_belongs_to,
    new_media_key,
    validate_key,
)

WS = "ws_01jabc"
KEY = f"{WS}/images/card.png"
SECRET = b"test-secret-test-secret"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))


@pytest.fixture
def storage(tmp_path: Path, clock: FrozenClock) -> LocalStorage:
    return LocalStorage(tmp_path / "media", "https://pw.example/", SECRET, clock)


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def test_put_get_exists_delete_round_trip(storage: LocalStorage) -> None:
    await storage.put(KEY, b"\x89PNGdata", "image/png")
    assert await storage.exists(KEY)
    assert await storage.get(KEY) == (b"\x89PNGdata", "image/png")
    await storage.delete(KEY)
    assert not await storage.exists(KEY)
    await storage.delete(KEY)  # deleting twice is fine
    with pytest.raises(MediaNotFound):
        await storage.get(KEY)


async def test_signed_url_verifies_until_it_expires(
    storage: LocalStorage, clock: FrozenClock
) -> None:
    url, expires_at = await storage.signed_url(KEY, timedelta(hours=1))
    assert url.startswith(f"https://pw.example/media/{KEY}?")
    assert expires_at == clock.now() + timedelta(hours=1)
    query = _query(url)
    assert storage.verify(KEY, query["expires"], query["signature"])
    clock.advance(timedelta(minutes=59))
    assert storage.verify(KEY, query["expires"], query["signature"])
    clock.advance(timedelta(minutes=1))
    assert not storage.verify(KEY, query["expires"], query["signature"])


async def test_tampered_urls_are_refused(storage: LocalStorage) -> None:
    url, _ = await storage.signed_url(KEY, timedelta(hours=1))
    query = _query(url)
    later = str(int(query["expires"]) + 3600)
    assert not storage.verify(KEY, later, query["signature"])
    assert not storage.verify(f"{WS}/images/other.png", query["expires"], query["signature"])
    assert not storage.verify(KEY, query["expires"], query["signature"][:-1] + "A")
    assert not storage.verify(KEY, "not-a-number", query["signature"])
    other = LocalStorage(Path("/unused"), "https://pw.example", b"another-secret-entirely")
    assert not other.verify(KEY, query["expires"], query["signature"])


async def test_upload_url_binds_key_type_and_size(
    storage: LocalStorage, clock: FrozenClock
) -> None:
    target = await storage.presigned_upload(KEY, "image/png", 1000, timedelta(minutes=15))
    assert target.method == "PUT"
    assert target.headers == {"Content-Type": "image/png"}
    assert target.upload_url.startswith(f"https://pw.example/media-upload/{KEY}?")
    assert target.public_url == f"https://pw.example/media/{KEY}"
    query = _query(target.upload_url)
    assert query["content_type"] == "image/png"
    assert query["max_bytes"] == "1000"
    args = (query["expires"], query["content_type"], query["max_bytes"], query["signature"])
    assert storage.verify_upload(KEY, *args)
    assert not storage.verify_upload(KEY, query["expires"], "image/gif", "1000", args[3])
    assert not storage.verify_upload(KEY, query["expires"], "image/png", "9999", args[3])
    # An upload signature is not a download signature, nor the other way round.
    assert not storage.verify(KEY, query["expires"], query["signature"])
    clock.advance(timedelta(minutes=15))
    assert not storage.verify_upload(KEY, *args)


def test_public_urls_map_back_to_their_keys(storage: LocalStorage) -> None:
    assert storage.key_from_url(storage.public_url(KEY)) == KEY
    assert storage.key_from_url(f"https://pw.example/media/{KEY}?expires=1&signature=x") == KEY
    assert storage.key_from_url(f"https://evil.example/media/{KEY}") is None
    assert storage.key_from_url("https://pw.example/media/../../etc/passwd") is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "images/card.png",
        "/ws_01jabc/card.png",
        f"{WS}/../ws_other/card.png",
        f"{WS}/images/../../etc/passwd",
        f"{WS}/./card.png",
        f"{WS}//card.png",
        f"{WS}/",
        f"{WS}/.hidden",
        f"{WS}\\..\\card.png",
        f"{WS}/card.png\x00.jpg",
        "ws_UPPER/card.png",
        f"{WS}/" + "a" * 600,
    ],
)
async def test_unsafe_keys_are_refused(storage: LocalStorage, key: str) -> None:
    with pytest.raises(InvalidMediaKey):
        validate_key(key)
    with pytest.raises(InvalidMediaKey):
        await storage.put(key, b"x", "image/png")
    with pytest.raises(InvalidMediaKey):
        await storage.signed_url(key, timedelta(minutes=1))
    assert not storage.verify(key, "9999999999", "sig")


def test_keys_name_their_workspace() -> None:
    key = new_media_key(WS, "images", "image/webp")
    assert key.startswith(f"{WS}/images/med_")
    assert key.endswith(".webp")
    assert key_belongs_to(key, WS)
    assert not key_belongs_to(key, "ws_01jother")


def test_short_secrets_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="secret"):
        LocalStorage(tmp_path, "https://pw.example", b"short")
