"""``postwright credits``: an operator's view of a workspace's credits."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.cli.common import console, err_console, run_in_transaction
from postwright.core.errors import AppError
from postwright.core.services import Services
from postwright.domain.billing import service as billing

T = TypeVar("T")

credits_app = typer.Typer(help="Credits: grant and inspect a workspace's balance.")


def _or_exit(work: Callable[[AsyncSession, Services], Awaitable[T]]) -> T:
    try:
        return run_in_transaction(work)
    except AppError as exc:
        err_console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(code=1) from exc


def _summary_json(summary: billing.CreditSummary) -> str:
    return json.dumps(
        {
            "balance": summary.balance,
            "reserved": summary.reserved,
            "available": summary.available,
            "used_this_period": summary.used_this_period,
            "plan_id": summary.plan_id,
        }
    )


@credits_app.command("grant")
def grant(
    workspace_id: Annotated[str, typer.Option("--workspace", help="Workspace id")],
    amount: Annotated[int, typer.Option(min=1, help="Credits to add")],
    reason: Annotated[str, typer.Option(help="Recorded in the ledger")] = "operator grant",
    reference: Annotated[
        str | None, typer.Option(help="Idempotency reference: a repeated one grants nothing")
    ] = None,
) -> None:
    """Add credits to a workspace (recorded as a ledger grant)."""

    async def work(session: AsyncSession, services: Services) -> billing.CreditSummary:
        account = await billing.workspace_account(session, workspace_id, services.clock.now())
        await billing.grant_credits(session, account, amount, reason=reason, reference=reference)
        return await billing.credit_summary(session, account)

    summary = _or_exit(work)
    console.print(f"granted {amount} to {workspace_id}")
    typer.echo(_summary_json(summary))


@credits_app.command("balance")
def balance(
    workspace_id: Annotated[str, typer.Option("--workspace", help="Workspace id")],
) -> None:
    """Print a workspace's balance, reserved and available credits as JSON."""

    async def work(session: AsyncSession, services: Services) -> billing.CreditSummary:
        account = await billing.workspace_account(session, workspace_id, services.clock.now())
        return await billing.credit_summary(session, account)

    typer.echo(_summary_json(_or_exit(work)))
