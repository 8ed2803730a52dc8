"""The model path's repair behaviour against a fake model that breaks the rules.

Each case scripts a fake OpenAI-compatible model with two answers (the first, and the one it
gives when sent back with the violation named) and runs one PostTask through the real LLM
engine. Printed per case: how many requests were made, what the engine told the model on the
retry, and the final post with its checks (fits the platform, no avoided word in any form,
every sentence whole, call to action and hashtags kept). Then the same for ad copy (an
AdCopyTask): a 46-character Google headline once and twice, over-long Meta fields twice.

    uv run python -m bench.quality_model
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from tests.domain.generation.fake_openai import FakeOpenAI, Reply

from postwright.domain.generation import (
    AdCopyTask,
    AiResponseIncomplete,
    LlmConfig,
    LlmEngine,
    PersonaProfile,
    PostTask,
    get_platform,
)
from postwright.domain.generation.ad_limits import ad_limits
from postwright.domain.generation.platforms import hashtags_in
from postwright.domain.generation.text import contains_avoided, sentences

PERSONA = PersonaProfile(name="Ada", avoid_words="disrupt, synergy, game changer")
CTA = "What would you try first?"
LONG_BODY = " ".join(f"Point {i} is a sentence about shipping in small batches." for i in range(12))
NINE_TAGS = "#MongoDB #Postgres #Redis #Kafka #Go #Rust #AI #ML #Ops"
AVOIDED = (
    "This will disrupt how we ship.\n\nSmall teams win on focus. Synergies are real.\n\n"
    f"Keep the batch small.\n\n{CTA}\n\n#AI #Synergy #Teams"
)
JAPANESE = "小さく出荷します。" * 10 + "毎週少しずつ改善を続けることが大切です" * 12 + "。#開発"


def post(content: str, finish_reason: str = "tool_calls") -> Reply:
    return Reply(arguments={"content": content}, finish_reason=finish_reason)


@dataclass(frozen=True)
class Case:
    name: str
    platform: str
    replies: tuple[Reply, ...]


CASES = (
    Case(
        "avoided words, repaired by the model",
        "linkedin",
        (post(AVOIDED), post(f"Small teams win on focus.\n\n{CTA}\n\n#AI #Teams")),
    ),
    Case("avoided words twice: fallback", "linkedin", (post(AVOIDED), post(AVOIDED))),
    Case(
        "over the X limit twice: fallback",
        "x",
        (post(f"Ship small.\n\n{LONG_BODY}\n\n{CTA}\n\n#AI #ML"),) * 2,
    ),
    Case(
        "Instagram, 9 hashtags twice: fallback",
        "instagram",
        (post(f"Databases, honestly.\n\n{LONG_BODY}\n\n{CTA}\n\n{NINE_TAGS}"),) * 2,
    ),
    Case("Japanese over the Bluesky limit twice: fallback", "bluesky", (post(JAPANESE),) * 2),
    Case(
        "cut off (finish_reason length), then complete",
        "linkedin",
        (post("We learned three things. First,", "length"), post(f"Ship small.\n\n{CTA}\n\n#AI")),
    ),
    Case(
        "cut off twice",
        "linkedin",
        (post("Cut off", "length"), post("Cut off again", "length")),
    ),
)


def _feedback(request: dict[str, Any]) -> str:
    last = request["body"]["messages"][-1]
    content = str(last.get("content") or "")
    return str(json.loads(content)["error"]) if last["role"] == "tool" else content.splitlines()[-1]


def _whole(output: str, originals: list[str]) -> bool:
    kept = {s for original in originals for s in sentences(original)}
    tags = {tag for original in originals for tag in hashtags_in(original)}
    for sentence in sentences(output):
        cut = sentence.removesuffix("…").rstrip()
        if sentence in kept or set(sentence.split()) <= tags:
            continue
        if not (sentence.endswith("…") and any(k.startswith(cut) for k in kept)):
            return False
    return True


async def run_case(case: Case) -> None:
    with FakeOpenAI() as server:
        server.replies = list(case.replies)
        config = LlmConfig(model="openai:fake", base_url=server.base_url, api_key="k")
        task = PostTask(persona=PERSONA, topic="shipping", platform=case.platform)
        print(f"### {case.name} ({case.platform})\n")
        async with LlmEngine(config) as engine:
            try:
                result = await engine.run(task)
            except AiResponseIncomplete as error:
                result = None
                print(f"- result: {error.code} ({error.details})")
        print(f"- requests: {len(server.requests)}")
        if len(server.requests) > 1:
            told = _feedback(server.requests[1]).replace("\n", " / ")
            print(f"- retry told the model: {told}")
        if result is None:
            print()
            return
        content = result.output.content
        originals = [
            str(r.arguments["content"]) for r in case.replies if isinstance(r.arguments, dict)
        ]
        profile = get_platform(case.platform)
        checks = {
            "fits": profile.fits(content),
            "no avoided word": not contains_avoided(content, PERSONA.avoid_list),
            "sentences whole": _whole(content, originals),
            "cta kept": CTA in content or CTA not in originals[0],
            "hashtags": f"{len(hashtags_in(content))} (platform {profile.min_hashtags}-"
            f"{profile.max_hashtags})",
            "truncated": result.truncated,
        }
        print("- checks: " + ", ".join(f"{k}: {v}" for k, v in checks.items()))
        print("- final post:\n\n  " + content.replace("\n", "\n  ") + "\n")


LONG_HEADLINE = "The quiet desk fan your whole office will love"
AD_BODY = "Three speeds, USB-C charging and a whisper-quiet motor."
META_BODY = " ".join(f"Reason {n}: it stays quiet all day long." for n in range(1, 8))


def ad(hook: str, body: str = AD_BODY, cta: str = "Shop now") -> Reply:
    variant = {"hook": hook, "body": body, "cta": cta, "hashtags": ["#Fan", "#Desk"]}
    return Reply(arguments={"variants": [variant]})


AD_CASES = (
    Case(
        "Google headline of 46 characters, repaired by the model",
        "google",
        (ad(LONG_HEADLINE), ad("A quiet fan for every desk")),
    ),
    Case("Google headline of 46 characters twice: fallback", "google", (ad(LONG_HEADLINE),) * 2),
    Case(
        "Meta headline 53 and primary text 272 characters twice: fallback",
        "meta",
        (ad("Meet the quietest desk fan we have ever built for you", META_BODY),) * 2,
    ),
)


async def run_ad_case(case: Case) -> None:
    with FakeOpenAI() as server:
        server.replies = list(case.replies)
        config = LlmConfig(model="openai:fake", base_url=server.base_url, api_key="k")
        task = AdCopyTask(product_name="Breeze Fan", platform=case.platform, count=1)
        print(f"### ad copy: {case.name} ({case.platform})\n")
        async with LlmEngine(config) as engine:
            result = await engine.run(task)
        print(f"- requests: {len(server.requests)}")
        if len(server.requests) > 1:
            told = _feedback(server.requests[1]).replace("\n", " / ")
            print(f"- retry told the model: {told}")
        limits, (variant,) = ad_limits(case.platform), result.output.variants
        last = case.replies[-1].arguments  # the answer the fallback worked on
        assert isinstance(last, dict)
        original = last["variants"][0]
        whole = all(
            value == source or source.split()[: len(value.split())] == value.split()
            for value, source in ((variant.hook, original["hook"]), (variant.cta, "Shop now"))
        )
        checks = {
            "headline": f"{len(variant.hook)}/{limits.headline}",
            "body": f"{len(variant.body)}/{limits.body}",
            "whole words": whole,
            "body sentences whole": all(s in original["body"] for s in sentences(variant.body)),
            "hashtags": f"{len(variant.hashtags)} (max {limits.hashtags})",
            "truncated": result.truncated,
        }
        print("- checks: " + ", ".join(f"{k}: {v}" for k, v in checks.items()))
        print(f"- final: hook {variant.hook!r}, body {variant.body!r}\n")


async def main() -> None:
    for case in CASES:
        await run_case(case)
    for case in AD_CASES:
        await run_ad_case(case)


if __name__ == "__main__":
    asyncio.run(main())
