"""The model repairs what breaks a rule; the deterministic fallback never leaves a broken sentence.

A fake OpenAI-compatible model returns over-long, avoided-word and cut-off (finish_reason
"length") outputs; the engine must send each back once with the violation named, and only then
repair by whole sentences.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from postwright.domain.generation import (
    AiResponseIncomplete,
    LlmConfig,
    LlmEngine,
    PersonaProfile,
    PostTask,
    get_platform,
)
from postwright.domain.generation.platforms import hashtags_in
from postwright.domain.generation.text import contains_avoided, sentences
from tests.domain.generation.fake_openai import FakeOpenAI, Reply

PERSONA = PersonaProfile(
    name="Ada", relevant_keywords="AI, ML", avoid_words="disrupt, synergy, game changer"
)
CTA = "What would you try first?"


def engine(server: FakeOpenAI) -> LlmEngine:
    return LlmEngine(
        LlmConfig(
            model="openai:gpt-4.1-mini",
            base_url=server.base_url,
            api_key="sk-test",
            max_retries=0,
            backoff_seconds=0.01,
        )
    )


def post(content: str, **reply: Any) -> Reply:
    return Reply(arguments={"content": content}, **reply)


def feedback(request: dict[str, Any]) -> str:
    """What the last message of a request told the model (a tool result's error, or a prompt)."""
    last = request["body"]["messages"][-1]
    content = str(last.get("content") or "")
    if last["role"] == "tool":
        return str(json.loads(content)["error"])
    return content


def assert_whole_sentences(output: str, original: str) -> None:
    """Every sentence of the output is a sentence of the original, or its cut start + "…"."""
    kept = set(sentences(original))
    tags = set(hashtags_in(original))
    for sentence in sentences(output):
        if sentence in kept:
            continue
        if set(sentence.split()) <= tags:  # a tag line that lost whole tags
            continue
        assert sentence.endswith("…"), sentence
        assert any(k.startswith(sentence.removesuffix("…").rstrip()) for k in kept), sentence


async def test_avoided_word_in_any_inflection_goes_back_to_the_model_named(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [
        post(f"Disrupting how we ship. Synergies matter.\n\n{CTA}\n\n#AI"),
        post(f"We ship small batches now.\n\n{CTA}\n\n#AI"),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="shipping", platform="linkedin"))
    assert result.output.content == f"We ship small batches now.\n\n{CTA}\n\n#AI"
    assert not result.truncated
    assert len(fake_openai.requests) == 2
    retry = feedback(fake_openai.requests[1])
    assert retry.startswith("Your answer breaks these rules:")
    assert '"Disrupting" (a form of "disrupt")' in retry
    assert '"Synergies" (a form of "synergy")' in retry
    assert result.usage.requests == 2


async def test_avoided_words_twice_drop_whole_sentences_never_words(
    fake_openai: FakeOpenAI,
) -> None:
    bad = (
        "This will disrupt how we ship.\n\nSmall teams win on focus. The synergy is real, "
        f"and it is a game changer.\n\nKeep the batch small.\n\n{CTA}\n\n#AI #Synergy #Teams"
    )
    fake_openai.replies = [post(bad), post(bad)]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="shipping", platform="linkedin"))
    content = result.output.content
    assert content == (f"Small teams win on focus.\n\nKeep the batch small.\n\n{CTA}\n\n#AI #Teams")
    assert not contains_avoided(content, PERSONA.avoid_list)
    assert_whole_sentences(content, bad)
    assert len(fake_openai.requests) == 2


