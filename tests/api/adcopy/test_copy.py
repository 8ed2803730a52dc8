"""Projects, products and synchronous ad copy (``POST /api/generate/copy``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.services import Services
from postwright.core.settings import LlmSettings
from tests.api.adcopy.helpers import available, drain, project_with_product
from tests.conftest import make_settings
from tests.domain.generation.fake_openai import FakeOpenAI, Reply
from tests.factories import make_tenant


def copy_body(project_id: str, product_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "productId": product_id,
        "platform": "meta",
        "format": "short",
        "tone": "bold",
        "customInstructions": "Focus on the summer sale",
        **extra,
    }


async def test_projects_and_products_are_created_and_listed_per_workspace(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project_id, product_id = await project_with_product(client, tenant)

    projects = (await client.get("/api/projects", headers=tenant.headers)).json()["projects"]
    products = (
        await client.get(f"/api/projects/{project_id}/products", headers=tenant.headers)
    ).json()["products"]

    assert [p["id"] for p in projects] == [project_id]
    assert projects[0]["brandColors"] == ["#0A3D62", "#F8C291"]
    assert str(uuid.UUID(project_id)) == project_id
    assert str(uuid.UUID(product_id)) == product_id
    assert products[0] | {"createdAt": None} == {
        "id": product_id,
        "projectId": project_id,
        "name": "Breeze Fan",
        "description": "A whisper-quiet desk fan for hot summer days.",
        "url": None,
        "price": "$49",
        "createdAt": None,
    }
    assert (await client.get("/api/projects", headers=stranger.headers)).json()["projects"] == []
    for method, body in (("GET", None), ("POST", {"name": "Sneaky"})):
        response = await client.request(
            method, f"/api/projects/{project_id}/products", json=body, headers=stranger.headers
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_project_input_is_validated(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    bad_colour = await client.post(
        "/api/projects", json={"name": "X", "brandColors": ["red"]}, headers=tenant.headers
    )
    no_name = await client.post("/api/projects", json={"name": ""}, headers=tenant.headers)
    assert bad_colour.status_code == 400
    assert bad_colour.json()["error"]["code"] == "VALIDATION_ERROR"
    assert no_name.status_code == 400
    assert (await client.get("/api/projects", headers=tenant.headers)).json()["projects"] == []


async def test_copy_returns_five_variants_and_costs_one_credit(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    before = await available(services, tenant)

    response = await client.post(
        "/api/generate/copy", json=copy_body(project_id, product_id), headers=tenant.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"jobId", "status", "creditsUsed", "creditsRemaining", "variants"}
    assert body["status"] == "completed"
    assert (body["creditsUsed"], body["creditsRemaining"]) == (1, before - 1)
    assert len(body["variants"]) == 5
    for variant in body["variants"]:
        assert set(variant) == {"hook", "body", "cta", "hashtags"}
        assert all(variant[part] for part in ("hook", "body", "cta"))
        assert all(tag.startswith("#") for tag in variant["hashtags"])
    assert any("summer sale" in v["body"].lower() for v in body["variants"])
    assert await available(services, tenant) == before - 1

    status = await client.get(f"/api/generate/status?jobId={body['jobId']}", headers=tenant.headers)
    assert status.json()["type"] == "copy"
    assert status.json()["status"] == "completed"


async def test_a_finished_copy_job_gives_its_idempotency_key_up(
    client: httpx.AsyncClient, services: Services
) -> None:
    # The document reuses only a non-terminal job; copy finishes in its request, so a client
    # sending its session id as the key (the document's example) gets fresh copy each time.
    tenant = await make_tenant(services)
    project_id, product_id = await project_with_product(client, tenant)
    body = copy_body(project_id, product_id, idempotencyKey="user-session-abc123")
    first = (await client.post("/api/generate/copy", json=body, headers=tenant.headers)).json()
    after_first = await available(services, tenant)

    again = await client.post("/api/generate/copy", json=body, headers=tenant.headers)

    assert again.status_code == 200
    assert again.json()["jobId"] != first["jobId"]
    assert again.json()["status"] == "completed"
    assert again.json()["creditsUsed"] == 1
    assert await available(services, tenant) == after_first - 1


async def test_copy_refusals_charge_nothing(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project_id, product_id = await project_with_product(client, tenant)
    _, other_product = await project_with_product(client, stranger)
    before = await available(services, tenant)

    bad_platform = await client.post(
        "/api/generate/copy",
        json=copy_body(project_id, product_id, platform="myspace"),
        headers=tenant.headers,
    )
    too_long = await client.post(
        "/api/generate/copy",
        json=copy_body(project_id, product_id, customInstructions="x" * 501),
        headers=tenant.headers,
    )
    foreign_product = await client.post(
        "/api/generate/copy", json=copy_body(project_id, other_product), headers=tenant.headers
    )
    await drain(services, tenant)
    broke = await client.post(
        "/api/generate/copy", json=copy_body(project_id, product_id), headers=tenant.headers
    )
    unauthenticated = await client.post(
        "/api/generate/copy", json=copy_body(project_id, product_id)
    )

    assert bad_platform.status_code == 400
    assert too_long.status_code == 400
    assert foreign_product.status_code == 404
    assert foreign_product.json()["error"]["code"] == "NOT_FOUND"
    assert broke.status_code == 402
    assert broke.json()["error"]["code"] == "INSUFFICIENT_CREDITS"
    assert (broke.json()["error"]["required"], broke.json()["error"]["available"]) == (1, 0)
    assert unauthenticated.status_code == 401
    assert before > 0


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


async def test_copy_from_a_configured_model_is_fitted_to_the_platform(
    database_url: str, tmp_path: Path, clock: FrozenClock, fake_llm: FakeOpenAI
) -> None:
    settings = make_settings(
        database_url,
        tmp_path,
        llm=LlmSettings(
            model="ollama:llama3.2", base_url=fake_llm.base_url, api_key="sk-fake", max_retries=1
        ),
    )
    variant = {
        "hook": "Summer just got hotter.",
        "body": "Our best-selling fan is now 50% off. " * 10,
        "cta": "Shop the Sale",
        "hashtags": ["#SummerSale", "#LimitedTime"],
    }
    # The over-long body goes back to the model once; the same answer again is then fitted.
    fake_llm.replies = [Reply(arguments={"variants": [variant] * 6})] * 2
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            tenant = await make_tenant(services)
            project_id, product_id = await project_with_product(http, tenant)
            response = await http.post(
                "/api/generate/copy",
                json=copy_body(project_id, product_id, platform="google"),
                headers=tenant.headers,
            )

    assert response.status_code == 200, response.text
    variants = response.json()["variants"]
    assert len(variants) == 5
    assert variants[0]["hook"] == "Summer just got hotter."
    assert variants[0]["hashtags"] == []  # Google search ads carry no hashtags
    # Google's responsive search ads allow 90 characters of description.
    assert all(len(v["body"]) <= 90 for v in variants)
    assert "description (body) of variant 1 is 370 characters" in json.dumps(fake_llm.requests[1])
    prompt = json.dumps(fake_llm.requests[0])
    assert "Breeze Fan" in prompt
    assert "Focus on the summer sale" in prompt
