"""The MCP server over streamable HTTP at /mcp of a running ``postwright serve``."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from mcp.shared.exceptions import MCPError
from sqlalchemy import func, select

from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.models import CreditLedgerEntry
from tests.factories import Tenant, make_tenant
from tests.mcp.conftest import AI_LIMIT, Deployment
from tests.mcp.tools import (
    EVERY_TOOL,
    call,
    connect_account,
    days_ahead,
    exercise_every_tool,
    failure,
    over_http,
)


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        actor = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        return (await billing.credit_summary(session, actor)).available


async def test_lists_every_tool_with_schemas_resources_and_the_week_prompt(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == EVERY_TOOL
        for tool in tools.values():
            assert tool.description, tool.name
            assert tool.output_schema, tool.name
        writes = {n for n, t in tools.items() if not t.annotations.read_only_hint}
        for name in writes:
            assert "idempotency_key" in tools[name].input_schema["properties"], name
        assert "idempotency_key" not in tools["list_posts"].input_schema["properties"]
        assert tools["generate_post"].input_schema["required"] == [
            "persona_id",
            "platform",
            "topic",
        ]

        rules = await client.read_resource("postwright://platforms")
        text = rules.contents[0].text  # type: ignore[union-attr]
        assert '"key": "x"' in text
        assert '"limit": 280' in text
        one = await client.read_resource("postwright://platforms/twitter")
        assert '"max": 2' in one.contents[0].text  # type: ignore[union-attr]
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        assert "postwright://personas{?include_system}" in templates

        persona = (await call(client, "list_personas"))["personas"][0]
        personas = await client.read_resource("postwright://personas")
        assert persona["id"] in personas.contents[0].text  # type: ignore[union-attr]

        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert prompts == {"plan_week"}
        plan = await client.get_prompt(
            "plan_week",
            {"persona_id": persona["id"], "platform": "bluesky", "start_date": "2030-01-07"},
        )
        message = plan.messages[0].content.text  # type: ignore[union-attr]
        assert persona["name"] in message
        assert "scheduled_from=2030-01-07" in message
        assert "Bluesky" in message


async def test_every_tool_works_over_http(deployment: Deployment, services: Services) -> None:
    tenant = await make_tenant(services)
    account = await connect_account(services, tenant)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        called = await exercise_every_tool(client, account_id=account, now=services.clock.now())
    assert called == EVERY_TOOL


async def test_each_tool_family_reports_the_apis_error_codes(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        unknown = await failure(
            client, "generate_post", persona_id="persona_nope", platform="x", topic="t"
        )
        assert unknown.code == "NOT_FOUND"
        platform = await failure(client, "hashtags", content="hello", platform="myspace")
        assert platform.code == "VALIDATION_ERROR"
        assert "myspace" in platform.message
        assert (await failure(client, "suggest_time", account_id="acct_nope")).code == "NOT_FOUND"
        assert (await failure(client, "get_post", post_id="post_nope")).code == "NOT_FOUND"
        past = await call(client, "create_post", content="Hello", platform="linkedin")
        late = await failure(
            client, "schedule_post", post_id=past["id"], scheduled_at="2001-01-01T09:00:00Z"
        )
        assert late.code == "VALIDATION_ERROR"
        assert (await failure(client, "get_bulk_job", job_id="bgjob_nope")).code == "NOT_FOUND"
        image = await failure(client, "generate_image")
        assert image.code == "VALIDATION_ERROR"

        left = await available(services, tenant)
        short = await failure(
            client,
            "start_bulk_job",
            account_id="acc_demo",
            platform="linkedin",
            total_posts=2,
            credits_per_post=left,
            scheduled_dates=days_ahead(services.clock.now(), 2),
        )
        assert short.code == "INSUFFICIENT_CREDITS"
        assert short.body["required"] == 2 * left
        assert short.body["available"] == left
        assert await available(services, tenant) == left


async def test_requests_without_a_valid_key_get_the_apis_401(deployment: Deployment) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    async with httpx.AsyncClient(base_url=deployment.base_url) as http:
        missing = await http.post("/mcp", json=ping)
        wrong = await http.post("/mcp", json=ping, headers={"Authorization": "Bearer pw_live_x"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "UNAUTHORIZED"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_another_workspaces_ids_are_not_found(
    deployment: Deployment, services: Services
) -> None:
    owner, other = (
        await make_tenant(services, name="Acme"),
        await make_tenant(services, name="Rival"),
    )
    async with over_http(deployment.base_url, owner.api_key) as client:
        post = await call(client, "create_post", content="Ours", platform="linkedin")
        job = await call(
            client,
            "start_bulk_job",
            account_id="acc_demo",
            platform="linkedin",
            total_posts=1,
            scheduled_dates=days_ahead(services.clock.now(), 1),
        )
    account = await connect_account(services, owner)
    async with httpx.AsyncClient(base_url=deployment.base_url) as http:
        created = await http.post("/v1/personas", json={"name": "Ours"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    persona = created.json()["persona"]["id"]
    async with over_http(deployment.base_url, other.api_key) as client:
        theirs = {p["id"] for p in (await call(client, "list_personas"))["personas"]}
        assert persona not in theirs
        with pytest.raises(MCPError, match="NOT_FOUND"):
            await client.read_resource(f"postwright://personas/{persona}")
        with pytest.raises(MCPError, match="NOT_FOUND"):
            await client.get_prompt("plan_week", {"persona_id": persona})
        for tool, arguments in [
            ("get_post", {"post_id": post["id"]}),
            ("update_post", {"post_id": post["id"], "content": "Theirs"}),
            (
                "schedule_post",
                {"post_id": post["id"], "scheduled_at": days_ahead(services.clock.now(), 1)[0]},
            ),
            ("delete_post", {"post_id": post["id"]}),
            ("get_bulk_job", {"job_id": job["id"]}),
            ("cancel_bulk_job", {"job_id": job["id"]}),
            ("suggest_time", {"account_id": account}),
            ("generate_image", {"post_id": post["id"]}),
            ("generate_post", {"persona_id": persona, "platform": "x", "topic": "Ours"}),
        ]:
            refused = await failure(client, tool, **arguments)
            assert refused.code == "NOT_FOUND", (tool, refused)
        assert (await call(client, "list_posts"))["posts"] == []
        assert (await call(client, "list_accounts"))["accounts"] == []
        # Asking for a workspace one is not a member of is refused too.
    async with over_http(
        deployment.base_url, other.api_key, workspace_id=owner.workspace_id
    ) as client:
        assert (await failure(client, "list_posts")).code == "FORBIDDEN"
    async with over_http(deployment.base_url, owner.api_key) as client:
        assert (await call(client, "get_post", post_id=post["id"]))["content"] == "Ours"
        assert (await call(client, "get_bulk_job", job_id=job["id"]))["status"] == "queued"


async def test_a_retried_write_with_the_same_key_is_done_and_charged_once(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        persona = (await call(client, "list_personas"))["personas"][0]["id"]
        arguments = {"persona_id": persona, "platform": "linkedin", "topic": "why we measure"}
        first, again = await asyncio.gather(
            call(client, "generate_post", idempotency_key="gen-1", **arguments),
            call(client, "generate_post", idempotency_key="gen-1", **arguments),
        )
        third = await call(client, "generate_post", idempotency_key="gen-1", **arguments)
        assert first == again == third
        reused = await failure(
            client, "generate_post", idempotency_key="gen-1", **{**arguments, "topic": "other"}
        )
        assert reused.code == "IDEMPOTENCY_KEY_REUSED"
        created = [
            await call(client, "create_post", content="Once", platform="x", idempotency_key="c-1")
            for _ in range(2)
        ]
        assert created[0]["id"] == created[1]["id"]
        assert len((await call(client, "list_posts"))["posts"]) == 1
    assert await available(services, tenant) == before - 1
    async with services.db.transaction() as session:
        charges = await session.scalar(
            select(func.count())
            .select_from(CreditLedgerEntry)
            .where(
                CreditLedgerEntry.workspace_id == tenant.workspace_id,
                CreditLedgerEntry.kind == "consume",
            )
        )
    assert charges == 1


async def test_ai_tools_share_the_users_rate_limit_with_the_api(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    budget = int(AI_LIMIT.split("/")[0])
    async with over_http(deployment.base_url, tenant.api_key) as client:
        for _ in range(budget - 1):
            await call(client, "hashtags", content="Measure what matters", platform="x")
        async with httpx.AsyncClient(base_url=deployment.base_url) as http:
            last = await http.post(
                "/v1/ai/hashtags", json={"content": "One more"}, headers=tenant.headers
            )
        assert last.status_code == 200
        assert last.headers["x-ratelimit-remaining"] == "0"
        limited = await failure(client, "hashtags", content="Too many", platform="x")
        assert limited.code == "RATE_LIMITED"
        assert limited.body["retryAfter"] > 0
        # Reads have their own budget.
        assert (await call(client, "credits"))["used_this_period"] == budget
