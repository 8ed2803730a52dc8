"""The request path under real model latency: no transaction is open across a model call, so
another workspace's reads and writes never wait for it (nor fail on a short busy timeout)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import DatabaseSettings, LlmSettings
from postwright.domain.billing.models import CreditReservation, ReservationStatus
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant

PERSONA = {"name": "Ops Lead", "voice": "plain", "keywords": ["ops"]}
GENERATE = {
    "systemPrompt": "You write for a tea shop.",
    "userPrompt": "Topic: tea",
    "platform": "linkedin",
}


@pytest.fixture
def slow_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


async def _until(predicate: Any, *, deadline: float = 10.0) -> None:
    ends = time.monotonic() + deadline
    while not predicate():
        assert time.monotonic() < ends, "condition not reached before the deadline"
        await asyncio.sleep(0.01)


async def test_other_workspaces_never_wait_for_a_model_call(
    database_url: str, tmp_path: Path, clock: FrozenClock, slow_llm: FakeOpenAI
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        # A lock held across the model call would fail these requests once this runs out
        # (the model answers only when they are all done); long enough for a loaded machine.
        database=DatabaseSettings(url=database_url, sqlite_busy_timeout_ms=5000),
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=slow_llm.base_url, api_key="sk-fake", max_retries=0
        ),
    )
    model_answers = threading.Event()
    slow_llm.replies = [Reply(arguments={"content": "Tea calms teams. #Tea"}, gate=model_answers)]
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        first = await make_tenant(services, name="A", email="a@example.com")
        other = await make_tenant(services, name="B", email="b@example.com")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            generation = asyncio.create_task(
                http.post("/v1/ai/generate-post-content", json=GENERATE, headers=first.headers)
            )
            await _until(lambda: len(slow_llm.requests) == 1)

            async def call(method: str, path: str, body: Any = None) -> int:
                response = await http.request(method, path, json=body, headers=other.headers)
                slow_llm.events.append("other workspace answered")
                return response.status_code

            calls = [
                *(call("GET", "/v1/personas") for _ in range(8)),
                *(call("POST", "/v1/personas", {**PERSONA, "name": f"P{i}"}) for i in range(3)),
                *(call("GET", "/api/v1/post") for _ in range(9)),
            ]
            try:
                # A request waiting for the model call would wait here until the deadline.
                statuses = await asyncio.wait_for(asyncio.gather(*calls), timeout=60)
            finally:
                model_answers.set()
            generated = await generation

        assert all(status < 300 for status in statuses), statuses
        assert generated.status_code == 200, generated.text
        assert slow_llm.events == ["other workspace answered"] * 20 + ["answered"]
        async with services.db.transaction() as session:
            holds = list(await session.scalars(select(CreditReservation)))
        assert [h.status for h in holds] == [ReservationStatus.SETTLED]


async def test_a_failed_model_call_releases_its_hold(
    database_url: str, tmp_path: Path, clock: FrozenClock, slow_llm: FakeOpenAI
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=slow_llm.base_url, api_key="sk-fake", max_retries=0
        ),
    )
    slow_llm.replies = [Reply(status=500)]
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        tenant = await make_tenant(services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            before = (await http.get("/api/v1/user", headers=tenant.headers)).status_code
            failed = await http.post(
                "/v1/ai/generate-post-content", json=GENERATE, headers=tenant.headers
            )
        assert before == 200
        assert failed.status_code >= 500
        async with services.db.transaction() as session:
            holds = list(await session.scalars(select(CreditReservation)))
        assert [h.status for h in holds] == [ReservationStatus.RELEASED]


class StatementCounter:
    """Counts SQL statements the app's engine runs (transaction control excluded)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            self.statements.append(statement)


async def test_statement_budget_of_a_list_and_a_generation(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    app = create_app(make_settings(database_url, tmp_path), clock=clock)
    async with app.router.lifespan_context(app):
        services = app.state.services
        tenant = await make_tenant(services)
        transport = httpx.ASGITransport(app=app)
        counter = StatementCounter()
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            # Warm: the key is cached, the month's grant applied, the balance row exists.
            assert (await http.get("/api/v1/user", headers=tenant.headers)).status_code == 200
            warm = await http.post(
                "/v1/ai/generate-post-content", json=GENERATE, headers=tenant.headers
            )
            assert warm.status_code == 200, warm.text
            await services.db.drain()
            event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
            try:
                # Key and membership cached: the profile runs no SQL; the (empty) list runs
                # its page and, with no row to carry it, the exact count.
                for path, budget in (("/api/v1/post", 2), ("/api/v1/user", 0)):
                    counter.statements.clear()
                    assert (await http.get(path, headers=tenant.headers)).status_code == 200
                    assert len(counter.statements) <= budget, (path, counter.statements)
                counter.statements.clear()
                done = await http.post(
                    "/v1/ai/generate-post-content", json=GENERATE, headers=tenant.headers
                )
                assert done.status_code == 200, done.text
                assert len(counter.statements) <= 8, counter.statements
            finally:
                event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)


async def test_revocation_applies_at_once_here_and_within_the_cache_bound_elsewhere(
    client: httpx.AsyncClient, services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from postwright.domain.accounts.keys import KEY_CACHE
    from postwright.domain.accounts.models import ApiKey

    now = [1000.0]
    monkeypatch.setattr(KEY_CACHE, "now", lambda: now[0])
    tenant = await make_tenant(services)
    created = (
        await client.post("/api/v1/api-keys", json={"name": "ci"}, headers=tenant.headers)
    ).json()
    second = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get("/api/v1/user", headers=second)).status_code == 200

    # Another process revokes the key: this one trusts its cache until the bound passes.
    async with services.db.transaction() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == created["id"]).values(revoked_at=services.clock.now())
        )
    assert (await client.get("/api/v1/user", headers=second)).status_code == 200
    now[0] += services.settings.api_key_cache_seconds
    assert (await client.get("/api/v1/user", headers=second)).status_code == 401

    # Revoked through this process: refused on the very next request, cache or not.
    assert (await client.get("/api/v1/user", headers=tenant.headers)).status_code == 200
    third = (
        await client.post("/api/v1/api-keys", json={"name": "ci2"}, headers=tenant.headers)
    ).json()
    third_headers = {"Authorization": f"Bearer {third['key']}"}
    assert (await client.get("/api/v1/user", headers=third_headers)).status_code == 200
    revoked = await client.delete(f"/api/v1/api-keys/{third['id']}", headers=tenant.headers)
    assert revoked.status_code == 200
    assert (await client.get("/api/v1/user", headers=third_headers)).status_code == 401
