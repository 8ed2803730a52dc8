"""The publish loop as DBOS workflows: a cron schedule claims due posts, and each claimed
publication runs as its own durable workflow (id = the publication's id, so starting it
again attaches to the live run). Retries wait with durable sleeps, so a worker that dies
mid-backoff resumes where it was; ``publisher`` makes every step safe to run twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dbos import DBOS

from postwright.core import jobs
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.publishing import publisher
from postwright.domain.publishing.adapters.errors import RetryableError

SCHEDULE_NAME = "postwright.publish_loop"
MAX_BACKOFF_SECONDS = 300.0


def _services() -> Services:
    found: Services = jobs.services()
    return found


def workflow_id(publication_id: str) -> str:
    return f"publish:{publication_id}"


@DBOS.workflow(name="postwright.publish_tick")
async def publish_tick(scheduled_at: datetime, context: Any) -> None:
    for publication_id in await _claim_step():
        await jobs.enqueue(
            jobs.JOBS_QUEUE,
            publish_publication,
            publication_id,
            workflow_id=workflow_id(publication_id),
        )


@DBOS.step(name="postwright.publish_claim")
async def _claim_step() -> list[str]:
    services = _services()
    claimed = await publisher.claim_due(services)
    # Orphaned publications get a workflow; one whose workflow exists is re-attached (the
    # workflow id is the publication's), which changes nothing.
    leftover = await publisher.orphans(services)
    return list(dict.fromkeys([*claimed, *leftover]))


@DBOS.workflow(name="postwright.publish_publication")
async def publish_publication(publication_id: str) -> bool:
    config = _services().settings.publishing
    delay = config.retry_initial_seconds
    for _ in range(config.retry_attempts):
        outcome = await _attempt_step(publication_id)
        if outcome is not None:
            return outcome
        await DBOS.sleep_async(delay)
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)
    return await _give_up_step(publication_id)


@DBOS.step(name="postwright.publish_attempt")
async def _attempt_step(publication_id: str) -> bool | None:
    """True/False when finished (published/failed); None to retry after a backoff."""
    try:
        return (await publisher.attempt(_services(), publication_id)).success
    except RetryableError as exc:
        logger.info("post.publish_retry", publication_id=publication_id, reason=exc.reason)
        return None
    except Exception as exc:
        await publisher.note_unexpected(_services(), publication_id, exc)
        return None


@DBOS.step(name="postwright.publish_give_up")
async def _give_up_step(publication_id: str) -> bool:
    return (await publisher.give_up(_services(), publication_id)).success


async def start_schedule(services: Services) -> None:
    """Create (or replace) the cron schedule; its runs go through the jobs queue, so only
    processes that run jobs publish."""
    await DBOS.apply_schedules_async(
        [
            {
                "schedule_name": SCHEDULE_NAME,
                "workflow_fn": publish_tick,
                "schedule": services.settings.publishing.schedule,
                "queue_name": jobs.JOBS_QUEUE,
            }
        ]
    )


async def publish_now(publication_id: str) -> None:
    """Run one publication through its durable workflow (e.g. a post scheduled for now)."""
    await jobs.enqueue(
        jobs.JOBS_QUEUE,
        publish_publication,
        publication_id,
        workflow_id=workflow_id(publication_id),
    )
