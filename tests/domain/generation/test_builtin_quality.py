"""The builtin composer's output has none of the defects a reader notices (issue 11).

The topic set, personas, platforms and checks live in ``tests/quality.py`` (bench/quality.py
prints the same figures). The engine is called directly: no database, so these run fast.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from postwright.domain.generation import AdCopyTask, PostTask, get_platform, known_platforms
from postwright.domain.generation.builtin.topics import read_topic
from postwright.domain.generation.outputs import AdCopySet, AdCopyVariant
from tests import quality as q


def test_the_topic_set_covers_every_form_persona_and_platform() -> None:
    cases = q.cases()
    assert sum(len(topics) for topics in q.TOPICS.values()) >= 60
    assert {(c.persona, c.platform) for c in cases} == {
        (persona, platform) for persona in q.PERSONAS for platform in known_platforms()
    }


@pytest.mark.parametrize("form", list(q.TOPICS))
def test_posts_have_no_defects(form: str) -> None:
    report = q.check_posts([c for c in q.cases() if c.form == form])
    assert report.defects == []
    assert report.max_jaccard <= q.MAX_JACCARD


def test_comments_name_a_phrase_of_the_post() -> None:
    posts = [post for case in q.cases()[::9] for post in q.batch(case, 2)]
    assert q.check_comments(posts).defects == []


def test_ad_copy_fits_its_fields_differs_per_variant_and_obeys_instructions() -> None:
    assert q.check_ads().defects == []


def test_the_checks_catch_the_defects_the_issue_reported() -> None:
    case = q.Case(
        "instruction", "Write a post about AI in healthcare", "system_founder", "x", "short"
    )
    broken = (
        "Three things I keep noticing about Write a post about AI in healthcare. "
        "I believe ship small. Share this with someone who is thinking about learned migrating. "
        "For Founders, early employees and investors, it matters."
    )
    found = " | ".join(q.post_defects(broken, case))
    for expected in ("with 0 list items", "'I believe'", "pasted instruction", "garbled"):
        assert expected in found
    assert "audience pasted capitalised" in found
    statement = q.Case("statement", "Cold email still works", "none", "linkedin", "short")
    assert "statement turned into a question" in q.post_defects(
        "Cold email still works? Maybe. #Sales #Email #Growth", statement
    )
    repeated, _ = q.batch_defects(
        [
            "Clarity beats volume every time. A.",
            "Other words here. Clarity beats volume every time.",
        ]
    )
    assert repeated
    ads = AdCopySet(
        variants=[
            AdCopyVariant(hook="Quiet desk fans for", body="A fan.", cta="Shop", hashtags=["#Fan"]),
            AdCopyVariant(hook="The quietest fan on any desk", body="B fan.", cta="Shop"),
        ]
    )
    ad_found = " | ".join(q.ad_defects(ads, "google", None))
    assert "hashtags on a Google search ad" in ad_found
    assert "ends on a joining word: 'Quiet desk fans for'" in ad_found
    assert "headline" not in ad_found  # both fit Google's 30; 31 would not
    over = AdCopySet(variants=[AdCopyVariant(hook="x" * 31, body="b", cta="c")])
    assert "google headline 31 > 30" in " ".join(q.ad_defects(over, "google", None))


@pytest.mark.parametrize(
    ("topic", "form", "subject"),
    [
        ("Write a post about AI in healthcare", "noun", "AI in healthcare"),
        ("Share tips on remote onboarding", "noun", "remote onboarding"),
        ("Is remote work here to stay?", "question", "remote work"),
        ("Remote work is here to stay", "statement", "remote work"),
        ("Hiring your first engineer", "gerund", "hiring your first engineer"),
        ("iOS 18 privacy features", "noun", "iOS 18 privacy features"),
        ("MongoDB vs PostgreSQL in 2025", "noun", "MongoDB vs PostgreSQL in 2025"),
        ("Why small teams should self-host their marketing tools", "clause", "marketing tools"),
    ],
)
def test_topics_are_read_by_form_and_keep_their_capitals(
    topic: str, form: str, subject: str
) -> None:
    read = read_topic(topic)
    assert (read.form, read.subject) == (form, subject)


def test_posts_are_deterministic_and_follow_the_angle() -> None:
    task = PostTask(topic="Customer onboarding", platform="linkedin", angle="a 3-item checklist")
    first, again = q.run(task), q.run(task)
    assert first.output.content == again.output.content
    assert first.provider == "builtin"
    assert "\n1. " in first.output.content
    story = q.run(
        PostTask(topic="Customer onboarding", platform="linkedin", angle="personal story")
    ).output.content
    assert story != first.output.content
    focused = q.run(
        PostTask(topic="Customer onboarding", angle="take; sub-topic: welcome emails")
    ).output.content
    assert "welcome emails" in focused


def test_different_topics_give_different_bodies() -> None:
    bodies = []
    for topic in ("Climate tech funding", "Kubernetes for small teams", "Email marketing"):
        post = q.run(PostTask(topic=topic, platform="linkedin", content_length="long"))
        bodies.append(post.output.content.split("\n\n", 1)[1])
    for a, b in pairwise(bodies):
        assert q.jaccard(a, b) < 0.2


def test_persona_cta_is_one_option_among_several() -> None:
    persona = q.PERSONAS["system_tech_professional"]
    assert persona is not None
    endings = set()
    for index in range(8):
        post = q.run(PostTask(persona=persona, topic=f"Topic {index} for teams", platform="x"))
        endings.add(post.output.content.count(persona.fix_cta))
    assert endings == {0, 1}


def test_google_ads_obey_a_mention_and_a_question_headline() -> None:
    ads = q.run(
        AdCopyTask(
            product_name="Breeze Fan",
            product_description="A quiet desk fan with three speeds and USB-C charging",
            platform="google",
            custom_instructions="Mention free shipping. Use a question headline.",
        )
    ).output
    assert all(v.hook.endswith("?") and len(v.hook) <= 30 for v in ads.variants)
    assert all("free shipping" in v.body.lower() and len(v.body) <= 90 for v in ads.variants)
    assert get_platform("x").limit == 280  # the ad limits are the ad networks', not X's
