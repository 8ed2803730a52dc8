"""Progress notifications: a job's watchers hear about a change as soon as it commits.

The kernel calls ``changed`` in the transaction that moves a job (an item written, failed, the
job finished); once that commits, every watcher of the job in this process wakes at once. A
watcher in another process (a job run by ``postwright worker``) is woken by its own short
timeout instead, and re-reads the job from the database either way — the database is the truth,
a notification only says "look now".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import after_commit

T = TypeVar("T")
# How long a watcher waits for a notification before it reads the database anyway.
FALLBACK_POLL_SECONDS = 0.5

_watchers: dict[str, set[asyncio.Event]] = defaultdict(set)


def changed(session: AsyncSession, job_id: str) -> None:
    async def notify() -> None:
        for event in list(_watchers.get(job_id, ())):
            event.set()

    after_commit(session, notify)


async def watch(
    job_id: str,
    read: Callable[[], Awaitable[T]],
    *,
    snapshot: Callable[[T], Hashable],
    finished: Callable[[T], bool],
    poll_seconds: float = FALLBACK_POLL_SECONDS,
) -> AsyncIterator[T]:
    """Yield the job's state now and whenever its ``snapshot`` changes, until (and including)
    a finished state."""
    event = asyncio.Event()
    _watchers[job_id].add(event)
    try:
        last: Hashable = None
        while True:
            event.clear()
            state = await read()
            if (key := snapshot(state)) != last:
                yield state
                last = key
            if finished(state):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=poll_seconds)
    finally:
        _watchers[job_id].discard(event)
        if not _watchers[job_id]:
            _watchers.pop(job_id, None)
