"""Ad copy respects each network's field limits on the model path: an over-limit field goes back
to the model once with the violation named, then a fallback shortens it at a sentence or word
boundary, never inside a word. The builtin composer writes within the same table.

The limits asserted here are written out from the networks' documentation (and issue 11), not
read from the code's table, so a wrong table fails.
"""

from __future__ import annotations

from typing import Any

import pytest

from postwright.domain.generation import AdCopyTask, PersonaProfile
from postwright.domain.generation.ad_limits import AD_LIMITS, ad_limits, shorten
from postwright.domain.generation.builtin.adcopy import ad_copy
from postwright.domain.generation.text import contains_avoided, grapheme_count
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.domain.generation.test_llm_repair import engine, feedback

# (headline, body) per ad network: Google RSA headline 30 / description 90; Meta headline 40 /
# primary text 125 recommended; TikTok ad text 100; LinkedIn headline 70 / intro text 150.
DOCUMENTED = {"google": (30, 90), "meta": (40, 125), "tiktok": (40, 100), "linkedin": (70, 150)}
# Every network the adcopy document lists for POST /api/generate/copy.
NETWORKS = ("meta", "tiktok", "google", "linkedin", "pinterest", "universal")
LONG_HEADLINE = "The quiet desk fan your whole office will love"  # 46 characters
FITTING_HEADLINE = "A quiet fan for every desk"
BODY = "Three speeds, USB-C charging and a whisper-quiet motor."


def ads(*variants: dict[str, Any]) -> Reply:
    return Reply(arguments={"variants": list(variants)})


def variant(hook: str, body: str = BODY, cta: str = "Shop now", **extra: Any) -> dict[str, Any]:
    return {"hook": hook, "body": body, "cta": cta, "hashtags": [], **extra}


def task(platform: str = "google", count: int = 1, **kwargs: Any) -> AdCopyTask:
    return AdCopyTask(
        product_name="Breeze Fan",
        product_description="A quiet desk fan",
        platform=platform,
        count=count,
        **kwargs,
    )


def assert_whole_words(short: str, original: str) -> None:
    """``short`` is a run of ``original``'s leading whole words (an ellipsis aside)."""
    kept = short.removesuffix("…").split()
    assert kept, short
    assert original.split()[: len(kept) - 1] == kept[:-1], (short, original)
    assert original.split()[len(kept) - 1].startswith(kept[-1].rstrip(".,;:")), (short, original)
    last = original.split()[len(kept) - 1].rstrip(".,;:!?")
    assert kept[-1].rstrip(".,;:!?") == last, f"cut inside a word: {short!r}"


async def test_an_over_long_google_headline_is_repaired_by_the_model_once(
    fake_openai: FakeOpenAI,
) -> None:
    assert len(LONG_HEADLINE) == 46
    fake_openai.replies = [ads(variant(LONG_HEADLINE)), ads(variant(FITTING_HEADLINE))]
    async with engine(fake_openai) as llm:
        result = await llm.run(task("google"))
    assert [v.hook for v in result.output.variants] == [FITTING_HEADLINE]
    assert not result.truncated
    assert len(fake_openai.requests) == 2
    retry = feedback(fake_openai.requests[1])
    assert retry.startswith("Your answer breaks these rules:")
    assert "headline (hook) of the ad is 46 characters" in retry
    assert "Google Ads allows at most 30" in retry
    assert "description" not in retry  # only the field that broke its limit is named


