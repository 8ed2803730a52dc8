"""Fresh, migrated databases per test, on SQLite and PostgreSQL.

Both backends migrate once per session into a template, then copy it for every test: a
file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. Tests never share state
and never pay for migrations twice.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from postwright.core import migrate

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
_counter = itertools.count()


def postgres_url() -> str:
    return os.environ.get("POSTWRIGHT_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def postgres_required() -> bool:
    return os.environ.get("POSTWRIGHT_TEST_REQUIRE_POSTGRES") == "1"


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url)
    if database:
        parsed = parsed.set(database=database)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_unreachable_reason() -> str | None:
    try:
        with psycopg.connect(_libpq(postgres_url()), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {make_url(postgres_url()).render_as_string()} unreachable: {exc}"


def worker_tag() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class SqliteTemplate:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "template.db"
        migrate.upgrade(f"sqlite+aiosqlite:///{self.path}")

    def fresh(self, directory: Path) -> str:
        target = directory / "postwright.db"
        shutil.copyfile(self.path, target)
        return f"sqlite+aiosqlite:///{target}"


class PostgresTemplate:
    def __init__(self) -> None:
        self.base_url = postgres_url()
        self.name = f"pw_tpl_{worker_tag()}_{os.getpid()}"
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        migrate.upgrade(self._url(self.name))

    def _url(self, database: str) -> str:
        return make_url(self.base_url).set(database=database).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        with psycopg.connect(_libpq(self.base_url), autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def fresh(self) -> tuple[str, str]:
        name = f"pw_t_{worker_tag()}_{os.getpid()}_{next(_counter)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return name, self._url(name)

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.name)
