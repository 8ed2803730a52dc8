"""A 50-post bulk job against a fake OpenAI-compatible model, through the real job engine.

Measurements, each a ratio within the same run (the machine is shared and noisy):

* latency-bound: the model answers after 1 s. The job strictly sequentially (one post at a
  time, one model call at a time: the baseline), the previous defaults (windows of 3 posts,
  4 model calls at once), and the defaults (the angle plan, then every post at once on the
  LLM queue — its global concurrency and rate limit decide): the <= 6 s target case.
* engine overhead: the model answers at once. Per post, the whole job (DBOS workflows, the
  database writes and the credit settlement of each item) against calling the same engine
  directly, one call after another.
* diversity: max pairwise word 3-gram Jaccard of the posts of the defaults job (fake model)
  and of a builtin-engine job, with the number of distinct hooks.

    uv run python -m bench.bench_bulk [--posts 50] [--latency 1.0] [--postgres URL]
        [--cases sequential,previous,defaults,overhead,builtin]

Runs on the embedded default (SQLite file, DBOS on SQLite) in a scratch directory, or with
``--postgres`` on a fresh PostgreSQL database per case (application and DBOS tables). A job's
wall time runs from its submission to the end of its progress stream (``…/events``), in a
process already warm (model SDK loaded, one request answered) as a running server is.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, select

from bench.fake_llm import FakeLlm
from postwright.api.app import create_app
from postwright.core import migrate
from postwright.core.services import Services
from postwright.core.settings import (
    DatabaseSettings,
    JobSettings,
    LlmSettings,
    RateLimitSettings,
    Settings,
)
from postwright.domain.accounts import service as accounts
from postwright.domain.billing import service as billing
from postwright.domain.content.models import Post
from postwright.domain.generation import providers
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.planning import hook_of, max_similarity
from postwright.domain.generation.tasks import PostTask

FINISHED = {"COMPLETED", "FAILED", "CANCELLED", "PAUSED"}
DEFAULTS = JobSettings()


@dataclass(frozen=True)
class Shape:
    name: str
    window: int
    llm_concurrency: int
    polling: float = DEFAULTS.polling_interval_seconds
    builtin: bool = False


@dataclass(frozen=True)
class Outcome:
    seconds: float
    max_jaccard: float
    hooks: int


SEQUENTIAL = Shape("strictly sequential (baseline)", window=1, llm_concurrency=1)
PREVIOUS = Shape("previous defaults (window 3)", window=3, llm_concurrency=4)
CONFIGURED = Shape(
    "defaults: plan, then all posts at once (the <= 6 s target)",
    window=DEFAULTS.bulk_window,
    llm_concurrency=DEFAULTS.llm_concurrency,
)
# The same server's next job: the engine, its HTTP client, the compiled statements and the
# output schemas already built — what every job but a server's first one sees.
CONFIGURED_WARM = Shape(
    "defaults, the server's next job",
    window=DEFAULTS.bulk_window,
    llm_concurrency=DEFAULTS.llm_concurrency,
)
BUILTIN = Shape(
    "defaults, builtin engine",
    window=DEFAULTS.bulk_window,
    llm_concurrency=DEFAULTS.llm_concurrency,
    builtin=True,
)


def _settings(directory: Path, fake: FakeLlm, shape: Shape) -> Settings:
    name = f"{shape.window}-{shape.llm_concurrency}-{shape.builtin}-{fake.latency}"
    url = (
        asyncio.run(_fresh_postgres(POSTGRES[0], name))
        if POSTGRES
        else f"sqlite+aiosqlite:///{directory / name}.db"
    )
    migrate.upgrade(url)
    llm = (
        LlmSettings()
        if shape.builtin
        else LlmSettings(model="ollama:bench", base_url=fake.base_url, api_key="k", max_retries=0)
    )
    return Settings(
        env="test",
        secret_key="bench-" + "x" * 40,
        data_dir=directory,
        log_level="WARNING",
        database=DatabaseSettings(url=url),
        rate_limit=RateLimitSettings(enabled=False),
        llm=llm,
        # The provider's rate limit stays at its default (120 starts a minute).
        jobs=JobSettings(
            bulk_window=shape.window,
            llm_concurrency=shape.llm_concurrency,
            polling_interval_seconds=shape.polling,
        ),
    )


# ``--postgres URL``: each case on its own fresh database of that server (app and DBOS tables).
POSTGRES: list[str] = []


async def _fresh_postgres(server: str, name: str) -> str:
    import asyncpg

    base = make_url(server)
    database = "bench_bulk_" + "".join(c if c.isalnum() else "_" for c in name).lower()
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()
    return base.set(database=database).render_as_string(hide_password=False)


async def _tenant(services: Services) -> str:
    async with services.db.transaction() as session:
        created = await accounts.bootstrap_workspace(
            session, now=datetime.now(UTC), name="bench", owner_email=None
        )
        acting = billing.SystemActor(created.workspace.id, datetime.now(UTC))
        await billing.grant_credits(session, acting, 100_000, reason="bench")
        return created.api_key


def run_job(directory: Path, fake: FakeLlm, shape: Shape, posts: int) -> Outcome:
    """Wall seconds from submitting the job to seeing it finished, on a fresh database, and
    how alike its posts came out."""
    return asyncio.run(_run_jobs(_settings(directory, fake, shape), posts, 1))[0]


def rows_of(
    directory: Path, fake: FakeLlm, shape: Shape, posts: int
) -> list[tuple[Shape, Outcome]]:
    """The shape's job; for the defaults, also the same server's next job (``CONFIGURED_WARM``)."""
    if shape is not CONFIGURED:
        return [(shape, run_job(directory, fake, shape, posts))]
    first, after = asyncio.run(_run_jobs(_settings(directory, fake, shape), posts, 2))
    return [(CONFIGURED, first), (CONFIGURED_WARM, after)]


async def _run_jobs(settings: Settings, posts: int, jobs: int) -> list[Outcome]:
    """``jobs`` jobs one after another in one server."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        headers = {"Authorization": f"Bearer {await _tenant(app.state.services)}"}
        start = datetime(2030, 1, 1, 9, tzinfo=UTC)
        body = {
            "accountId": "acc_bench",
            "platform": "linkedin",
            "totalPosts": posts,
            "scheduledDates": [(start + timedelta(hours=i)).isoformat() for i in range(posts)],
            "topicHint": "shipping batch work",
        }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            # A server that has answered a request before: FastAPI prepares its routes on the
            # first one (~0.3-0.6 s of CPU here), which is no part of a bulk job.
            warm = await http.get("/v1/bulk-generate/bgjob_warm", headers=headers)
            if warm.status_code != 404:
                raise RuntimeError(f"warm-up request: {warm.status_code} {warm.text}")
            return [await _one_job(app, http, headers, body, posts) for _ in range(jobs)]


