"""Group commit: the items of one job that finish together are kept in one transaction.

Many items of a job finish within milliseconds of each other (their model calls ran side by
side). Each used to open its own write transaction and lock the job row, and on SQLite — one
writer — they queued behind each other for hundreds of milliseconds. Here an item hands its
write to the job's committer and waits for it: the first write starts a transaction at once;
the writes that arrive meanwhile go into the next one, together. Every item still returns only
after its own write committed, so nothing about exactly-once changes: each write is the same
guarded, idempotent unit it was alone. If a batch fails, its writes are retried one by one in
their own transactions, so one item's error never fails another.

``commit_all`` is the same for a caller that already holds a batch (the bulk job's parent,
keeping the posts of every child that finished since it last looked).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import Database

T = TypeVar("T")
# Runs one item's write in an open transaction, given what the batch prepared once (the
# locked job row, say).
Write = Callable[[AsyncSession, T], Awaitable[str]]
Prepare = Callable[[AsyncSession], Awaitable[T]]
# Runs once after a transaction's writes, before it commits (to settle what they charged).
Finish = Callable[[AsyncSession, T], Awaitable[None]]


_pending: dict[tuple[int, str, str], list[tuple[Write[object], asyncio.Future[str]]]] = {}
_drains: dict[tuple[int, str, str], asyncio.Task[None]] = {}


async def submit(db: Database, job_id: str, prepare: Prepare[T], write: Write[T]) -> str:
    """Run ``write`` in a transaction shared with the job's other writes arriving now; returns
    its result once that transaction committed (or raises its error)."""
    loop = asyncio.get_running_loop()
    key = (id(loop), db.name, job_id)
    future: asyncio.Future[str] = loop.create_future()
    _pending.setdefault(key, []).append((write, future))  # type: ignore[arg-type]
    if key not in _drains:
        _drains[key] = loop.create_task(_drain(db, key, prepare))
    return await future


async def commit_all(
    db: Database, prepare: Prepare[T], writes: list[Write[T]], finish: Finish[T] | None = None
) -> list[str | Exception]:
    """Run every write in one transaction (``prepare`` once for them all, ``finish`` once after
    them); if it fails, each write again alone. Returns each write's result, or the error that
    kept it from committing."""
    loop = asyncio.get_running_loop()
    futures: list[asyncio.Future[str]] = [loop.create_future() for _ in writes]
    await _commit(
        db,
        prepare,
        list(zip(writes, futures, strict=True)),  # type: ignore[arg-type]
        finish,  # type: ignore[arg-type]
    )
    return [
        exc if (exc := future.exception()) is not None else future.result()  # type: ignore[misc]
        for future in futures
    ]


async def _drain(db: Database, key: tuple[int, str, str], prepare: Prepare[object]) -> None:
    try:
        while batch := _pending.pop(key, None):
            await _commit(db, prepare, batch)
    finally:
        _drains.pop(key, None)


async def _commit(
    db: Database,
    prepare: Prepare[object],
    batch: list[tuple[Write[object], asyncio.Future[str]]],
    finish: Finish[object] | None = None,
) -> None:
    if len(batch) > 1:
        try:
            results: list[str] = []
            async with db.transaction() as session:
                prepared = await prepare(session)
                for write, _ in batch:
                    results.append(await write(session, prepared))
                if finish is not None:
                    await finish(session, prepared)
        except Exception:  # each write is retried alone below
            pass
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
            return
    for write, future in batch:
        try:
            async with db.transaction() as session:
                prepared = await prepare(session)
                result = await write(session, prepared)
                if finish is not None:
                    await finish(session, prepared)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(result)
