"""Talking to Postwright's MCP server with the SDK's own client, over HTTP or stdio."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.publishing.models import ConnectedAccount
from tests.factories import Tenant

EVERY_TOOL = {
    "list_personas",
    "generate_post",
    "enhance",
    "hashtags",
    "best_time",
    "suggest_time",
    "create_post",
    "get_post",
    "update_post",
    "schedule_post",
    "list_posts",
    "delete_post",
    "list_accounts",
    "start_bulk_job",
    "get_bulk_job",
    "cancel_bulk_job",
    "generate_image",
    "credits",
}


@dataclass(frozen=True)
class ToolError(Exception):
    code: str
    message: str
    body: dict[str, Any]


@asynccontextmanager
async def over_http(
    base_url: str, api_key: str, *, workspace_id: str | None = None
) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {api_key}"}
    if workspace_id:
        headers["X-Workspace-Id"] = workspace_id
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60)) as http,
        Client(streamable_http_client(f"{base_url}/mcp", http_client=http)) as client,
    ):
        yield client


@asynccontextmanager
async def over_stdio(env: dict[str, str]) -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "postwright.cli.main", "mcp"], env=env
    )
    async with Client(params, read_timeout_seconds=120) as client:
        yield client


def outcome(result: CallToolResult) -> dict[str, Any]:
    if result.is_error:
        body = (result.structured_content or {}).get("error")
        assert body is not None, result.content
        raise ToolError(body["code"], body["message"], body)
    assert result.structured_content is not None
    return result.structured_content


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    return outcome(await client.call_tool(tool, arguments))


async def failure(client: Client, tool: str, **arguments: Any) -> ToolError:
    try:
        await call(client, tool, **arguments)
    except ToolError as exc:
        return exc
    raise AssertionError(f"{tool} succeeded")


def days_ahead(now: datetime, count: int, hour: int = 9) -> list[str]:
    start = (now + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return [(start + timedelta(days=i)).astimezone(UTC).isoformat() for i in range(count)]


async def connect_account(services: Services, tenant: Tenant, provider: str = "bluesky") -> str:
    """A connected account row, as the connect flow leaves it (credentials unused here)."""
    async with services.db.transaction() as session:
        now = services.clock.now()
        account = ConnectedAccount(
            id=new_id("acct"),
            workspace_id=tenant.workspace_id,
            user_id=tenant.user_id,
            provider=provider,
            external_account_id=f"did:plc:{tenant.workspace_id}",
            handle="acme.bsky.social",
            display_name="Acme",
            timezone="Europe/Berlin",
            is_default=True,
            encrypted_credentials=services.secrets.encrypt("{}"),
            created_at=now,
            updated_at=now,
        )
        session.add(account)
    return account.id


async def exercise_every_tool(client: Client, *, account_id: str, now: datetime) -> set[str]:
    """Call each tool once, as an agent would chain them; returns the tools called."""
    called: set[str] = set()

    async def use(tool: str, **arguments: Any) -> dict[str, Any]:
        called.add(tool)
        return await call(client, tool, **arguments)

    personas = (await use("list_personas"))["personas"]
    persona = personas[0]
    before = (await use("credits"))["available"]

    post = await use(
        "generate_post", persona_id=persona["id"], platform="x", topic="our new recycling plan"
    )
    assert post["content"]
    assert post["platform"] == "x"
    assert post["provider"] == "builtin"
    assert post["credits_used"] == 1
    enhanced = await use("enhance", text=post["content"], platform="x", style="casual")
    assert enhanced["enhanced"]
    tags = await use("hashtags", content=post["content"], platform="instagram")
    assert 0 < len(tags["hashtags"]) <= 5
    assert all(tag["tag"].startswith("#") for tag in tags["hashtags"])
    best = await use("best_time", platforms=["linkedin"])
    assert len(best["heatmap"]) == 7 * 24
    assert (await use("credits"))["available"] == before - 4

    accounts = (await use("list_accounts"))["accounts"]
    assert [a["id"] for a in accounts] == [account_id]
    suggested = await use("suggest_time", account_id=account_id)
    assert suggested["account_id"] == account_id
    assert suggested["timezone"] == "Europe/Berlin"

    draft = await use("create_post", content=post["content"], platform="x")
    assert draft["status"] == "draft"
    edited = await use("update_post", post_id=draft["id"], content="Recycling, measured.")
    assert edited["content"] == "Recycling, measured."
    when = days_ahead(now, 2)[1]
    scheduled = await use("schedule_post", post_id=draft["id"], scheduled_at=when)
    assert scheduled["status"] == "scheduled"
    assert scheduled["provider"] == "outbox"
    window = days_ahead(now, 3, hour=0)
    listed = await use(
        "list_posts", status="scheduled", scheduled_from=window[1], scheduled_before=window[2]
    )
    assert [p["id"] for p in listed["posts"]] == [draft["id"]]
    outside = await call(client, "list_posts", scheduled_before=window[1])
    assert outside["posts"] == []
    assert (await use("get_post", post_id=draft["id"]))["scheduled_at"] is not None

    image = await use("generate_image", prompt="a recycling bin at sunrise")
    assert image["url"].startswith("http")
    assert image["key"]

    job = await use(
        "start_bulk_job",
        account_id=account_id,
        platform="linkedin",
        total_posts=2,
        scheduled_dates=days_ahead(now, 2),
        topic_hint="recycling tips",
    )
    assert job["credits"]["reserved"] == 2
    status = await use("get_bulk_job", job_id=job["id"])
    assert status["id"] == job["id"]
    assert status["total_posts"] == 2
    cancelled = await use("cancel_bulk_job", job_id=job["id"])
    assert cancelled["status"] == "cancelled"

    deleted = await use("delete_post", post_id=draft["id"])
    assert deleted["deleted"] is True
    assert (await failure(client, "get_post", post_id=draft["id"])).code == "NOT_FOUND"
    return called