async def _one_job(
    app: Any, http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], posts: int
) -> Outcome:
    began = time.perf_counter()
    submitted = await http.post("/v1/bulk-generate", json=body, headers=headers)
    submitted.raise_for_status()
    job_id = submitted.json()["jobId"]
    # Watched as the dashboard and CLI do: the progress stream ends with the job.
    events = f"/v1/bulk-generate/{job_id}/events"
    async with http.stream("GET", events, headers=headers) as stream:
        async for _ in stream.aiter_bytes():
            pass
    elapsed = time.perf_counter() - began
    job = (await http.get(f"/v1/bulk-generate/{job_id}", headers=headers)).json()
    if job["job"]["status"] not in FINISHED:
        raise RuntimeError(f"the progress stream ended early: {job['job']}")
    if job["job"]["completedPosts"] != posts:
        raise RuntimeError(f"job ended {job['job']['status']}: {job['job']}")
    async with app.state.services.db.transaction() as session:
        texts = list(await session.scalars(select(Post.content).where(Post.job_id == job_id)))
    return Outcome(elapsed, max_similarity(texts), len({hook_of(t) for t in texts}))


async def direct_calls(fake: FakeLlm, posts: int) -> float:
    """Wall seconds for ``posts`` engine calls one after another, no jobs and no database."""
    llm = LlmSettings(model="ollama:bench", base_url=fake.base_url, api_key="k", max_retries=0)
    began = time.perf_counter()
    for index in range(posts):
        engine = engine_for(llm)
        task = PostTask(topic="shipping batch work", platform="linkedin", batch_index=index)
        try:
            await engine.run(task)
        finally:
            close = getattr(engine, "aclose", None)
            if close is not None:
                await close()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on PostgreSQL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test), "
        "a fresh database per case",
    )
    parser.add_argument(
        "--cases",
        default="all",
        help="comma-separated subset of: sequential, previous, defaults, overhead, builtin "
        "(default: all; a table shows only the cases run)",
    )
    args = parser.parse_args()
    wanted = set(args.cases.split(",")) if args.cases != "all" else set(CASES)
    if unknown := wanted - set(CASES):
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    if args.postgres:
        POSTGRES.append(args.postgres)
    posts = args.posts
    # Warm the process as a running server is (``start_engine`` preloads the model SDK and
    # genai-prices' tables, seconds of CPU): otherwise the first case of a run pays for it.
    providers.preload(providers.LlmConfig(model="ollama:bench"))
    latency_shapes = [
        shape
        for name, shape in (
            ("sequential", SEQUENTIAL),
            ("previous", PREVIOUS),
            ("defaults", CONFIGURED),
        )
        if name in wanted
    ]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        with FakeLlm(latency=args.latency) as slow:
            latency_rows = [
                row for shape in latency_shapes for row in rows_of(directory, slow, shape, posts)
            ]
        overhead_rows: list[tuple[Shape, Outcome]] = []
        direct = 0.0
        builtin: Outcome | None = None
        with FakeLlm(latency=0.0) as instant:
            if "overhead" in wanted:
                direct = asyncio.run(direct_calls(instant, posts))
                overhead_rows = [
                    row
                    for shape in (SEQUENTIAL, CONFIGURED)
                    for row in rows_of(directory, instant, shape, posts)
                ]
            if "builtin" in wanted:
                builtin = run_job(directory, instant, BUILTIN, posts)
    _report(args, posts, latency_rows, direct, overhead_rows, builtin)


