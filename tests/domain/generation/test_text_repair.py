"""The deterministic repairs work on whole sentences and whole hashtags."""

from __future__ import annotations

import pytest

from postwright.domain.generation import fit, get_platform
from postwright.domain.generation.platforms import hashtags_in, limit_hashtags
from postwright.domain.generation.text import (
    avoided_uses,
    contains_avoided,
    drop_avoided_sentences,
    sentences,
)


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("Disrupting the market.", "disrupt", "Disrupting"),
        ("Synergies everywhere.", "synergy", "Synergies"),
        ("The synergy's cost.", "synergy", "synergy's"),
        ("Leveraged wisely.", "leverage", "Leveraged"),
        ("A real Game Changer.", "game changer", "Game Changer"),
        ("#DisruptTheMarket today", "disrupt", "Disrupt"),
    ],
)
def test_avoided_words_match_in_any_inflection(text: str, term: str, found: str) -> None:
    assert [(u.term, u.found) for u in avoided_uses(text, [term])] == [(term, found)]


def test_words_that_only_contain_an_avoided_word_pass() -> None:
    assert not contains_avoided("A disruptor-free zone; hashtags like #Synthesis.", ["synergy"])
    assert not contains_avoided("Game night, then a changer.", ["game changer"])


def test_dropping_avoided_sentences_keeps_every_other_sentence_whole() -> None:
    text = "Hook line.\n\nThis will disrupt how we ship. We ship small!\n\nAsk me.\n\n#AI #Synergy"
    assert drop_avoided_sentences(text, ["disrupt", "synergy"]) == (
        "Hook line.\n\nWe ship small!\n\nAsk me.\n\n#AI"
    )


def test_sentences_end_at_cjk_marks_and_keep_graphemes_whole() -> None:
    # full-width ! and ? written as escapes: ruff flags them as look-alikes
    assert sentences("日本語です。次です\uff01最後\uff1f Done. Cafe\u0301. End") == [
        "日本語です。",
        "次です\uff01",
        "最後\uff1f",
        "Done.",
        "Cafe\u0301.",
        "End",
    ]


def test_fit_shortens_the_body_and_keeps_cta_and_hashtags() -> None:
    body = " ".join(f"Point {i} is about shipping." for i in range(30))
    text = f"Ship small.\n\n{body}\n\nWhat would you try?\n\n#AI #ML"
    fitted = fit(text, "x")
    assert fitted.truncated
    assert get_platform("x").fits(fitted.text)
    assert fitted.text.startswith("Ship small.\n\nPoint 0 is about shipping.")
    assert fitted.text.endswith("\n\nWhat would you try?\n\n#AI #ML")


def test_fit_drops_hashtags_only_down_to_the_platform_minimum() -> None:
    hook = "A very long opening sentence about databases " * 60
    text = f"{hook.strip()}.\n\nTell me yours.\n\n#One #Two #Three #Four #Five"
    fitted = fit(text, "instagram")
    assert get_platform("instagram").fits(fitted.text)
    assert hashtags_in(fitted.text) == ["#One", "#Two", "#Three"]
    assert "Tell me yours." in fitted.text
    assert fitted.text.split("\n\n")[0].endswith("…")


def test_japanese_is_cut_with_an_ellipsis_when_a_sentence_must_be_cut() -> None:
    fitted = fit("毎週少しずつ改善を続けることが大切です" * 30 + "。", "bluesky")
    assert fitted.text.endswith("…")
    assert get_platform("bluesky").fits(fitted.text)


def test_hashtag_cap_drops_whole_tags_never_the_hash() -> None:
    text = "We run #MongoDB in production.\n\n#Postgres #Redis #Kafka #Go #Rust #AI"
    capped = limit_hashtags(text, get_platform("instagram"))
    assert capped == "We run #MongoDB in production.\n\n#Postgres #Redis #Kafka #Go"
    x = limit_hashtags("A #MongoDB tip. And #Postgres. Also #Redis here.", get_platform("x"))
    assert x == "A #MongoDB tip. And #Postgres."