async def test_over_long_output_is_sent_back_then_fitted_keeping_cta_and_hashtags(
    fake_openai: FakeOpenAI,
) -> None:
    body = " ".join(f"Point {i} is a sentence about shipping." for i in range(20))
    long_post = f"Ship small.\n\n{body}\n\n{CTA}\n\n#AI #ML"
    fake_openai.replies = [post(long_post), post(long_post)]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="shipping", platform="x"))
    retry = feedback(fake_openai.requests[1])
    assert "the hard limit is 280" in retry
    assert f"is {get_platform('x').measure(long_post)} characters as X counts them" in retry
    content = result.output.content
    assert result.truncated
    assert get_platform("x").fits(content)
    assert content.startswith("Ship small.")
    assert content.endswith(f"{CTA}\n\n#AI #ML")
    assert_whole_sentences(content, long_post)


async def test_instagram_hashtag_cap_keeps_whole_tags_and_the_minimum(
    fake_openai: FakeOpenAI,
) -> None:
    tags = "#MongoDB #Postgres #Redis #Kafka #Go #Rust #AI #ML #Ops"
    body = " ".join(f"Lesson {i} from running databases in production." for i in range(60))
    caption = f"Databases, honestly.\n\n{body}\n\n{CTA}\n\n{tags}"
    fake_openai.replies = [post(caption), post(caption)]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(topic="databases", platform="instagram"))
    assert "allows at most 5" in feedback(fake_openai.requests[1])
    content = result.output.content
    kept = hashtags_in(content)
    assert kept == ["#MongoDB", "#Postgres", "#Redis", "#Kafka", "#Go"]
    assert "MongoDB" not in content.replace("#MongoDB", "")
    assert get_platform("instagram").fits(content)
    assert CTA in content
    assert_whole_sentences(content, caption)


async def test_japanese_output_is_cut_at_sentence_ends_or_with_an_ellipsis(
    fake_openai: FakeOpenAI,
) -> None:
    text = "小さく出荷します。" * 20 + "毎週少しずつ改善を続けることが大切です" * 20 + "。#開発"
    fake_openai.replies = [post(text), post(text)]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(topic="出荷", platform="bluesky"))
    content = result.output.content
    assert get_platform("bluesky").fits(content)
    assert content.endswith(("。", "…", "#開発"))
    assert_whole_sentences(content, text)


async def test_cut_off_answer_is_asked_again_with_a_tighter_length(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [
        post("We learned three things. First, ship", finish_reason="length"),
        post(f"Ship small batches.\n\n{CTA}\n\n#AI"),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="shipping", platform="linkedin"))
    assert result.output.content.startswith("Ship small batches.")
    second = fake_openai.requests[1]["body"]["messages"]
    assert second[-1]["role"] == "user"
    assert "cut off by the output limit" in second[-1]["content"]
    assert "at most 600 characters" in second[-1]["content"]
    # the first request's prompt is the start of the second: the cached prefix still applies
    first_user = fake_openai.requests[0]["body"]["messages"][-1]["content"]
    assert second[-1]["content"].startswith(first_user)
    assert result.usage.requests == 2


async def test_cut_off_twice_fails_with_ai_response_incomplete(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [
        post("Cut off mid", finish_reason="length"),
        post("Cut off again", finish_reason="length"),
    ]
    async with engine(fake_openai) as llm:
        with pytest.raises(AiResponseIncomplete) as caught:
            await llm.run(PostTask(topic="anything"))
    assert caught.value.code == "AI_RESPONSE_INCOMPLETE"
    assert len(fake_openai.requests) == 2


async def test_cut_off_tool_call_arguments_are_retried_too(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [
        Reply(arguments='{"content": "We learned', finish_reason="length"),
        post(f"Ship small.\n\n{CTA}\n\n#AI"),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(topic="shipping"))
    assert result.output.content.startswith("Ship small.")
    assert "cut off by the output limit" in feedback(fake_openai.requests[1])


async def test_a_post_with_no_usable_sentence_is_incomplete_not_empty(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [post("Disrupt everything."), post("Synergy wins.")]
    async with engine(fake_openai) as llm:
        with pytest.raises(AiResponseIncomplete):
            await llm.run(PostTask(persona=PERSONA, topic="anything"))
