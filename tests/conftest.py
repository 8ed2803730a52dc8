from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.db import is_read_session
from postwright.core.services import Services
from postwright.core.settings import (
    DatabaseSettings,
    HttpSettings,
    JobSettings,
    RateLimitSettings,
    Settings,
)
from tests.databases import (
    PostgresTemplate,
    SqliteTemplate,
    postgres_required,
    postgres_unreachable_reason,
)

# The fake providers (one server per kind for the session) and the publishing world built on
# them, for every test that connects accounts or publishes.
pytest_plugins = ("tests.fakes.fixtures", "tests.domain.publishing.world")

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def reads_never_write() -> Iterator[None]:
    """In every test, a read session (a GET request's, ``read_transaction``) that flushes
    changes fails: a read must never take SQLite's write lock halfway through."""

    def refuse(session: Session, _context: object, _instances: object) -> None:
        if not is_read_session(session):
            return
        changed = [*session.new, *session.deleted]
        changed += [row for row in session.dirty if session.is_modified(row)]
        if changed:
            raise AssertionError(f"a read session flushes changes to {changed!r}")

    event.listen(Session, "before_flush", refuse)
    yield
    event.remove(Session, "before_flush", refuse)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    reason = postgres_unreachable_reason()
    if reason:
        if postgres_required():
            pytest.fail(reason)
        pytest.skip(reason)
    template = PostgresTemplate()
    yield template
    template.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        template: SqliteTemplate = request.getfixturevalue("sqlite_template")
        yield template.fresh(tmp_path)
        return
    pg: PostgresTemplate = request.getfixturevalue("postgres_template")
    name, url = pg.fresh()
    yield url
    pg.drop(name)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime.now(UTC))


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "secret_key": "test-secret-" + "x" * 40,
        "data_dir": data_dir,
        "log_level": "WARNING",
        "database": DatabaseSettings(url=database_url),
        "rate_limit": RateLimitSettings(),
        "http": HttpSettings(allow_loopback_urls=True),
        # Job tests switch the engine on; it is one per process.
        "jobs": JobSettings(enabled=False, polling_interval_seconds=0.05),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def services(app: FastAPI) -> Services:
    found: Services = app.state.services
    return found


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