async def test_a_headline_over_the_limit_twice_is_shortened_at_a_word_boundary(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.replies = [ads(variant(LONG_HEADLINE)), ads(variant(LONG_HEADLINE))]
    async with engine(fake_openai) as llm:
        result = await llm.run(task("google"))
    hook = result.output.variants[0].hook
    assert len(fake_openai.requests) == 2
    assert result.truncated
    assert 0 < len(hook) <= 30
    assert_whole_words(hook, LONG_HEADLINE)
    assert hook == "The quiet desk fan your whole"  # "office" does not fit; no cut word
    assert result.output.variants[0].body == BODY


async def test_meta_fields_are_named_per_variant_and_fitted_by_whole_sentences(
    fake_openai: FakeOpenAI,
) -> None:
    headline = "Meet the quietest desk fan we have ever built for you"  # 53 > 40
    reasons = [f"Reason {n}: it stays quiet all day long." for n in range(1, 8)]
    body = " ".join(reasons)
    good, bad = variant(FITTING_HEADLINE), variant(headline, body=body, cta="Shop now")
    fake_openai.replies = [ads(good, bad), ads(good, bad)]
    async with engine(fake_openai) as llm:
        result = await llm.run(task("meta", count=2))
    retry = feedback(fake_openai.requests[1])
    assert "headline (hook) of variant 2 is 53 characters; Meta allows at most 40" in retry
    assert f"primary text (body) of variant 2 is {len(body)} characters" in retry
    assert "variant 1" not in retry
    first, second = result.output.variants
    assert (first.hook, first.body) == (FITTING_HEADLINE, BODY)
    assert len(second.hook) <= 40
    assert_whole_words(second.hook, headline)
    assert len(second.body) <= 125
    # whole sentences: three of the seven reasons fit in 125 characters
    assert second.body == " ".join(reasons[:3])


@pytest.mark.parametrize("platform", NETWORKS)
async def test_every_network_gets_copy_within_its_documented_fields(
    fake_openai: FakeOpenAI, platform: str
) -> None:
    sprawling = variant(
        "Breeze Fan keeps your desk cool and quiet through every long summer afternoon",
        body=" ".join(["Breeze Fan runs quietly at three speeds and charges over USB-C."] * 6),
        cta="Order your Breeze Fan today and stay cool",
        hashtags=["#Fan", "#Desk", "#Quiet", "#Summer", "#Office"],
    )
    fake_openai.replies = [ads(sprawling), ads(sprawling)]
    async with engine(fake_openai) as llm:
        result = await llm.run(task(platform))
    limits = ad_limits(platform)
    headline, body = DOCUMENTED.get(platform, (limits.headline, limits.body))
    (fitted,) = result.output.variants
    assert 0 < len(fitted.hook) <= headline
    assert 0 < len(fitted.body) <= body
    assert 0 < len(fitted.cta) <= limits.cta
    assert_whole_words(fitted.hook, sprawling["hook"])
    assert_whole_words(fitted.cta, sprawling["cta"])
    assert fitted.body.endswith("USB-C.")  # whole sentences of the body
    assert len(fitted.hashtags) <= (0 if platform == "google" else 3)
    prompt = str(fake_openai.requests[0]["body"]["messages"])
    assert f"at most {limits.headline} characters" in prompt  # told before it writes


def test_the_builtin_composer_writes_within_the_same_table() -> None:
    """Builtin copy never needs the repair the model path does: no field breaks a limit."""
    for platform in NETWORKS:
        for ad_format in ("short", "long", "story"):
            made = ad_copy(
                persona=None,
                product_name="Trailhead Pack 30L",
                product_description="A waterproof hiking backpack with a ventilated back panel",
                platform=platform,
                ad_format=ad_format,
                tone="bold",
                custom_instructions="Mention free shipping.",
                count=5,
            )
            checked = task(platform, count=5)
            assert checked.violations(made) == [], (platform, ad_format)
            for fitted in made.variants:
                assert len(fitted.hashtags) <= AD_LIMITS[platform].hashtags


def test_google_counts_full_width_characters_twice() -> None:
    google, meta = ad_limits("google"), ad_limits("meta")
    headline = "静かなデスクファンで夏も快適に過ごせます"  # 20 full-width characters
    assert (google.measure(headline), meta.measure(headline)) == (40, 20)
    fitted = shorten(headline, google.headline, google.measure)
    assert fitted.truncated
    assert google.measure(fitted.text) <= 30
    assert fitted.text.endswith("…")
    assert headline.startswith(fitted.text.removesuffix("…"))


def test_shortening_never_ends_on_a_joining_word_or_cuts_a_word() -> None:
    measure = grapheme_count
    assert shorten("Cool air for the whole family", 20, measure).text == "Cool air"
    assert shorten("Fast, quiet, and cheap to run", 18, measure).text == "Fast, quiet"
    assert shorten("Ship it. Then rest.", 10, measure).text == "Ship it."
    assert shorten("Supercalifragilistic", 10, measure).text == ""  # no word is cut
    body = shorten("One long opening sentence about the fan", 20, measure, ellipsis=True)
    assert body.text == "One long opening…"


def test_avoided_words_still_drop_whole_sentences_in_ad_fields() -> None:
    persona = PersonaProfile(name="Ada", avoid_words="synergy")
    checked = AdCopyTask(persona=persona, product_name="Breeze", platform="meta", count=1)
    output, _ = checked.finalize(
        checked.output_type(variants=[variant("Pure synergy. Cool desk.", body=f"Synergy. {BODY}")])
    )
    (fitted,) = output.variants
    assert (fitted.hook, fitted.body) == ("Cool desk.", BODY)
    assert not contains_avoided(str(output.model_dump()), persona.avoid_list)


async def test_missing_variants_and_shared_bodies_are_sent_back_named(
    fake_openai: FakeOpenAI,
) -> None:
    second = variant("Cool air, no noise", body="Sleep through summer with a fan you never hear.")
    fake_openai.replies = [
        ads(variant(FITTING_HEADLINE), variant("Quiet at last")),
        ads(variant(FITTING_HEADLINE), second, variant("Built for desks", body="Fits any desk.")),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(task("meta", count=3))
    retry = feedback(fake_openai.requests[1])
    assert "It has 2 variants; write 3" in retry
    assert "Variant 2 has the same body as variant 1" in retry
    assert len({v.body for v in result.output.variants}) == 3
