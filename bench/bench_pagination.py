"""Pagination at scale: 1,000,000 posts in one workspace on PostgreSQL, through the real app.

The cursor list (powerpost ``GET /api/v1/content/posts``) page 1 and 500 pages deep is the
baseline; zorbit's documented page/limit list (``GET /api/v1/post`` with ``totalCount``) is
measured at pages 1, 500 and 40,000. Each figure is the median of N calls through the app
(httpx ASGI transport, no network), rate limiting off so only the request path counts.
Targets: zorbit page 1 at most 3x the cursor page, page 40,000 at most 10x.

    uv run python -m bench.bench_pagination [--posts 1000000] [--calls 15]

PostgreSQL is taken from POSTWRIGHT_TEST_POSTGRES_URL (default postgres@127.0.0.1:5432); a
scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from postwright.api.app import create_app
from postwright.core import migrate
from postwright.core.settings import DatabaseSettings, JobSettings, RateLimitSettings, Settings
from postwright.domain.accounts import service as accounts

PG_URL = os.environ.get(
    "POSTWRIGHT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
LIMIT = 20

SEED = """
INSERT INTO posts (id, workspace_id, user_id, type, content, platform, source, review_status,
                   is_liked, is_disliked, is_saved, publish_state, attributes,
                   created_at, updated_at)
SELECT 'post_' || lpad(n::text, 12, '0'), :workspace, :user, 'post',
       'Post number ' || n || ' about tea, teams and calm mornings.', 'linkedin', 'manual',
       'approved', false, false, false, 'draft', CAST('{}' AS json),
       CAST(:start AS timestamptz) + n * interval '1 second',
       CAST(:start AS timestamptz) + n * interval '1 second'
FROM generate_series(1, :count) AS n
"""


def _pg_admin(sql: str) -> None:
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


async def _median_ms(http: httpx.AsyncClient, url: str, headers: dict[str, str], n: int) -> float:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = await http.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return statistics.median(timings)


async def _run(url: str, data_dir: Path, posts: int, calls: int) -> dict[str, float]:
    settings = Settings(
        env="test",
        secret_key="bench-" + "x" * 40,
        data_dir=data_dir,
        log_level="WARNING",
        database=DatabaseSettings(url=url),
        rate_limit=RateLimitSettings(enabled=False),
        jobs=JobSettings(enabled=False),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        services = app.state.services
        async with services.db.transaction() as session:
            created = await accounts.bootstrap_workspace(
                session, now=datetime.now(UTC), name="bench", owner_email=None
            )
        seeded = time.perf_counter()
        async with services.db.transaction() as session:
            # Row triggers would bump one post_counts row a million times: seed with them off
            # and write the count once (what the triggers keep exact for ordinary writes).
            await session.execute(text("SET LOCAL session_replication_role = replica"))
            await session.execute(
                text(SEED),
                {
                    "workspace": created.workspace.id,
                    "user": created.user.id,
                    "start": datetime(2020, 1, 1, tzinfo=UTC),
                    "count": posts,
                },
            )
            await session.execute(
                text(
                    "INSERT INTO post_counts (workspace_id, source, live) "
                    "VALUES (:workspace, 'manual', :count)"
                ),
                {"workspace": created.workspace.id, "count": posts},
            )
        async with services.db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE posts"))
            await connection.execute(text("ANALYZE post_counts"))
        print(f"seeded {posts} posts in {time.perf_counter() - seeded:.1f} s")
        headers = {"Authorization": f"Bearer {created.api_key}"}
        transport = httpx.ASGITransport(app=app)
        figures: dict[str, float] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:
            cursor_url = f"/api/v1/content/posts?limit={LIMIT}"
            figures["cursor page 1"] = await _median_ms(http, cursor_url, headers, calls)
            cursor = None
            for _ in range(499):  # walk to page 500
                suffix = f"&cursor={cursor}" if cursor else ""
                page = (await http.get(cursor_url + suffix, headers=headers)).json()
                cursor = page["next_cursor"]
            figures["cursor page 500"] = await _median_ms(
                http, f"{cursor_url}&cursor={cursor}", headers, calls
            )
            for number in (1, 500, 40_000):
                figures[f"zorbit page {number:,}"] = await _median_ms(
                    http, f"/api/v1/post?page={number}&limit={LIMIT}", headers, calls
                )
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=15)
    args = parser.parse_args()
    name = f"pw_bench_pages_{os.getpid()}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        pg_url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(pg_url)
        with tempfile.TemporaryDirectory() as scratch:
            figures = asyncio.run(_run(pg_url, Path(scratch), args.posts, args.calls))
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    baseline = figures["cursor page 1"]
    print(f"\n{args.posts:,} posts, one workspace, limit {LIMIT}, median of {args.calls} calls\n")
    print("| list | median (ms) | vs cursor page 1 |")
    print("|---|---|---|")
    for label, value in figures.items():
        print(f"| {label} | {value:.1f} | {value / baseline:.2f} |")


if __name__ == "__main__":
    main()
