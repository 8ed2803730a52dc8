"""Expired credit and quota holds released by a DBOS schedule, in every process that runs
jobs (the embedded ``serve`` default as well as ``postwright worker``).

A hold outlives its call only when the process died between reserve and settle; once it
expires, ``sweep`` gives the credits or quota back. The schedule's runs go through the jobs
queue, so only job-running processes sweep, and a sweep that runs twice releases nothing
twice (a released hold is no longer open).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbos import DBOS

from postwright.core import jobs
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.billing import holds

SCHEDULE_NAME = "postwright.release_expired_holds"
# Seconds field first: every minute, at second 15 (holds expire after minutes, not seconds).
SCHEDULE = "15 * * * * *"


async def sweep(services: Services) -> int:
    """Release every hold past its expiry; returns how many were released."""
    async with services.db.transaction() as session:
        released = await holds.release_expired(session, now=services.clock.now())
    if released:
        logger.info("billing.expired_holds_released", count=released)
    return released


@DBOS.workflow(name="postwright.release_expired_holds")
async def release_expired_tick(scheduled_at: datetime, context: Any) -> None:
    await _sweep_step()


@DBOS.step(name="postwright.release_expired_holds_step")
async def _sweep_step() -> int:
    found: Services = jobs.services()
    return await sweep(found)


async def install(services: Services) -> int:
    """Create (or replace) the schedule, then release what expired while nothing ran."""
    await DBOS.apply_schedules_async(
        [
            {
                "schedule_name": SCHEDULE_NAME,
                "workflow_fn": release_expired_tick,
                "schedule": SCHEDULE,
                "queue_name": jobs.JOBS_QUEUE,
            }
        ]
    )
    return await sweep(services)
