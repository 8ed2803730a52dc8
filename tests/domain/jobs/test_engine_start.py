"""Starting the job engine in a process that runs jobs."""

from __future__ import annotations

from pathlib import Path

from postwright.core import jobs
from postwright.core.clock import FrozenClock
from postwright.core.settings import JobSettings
from tests.conftest import make_settings
from tests.engine import running


async def test_the_engine_is_started_once_its_queues_are_listened_to(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    """On a new system database the queues are registered after DBOS launched, and DBOS starts
    a queue's worker only when it next looks (once a second): a job enqueued meanwhile sat
    still. The engine counts as started only once every queue has its worker."""
    settings = make_settings(
        database_url, tmp_path, jobs=JobSettings(polling_interval_seconds=0.05)
    )
    async with running(settings, clock):
        # No waiting allowed: the workers must already be there.
        assert await jobs.wait_for_queue_workers(timeout_seconds=0)
