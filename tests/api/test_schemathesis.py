"""schemathesis against the served spec, with two workspaces' keys as peers so its
object-level-authorization check tries every read as the other workspace."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from fastapi import FastAPI

from postwright.core.services import Services
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant
from tests.processes import app_env, served

MAX_EXAMPLES = os.environ.get("POSTWRIGHT_SCHEMATHESIS_EXAMPLES", "10")


async def _tenants(database_url: str, data_dir: Path) -> list[Tenant]:
    services = Services.build(make_settings(database_url, data_dir))
    try:
        return [
            await make_tenant(services, name="Alpha", email="alpha@example.com"),
            await make_tenant(services, name="Beta", email="beta@example.com"),
        ]
    finally:
        await services.close()


def test_schemathesis_finds_no_server_error_and_no_cross_workspace_read(
    database_url: str, tmp_path: Path
) -> None:
    alpha, beta = asyncio.run(_tenants(database_url, tmp_path))
    wfc = tmp_path / "identities.json"
    wfc.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": name, "fixedHeaders": [{"name": "x-api-key", "value": t.api_key}]}
                    for name, t in (("alpha", alpha), ("beta", beta))
                ]
            }
        )
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth.wfc]\npath = "{wfc}"\npeers = ["alpha", "beta"]\n')
    env = app_env(
        database_url,
        tmp_path,
        POSTWRIGHT_RATE_LIMIT_ENABLED="false",
    )
    with served(env) as base_url:
        # Build the spec once before schemathesis loads it with its own short timeout.
        httpx.get(f"{base_url}/api/v1/openapi.json", timeout=120).raise_for_status()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config),
                "run",
                f"{base_url}/api/v1/openapi.json",
                "--checks",
                "not_a_server_error,object_level_authorization,use_after_free,"
                "ensure_resource_availability,response_schema_conformance,status_code_conformance",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "1",
                "--request-timeout",
                "20",
                "--exclude-path",
                "/metrics",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # Every operation in the spec (only /metrics excluded) was exercised.
    selected = re.search(r"Selected: (\d+)/(\d+)", result.stdout)
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert selected is not None, result.stdout[-3000:]
    assert tested is not None, result.stdout[-3000:]
    assert int(selected[1]) == int(selected[2]) - 1 == int(tested[1])


def test_every_authenticated_write_operation_takes_an_idempotency_key(app: FastAPI) -> None:
    """So schemathesis sends the header to every write route, as clients may."""
    spec = app.openapi()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
        and operation.get("security")
        and not any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert missing == []
