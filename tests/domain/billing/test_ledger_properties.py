"""Random sequences of ledger operations keep the ledger's invariants, on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postwright.core.clock import FrozenClock
from postwright.core.errors import AppError
from postwright.core.services import Services
from postwright.domain.billing import service as billing
from tests.conftest import make_settings
from tests.domain.billing.helpers import assert_invariants, funded_tenant, ledger_state

amounts = st.integers(min_value=1, max_value=30)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), amounts),
        st.tuples(st.just("charge"), amounts),
        st.tuples(st.just("refund"), amounts),
        st.tuples(st.just("reserve"), amounts),
        st.tuples(
            st.just("settle"),
            st.integers(0, 5),
            st.integers(0, 10),
            st.integers(0, 10),
        ),
        st.tuples(st.just("release"), st.integers(0, 5)),
    ),
    min_size=1,
    max_size=25,
)


class Model:
    """What the balance and reservations should be after each accepted operation."""

    def __init__(self, balance: int) -> None:
        self.balance = balance
        self.reservations: dict[str, int] = {}

    @property
    def reserved(self) -> int:
        return sum(self.reservations.values())

    @property
    def available(self) -> int:
        return self.balance - self.reserved


async def _apply(services: Services, ws: str, model: Model, op: tuple[Any, ...]) -> None:
    who = billing.SystemActor(ws, services.clock.now())
    ids = list(model.reservations)
    kind = op[0]
    expected_ok = True
    refused: AppError | None = None
    try:
        async with services.db.transaction() as session:
            if kind == "grant":
                await billing.grant_credits(session, who, op[1])
                model.balance += op[1]
            elif kind == "refund":
                await billing.refund_credits(session, who, op[1])
                model.balance += op[1]
            elif kind == "charge":
                expected_ok = op[1] <= model.available
                await billing.charge_credits(session, who, "test", amount=op[1])
                assert expected_ok
                model.balance -= op[1]
            elif kind == "reserve":
                expected_ok = op[1] <= model.available
                held = await billing.reserve_credits(session, who, op[1])
                assert expected_ok
                model.reservations[held.id] = op[1]
            elif kind == "settle" and ids:
                rid = ids[op[1] % len(ids)]
                consumed, refunded = op[2], op[3]
                expected_ok = consumed + refunded <= model.reservations[rid]
                await billing.settle_reservation(
                    session, who, rid, consumed=consumed, refunded=refunded
                )
                assert expected_ok
                model.balance -= consumed
                model.reservations[rid] -= consumed + refunded
                if model.reservations[rid] == 0:
                    del model.reservations[rid]
            elif kind == "release" and ids:
                rid = ids[op[1] % len(ids)]
                await billing.release_reservation(session, who, rid)
                del model.reservations[rid]
    except AppError as error:
        refused = error
    if refused is not None:
        # Refused only when the model says it must be (and then nothing changed).
        assert not expected_ok, refused
        assert refused.status_code in (400, 402), refused


async def _run(services: Services, ops: list[tuple[Any, ...]]) -> None:
    tenant = await funded_tenant(services, 20)
    model = Model(20)
    for op in ops:
        await _apply(services, tenant.workspace_id, model, op)
        state = await ledger_state(services, tenant.workspace_id)
        assert_invariants(state)
        assert (state["balance"], state["reserved"]) == (model.balance, model.reserved)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_operation_sequences_keep_the_ledger_invariants(
    database_url: str, tmp_path: Path, ops: list[tuple[Any, ...]]
) -> None:
    async def main() -> None:
        services = Services.build(
            make_settings(database_url, tmp_path), clock=FrozenClock(datetime.now(UTC))
        )
        try:
            await _run(services, ops)
        finally:
            await services.close()

    asyncio.run(main())
