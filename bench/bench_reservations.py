"""Credit reservations per second with 50 concurrent clients, on SQLite and PostgreSQL.

Each client runs its reservations one after another, each in its own transaction (as an API
request would), through the metered-call path: ``fast.try_reserve`` (on PostgreSQL one
statement: the guarded balance ``UPDATE … RETURNING`` with the reservation and ledger inserts in
one CTE), falling back to the full checks where the fast path does not apply (SQLite).

Two cases per backend, in the same run so the ratio is what matters on a noisy machine:

* contended: all 50 clients reserve from one workspace (they queue on its billing rows),
  once with one statement per reservation and once batched (``billing.batcher``: a
  process's concurrent reservations for a workspace share one statement; PostgreSQL only);
* spread (baseline): each client reserves from its own workspace.

    uv run python -m bench.bench_reservations [--per-client 20] [--clients 50]

PostgreSQL is taken from POSTWRIGHT_TEST_POSTGRES_URL (default postgres@127.0.0.1:5432);
a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from postwright.core import migrate
from postwright.core.services import Services
from postwright.core.settings import DatabaseSettings, Settings
from postwright.domain.accounts import service as accounts
from postwright.domain.billing import batcher, fast
from postwright.domain.billing import service as billing

PG_URL = os.environ.get(
    "POSTWRIGHT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _workspaces(services: Services, count: int) -> list[str]:
    ids = []
    async with services.db.transaction() as session:
        now = datetime.now(UTC)
        for index in range(count):
            created = await accounts.bootstrap_workspace(
                session, now=now, name=f"bench {index}", owner_email=None
            )
            ids.append(created.workspace.id)
    for workspace_id in ids:
        async with services.db.transaction() as session:
            await billing.grant_credits(
                session, billing.SystemActor(workspace_id, datetime.now(UTC)), 10_000_000
            )
    return ids


async def _run(
    services: Services, targets: list[str], per_client: int, *, batched: bool = True
) -> float:
    """``batched``: as ``holds.hold_credits`` reserves (PostgreSQL folds concurrent
    reservations of a workspace into one statement); else one statement per reservation."""
    reserve = batcher.reserve if batched and not services.db.is_sqlite else fast.try_reserve

    async def client(workspace_id: str) -> None:
        for _ in range(per_client):
            async with services.db.transaction() as session:
                acting = billing.SystemActor(workspace_id, datetime.now(UTC))
                held = await reserve(
                    session,
                    acting,
                    1,
                    reason="bench",
                    related_id=None,
                    expires_at=acting.now() + timedelta(minutes=5),
                )
                if held is None:
                    await billing.reserve_credits(session, acting, 1)

    started = time.perf_counter()
    await asyncio.gather(*(client(w) for w in targets))
    return len(targets) * per_client / (time.perf_counter() - started)


async def _measure(
    url: str, data_dir: Path, clients: int, per_client: int
) -> tuple[float, float, float]:
    settings = Settings(
        env="test",
        secret_key="bench-" + "x" * 40,
        data_dir=data_dir,
        log_level="WARNING",
        database=DatabaseSettings(url=url, pool_size=clients // 2 + 1),
    )
    services = Services.build(settings)
    try:
        spread = await _workspaces(services, clients)
        contended = [spread[0]] * clients
        await _run(services, spread[:5], 2)  # warm the pool
        single = await _run(services, contended, per_client, batched=False)
        # SQLite has no batcher (its writes are exclusive): the same case twice would only
        # lengthen the run.
        batched = single if services.db.is_sqlite else await _run(services, contended, per_client)
        return single, batched, await _run(services, spread, per_client)
    finally:
        await services.close()


def _pg_admin(sql: str) -> None:
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        sqlite_url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        migrate.upgrade(sqlite_url)
        rows.append(
            ("SQLite", *asyncio.run(_measure(sqlite_url, directory, args.clients, args.per_client)))
        )
        name = f"pw_bench_{os.getpid()}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        try:
            pg_url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
            migrate.upgrade(pg_url)
            rows.append(
                (
                    "PostgreSQL",
                    *asyncio.run(_measure(pg_url, directory, args.clients, args.per_client)),
                )
            )
        finally:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    total = args.clients * args.per_client
    print(f"{args.clients} clients x {args.per_client} reservations ({total} per case)\n")
    print(
        "| backend | one workspace, one statement each (res/s) | one workspace, batched (res/s)"
        " | 50 workspaces (res/s) | batched / spread |"
    )
    print("|---|---|---|---|---|")
    for backend, single, batched, spread in rows:
        print(
            f"| {backend} | {single:.0f} | {batched:.0f} | {spread:.0f} | {batched / spread:.2f} |"
        )


if __name__ == "__main__":
    main()
