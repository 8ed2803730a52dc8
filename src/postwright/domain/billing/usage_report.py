"""What a workspace spent credits on, for people reading it: credits used per day and per
kind (the ledger's ``reason``: the action or job that consumed them), and the ledger itself
one page at a time. Read-only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from postwright.core.pagination import PageResult, paginate_page
from postwright.domain.billing.models import CreditLedgerEntry, EntryKind
from postwright.domain.context import RequestCtx

MAX_DAYS = 366


@dataclass(frozen=True)
class DailyUsage:
    days: list[date]  # oldest first, ``days`` long, ending today (workspace timezone)
    kinds: list[str]  # most used first
    used: dict[str, list[int]]  # kind -> credits per day, aligned with ``days``

    @property
    def totals(self) -> list[int]:
        return [sum(series[i] for series in self.used.values()) for i in range(len(self.days))]


def _kind(entry_reason: str | None) -> str:
    return (entry_reason or "other").strip() or "other"


async def credits_per_day(ctx: RequestCtx, *, days: int = 30) -> DailyUsage:
    """Credits consumed (net of refunds) per day and kind over the last ``days`` days."""
    days = max(1, min(days, MAX_DAYS))
    zone = ZoneInfo(ctx.actor.workspace.timezone or "UTC")
    today = ctx.now().astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    rows = await ctx.session.execute(
        select(
            CreditLedgerEntry.created_at, CreditLedgerEntry.reason, CreditLedgerEntry.amount
        ).where(
            CreditLedgerEntry.workspace_id == ctx.workspace_id,
            CreditLedgerEntry.kind == EntryKind.CONSUME.value,
            CreditLedgerEntry.created_at >= since,
        )
    )
    calendar = [first + timedelta(days=i) for i in range(days)]
    index = {d: i for i, d in enumerate(calendar)}
    used: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for created_at, reason, amount in rows.tuples():
        position = index.get(created_at.astimezone(zone).date())
        if position is not None and amount < 0:
            used[_kind(reason)][position] += -amount
    kinds = sorted(used, key=lambda k: (-sum(used[k]), k))
    return DailyUsage(days=calendar, kinds=kinds, used={k: used[k] for k in kinds})


async def ledger_page(ctx: RequestCtx, *, page: int, limit: int) -> PageResult[CreditLedgerEntry]:
    """The ledger, newest first."""
    statement = (
        select(CreditLedgerEntry)
        .where(CreditLedgerEntry.workspace_id == ctx.workspace_id)
        .order_by(CreditLedgerEntry.created_at.desc(), CreditLedgerEntry.id.desc())
    )
    return await paginate_page(ctx.session, statement, page=page, limit=limit)


__all__ = ["DailyUsage", "credits_per_day", "ledger_page"]
