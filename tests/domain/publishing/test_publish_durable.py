"""The publish loop as it runs in production: a DBOS cron schedule in the embedded server,
and real worker processes killed with SIGKILL in the middle of a provider call."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from starlette.requests import Request
from starlette.responses import Response

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import JobSettings
from postwright.domain.content.models import PublishState
from tests.conftest import make_settings
from tests.domain.publishing.world import (
    Fakes,
    add_post,
    connect,
    post_row,
    publications,
    publishing_settings,
)
from tests.factories import make_tenant
from tests.fakes.x import FakeX
from tests.processes import app_env

POSTS = 6


@pytest.fixture
async def embedded(
    database_url: str, tmp_path: Path, fakes: Fakes, clock: FrozenClock
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    settings = make_settings(
        database_url,
        tmp_path,
        jobs=JobSettings(polling_interval_seconds=0.05),
        publishing=publishing_settings(fakes, schedule="* * * * * *"),
    )
    app: FastAPI = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http, app.state.services


async def wait_published(services: Services, post_id: str) -> None:
    for _ in range(600):
        if (await post_row(services, post_id)).publish_state in (
            PublishState.PUBLISHED,
            PublishState.FAILED,
        ):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"post {post_id} was never published")


async def test_the_scheduled_workflow_publishes_due_posts_in_process(
    embedded: tuple[httpx.AsyncClient, Services], fakes: Fakes, clock: FrozenClock
) -> None:
    client, services = embedded
    tenant = await make_tenant(services)
    await connect(client, tenant, "mastodon", fakes)
    fakes.mastodon.fail_next(503)  # the durable workflow retries after a backoff
    post_id = await add_post(services, tenant, "From the cron", at=clock.now(), provider="mastodon")

    await wait_published(services, post_id)

    post = await post_row(services, post_id)
    assert post.publish_state == PublishState.PUBLISHED
    assert post.external_url
    assert len(fakes.mastodon.posts) == 1
    [publication] = await publications(services, post_id)
    assert publication.attempts == 2


class SlowX(FakeX):
    """Creates the tweet, then holds the response: the window in which a worker dies after
    the network has the post but before Postwright recorded it."""

    def __init__(self) -> None:
        super().__init__()
        self.holds = 0

    async def create_tweet(self, request: Request) -> Response:
        response = await super().create_tweet(request)
        with self.lock:
            hold, self.holds = self.holds > 0, max(self.holds - 1, 0)
        if response.status_code == 201 and hold:
            await asyncio.sleep(30)
        return response


@pytest.fixture
def slow_x() -> Iterator[SlowX]:
    with SlowX().running() as fake:
        yield fake


def state(database_url: str) -> dict[str, Any]:
    engine = create_engine(database_url.replace("+asyncpg", "+psycopg"))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT publish_state, COUNT(*) FROM posts GROUP BY publish_state")
        ).all()
        reconciled = connection.execute(
            text("SELECT COUNT(*) FROM publications WHERE reconciled")
        ).scalar_one()
    engine.dispose()
    return {"states": {str(s): int(n) for s, n in rows}, "reconciled": int(reconciled)}


def wait_for(condition: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition never met")


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "postwright.cli.main", "worker", "--interval", "3600"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_a_worker_killed_mid_call_never_publishes_twice(
    database_url: str, tmp_path: Path, backend: str, fakes: Fakes, slow_x: SlowX
) -> None:
    if backend != "postgresql":
        pytest.skip("worker crash tests run on PostgreSQL: several processes share its database")
    fakes.x = slow_x
    settings = make_settings(database_url, tmp_path, publishing=publishing_settings(fakes))
    app = create_app(settings, clock=FrozenClock(datetime.now(UTC)))
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as client:
            tenant = await make_tenant(services)
            await connect(client, tenant, "x", fakes)
        for i in range(POSTS):
            await add_post(
                services,
                tenant,
                f"Post {i} survives crashes",
                at=services.clock.now(),
                provider="x",
            )
    slow_x.holds = 1
    env = app_env(
        database_url,
        tmp_path,
        DBOS__VMID="publisher-a",
        POSTWRIGHT_JOBS_POLLING_INTERVAL_SECONDS="0.1",
        POSTWRIGHT_JOBS_WORKER_CONCURRENCY="2",
        POSTWRIGHT_PUBLISHING_SCHEDULE="* * * * * *",
        POSTWRIGHT_PUBLISHING_RETRY_INITIAL_SECONDS="0.1",
        POSTWRIGHT_PUBLISHING_BASE_URLS=f'{{"x": "{slow_x.base_url}"}}',
    )

    first = start_worker(env)
    try:
        wait_for(lambda: len(slow_x.posts) >= 1 or first.poll() is not None)
        assert first.poll() is None, first.communicate()[0]  # the tweet exists, reply held
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    assert state(database_url)["states"].get("published", 0) < POSTS

    second = start_worker(env)
    try:
        wait_for(lambda: state(database_url)["states"] == {"published": POSTS})
    finally:
        second.terminate()
        second.wait(timeout=30)

    texts = [p["text"] for p in slow_x.posts]
    assert len(texts) == POSTS
    assert len(set(texts)) == POSTS
    assert state(database_url)["reconciled"] >= 1
