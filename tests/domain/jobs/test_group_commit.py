"""Group commit: writes arriving together share one transaction; one failing write fails
only itself (the batch is rolled back and each write retried alone)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.services import Services
from postwright.domain.accounts.models import Workspace
from postwright.domain.jobs import group_commit
from tests.factories import make_tenant


async def names(services: Services, ids: list[str]) -> list[str]:
    async with services.db.read_transaction() as session:
        rows = dict(
            (
                await session.execute(
                    select(Workspace.id, Workspace.name).where(Workspace.id.in_(ids))
                )
            )
            .tuples()
            .all()
        )
    return [rows[workspace_id] for workspace_id in ids]


class Prepares:
    """The batch's shared preparation; counts the transactions it was run in."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, session: AsyncSession) -> None:
        self.count += 1


def rename(workspace_id: str, to: str, *, fail: bool = False) -> group_commit.Write[None]:
    """A write renaming one workspace (failing after its update when ``fail``)."""

    async def write(session: AsyncSession, _: None) -> str:
        await session.execute(update(Workspace).where(Workspace.id == workspace_id).values(name=to))
        if fail:
            raise ValueError("this item cannot be kept")
        return workspace_id

    return write


async def test_writes_arriving_together_share_a_transaction(services: Services) -> None:
    ids = [(await make_tenant(services, name=f"ws{i}")).workspace_id for i in range(4)]
    prepare = Prepares()
    to = "renamed"

    results = await asyncio.gather(
        *(group_commit.submit(services.db, "job", prepare, rename(i, to)) for i in ids)
    )

    assert results == ids
    assert prepare.count == 1  # one transaction for all four
    assert await names(services, ids) == ["renamed"] * 4


async def test_a_failing_write_fails_only_itself(services: Services) -> None:
    ids = [(await make_tenant(services, name=f"ws{i}")).workspace_id for i in range(3)]
    prepare = Prepares()
    to = "renamed"

    results = await asyncio.gather(
        group_commit.submit(services.db, "job", prepare, rename(ids[0], to)),
        group_commit.submit(services.db, "job", prepare, rename(ids[1], to, fail=True)),
        group_commit.submit(services.db, "job", prepare, rename(ids[2], to)),
        return_exceptions=True,
    )

    assert results[0] == ids[0]
    assert results[2] == ids[2]
    assert isinstance(results[1], ValueError)
    # The shared transaction was rolled back, then each write ran in its own.
    assert prepare.count == 1 + 3
    assert await names(services, ids) == ["renamed", "ws1", "renamed"]


@pytest.fixture(autouse=True)
def no_leftover_batches() -> None:
    assert not group_commit._pending


async def test_a_batch_in_hand_commits_once_and_reports_each_writes_outcome(
    services: Services,
) -> None:
    ids = [(await make_tenant(services, name=f"ws{i}")).workspace_id for i in range(3)]
    prepare = Prepares()
    to = "kept"

    together = await group_commit.commit_all(services.db, prepare, [rename(i, to) for i in ids])
    assert together == ids
    assert prepare.count == 1

    mixed = await group_commit.commit_all(
        services.db, prepare, [rename(ids[0], to), rename(ids[1], to, fail=True)]
    )
    assert mixed[0] == ids[0]
    assert isinstance(mixed[1], ValueError)
    assert prepare.count == 1 + 1 + 2  # the failed batch, then each write alone
