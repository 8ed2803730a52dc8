"""Shared steps for the adcopy API tests: a project with a product, balances, polling."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select

from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.models import CreditLedgerEntry
from tests.factories import Tenant

FINISHED = {"completed", "failed", "canceled", "expired"}


async def project_with_product(
    http: httpx.AsyncClient, tenant: Tenant, **product: Any
) -> tuple[str, str]:
    project = await http.post(
        "/api/projects",
        json={"name": "Summer launch", "brandColors": ["#0A3D62", "#F8C291"]},
        headers=tenant.headers,
    )
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    created = await http.post(
        f"/api/projects/{project_id}/products",
        json={
            "name": "Breeze Fan",
            "description": "A whisper-quiet desk fan for hot summer days.",
            "price": "$49",
            **product,
        },
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    return project_id, created.json()["id"]


def acting(services: Services, tenant: Tenant) -> SystemActor:
    return SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())


async def available(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        return (await billing.credit_summary(session, acting(services, tenant))).available


async def grant(services: Services, tenant: Tenant, amount: int) -> None:
    async with services.db.transaction() as session:
        await billing.grant_credits(session, acting(services, tenant), amount, reason="test")


async def drain(services: Services, tenant: Tenant, leave: int = 0) -> None:
    async with services.db.transaction() as session:
        left = (await billing.credit_summary(session, acting(services, tenant))).available
        if left - leave > 0:
            await billing.reserve_credits(
                session, acting(services, tenant), left - leave, reason="test drain"
            )


async def ledger(services: Services, tenant: Tenant, related_id: str) -> list[tuple[str, int]]:
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(CreditLedgerEntry)
            .where(
                CreditLedgerEntry.workspace_id == tenant.workspace_id,
                CreditLedgerEntry.related_id == related_id,
            )
            .order_by(CreditLedgerEntry.created_at, CreditLedgerEntry.id)
        )
        return [(entry.kind, entry.amount) for entry in rows]


async def ledger_matches_balance(services: Services, tenant: Tenant) -> None:
    async with services.db.transaction() as session:
        summary = await billing.credit_summary(session, acting(services, tenant))
        total = await session.scalar(
            select(func.coalesce(func.sum(CreditLedgerEntry.amount), 0)).where(
                CreditLedgerEntry.workspace_id == tenant.workspace_id
            )
        )
    assert summary.balance == total
    assert summary.available >= 0


async def poll(http: httpx.AsyncClient, tenant: Tenant, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        response = await http.get(f"/api/generate/status?jobId={job_id}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in FINISHED:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")
