"""The durable job engine: DBOS Transact, configured from settings, one per process.

Workflows live with their area (``domain/jobs``); this module only starts and stops the
engine, names the queues and enqueues. Jobs are started after the rows they work on are
committed (see ``db.after_commit``), and with deterministic workflow ids, so enqueueing twice
attaches to the first run instead of starting another.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import socket
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID, WorkflowHandleAsync
from sqlalchemy.engine import make_url

from postwright import __version__
from postwright.core.logging import logger
from postwright.core.settings import Settings

JOBS_QUEUE = "jobs"
LLM_QUEUE = "llm"
WEBHOOKS_QUEUE = "webhooks"
QUEUES = (JOBS_QUEUE, LLM_QUEUE, WEBHOOKS_QUEUE)
# How often the LLM queue looks for work and a parent checks its children's results. Model calls
# take seconds; a short poll keeps the engine's share of a bulk post to tens of milliseconds
# instead of a whole polling quantum per hand-off.
FAST_POLL_SECONDS = 0.05

R = TypeVar("R")
_services: Any = None


def system_database_url(settings: Settings) -> str:
    """DBOS keeps its own tables apart from the application's: a second SQLite file, or a
    ``dbos`` schema in the same PostgreSQL database."""
    if settings.jobs.system_database_url:
        return settings.jobs.system_database_url
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite":
        database = url.database or "postwright.db"
        return f"sqlite:///{database.removesuffix('.db')}.dbos.sqlite"
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def configured_executor_id(settings: Settings, *, listen: bool = True) -> str | None:
    """The executor id: configured, else ``DBOS__VMID``. Otherwise a process that only
    enqueues (an API replica, an MCP stdio server) gets an id of its own: it owns no
    workflows, and launching under a shared id would recover — run a second time — the
    workflows another process is running. A process that runs jobs gets the host name where
    several processes share one database (PostgreSQL), DBOS's ``local`` on SQLite."""
    configured = settings.jobs.executor_id or os.environ.get("DBOS__VMID")
    if configured:
        return configured
    if not listen:
        return f"{socket.gethostname()}-{os.getpid()}-enqueue"
    if make_url(settings.database.url).get_backend_name() == "sqlite":
        return None
    return socket.gethostname()


def launch(services: Any, *, listen: bool | None = None) -> None:
    """Start the engine for this process. ``listen``: run queued jobs here (default: unless
    the mode is ``enqueue``)."""
    global _services
    settings: Settings = services.settings
    _services = services
    config: dict[str, Any] = {
        "name": "postwright",
        "system_database_url": system_database_url(settings),
        "application_version": __version__,
        "notification_listener_polling_interval_sec": min(
            FAST_POLL_SECONDS, settings.jobs.polling_interval_seconds
        ),
    }
    if listen is None:
        listen = settings.jobs.mode == "inprocess"
    executor = configured_executor_id(settings, listen=listen)
    if executor:
        config["executor_id"] = executor
    DBOS(config=config)  # type: ignore[arg-type]
    DBOS.listen_queues(list(QUEUES) if listen else [])
    DBOS.launch()


async def register_queues(settings: Settings) -> None:
    polling = settings.jobs.polling_interval_seconds
    # A job starts within a short poll too: no 1 s quantum on a bulk job's path.
    await DBOS.register_queue_async(
        JOBS_QUEUE,
        worker_concurrency=settings.jobs.worker_concurrency,
        polling_interval_sec=min(polling, FAST_POLL_SECONDS),
    )
    # Rate limits count workflow starts: every model call is its own workflow on this queue,
    # so many workers together never exceed the provider's budget — nor its concurrency, which
    # is global (all workers together), not per worker.
    await DBOS.register_queue_async(
        LLM_QUEUE,
        global_concurrency=settings.jobs.llm_concurrency,
        limiter={"limit": settings.jobs.llm_rate_limit_per_minute, "period": 60.0},
        polling_interval_sec=min(polling, FAST_POLL_SECONDS),
    )
    # Its own queue, so slow or dead webhook receivers never hold up generation jobs.
    await DBOS.register_queue_async(
        WEBHOOKS_QUEUE,
        worker_concurrency=settings.webhooks.concurrency,
        polling_interval_sec=polling,
    )


async def wait_for_queue_workers(timeout_seconds: float = 2.0) -> bool:
    """Return once DBOS listens on every queue here (False, logged, after the timeout).

    DBOS starts a queue's worker thread when its queue manager, which looks once a second,
    first sees the queue. On a new system database (a fresh install) the queues are
    registered after launch, so for up to a second nothing dequeues: the first job sat in the
    queue for ~0.7 s. A process that runs jobs is ready when its queues are listened to.
    (DBOS names each worker thread ``queue-worker-<queue>``.)"""
    wanted = {f"queue-worker-{name}" for name in QUEUES}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while not wanted <= {thread.name for thread in threading.enumerate()}:
        if loop.time() > deadline:
            logger.warning("jobs.queues_not_listening", timeout_seconds=timeout_seconds)
            return False
        await asyncio.sleep(0.02)
    return True


