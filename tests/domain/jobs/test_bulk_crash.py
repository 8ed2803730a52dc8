"""A worker killed with SIGKILL in the middle of a 50-post job: nothing is lost, nothing is
written or charged twice. Real worker processes on PostgreSQL, as a deployment runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import JobSettings
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant
from tests.processes import app_env

TOTAL = 50


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.replies = [
        Reply(arguments={"content": f"Slow post {i} on shipping weekly. #Shipping"}, delay=0.15)
        for i in range(400)
    ]
    server.start()
    yield server
    server.stop()


def sync_url(database_url: str) -> str:
    return database_url.replace("+asyncpg", "+psycopg")


def job_state(database_url: str, job_id: str) -> dict[str, Any]:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as connection:
        job = (
            connection.execute(
                text(
                    "SELECT status, completed_posts, failed_posts, skipped_posts, reservation_id, "
                    "extra_consumed, workspace_id FROM bulk_jobs WHERE id = :id"
                ),
                {"id": job_id},
            )
            .mappings()
            .one()
        )
        reservation = (
            connection.execute(
                text("SELECT amount, consumed, refunded FROM credit_reservations WHERE id = :id"),
                {"id": job["reservation_id"]},
            )
            .mappings()
            .one()
        )
        posts = connection.execute(
            text("SELECT COUNT(*) FROM posts WHERE job_id = :id"), {"id": job_id}
        ).scalar_one()
        distinct_items = connection.execute(
            text(
                "SELECT COUNT(DISTINCT post_id) FROM bulk_job_items WHERE job_id = :id "
                "AND post_id IS NOT NULL"
            ),
            {"id": job_id},
        ).scalar_one()
        ledger = connection.execute(
            text("SELECT COALESCE(SUM(amount), 0) FROM credit_ledger WHERE workspace_id = :ws"),
            {"ws": job["workspace_id"]},
        ).scalar_one()
        balance = connection.execute(
            text("SELECT balance FROM credit_balances WHERE workspace_id = :ws"),
            {"ws": job["workspace_id"]},
        ).scalar_one()
    engine.dispose()
    return {
        **job,
        **{f"res_{k}": v for k, v in reservation.items()},
        "posts": posts,
        "distinct_items": distinct_items,
        "ledger": ledger,
        "balance": balance,
    }


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "postwright.cli.main", "worker", "--interval", "3600", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(
    database_url: str, job_id: str, condition: Any, timeout: float = 120
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = job_state(database_url, job_id)
        if condition(state):
            return state
        time.sleep(0.1)
    raise AssertionError(f"timed out; last state {state}")


async def submit_job(database_url: str, tmp_path: Path) -> str:
    """Submit through the API in a process that only enqueues (like an API replica)."""
    settings = make_settings(database_url, tmp_path, jobs=JobSettings(enabled=True, mode="enqueue"))
    app = create_app(settings, clock=FrozenClock(datetime.now(UTC)))
    async with app.router.lifespan_context(app):
        tenant = await make_tenant(app.state.services)
        start = datetime(2027, 1, 4, 9, tzinfo=UTC)
        body = {
            "accountId": "acc_crash",
            "platform": "linkedin",
            "totalPosts": TOTAL,
            "scheduledDates": [(start + timedelta(days=i)).isoformat() for i in range(TOTAL)],
            "topicHint": "shipping weekly",
        }
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as http:
            response = await http.post("/v1/bulk-generate", json=body, headers=tenant.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["jobId"])


def assert_exactly_once(state: dict[str, Any]) -> None:
    assert state["status"] == "COMPLETED"
    assert state["completed_posts"] == TOTAL
    assert state["posts"] == TOTAL
    assert state["distinct_items"] == TOTAL
    assert state["res_consumed"] + state["res_refunded"] == state["res_amount"] == TOTAL
    assert state["res_consumed"] == TOTAL
    assert state["ledger"] == state["balance"]


@pytest.fixture
def worker_env(
    database_url: str, tmp_path: Path, fake_llm: FakeOpenAI, backend: str
) -> dict[str, str]:
    if backend != "postgresql":
        pytest.skip("worker crash tests run on PostgreSQL: several processes share its database")
    return app_env(
        database_url,
        tmp_path,
        POSTWRIGHT_LLM_MODEL="ollama:llama3.2",
        POSTWRIGHT_LLM_BASE_URL=fake_llm.base_url,
        POSTWRIGHT_LLM_API_KEY="sk-fake",
        POSTWRIGHT_JOBS_POLLING_INTERVAL_SECONDS="0.1",
        POSTWRIGHT_JOBS_BULK_WINDOW="3",
    )


async def test_killed_worker_restarted_with_its_id_finishes_exactly_once(
    database_url: str, tmp_path: Path, worker_env: dict[str, str]
) -> None:
    job_id = await submit_job(database_url, tmp_path)
    env = {**worker_env, "DBOS__VMID": "worker-a"}

    first = start_worker(env)
    try:
        wait_for(database_url, job_id, lambda s: s["completed_posts"] >= 8)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    halfway = job_state(database_url, job_id)
    assert halfway["status"] == "PROCESSING"
    assert halfway["completed_posts"] < TOTAL

    second = start_worker(env)
    try:
        done = wait_for(database_url, job_id, lambda s: s["status"] != "PROCESSING")
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert_exactly_once(done)


async def test_another_worker_recovers_a_dead_executor(
    database_url: str, tmp_path: Path, worker_env: dict[str, str]
) -> None:
    job_id = await submit_job(database_url, tmp_path)

    dead = start_worker({**worker_env, "DBOS__VMID": "worker-dead"})
    try:
        wait_for(database_url, job_id, lambda s: s["completed_posts"] >= 5)
    finally:
        os.kill(dead.pid, signal.SIGKILL)
        dead.wait()

    rescuer = start_worker({**worker_env, "DBOS__VMID": "worker-b"}, "--recover", "worker-dead")
    try:
        done = wait_for(database_url, job_id, lambda s: s["status"] != "PROCESSING")
    finally:
        rescuer.terminate()
        output = rescuer.communicate(timeout=30)[0]
    assert "recovered" in output
    assert_exactly_once(done)
