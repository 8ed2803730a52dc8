"""How much of each model request a provider's prefix cache can reuse, through the real engine.

A bulk job's requests, one after another against the fake OpenAI-compatible server: same
persona, platform and topic; each with its own angle, position and the posts written so far.
Shared by the prompt-layout test and ``bench.bench_prompts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from postwright.domain.generation import LlmConfig, LlmEngine, PersonaProfile, PostTask
from tests.domain.generation.fake_openai import FakeOpenAI, Reply

PERSONA = PersonaProfile(
    name="Priya Raman",
    description="Platform engineer who writes about running small, reliable infrastructure",
    profession="Staff platform engineer",
    voice="direct, dry, practical",
    target_audience="engineering leads at small companies",
    relevant_keywords="platform engineering, PostgreSQL, reliability, on-call",
    opinions=(
        "Boring technology wins; on-call load is a product metric; most teams need fewer services"
    ),
    vocabulary="toil, blast radius, paved road, boring",
    avoid_words="synergy, disrupt, game-changer",
    end_goal="engineering leads book a platform review",
    custom_hashtag="#PlatformEngineering",
    fix_cta="What would you cut first?",
    example_posts=(
        "We deleted 14 services last quarter.\n\nNothing broke. On-call pages dropped by half, "
        "and nobody misses the YAML.\n\nThe paved road is shorter than you think.\n\n"
        "#PlatformEngineering #SRE",
        "Your database is not slow. Your queries are.\n\nThree indexes and one EXPLAIN later, "
        "p95 went from 900 ms to 40 ms. Boring fixes, big wins.\n\n#PostgreSQL",
        "On-call is a product metric.\n\nIf a feature pages someone twice a week, it is not "
        "done. Count the toil before you count the story points.\n\n#Reliability",
    ),
)
TOPIC = "cutting cloud costs without slowing the team down"
ANGLES = (
    "a mistake we made and what it cost",
    "a checklist of five concrete steps",
    "a contrarian take on reserved instances",
    "a before/after with real numbers",
    "a question to the reader about their biggest bill",
    "a short story from an on-call night",
    "myth versus reality",
    "one tool we removed and why",
)


def post_reply(request: dict[str, Any]) -> Reply:
    """A distinct, rule-abiding post for every request."""
    number = sum(1 for m in request.get("messages", []) if m.get("role") == "user")
    seed = len(str(request.get("messages", "")))
    content = (
        f"Cost note {seed % 9973}: we cut one idle cluster and saved real money ({number}).\n\n"
        "Small, boring steps beat a big migration.\n\nWhat would you cut first?\n\n"
        "#PlatformEngineering #CloudCosts"
    )
    return Reply(arguments={"content": content}, cached_tokens=64)


def input_text(body: dict[str, Any]) -> str:
    """A chat request's input characters in the order the provider reads them."""
    parts = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content)
        parts.append(f"{message.get('role')}:{content or ''}")
    return "\n".join(parts)


def common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    for index in range(size):
        if a[index] != b[index]:
            return index
    return size


@dataclass(frozen=True)
class PrefixShare:
    requests: int
    share: float  # common-prefix characters / input characters, over all consecutive pairs
    lowest: float  # the lowest single pair
    mean_input_chars: float
    cache_keys: int  # distinct prompt_cache_key values sent


def prefix_share(bodies: list[dict[str, Any]]) -> PrefixShare:
    texts = [input_text(body) for body in bodies]
    pairs = [(common_prefix(a, b), len(b)) for a, b in pairwise(texts)]
    shared = sum(common for common, _ in pairs)
    total = sum(size for _, size in pairs)
    return PrefixShare(
        requests=len(bodies),
        share=shared / total if total else 0.0,
        lowest=min((c / s for c, s in pairs if s), default=0.0),
        mean_input_chars=sum(len(t) for t in texts) / len(texts) if texts else 0.0,
        cache_keys=len({body.get("prompt_cache_key") for body in bodies}),
    )


async def bulk_job_requests(
    server: FakeOpenAI, *, posts: int = 50, with_previous_posts: bool = True
) -> list[dict[str, Any]]:
    """Run a ``posts``-post job's PostTasks in order through the real engine; the bodies sent.

    ``with_previous_posts`` lists the batch so far in each request (a sequential job); without
    it each post has only its planned angle and position (a planned, parallel job).
    """
    config = LlmConfig(
        model="openai:gpt-4.1-mini",
        base_url=server.base_url,
        api_key="sk-test",
        max_retries=0,
        backoff_seconds=0.01,
    )
    first = len(server.requests)
    written: list[str] = []
    async with LlmEngine(config) as engine:
        for index in range(posts):
            task = PostTask(
                persona=PERSONA,
                cache_scope="ws_prompt_share",
                topic=TOPIC,
                platform="linkedin",
                previous_posts_in_batch=tuple(written) if with_previous_posts else (),
                batch_index=index,
                batch_size=posts,
                angle=ANGLES[index % len(ANGLES)],
            )
            result = await engine.run(task)
            written.append(result.output.content)
    return [request["body"] for request in server.requests[first:]]
