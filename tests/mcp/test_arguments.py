"""Arguments a tool's schema refuses come back like every other error: an MCP tool error with
the API's ``VALIDATION_ERROR`` code and a message naming the field(s)."""

from __future__ import annotations

from typing import Any

from postwright.core.services import Services
from tests.factories import make_tenant
from tests.mcp.conftest import Deployment
from tests.mcp.tools import ToolError, call, failure, over_http


def fields(error: ToolError) -> dict[str, str]:
    assert error.code == "VALIDATION_ERROR", error
    return {detail["field"]: detail["type"] for detail in error.body["details"]}


async def test_schema_invalid_arguments_are_validation_errors_naming_the_fields(
    deployment: Deployment, services: Services
) -> None:
    tenant = await make_tenant(services)
    async with over_http(deployment.base_url, tenant.api_key) as client:
        wrong_type = await failure(client, "list_posts", limit="many")
        assert fields(wrong_type) == {"limit": "int_parsing"}
        assert wrong_type.message.startswith("Invalid arguments for list_posts: limit: ")

        persona = (await call(client, "list_personas"))["personas"][0]["id"]
        missing = await failure(client, "generate_post", persona_id=persona, platform="x")
        assert fields(missing) == {"topic": "missing"}
        assert "topic: Field required" in missing.message

        out_of_range = await failure(client, "list_posts", limit=500)
        assert fields(out_of_range) == {"limit": "less_than_equal"}
        assert "100" in out_of_range.message

        unknown = await failure(client, "list_posts", status="archived")
        assert fields(unknown) == {"status": "literal_error"}
        assert "'draft'" in unknown.message
        assert "'scheduled'" in unknown.message

        several: dict[str, Any] = {
            "account_id": "acc_demo",
            "platform": "linkedin",
            "total_posts": 0,
            "scheduled_dates": ["next tuesday"],
        }
        both = await failure(client, "start_bulk_job", **several)
        assert set(fields(both)) == {"total_posts", "scheduled_dates.0"}
        assert "total_posts" in both.message
        assert "scheduled_dates.0" in both.message

        empty_key = await failure(
            client, "create_post", content="Hello", platform="x", idempotency_key=""
        )
        assert fields(empty_key) == {"idempotency_key": "string_too_short"}
        # Nothing ran: no post, no job, no charge.
        assert (await call(client, "list_posts"))["posts"] == []
        balance = await call(client, "credits")
        assert (balance["used_this_period"], balance["reserved"]) == (0, 0)
