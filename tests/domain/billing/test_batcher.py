"""Batched reservations (PostgreSQL): concurrent holds on one workspace from two processes'
worth of engines share statements, and still never overdraw or break the ledger (on SQLite
the same holds run one per transaction, with the same outcome)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from postwright.core.errors import InsufficientCredits
from postwright.core.services import Services
from postwright.domain.billing import holds
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import CreditReservation, ReservationStatus
from tests.conftest import make_settings
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state


class BatchCounter:
    """Counts the batched reservation statements an engine sends."""

    def __init__(self) -> None:
        self.batches = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FOR UPDATE" in statement and "INSERT INTO credit_reservations" in statement:
            self.batches += 1


async def test_batched_holds_from_two_processes_never_overdraw(
    services: Services, database_url: str, tmp_path: Path
) -> None:
    tenant = await funded_tenant(services, 100)
    # A second process: its own engine, pool and batch queues on the same database.
    other = Services.build(make_settings(database_url, tmp_path / "other"), clock=services.clock)
    counters = [(services, BatchCounter()), (other, BatchCounter())]
    for owner, counter in counters:
        event.listen(owner.db.engine.sync_engine, "before_cursor_execute", counter)

    async def hold_two(owner: Services, index: int) -> str | None:
        acting = billing.SystemActor(tenant.workspace_id, owner.clock.now())
        try:
            async with owner.db.transaction() as session:
                held = await holds.hold_credits(
                    session,
                    acting,
                    usage_id=f"gen_{id(owner)}_{index}",
                    amount=2,
                    reason="test",
                    ttl=timedelta(minutes=5),
                )
        except InsufficientCredits:
            return None
        return held.reservation_id

    try:
        outcomes = await asyncio.gather(
            *(hold_two(owner, index) for index in range(40) for owner, _ in counters)
        )
    finally:
        await other.close()

    granted = [reservation for reservation in outcomes if reservation is not None]
    assert len(granted) == 50  # 100 credits, 2 each: exactly 50 of the 80 fit
    assert len(set(granted)) == 50
    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert (state["balance"], state["reserved"]) == (100, 100)
    # Folded on PostgreSQL: each process sent fewer statements than the holds it asked for
    # (SQLite's writes are exclusive anyway: one reservation per transaction there).
    for _, counter in counters:
        if services.db.is_sqlite:
            assert counter.batches == 0
        else:
            assert 0 < counter.batches < 40, counter.batches

    # Each batched hold settles and releases like any other.
    acting = billing.SystemActor(tenant.workspace_id, services.clock.now())
    async with services.db.transaction() as session:
        first, second = granted[0], granted[1]
        await holds.settle(session, acting, holds.Hold("u1", 2, first))
        await holds.release(session, acting, holds.Hold("u2", 2, second))
    state = await ledger_state(services, tenant.workspace_id)
    assert_invariants(state)
    assert (state["balance"], state["reserved"]) == (98, 96)
    async with services.db.read_transaction() as session:
        reservation = await session.get(CreditReservation, second)
        assert reservation is not None
        assert reservation.status == ReservationStatus.RELEASED.value
