"""Property tests of the builtin engine: fits, avoids, deterministic, varied across a batch."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from postwright.domain.generation import (
    AdCopyTask,
    BuiltinEngine,
    CommentTask,
    EnhanceTask,
    HashtagTask,
    IdeaTask,
    MomentPostTask,
    MomentsTask,
    PersonaProfile,
    PersonaTask,
    PlatformPostsTask,
    PostTask,
    ThreadTask,
    assemble,
    get_platform,
)
from postwright.domain.generation.text import contains_avoided

WORDS = [
    "growth",
    "climate",
    "data",
    "teams",
    "hiring",
    "design",
    "launch",
    "cloud",
    "health",
    "retail",
    "privacy",
    "coffee",
    "remote",
    "synergy",
    "leverage",
    "the",
    "report",
    "users",
]
PLATFORMS = [
    "linkedin",
    "x",
    "instagram",
    "threads",
    "bluesky",
    "facebook",
    "tiktok",
    "pinterest",
    "mastodon",
    "youtube",
]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
personas = st.builds(
    PersonaProfile,
    name=st.sampled_from(["Ada", "Tech Pro", "Dr. Lee"]),
    description=phrase,
    relevant_keywords=st.lists(phrase, max_size=3).map(", ".join),
    opinions=st.lists(phrase, max_size=2).map(", ".join),
    target_audience=phrase,
    end_goal=phrase,
    custom_hashtag=st.sampled_from(["", "#TechLife", "Growth"]),
    fix_cta=st.sampled_from(["", "Book a demo today."]),
    avoid_words=st.lists(st.sampled_from(WORDS), max_size=3).map(", ".join),
)
ENGINE = BuiltinEngine()


def run(task):  # type: ignore[no-untyped-def]
    return asyncio.run(ENGINE.run(task))


@settings(max_examples=60, deadline=None)
@given(
    persona=personas, topic=phrase, platform=st.sampled_from(PLATFORMS), index=st.integers(0, 20)
)
def test_posts_fit_avoid_words_and_are_deterministic(
    persona: PersonaProfile, topic: str, platform: str, index: int
) -> None:
    task = PostTask(persona=persona, topic=topic, platform=platform, batch_index=index)
    first, again = run(task), run(task)
    content = first.output.content
    assert get_platform(platform).fits(content)
    assert not contains_avoided(content, persona.avoid_list)
    assert content == again.output.content
    assert (first.provider, first.model) == ("builtin", "builtin-composer-1")
    other = run(PostTask(persona=persona, topic=topic, platform=platform, batch_index=index + 1))
    assert other.output.content != content


@settings(max_examples=30, deadline=None)
@given(persona=personas, topic=phrase)
def test_batch_posts_differ_from_previous_ones(persona: PersonaProfile, topic: str) -> None:
    previous: list[str] = []
    for index in range(5):
        post = run(
            PostTask(
                persona=persona,
                topic=topic,
                previous_posts_in_batch=previous,
                batch_index=index,
                batch_size=5,
            )
        ).output.content
        assert post not in previous
        previous.append(post)


@settings(max_examples=30, deadline=None)
@given(persona=personas, topic=phrase)
def test_every_other_kind_fits_and_avoids(persona: PersonaProfile, topic: str) -> None:
    avoid = persona.avoid_list
    thread = run(ThreadTask(persona=persona, topic=topic)).output
    assert all(get_platform("x").fits(item) for item in thread.items)
    assert thread.items[0].startswith("1/")
    ads = run(AdCopyTask(persona=persona, product_name=topic, product_description=topic)).output
    assert len(ads.variants) == 5
    comments = run(CommentTask(persona=persona, post_content=topic, variants=5)).output
    assert len(comments.comments) == 5
    assert {c.type for c in comments.comments} == {"short", "medium"}
    outputs = run(
        PlatformPostsTask(persona=persona, prompt=topic, platforms=["x", "youtube", "bluesky"])
    ).output
    youtube = outputs.as_outputs()["youtube"]
    assert isinstance(youtube, dict)
    assert len(youtube["title"]) <= 100
    tags = run(HashtagTask(persona=persona, content=topic, platform="instagram")).output
    assert len(tags.suggestions) <= 5
    texts = [
        *thread.items,
        *(f"{v.hook} {v.body} {v.cta}" for v in ads.variants),
        *(c.quote for c in comments.comments),
        *(p.text for p in outputs.posts),
        *tags.hashtags,
    ]
    assert not any(contains_avoided(text, avoid) for text in texts)


def test_assembled_prompts_round_trip_into_an_on_topic_post() -> None:
    persona = PersonaProfile(
        name="Green Ops",
        relevant_keywords="ESG, reporting",
        avoid_words="synergy",
        target_audience="Sustainability leads",
    )
    prompt = assemble(
        persona, "linkedin", "POST_GENERATION", "quarterly sustainability report results"
    )
    assert assemble(persona, "x", "POST_GENERATION", "other").system_prompt.startswith(
        prompt.persona_block
    )
    task = PostTask(
        topic="",
        system_prompt=prompt.system_prompt,
        user_prompt=prompt.user_prompt,
        platform="linkedin",
    )
    post = run(task).output.content
    assert "quarterly sustainability report results" in post
    assert len(post) <= 3000


def test_enhance_ideas_persona_and_moments_are_structured() -> None:
    enhanced = run(
        EnhanceTask(
            text="we launched something new today. it is very good",
            tone="enthusiastic",
            platform="twitter",
        )
    ).output
    assert enhanced.enhanced.startswith("We launched")
    assert enhanced.changes
    ideas = run(IdeaTask(prompt="AI in healthcare", count=3)).output.ideas
    assert len(ideas) == 3
    assert all(i.key_takeaways and i.controversial_angle for i in ideas)
    persona = run(
        PersonaTask(
            description="Create a persona for a healthcare professional who focuses on patient care"
        )
    ).output
    assert persona.name == "Healthcare Professional"
    source = (
        "We started in 2019 with two people. The biggest mistake we made was hiring too "
        "fast. Customers never asked for more features; they asked for reliability. "
        "Our churn dropped 40% after we fixed onboarding for every new customer."
    )
    moments = run(MomentsTask(source_text=source, max_moments=2)).output.moments
    assert len(moments) == 2
    assert all(m.quote in source for m in moments)
    post = run(
        MomentPostTask(title=moments[0].title, summary=moments[0].summary, quote=moments[0].quote)
    ).output
    assert moments[0].quote in post.post
    assert post.first_comment


def test_a_clause_topic_becomes_the_hook_and_its_object_the_subject() -> None:
    topic = "Why small teams should self-host their marketing tools"
    post = run(PostTask(topic=topic, platform="linkedin")).output.content
    lines = post.splitlines()

    assert "marketing tools" in post
    assert "Why small" not in post[1:]  # the clause is never pasted capitalised mid-post
    assert not lines[0].endswith("?")  # a clause is not turned into a question
    hooks = {
        run(PostTask(topic=topic, platform="linkedin", batch_index=i)).output.content.split("\n")[0]
        for i in range(5)
    }
    assert any("why small teams should self-host their marketing tools" in h for h in hooks)


def test_hashtags_keep_the_authors_capitals_and_do_not_repeat_a_phrase() -> None:
    tags = run(
        HashtagTask(content="ESG reporting for SMEs: ESG reporting done right", platform="linkedin")
    ).output
    bodies = [s.tag for s in tags.suggestions]

    assert "ESGReporting" in bodies
    assert "Esg" not in bodies
    assert not ({"ESG", "Reporting"} <= set(bodies) and "ESGReporting" in bodies)
