"""``postwright mcp``: the stdio server a desktop assistant launches, acting with one key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from postwright.core.services import Services
from postwright.core.settings import Settings
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant
from tests.mcp.tools import (
    EVERY_TOOL,
    call,
    connect_account,
    exercise_every_tool,
    failure,
    over_stdio,
)
from tests.processes import app_env, run_cli


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    built = Services.build(settings)
    try:
        yield built
    finally:
        await built.close()


def stdio_env(settings: Settings, tenant: Tenant) -> dict[str, str]:
    # Jobs are only enqueued: a bulk job stays queued until the test cancels it.
    return app_env(
        settings.database.url,
        settings.data_dir,
        POSTWRIGHT_API_KEY=tenant.api_key,
        POSTWRIGHT_JOBS_MODE="enqueue",
    )


async def test_every_tool_works_over_stdio_in_the_keys_workspace_only(
    settings: Settings, services: Services
) -> None:
    tenant, other = await make_tenant(services), await make_tenant(services, name="Rival")
    account = await connect_account(services, tenant)
    async with over_stdio(stdio_env(settings, other)) as client:
        theirs = await call(client, "create_post", content="Theirs", platform="linkedin")
    async with over_stdio(stdio_env(settings, tenant)) as client:
        assert {t.name for t in (await client.list_tools()).tools} == EVERY_TOOL
        called = await exercise_every_tool(client, account_id=account, now=services.clock.now())
        assert called == EVERY_TOOL
        assert (await failure(client, "get_post", post_id=theirs["id"])).code == "NOT_FOUND"
        assert (await failure(client, "delete_post", post_id=theirs["id"])).code == "NOT_FOUND"
        invalid = await failure(client, "list_posts", limit=0)
        assert (invalid.code, invalid.body["details"][0]["field"]) == ("VALIDATION_ERROR", "limit")
        rules = await client.read_resource("postwright://platforms/bluesky")
        assert '"counting": "graphemes"' in rules.contents[0].text  # type: ignore[union-attr]


def test_mcp_refuses_to_start_without_a_valid_key(settings: Settings) -> None:
    env = app_env(settings.database.url, settings.data_dir)
    missing = run_cli("mcp", env=env)
    assert missing.returncode == 2
    assert "POSTWRIGHT_API_KEY" in missing.stderr
    wrong = run_cli("mcp", env={**env, "POSTWRIGHT_API_KEY": "pw_live_revoked"})
    assert wrong.returncode == 1
    assert "UNAUTHORIZED" in wrong.stderr