CASES = ("sequential", "previous", "defaults", "overhead", "builtin")


def _report(
    args: argparse.Namespace,
    posts: int,
    latency_rows: list[tuple[Shape, Outcome]],
    direct: float,
    overhead_rows: list[tuple[Shape, Outcome]],
    builtin: Outcome | None,
) -> None:
    if latency_rows:
        sequential = latency_rows[0][1].seconds
        print(f"{posts}-post bulk job, fake model latency {args.latency:g} s\n")
        print(
            f"| run | window / model calls at once | wall time (s) | vs {latency_rows[0][0].name} |"
        )
        print("|---|---|---|---|")
        for shape, outcome in latency_rows:
            print(
                f"| {shape.name} | {shape.window} / {shape.llm_concurrency} "
                f"| {outcome.seconds:.1f} | {outcome.seconds / sequential:.2f} |"
            )
        ideal = args.latency * (1 + -(-posts // DEFAULTS.llm_concurrency))
        print(f"\nideal at the defaults (plan + posts / concurrency model calls): {ideal:.0f} s")
    if overhead_rows:
        per_call = direct / posts * 1000
        print(f"\nengine overhead, fake model latency 0 s ({posts} posts)\n")
        print("| run | per post (ms) | overhead per post vs direct call (ms) |")
        print("|---|---|---|")
        print(f"| direct engine calls, sequential (baseline) | {per_call:.1f} | - |")
        for shape, outcome in overhead_rows:
            per_post = outcome.seconds / posts * 1000
            print(f"| bulk job, {shape.name} | {per_post:.1f} | {per_post - per_call:.1f} |")
    threshold = DEFAULTS.bulk_similarity_threshold
    diversity = [
        (name, outcome)
        for name, outcome in (
            ("fake model, defaults", dict(latency_rows).get(CONFIGURED)),
            ("builtin", builtin),
        )
        if outcome is not None
    ]
    if diversity:
        print(f"\ndiversity ({posts} posts; rewrite threshold {threshold})\n")
        print("| run | max pairwise 3-gram Jaccard | vs threshold | distinct hooks |")
        print("|---|---|---|---|")
        for name, outcome in diversity:
            print(
                f"| {name} | {outcome.max_jaccard:.2f} | {outcome.max_jaccard / threshold:.2f} "
                f"| {outcome.hooks}/{posts} |"
            )


if __name__ == "__main__":
    main()
