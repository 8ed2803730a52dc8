"""Credits and usage: balance, reserved, plan and quotas, a 30-day chart, the ledger."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from postwright.domain.billing import service as billing
from postwright.domain.billing import usage_report
from postwright.web import chart
from postwright.web.deps import WebDep
from postwright.web.render import page

router = APIRouter()
LEDGER_PAGE = 20


@router.get("/credits")
async def credits_page(request: Request, wctx: WebDep) -> Response:
    ctx = wctx.ctx
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), 10_000))
    except ValueError:
        number = 1
    summary = await billing.credit_summary(ctx.session, ctx.actor)
    entitlement = await billing.current_entitlement(ctx.session, ctx.actor)
    quotas = await billing.quota_usage(ctx.session, ctx.actor)
    usage = await usage_report.credits_per_day(ctx, days=30)
    ledger = await usage_report.ledger_page(ctx, page=number, limit=LEDGER_PAGE)
    return page(
        wctx,
        "credits.html",
        active="credits",
        title="Credits",
        summary=summary,
        plan=entitlement.plan or entitlement.subscribed_plan,
        state=entitlement.state,
        quotas=list(quotas.values()),
        usage=usage,
        chart=chart.build(usage),
        ledger=ledger,
    )
