from __future__ import annotations

import httpx
from structlog.testing import capture_logs

from postwright.core.logging import configure_logging
from postwright.core.services import Services
from tests.factories import make_tenant


async def test_each_request_logs_id_user_method_path_status_and_duration(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    configure_logging("INFO")
    with capture_logs() as logs:
        await client.get("/api/v1/user", headers={**tenant.headers, "X-Request-ID": "trace-1"})
        await client.get("/api/v1/user", headers={"X-Request-ID": "trace-2"})

    configure_logging("WARNING")
    requests = [entry for entry in logs if entry["event"] == "request"]
    assert [r["status"] for r in requests] == [200, 401]
    served = requests[0]
    assert served["request_id"] == "trace-1"
    assert served["user_id"] == tenant.user_id
    assert served["workspace_id"] == tenant.workspace_id
    assert served["method"] == "GET"
    assert served["path"] == "/api/v1/user"
    assert served["duration_ms"] >= 0
    assert requests[1]["request_id"] == "trace-2"
    assert requests[1]["user_id"] is None