def shutdown() -> None:
    global _services
    DBOS.destroy(destroy_registry=False)
    _services = None


def services() -> Any:
    """The running process's Services, for workflow code (which DBOS calls with ids only)."""
    if _services is None:
        raise RuntimeError("the job engine is not running in this process")
    return _services


def is_running() -> bool:
    return _services is not None


async def enqueue(
    queue: str,
    workflow: Callable[..., Coroutine[Any, Any, R]],
    *args: Any,
    workflow_id: str,
    delay_seconds: float | None = None,
) -> WorkflowHandleAsync[R]:
    """``delay_seconds``: not started before then (a retry later), holding no worker slot.
    Returns the run's handle (the existing run's when the id was enqueued before)."""
    options = (
        SetEnqueueOptions(delay_seconds=delay_seconds)
        if delay_seconds
        else contextlib.nullcontext()
    )
    with SetWorkflowID(workflow_id), options:
        return await DBOS.enqueue_workflow_async(queue, workflow, *args)


async def run_children(
    queue: str,
    workflow: Callable[..., Coroutine[Any, Any, R]],
    calls: list[tuple[str, tuple[Any, ...]]],
) -> list[R]:
    """From inside a workflow: enqueue one child per ``(workflow id, args)`` so they all run at
    once (as far as the queue's concurrency and rate limit allow), then wait for every result.
    Ids are deterministic, so a recovered parent re-attaches to children already started.
    Results come back in the order of ``calls``.

    The enqueues (two system-database round trips each) run side by side instead of one after
    another: DBOS takes each call's place in the workflow (its function id and the workflow id
    set for it) synchronously before the call's first ``await``, and ``gather`` starts the calls
    in list order, so a replay records and finds them in the same order."""
    await asyncio.gather(
        *(enqueue(queue, workflow, *args, workflow_id=child_id) for child_id, args in calls)
    )
    results: list[R] = await _finished_children([child_id for child_id, _ in calls])
    return results


# Child workflows that are still out (not yet finished, cancelled or failed).
_OUT = ("PENDING", "ENQUEUED", "DELAYED")


@DBOS.step(name="postwright.children_finished")
async def _finished_children(child_ids: list[str]) -> list[Any]:
    """Wait for every child, then return their results in order (raising the first error).

    One step — one recorded output for the whole fan-out — polling with one query over every
    child: awaiting the children one by one recorded two system-database writes per child in
    the parent, one after another, and under load that queue trailed the children by seconds."""
    while True:
        statuses = await DBOS.list_workflows_async(
            workflow_ids=child_ids, load_input=False, load_output=False
        )
        if len(statuses) == len(child_ids) and all(s.status not in _OUT for s in statuses):
            break
        await asyncio.sleep(FAST_POLL_SECONDS)
    finished = {
        status.workflow_id: status
        for status in await DBOS.list_workflows_async(workflow_ids=child_ids, load_input=False)
    }
    results: list[Any] = []
    for child_id in child_ids:
        status = finished[child_id]
        if status.error is not None:
            raise status.error
        if status.status != "SUCCESS":
            raise RuntimeError(f"child workflow {child_id} ended {status.status}")
        results.append(status.output)
    return results


async def enqueue_detached(
    queue: str,
    workflow: Callable[..., Coroutine[Any, Any, R]],
    *args: Any,
    workflow_id: str,
) -> None:
    """Enqueue a top-level workflow from anywhere, a workflow step included (DBOS refuses to
    start a workflow inside a step): it runs in a fresh context, so it is nobody's child."""
    task = asyncio.create_task(
        enqueue(queue, workflow, *args, workflow_id=workflow_id), context=contextvars.Context()
    )
    await task


async def cancel(workflow_id: str) -> None:
    await DBOS.cancel_workflow_async(workflow_id)


def recover(executor_ids: list[str]) -> list[str]:
    """Hand the unfinished workflows of dead executors back to the queues (DBOS re-enqueues
    them; one live process dequeues each). Returns the workflow ids recovered."""
    handles = DBOS._recover_pending_workflows(executor_ids)
    return [handle.get_workflow_id() for handle in handles]


def executor_id() -> str:
    """This process's executor id, as the job engine records it on the workflows it runs."""
    from dbos._utils import GlobalParams

    return str(GlobalParams.executor_id)
