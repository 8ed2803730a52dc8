"""Every durable job kind, and the one place a process starts the job engine.

The API process (``serve``) and ``postwright worker`` both start jobs through ``start_engine``,
so both know every kind's workflows and restart the jobs a crash left without a run. A kind is
registered here with how to restart its open jobs (``recover``) and what it installs once per
running process (schedules). Executor heartbeats and takeover belong in ``start_engine`` too.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from postwright.core import jobs
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.generation import factory, providers
from postwright.domain.jobs.executors import liveness


@dataclass(frozen=True)
class JobKind:
    name: str
    # Restart every open job of this kind left without a run; returns how many.
    recover: Callable[[Services], Awaitable[Any]]


def kinds() -> tuple[JobKind, ...]:
    """Imported here, not at module load: importing a kind registers its DBOS workflows."""
    from postwright.domain.adcopy import workflow as adcopy
    from postwright.domain.billing import hold_sweep
    from postwright.domain.jobs import bulk_workflow, generation_workflow
    from postwright.domain.media import workflow as images
    from postwright.domain.projects import workflow as projects
    from postwright.domain.publishing import workflow as publishing
    from postwright.domain.webhooks import delivery as webhook_delivery

    return (
        JobKind("bulk", lambda _: bulk_workflow.recover_orphans()),
        JobKind("project", lambda _: projects.recover_orphans()),
        JobKind("publishing", publishing.start_schedule),
        JobKind("generation", lambda _: generation_workflow.recover_orphans()),
        JobKind("webhook", lambda _: webhook_delivery.recover_pending()),
        JobKind("image", lambda _: images.recover_orphans()),
        JobKind("adcopy", adcopy.install),
        JobKind("expired holds", hold_sweep.install),
    )


async def start_engine(services: Services, *, listen: bool | None = None) -> None:
    """Launch DBOS in this process; a process that runs jobs (``listen``, default: unless the
    mode is ``enqueue``) also restarts every kind's jobs left without a run."""
    registered = kinds()
    _system_database_in_wal(services)
    jobs.launch(services, listen=listen)
    await jobs.register_queues(services.settings)
    runs_jobs = services.settings.jobs.mode == "inprocess" if listen is None else listen
    if runs_jobs:
        _preload_model_sdk(services)
        for kind in registered:
            restarted = await kind.recover(services)
            if restarted:
                logger.info("jobs.recovered", kind=kind.name, count=restarted)
        # Heartbeats, and taking over the jobs of executors that died (see executors.liveness).
        await liveness.start_for_process(services, jobs.executor_id(), jobs.recover)
        await jobs.wait_for_queue_workers()


def _system_database_in_wal(services: Services) -> None:
    """The job engine's own SQLite file in write-ahead-log mode, as the application's is: DBOS
    leaves it in rollback-journal mode, where every commit syncs the file several times and
    readers block writers — and every model call of a bulk job is a handful of its commits.
    The mode is stored in the file, so setting it once, before DBOS opens it, is enough."""
    url = make_url(jobs.system_database_url(services.settings))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    with contextlib.closing(sqlite3.connect(url.database, timeout=30)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def _preload_model_sdk(services: Services) -> None:
    """Load the model provider's SDK in the background: start-up stays fast, and the first
    job does not wait seconds for an import on its path."""
    config = providers.LlmConfig.from_settings(services.settings.llm)
    if config is not None:
        threading.Thread(
            target=providers.preload, args=(config,), name="preload-model-sdk", daemon=True
        ).start()


async def stop_engine() -> None:
    """Mark this executor stopped (survivors take over what it leaves) and stop the engine."""
    await liveness.stop_for_process()
    # Before the engine stops: its event loop must still run to close the clients made on it.
    await factory.close_shared()
    jobs.shutdown()
