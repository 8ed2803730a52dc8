"""Losing a machine: a worker SIGKILLed for good has its jobs taken over by a live one,
automatically (no restart under its id, no operator), exactly once. Real worker processes on
PostgreSQL, as a deployment with several workers runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.domain.jobs.test_bulk_crash import (
    assert_exactly_once,
    fake_llm,  # noqa: F401 - the fixture the worker environment uses
    job_state,
    start_worker,
    submit_job,
    sync_url,
    wait_for,
    worker_env,  # noqa: F401
)
from tests.processes import run_cli

# Far above the heartbeat interval, so a loaded machine never makes a live worker look dead.
TIMEOUT_SECONDS = 10
DEADLINE = 300  # failure detectors, not speed checks


@pytest.fixture
def liveness_env(worker_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {
        **worker_env,
        "POSTWRIGHT_JOBS_HEARTBEAT_INTERVAL_SECONDS": "0.5",
        "POSTWRIGHT_JOBS_EXECUTOR_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
    }


class Workers:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.processes: dict[str, subprocess.Popen[str]] = {}

    def start(self, executor_id: str) -> None:
        self.processes[executor_id] = start_worker({**self.env, "DBOS__VMID": executor_id})

    def kill(self, executor_id: str) -> None:
        process = self.processes.pop(executor_id)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


@pytest.fixture
def workers(liveness_env: dict[str, str]) -> Iterator[Workers]:
    pool = Workers(liveness_env)
    yield pool
    pool.stop_all()


def query(database_url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def job_executor(database_url: str, job_id: str) -> str | None:
    """The executor running the job's own workflow (its model calls may run anywhere)."""
    rows = query(
        database_url,
        "SELECT executor_id FROM dbos.workflow_status WHERE workflow_uuid LIKE :pattern "
        "AND parent_workflow_id IS NULL AND status = 'PENDING'",
        pattern=f"%{job_id}%",
    )
    return str(rows[0][0]) if rows else None


def wait_until_running(database_url: str, job_id: str, executors: set[str]) -> str:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        state = job_state(database_url, job_id)
        owner = job_executor(database_url, job_id)
        if owner in executors and state["completed_posts"] >= 3:
            return owner
        time.sleep(0.1)
    raise AssertionError("the job never started on a worker")


def wait_for_takeover(database_url: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not takeovers(database_url):
        assert time.monotonic() < deadline, "no takeover recorded"
        time.sleep(0.2)


def takeovers(database_url: str) -> list[tuple[object, ...]]:
    return query(
        database_url,
        "SELECT executor_id, taken_over_by, workflow_count FROM job_executor_takeovers",
    )


async def test_survivor_takes_over_a_killed_workers_job_exactly_once(
    database_url: str, tmp_path: Path, workers: Workers, liveness_env: dict[str, str]
) -> None:
    job_id = await submit_job(database_url, tmp_path)
    workers.start("worker-1")
    workers.start("worker-2")
    victim = wait_until_running(database_url, job_id, {"worker-1", "worker-2"})
    survivor = ({"worker-1", "worker-2"} - {victim}).pop()

    workers.kill(victim)  # never restarted
    assert job_state(database_url, job_id)["status"] == "PROCESSING"

    # A failure detector, not a speed check: the job must finish once the survivor notices.
    done = wait_for(database_url, job_id, lambda s: s["status"] != "PROCESSING", timeout=DEADLINE)
    assert_exactly_once(done)
    logged = takeovers(database_url)
    assert [(row[0], row[1]) for row in logged] == [(victim, survivor)]
    assert int(str(logged[0][2])) >= 1

    listing = run_cli("workers", env={**liveness_env, "COLUMNS": "240"})
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert victim in listing.stdout
    assert f"taken over by {survivor}" in listing.stdout


async def test_two_of_three_workers_killed_at_once(
    database_url: str, tmp_path: Path, workers: Workers
) -> None:
    job_id = await submit_job(database_url, tmp_path)
    names = {"worker-a", "worker-b", "worker-c"}
    for name in sorted(names):
        workers.start(name)
    owner = wait_until_running(database_url, job_id, names)
    survivor = sorted(names - {owner})[0]
    killed = names - {survivor}
    for name in killed:
        workers.kill(name)

    done = wait_for(database_url, job_id, lambda s: s["status"] != "PROCESSING", timeout=DEADLINE)
    assert_exactly_once(done)
    logged = takeovers(database_url)
    # Each dead executor is taken over once, and only by the one survivor.
    assert sorted(str(row[0]) for row in logged) == sorted(killed)
    assert {str(row[1]) for row in logged} == {survivor}


async def test_dead_executor_returning_under_its_id_does_not_run_taken_work_twice(
    database_url: str, tmp_path: Path, workers: Workers
) -> None:
    job_id = await submit_job(database_url, tmp_path)
    workers.start("worker-x")
    wait_until_running(database_url, job_id, {"worker-x"})
    workers.kill("worker-x")
    workers.start("worker-y")
    # Wait for the takeover to be recorded, then bring the dead executor back.
    wait_for_takeover(database_url)
    workers.start("worker-x")

    done = wait_for(database_url, job_id, lambda s: s["status"] != "PROCESSING", timeout=DEADLINE)
    assert_exactly_once(done)
    assert [(row[0], row[1]) for row in takeovers(database_url)] == [("worker-x", "worker-y")]
