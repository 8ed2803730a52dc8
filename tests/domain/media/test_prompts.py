from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from postwright.domain.media.assets import FAILED, GENERATING, display_url, key_for_url
from postwright.domain.media.prompts import headline_of, image_prompt_for
from postwright.domain.media.storage import LocalStorage
from tests.conftest import make_settings

WS = "ws_01jabc"


def test_headline_is_the_posts_hook_without_tags_or_links() -> None:
    content = "\n#AI Shipping on Fridays broke us. Here is why.\nMore https://x.example #Ops"
    assert headline_of(content) == "Shipping on Fridays broke us."
    long = "word " * 60
    headline = headline_of(long)
    assert len(headline) <= 111
    assert headline.endswith("…")
    assert headline_of("") == ""


def test_image_prompt_describes_the_post_without_asking_for_text() -> None:
    prompt = image_prompt_for("Remote work lessons.\nBe kind.", persona="Ada", platform="x")
    assert "Remote work lessons." in prompt
    assert "Ada" in prompt
    assert "no words" in prompt


async def test_posts_show_sentinels_or_freshly_signed_urls(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db", tmp_path)
    storage = LocalStorage(tmp_path, "https://pw.example", b"0123456789abcdef0123")
    key = f"{WS}/images/card.png"
    for sentinel in (GENERATING, FAILED, None):
        assert await display_url(storage, settings, image_url=sentinel, image_key=None) == sentinel
    shown = await display_url(storage, settings, image_url=storage.public_url(key), image_key=key)
    assert shown is not None
    assert shown.startswith(f"https://pw.example/media/{key}?expires=")
    outside = "https://cdn.example/photo.jpg"
    assert await display_url(storage, settings, image_url=outside, image_key=None) == outside
    assert timedelta(seconds=settings.media.url_ttl_seconds) == timedelta(hours=1)


def test_public_urls_map_back_to_the_workspaces_key_only(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "https://pw.example", b"0123456789abcdef0123")
    key = f"{WS}/post-images/hero.png"
    assert key_for_url(storage, storage.public_url(key), WS) == key
    assert key_for_url(storage, storage.public_url(key), "ws_01jother") is None
    assert key_for_url(storage, "https://elsewhere.example/hero.png", WS) is None
