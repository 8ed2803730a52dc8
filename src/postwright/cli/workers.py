"""``postwright workers``: the job-running processes, their heartbeats, jobs and takeovers."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from postwright.cli.common import console, services_context
from postwright.core.jobs import system_database_url
from postwright.core.services import Services
from postwright.domain.jobs.executors import liveness


def _running_by_executor(services: Services) -> Counter[str]:
    """Unfinished (PENDING) workflows per executor, read from the job engine's own tables."""
    from dbos import DBOSClient

    client = DBOSClient(system_database_url=system_database_url(services.settings))
    try:
        pending = client.list_workflows(status="PENDING", load_input=False, load_output=False)
    except DBAPIError:  # no job engine has run against this database yet
        return Counter()
    finally:
        client.destroy()
    return Counter(str(w.executor_id) for w in pending if w.executor_id)


def workers(
    takeovers: Annotated[int, typer.Option(help="How many recent takeovers to list")] = 10,
) -> None:
    """List executors (workers and in-process API servers): last heartbeat, running jobs,
    and which dead executor's jobs were taken over by whom."""

    async def main() -> None:
        async with services_context() as services:
            async with services.db.read_sessionmaker() as session:
                executors = await liveness.list_executors(
                    session, seen_after=liveness.alive_since(services)
                )
                recent = await liveness.list_takeovers(session, limit=takeovers)
            running = await asyncio.to_thread(_running_by_executor, services)
        table = Table(title="Executors")
        for column in ("executor", "state", "host", "pid", "version", "last heartbeat", "running"):
            table.add_column(column)
        for executor in executors:
            if executor.alive:
                state = "[green]alive[/green]"
            elif executor.stopped_at is not None:
                state = "stopped"
            else:
                state = "[red]silent[/red]"
            if executor.taken_over_by:
                state += f" → taken over by {executor.taken_over_by}"
            table.add_row(
                executor.id,
                state,
                executor.host,
                str(executor.pid),
                executor.version,
                executor.last_seen_at.isoformat(timespec="seconds"),
                str(running.get(executor.id, 0)),
            )
        console.print(table)
        if recent:
            log = Table(title="Takeovers")
            for column in ("when", "dead executor", "taken over by", "reason", "workflows"):
                log.add_column(column)
            for takeover in recent:
                log.add_row(
                    takeover.taken_over_at.isoformat(timespec="seconds"),
                    takeover.executor_id,
                    takeover.taken_over_by,
                    takeover.reason,
                    str(takeover.workflow_count),
                )
            console.print(log)

    asyncio.run(main())
