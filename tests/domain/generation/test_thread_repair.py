"""Threads and moment posts on the model path: an item over the platform limit, too many items
or an over-long first comment goes back to the model once, named; the fallback then keeps the
closing call to action instead of cutting the thread's end off."""

from __future__ import annotations

from postwright.domain.generation import (
    MomentPostTask,
    PlatformPostsTask,
    ThreadTask,
    get_platform,
)
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.domain.generation.test_llm_repair import engine, feedback

CTA = "What would you try first?"
POINT = "Small batches ship sooner and break less, so we review every change the same day."


def thread(*items: str) -> Reply:
    return Reply(arguments={"items": list(items)})


async def test_an_over_long_thread_item_is_sent_back_named(fake_openai: FakeOpenAI) -> None:
    long_item = " ".join([POINT] * 5)  # ~415 characters: over X's 280
    fake_openai.replies = [
        thread("Ship small.", long_item, CTA),
        thread("Ship small.", POINT, CTA),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(ThreadTask(topic="shipping", platform="x", max_posts=5))
    assert len(fake_openai.requests) == 2
    retry = feedback(fake_openai.requests[1])
    size = get_platform("x").measure(long_item)
    assert f"The item 2 text is {size} characters as X counts them; the hard limit is 276" in (
        retry
    )
    assert result.output.items == ["1/3 Ship small.", f"2/3 {POINT}", f"3/3 {CTA}"]
    assert not result.truncated


async def test_too_many_items_twice_keep_the_closing_call_to_action(
    fake_openai: FakeOpenAI,
) -> None:
    items = ["Ship small.", *(f"Lesson {n}: {POINT}" for n in range(1, 6)), CTA]
    fake_openai.replies = [thread(*items), thread(*items)]
    async with engine(fake_openai) as llm:
        result = await llm.run(ThreadTask(topic="shipping", platform="x", max_posts=5))
    assert "The thread has 7 items; write at most 5" in feedback(fake_openai.requests[1])
    posts = result.output.items
    assert result.truncated
    assert len(posts) == 5
    assert posts[0] == "1/5 Ship small."
    assert posts[-1] == f"5/5 {CTA}"  # the end of the thread is not what gets cut
    assert all(get_platform("x").fits(post) for post in posts)


async def test_an_over_long_first_comment_is_sent_back_named(fake_openai: FakeOpenAI) -> None:
    comment = " ".join([POINT] * 5)
    moment = {"post": f"Ship small.\n\n{CTA}", "first_comment": comment}
    fake_openai.replies = [
        Reply(arguments=moment),
        Reply(arguments={**moment, "first_comment": POINT}),
    ]
    task = MomentPostTask(title="Shipping", summary="Ship small", quote=POINT, platform="x")
    async with engine(fake_openai) as llm:
        result = await llm.run(task)
    assert "The first comment text is" in feedback(fake_openai.requests[1])
    assert result.output.first_comment == POINT


async def test_an_over_long_youtube_title_is_sent_back_named(fake_openai: FakeOpenAI) -> None:
    title = "How we ship small batches every day. " * 4
    good = {"platform": "youtube", "text": f"{POINT}\n\n{CTA}", "title": "Ship small"}
    fake_openai.replies = [
        Reply(arguments={"posts": [{**good, "title": title}]}),
        Reply(arguments={"posts": [good]}),
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(PlatformPostsTask(prompt="shipping", platforms=["youtube"]))
    retry = feedback(fake_openai.requests[1])
    size = get_platform("youtube").measure(title)
    assert size > 100
    assert f"The YouTube title text is {size} characters" in retry
    assert "the hard limit is 100" in retry
    assert result.output.posts[0].title == "Ship small"
