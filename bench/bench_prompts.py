"""How much of each model request a provider's prefix cache can reuse in a 50-post bulk job.

The job's PostTasks (same persona, platform and topic; each with its own angle, position and,
for a sequential job, the posts written so far) run one after another through the real LLM
engine against a fake OpenAI-compatible server that logs request bodies. The figure is the
common prefix of consecutive requests' input characters (system + user messages) over all
their input characters: the part OpenAI's and Anthropic's prefix caches can serve. It depends
on the prompt layout only, not on timing.

    uv run python -m bench.bench_prompts [--posts 50]
"""

from __future__ import annotations

import argparse
import asyncio

from tests.domain.generation.fake_openai import FakeOpenAI
from tests.domain.generation.prompt_share import bulk_job_requests, post_reply, prefix_share


async def measure(posts: int) -> None:
    with FakeOpenAI(responder=post_reply) as server:
        rows = [
            ("sequential (earlier posts listed in each request)", True),
            ("planned (angle and position only)", False),
        ]
        print("| job | requests | mean input (chars) | prefix share | lowest pair | cache keys |")
        print("|---|---|---|---|---|---|")
        for label, previous in rows:
            bodies = await bulk_job_requests(server, posts=posts, with_previous_posts=previous)
            share = prefix_share(bodies)
            print(
                f"| {label} | {share.requests} | {share.mean_input_chars:.0f} | "
                f"{share.share:.1%} | {share.lowest:.1%} | {share.cache_keys} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    asyncio.run(measure(parser.parse_args().posts))


if __name__ == "__main__":
    main()
