"""Prompts are ordered stable → volatile, carry the persona's voice, and are cache-friendly."""

from __future__ import annotations

import json
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from postwright.domain.generation import LlmConfig, LlmEngine, PostTask
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.domain.generation.prompt_share import (
    PERSONA,
    bulk_job_requests,
    post_reply,
    prefix_share,
)
from tests.fakes.http_handler import QuietHandler


def engine(server: FakeOpenAI) -> LlmEngine:
    config = LlmConfig(model="openai:gpt-4.1-mini", base_url=server.base_url, api_key="k")
    return LlmEngine(config)


async def test_persona_voice_and_examples_are_in_the_system_prompt_before_the_rules(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.responder = post_reply
    task = PostTask(
        persona=PERSONA,
        topic="cloud costs",
        platform="linkedin",
        previous_posts_in_batch=("An earlier post of the batch.",),
        batch_index=1,
        batch_size=5,
        angle="a checklist of five concrete steps",
    )
    async with engine(fake_openai) as llm:
        await llm.run(task)
    system, user = (m["content"] for m in fake_openai.requests[0]["body"]["messages"])
    assert system.split("\n\n")[0].startswith("# Persona\nName: Priya Raman")
    for example in PERSONA.example_posts:
        assert example in system
    assert "# Voice guide" in system
    assert "toil, blast radius, paved road, boring" in system
    assert "Boring technology wins" in system
    order = [system.index(h) for h in ("# Persona", "# Voice guide", "# Example posts", "# Rules")]
    assert order == sorted(order)
    assert system.index("# Rules") < system.index("Platform: LinkedIn")
    # user prompt: job context, then the batch so far, then this post's angle and position
    parts = ("Topic: cloud costs", "Posts already written", "Angle for this post", "post 2 of 5")
    positions = [user.index(part) for part in parts]
    assert positions == sorted(positions)
    assert user.rstrip().endswith("This is post 2 of 5 in a series.")


async def test_openai_requests_carry_one_cache_key_per_workspace_and_persona(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.responder = post_reply
    async with engine(fake_openai) as llm:
        for scope, topic in (("ws_a", "costs"), ("ws_a", "on-call"), ("ws_b", "costs")):
            await llm.run(PostTask(persona=PERSONA, cache_scope=scope, topic=topic))
        await llm.run(PostTask(cache_scope="ws_a", topic="costs"))
    keys = [request["body"]["prompt_cache_key"] for request in fake_openai.requests]
    assert keys[0] == keys[1]
    assert len(set(keys)) == 3
    assert all(key.startswith("pw-") and "ws_a" not in key for key in keys)


async def test_provider_reported_cached_tokens_are_recorded(fake_openai: FakeOpenAI) -> None:
    fake_openai.replies = [
        Reply(arguments={"content": "Ship small. #AI"}, prompt_tokens=1800, cached_tokens=1536)
    ]
    async with engine(fake_openai) as llm:
        result = await llm.run(PostTask(persona=PERSONA, topic="shipping"))
    assert result.usage.input_tokens == 1800
    assert result.usage.cached_tokens == 1536


async def test_a_50_post_job_shares_at_least_80_percent_of_each_prompt_as_a_prefix(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.responder = post_reply
    sequential = prefix_share(await bulk_job_requests(fake_openai, posts=50))
    planned = prefix_share(
        await bulk_job_requests(fake_openai, posts=50, with_previous_posts=False)
    )
    assert sequential.requests == planned.requests == 50
    assert sequential.share >= 0.8, sequential
    assert planned.share >= 0.8, planned
    assert planned.lowest >= 0.8, planned
    assert sequential.cache_keys == planned.cache_keys == 1


class _FakeAnthropic:
    """Just enough of Anthropic's Messages API to answer one tool call and log the body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.bodies.append(body)
                reply = {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": body["model"],
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "toolu_1",
                            "name": body["tools"][0]["name"],
                            "input": {"content": "Ship small.\n\nTry it.\n\n#AI #ML #Ops"},
                        }
                    ],
                    "stop_reason": "tool_use",
                    "usage": {
                        "input_tokens": 200,
                        "output_tokens": 20,
                        "cache_read_input_tokens": 1500,
                    },
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"


async def test_anthropic_requests_mark_the_stable_system_block_for_caching() -> None:
    fake = _FakeAnthropic()
    try:
        config = LlmConfig(model="anthropic:claude-x", base_url=fake.base_url, api_key="k")
        async with LlmEngine(config) as llm:
            result = await llm.run(PostTask(persona=PERSONA, topic="costs", angle="a story"))
    finally:
        fake.server.shutdown()
        fake.server.server_close()
    body = fake.bodies[0]
    system = body["system"]
    assert system[-1]["cache_control"]["type"] == "ephemeral"
    assert system[0]["text"].startswith("# Persona\nName: Priya Raman")
    user = json.dumps(body["messages"])
    assert "a story" in user
    assert "a story" not in json.dumps(system)
    assert result.usage.cached_tokens == 1500
