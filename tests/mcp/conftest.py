"""A real ``postwright serve`` per backend, shared by the package's HTTP test modules, with its
MCP endpoint at ``/mcp``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from postwright.core.services import Services
from postwright.core.settings import Settings
from tests.conftest import BACKENDS, make_settings
from tests.databases import PostgresTemplate, SqliteTemplate
from tests.processes import app_env, served

AI_LIMIT = "6/hour"


@dataclass(frozen=True)
class Deployment:
    base_url: str
    env: dict[str, str]
    settings: Settings


@pytest.fixture(scope="package", params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """One server for the package's tests (each test makes its own workspaces). Jobs are
    only enqueued (no worker), so a bulk job stays queued until a test cancels it."""
    data_dir = tmp_path_factory.mktemp("mcp")
    if request.param == "sqlite":
        sqlite: SqliteTemplate = request.getfixturevalue("sqlite_template")
        url, drop = sqlite.fresh(data_dir), None
    else:
        pg: PostgresTemplate = request.getfixturevalue("postgres_template")
        name, url = pg.fresh()
        drop = name
    # Every test uses users of its own, so a small AI budget per user is safe to share.
    env = app_env(url, data_dir, POSTWRIGHT_JOBS_MODE="enqueue", POSTWRIGHT_RATE_LIMIT_AI=AI_LIMIT)
    try:
        with served(env) as base_url:
            yield Deployment(base_url, env, make_settings(url, data_dir))
    finally:
        if drop is not None:
            request.getfixturevalue("postgres_template").drop(drop)


@pytest.fixture
async def services(deployment: Deployment) -> AsyncIterator[Services]:
    """This process's view of the server's database, to set up and check state."""
    built = Services.build(deployment.settings)
    try:
        yield built
    finally:
        await built.close()
