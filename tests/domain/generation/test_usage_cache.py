"""Generation usage records the input tokens a provider served from its prompt cache, and a
workspace's calls share one prompt cache key (another workspace's do not)."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import LlmSettings
from postwright.domain.generation.models import GenerationUsage
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant

GENERATE = {
    "systemPrompt": "You write for a tea shop.",
    "userPrompt": "Topic: tea",
    "platform": "linkedin",
}


async def test_cached_tokens_are_recorded_and_the_cache_is_scoped_to_the_workspace(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_openai: FakeOpenAI
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        llm=LlmSettings(
            model="openai:gpt-4.1-mini",
            base_url=fake_openai.base_url,
            api_key="sk-fake",
            max_retries=0,
        ),
    )
    fake_openai.replies = [
        Reply(arguments={"content": "Tea calms teams. #Tea"}, prompt_tokens=900, cached_tokens=768),
        Reply(arguments={"content": "Tea again. #Tea"}, prompt_tokens=900, cached_tokens=None),
        Reply(arguments={"content": "Other tea. #Tea"}, prompt_tokens=900, cached_tokens=512),
    ]
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        first = await make_tenant(services, name="A", email="a@example.com")
        other = await make_tenant(services, name="B", email="b@example.com")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for headers in (first.headers, first.headers, other.headers):
                response = await http.post(
                    "/v1/ai/generate-post-content", json=GENERATE, headers=headers
                )
                assert response.status_code == 200, response.text
        async with services.db.read_transaction() as session:
            rows = (
                await session.execute(
                    select(
                        GenerationUsage.workspace_id,
                        GenerationUsage.input_tokens,
                        GenerationUsage.cached_input_tokens,
                    )
                )
            ).all()

    assert len(rows) == 3
    assert {tuple(row) for row in rows} == {
        (first.workspace_id, 900, 768),
        (first.workspace_id, 900, None),
        (other.workspace_id, 900, 512),
    }
    keys = [request["body"]["prompt_cache_key"] for request in fake_openai.requests]
    assert keys[0] == keys[1] != keys[2]
