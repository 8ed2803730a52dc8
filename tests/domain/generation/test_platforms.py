from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postwright.core.errors import ValidationFailed
from postwright.domain.generation import fit, get_platform, platform_key
from postwright.domain.generation.text import grapheme_count, graphemes, units, x_weighted_length


def test_aliases_resolve_and_unknown_platforms_are_refused() -> None:
    assert platform_key("Twitter") == "x"
    assert platform_key("bsky") == "bluesky"
    with pytest.raises(ValidationFailed) as caught:
        get_platform("myspace")
    assert "linkedin" in caught.value.details["supported"]


@pytest.mark.parametrize(
    ("platform", "limit"),
    [
        ("linkedin", 3000),
        ("x", 280),
        ("instagram", 2200),
        ("threads", 500),
        ("bluesky", 300),
        ("facebook", 63206),
        ("tiktok", 2200),
        ("pinterest", 500),
        ("mastodon", 500),
        ("youtube", 5000),
    ],
)
def test_limits_match_the_sourced_table(platform: str, limit: int) -> None:
    profile = get_platform(platform)
    assert profile.limit == limit
    assert profile.source


def test_instagram_allows_at_most_five_hashtags_and_youtube_titles_100() -> None:
    assert get_platform("instagram").max_hashtags == 5
    assert get_platform("youtube").title_limit == 100


def test_x_counts_urls_as_23_and_weighs_cjk_and_emoji_double() -> None:
    assert x_weighted_length("https://example.com/a/very/long/path/that/goes/on/and/on") == 23
    assert x_weighted_length("日本") == 4
    assert x_weighted_length("👩‍👩‍👧") == 2
    assert x_weighted_length("café") == 4


def test_mastodon_counts_links_as_23() -> None:
    url = "https://example.com/" + "a" * 100
    assert get_platform("mastodon").measure(f"see {url}") == 4 + 23


def test_bluesky_counts_graphemes() -> None:
    text = "👍🏽" * 300
    assert get_platform("bluesky").fits(text)
    assert not get_platform("bluesky").fits(text + "!")


def test_fit_cuts_at_the_last_sentence_that_fits() -> None:
    text = "First sentence here. Second one follows. " + "Third is far too long " * 20
    fitted = fit(text, "x")
    assert fitted.truncated
    assert fitted.text == "First sentence here. Second one follows."


def test_fit_falls_back_to_a_word_boundary_with_an_ellipsis() -> None:
    fitted = fit("word " * 100, "bluesky")
    assert fitted.truncated
    assert fitted.text.endswith("word…")
    assert grapheme_count(fitted.text) <= 300


def test_fit_never_cuts_inside_a_url_or_hashtag() -> None:
    url = "https://example.com/" + "x" * 40
    text = "a " * 130 + url + " " + "#LongHashtagAtTheEnd"
    fitted = fit(text, "bluesky")
    assert fitted.truncated
    kept = fitted.text.removesuffix("…").split()
    assert all(token in text.split() for token in kept)
    assert url not in fitted.text or fitted.text.count(url) == 1


text_alphabet = st.sampled_from(
    [
        "a",
        "é",
        "e\u0301",
        "👍🏽",
        "👩‍👩‍👧",
        "日",
        " ",
        " ",
        ". ",
        "! ",
        "\n",
        "#tag ",
        "https://ex.com/p ",
        "ok",
    ]
)


@settings(max_examples=80, deadline=None)
@given(
    pieces=st.lists(text_alphabet, min_size=0, max_size=400),
    platform=st.sampled_from(["x", "bluesky", "mastodon", "threads", "pinterest"]),
)
def test_fit_always_fits_and_keeps_sentences_and_graphemes_whole(
    pieces: list[str], platform: str
) -> None:
    text = "".join(pieces)
    profile = get_platform(platform)
    fitted = fit(text, profile)
    assert profile.fits(fitted.text)
    original = text.strip()
    if not fitted.truncated:
        assert fitted.text == original
        return
    boundaries = {0}
    position = 0
    for cluster in graphemes(original):
        position += len(cluster)
        boundaries.add(position)
    # every kept piece is a whole sentence of the original, or the start of one cut at a
    # grapheme boundary and ended with an ellipsis
    for unit in units(fitted.text):
        if unit.is_hashtags:
            assert all(tag in original for tag in unit.text.split())
            continue
        piece = unit.text.removesuffix("…")
        start = original.find(piece)
        assert start >= 0, unit.text
        if unit.text.endswith("…") and not original[start:].startswith(unit.text):
            assert start + len(piece) in boundaries
