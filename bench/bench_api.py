"""API overhead: Postwright's authenticated reads against the stack's floor, under wrk.

Three servers in one run, each one uvicorn worker (uvloop + httptools, no access log), rounds
interleaved so a noisy machine slows every server alike:

* ``bare``: FastAPI returning 20 small JSON objects, nothing else;
* ``floor``: a minimal FastAPI + SQLAlchemy async ORM app doing exactly what a list request
  must: look up the API key (cached in process) and select 20 of the workspace's posts, on the
  same migrated database;
* ``postwright``: the real app as ``postwright serve`` runs it (``create_served_app``) with
  rate limiting, JSON logs, metrics and request ids on, serving ``GET /api/v1/post`` and
  ``GET /api/v1/user``.

    uv run python -m bench.bench_api [--rounds 3] [--seconds 8] [--backend sqlite|postgres|both]

Needs ``wrk`` (``apt-get install wrk``). PostgreSQL is taken from POSTWRIGHT_TEST_POSTGRES_URL
(default postgres@127.0.0.1:5432); a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from fastapi import FastAPI, Header, HTTPException
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from postwright.core import migrate
from postwright.core.ids import new_id
from postwright.core.security import hash_api_key
from postwright.core.services import Services
from postwright.core.settings import DatabaseSettings, Settings
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import ApiKey
from postwright.domain.content.models import Post

PG_URL = os.environ.get(
    "POSTWRIGHT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
POSTS = 200
KEY_CACHE_SECONDS = 10.0


# --- the two reference servers ------------------------------------------------------------


def bare_app() -> FastAPI:
    app = FastAPI()
    items = [{"id": f"item_{i}", "name": f"Item {i}", "count": i} for i in range(20)]

    @app.get("/items")
    async def list_items() -> list[dict[str, Any]]:
        return items

    return app


def floor_app() -> FastAPI:
    """The key lookup (cached in process) and the 20-row select, nothing else."""
    engine = create_async_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    keys: dict[str, tuple[str, float]] = {}
    app = FastAPI()

    @app.get("/posts")
    async def list_posts(authorization: str = Header()) -> list[dict[str, Any]]:
        key_hash = hash_api_key(authorization.removeprefix("Bearer ").strip())
        cached = keys.get(key_hash)
        async with sessions() as session:
            if cached is None or cached[1] < time.monotonic():
                key = await session.scalar(
                    select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
                )
                if key is None:
                    raise HTTPException(401)
                cached = (key.workspace_id, time.monotonic() + KEY_CACHE_SECONDS)
                keys[key_hash] = cached
            rows = await session.scalars(
                select(Post)
                .where(Post.workspace_id == cached[0], Post.deleted_at.is_(None))
                .order_by(Post.created_at.desc())
                .limit(20)
            )
            return [
                {
                    "id": p.id,
                    "content": p.content,
                    "platform": p.platform,
                    "createdAt": p.created_at.isoformat(),
                }
                for p in rows
            ]

    return app


# --- running and measuring ----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    factory: str
    path: str


@dataclass(frozen=True)
class Sample:
    rps: float
    p99_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(factory: str, env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start; see {log}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(url: str, api_key: str, seconds: int, connections: int) -> Sample:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {api_key}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0)
    return Sample(rps, float(p99.group(1)) * _LATENCY_UNITS[p99.group(2)], failed)


async def _seed(url: str, data_dir: Path) -> str:
    """A workspace with an API key and ``POSTS`` posts; returns the key."""
    settings = Settings(
        env="test",
        secret_key="bench-" + "x" * 40,
        data_dir=data_dir,
        log_level="WARNING",
        database=DatabaseSettings(url=url),
    )
    services = Services.build(settings)
    try:
        async with services.db.transaction() as session:
            now = datetime.now(UTC)
            created = await accounts.bootstrap_workspace(
                session, now=now, name="bench", owner_email="bench@example.com"
            )
            for index in range(POSTS):
                at = now - timedelta(minutes=index)
                session.add(
                    Post(
                        id=new_id("post"),
                        workspace_id=created.workspace.id,
                        user_id=created.user.id,
                        content=f"Post number {index} about tea, teams and calm mornings.",
                        created_at=at,
                        updated_at=at,
                    )
                )
            return created.api_key
    finally:
        await services.close()


def _measure(
    url: str, data_dir: Path, rounds: int, seconds: int, connections: int
) -> dict[str, list[Sample]]:
    api_key = asyncio.run(_seed(url, data_dir))
    env = {
        "BENCH_DATABASE_URL": url,
        "POSTWRIGHT_DATABASE_URL": url,
        "POSTWRIGHT_DATA_DIR": str(data_dir),
        "POSTWRIGHT_SECRET_KEY": "bench-" + "x" * 40,
        "POSTWRIGHT_ENV": "test",
        "POSTWRIGHT_LOG_LEVEL": "INFO",
        "POSTWRIGHT_LOG_FORMAT": "json",
        # On, but wide enough that the benchmark measures the check, not 429s.
        "POSTWRIGHT_RATE_LIMIT_ENABLED": "true",
        "POSTWRIGHT_RATE_LIMIT_READ": "100000000/hour",
        # The request path only: no in-process job engine polling beside it.
        "POSTWRIGHT_JOBS_ENABLED": "false",
    }
    targets = [
        Target("bare FastAPI", "bench.bench_api:bare_app", "/items"),
        Target("floor (key lookup + 20-row select)", "bench.bench_api:floor_app", "/posts"),
        Target(
            "Postwright GET /api/v1/post?limit=20",
            "postwright.api.app:create_served_app",
            "/api/v1/post?limit=20",
        ),
        Target(
            "Postwright GET /api/v1/user", "postwright.api.app:create_served_app", "/api/v1/user"
        ),
    ]
    samples: dict[str, list[Sample]] = {t.name: [] for t in targets}
    log = data_dir / "servers.log"
    for _ in range(rounds):
        for target in targets:
            with _server(target.factory, env, log) as base:
                _wrk(base + target.path, api_key, 2, connections)  # warm up
                samples[target.name].append(_wrk(base + target.path, api_key, seconds, connections))
    return samples


def _pg_admin(sql: str) -> None:
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def _report(backend: str, samples: dict[str, list[Sample]]) -> None:
    names = list(samples)
    rps = {n: statistics.median(s.rps for s in samples[n]) for n in names}
    p99 = {n: statistics.median(s.p99_ms for s in samples[n]) for n in names}
    floor = names[1]
    print(f"\n### {backend}\n")
    print("| server | req/s | p99 (ms) | throughput / floor | p99 / floor | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name in names:
        errors = sum(s.errors for s in samples[name])
        print(
            f"| {name} | {rps[name]:.0f} | {p99[name]:.1f} | {rps[name] / rps[floor]:.2f} "
            f"| {p99[name] / p99[floor]:.2f} | {errors} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_api needs wrk: apt-get install wrk")
    print(
        f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} interleaved rounds "
        "(medians), 1 uvicorn worker each"
    )
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        if args.backend in ("sqlite", "both"):
            sqlite_url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
            migrate.upgrade(sqlite_url)
            samples = _measure(sqlite_url, directory, args.rounds, args.seconds, args.connections)
            _report("SQLite", samples)
        if args.backend in ("postgres", "both"):
            name = f"pw_bench_api_{os.getpid()}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            try:
                pg_url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
                migrate.upgrade(pg_url)
                samples = _measure(pg_url, directory, args.rounds, args.seconds, args.connections)
                _report("PostgreSQL", samples)
            finally:
                _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
