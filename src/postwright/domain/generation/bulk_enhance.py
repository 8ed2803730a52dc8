"""Bulk enhancement: up to 50 texts in one call, each enhanced or refused on its own.

voxburst prices it per item (1 credit each by default). The whole batch is reserved up front
(so a batch the balance cannot cover is refused before any model call), the items run with no
transaction open, a bounded number at a time, and the reservation is settled once: consumed
for the items enhanced, given back for the items refused. An item refused (an unknown
platform, a model answer that could not be used, the provider failing) carries its error and
costs nothing; the others are unaffected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from postwright.core.errors import AppError
from postwright.core.ids import new_id
from postwright.domain.billing import holds
from postwright.domain.billing.costs import Action, price
from postwright.domain.billing.ledger import credit_summary, settle_reservation
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.outputs import EnhancedText, GenerationResult
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import get_platform
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import EnhanceTask

if TYPE_CHECKING:
    from postwright.domain.context import Ctx

MAX_ITEMS = 50
# Items sent to the model at once; the provider's own limit (jobs.llm_concurrency) caps it.
ITEM_CONCURRENCY = 4


@dataclass(frozen=True, kw_only=True)
class EnhanceItem:
    text: str
    platform: str | None = None
    tone: str | None = None
    style: str | None = None
    persona: PersonaProfile | None = None


@dataclass(frozen=True)
class ItemOutcome:
    index: int
    result: GenerationResult[EnhancedText] | None = None
    error: AppError | None = None
    credits_used: int = 0


@dataclass(frozen=True)
class BulkEnhanced:
    items: list[ItemOutcome]
    credits_used: int
    credits_remaining: int
    provider: str
    model: str

    @property
    def enhanced(self) -> int:
        return sum(1 for item in self.items if item.result is not None)


def _refusal(item: EnhanceItem) -> AppError | None:
    """What refuses an item before any model call (and before it is priced)."""
    try:
        if item.platform:
            get_platform(item.platform)
    except AppError as error:
        return error
    return None


async def enhance_many(ctx: Ctx, items: Sequence[EnhanceItem]) -> BulkEnhanced:
    """Enhance each item; charge ``bulk_enhance_item`` per item enhanced, once."""
    session, actor, settings = ctx.session, ctx.actor, ctx.settings
    each = price(settings.billing.costs, Action.BULK_ENHANCE_ITEM)
    outcomes: dict[int, ItemOutcome] = {}
    runnable: list[tuple[int, EnhanceTask]] = []
    for index, item in enumerate(items):
        refused = _refusal(item)
        if refused is not None:
            outcomes[index] = ItemOutcome(index, error=refused)
            continue
        task = EnhanceTask(
            persona=item.persona,
            text=item.text,
            platform=item.platform,
            tone=item.tone,
            style=item.style,
            cache_scope=actor.workspace_id,
        )
        runnable.append((index, task))
    usage_id = new_id("gen")
    held = await holds.hold_credits(
        session,
        actor,
        usage_id=usage_id,
        amount=each * len(runnable),
        reason=Action.BULK_ENHANCE_ITEM.value,
        ttl=timedelta(seconds=settings.billing.hold_ttl_seconds),
    )
    engine = engine_for(settings)
    gate = asyncio.Semaphore(max(1, min(ITEM_CONCURRENCY, settings.jobs.llm_concurrency)))

    async def one(index: int, task: EnhanceTask) -> ItemOutcome:
        async with gate:
            try:
                return ItemOutcome(index, result=await engine.run(task), credits_used=each)
            except AppError as error:  # this item is refused; the batch goes on
                return ItemOutcome(index, error=error)

    async def run_all() -> list[ItemOutcome]:
        try:
            return list(await asyncio.gather(*(one(i, task) for i, task in runnable)))
        finally:
            close = getattr(engine, "aclose", None)
            if close is not None:
                await close()

    for outcome in await holds.call_unlocked(session, actor, held, run_all):
        outcomes[outcome.index] = outcome
    done = [outcomes[i] for i in range(len(items))]
    used = sum(outcome.credits_used for outcome in done)
    if held.reservation_id is not None:
        await settle_reservation(
            session,
            actor,
            held.reservation_id,
            consumed=used,
            refunded=held.credits - used,
            reference=usage_id,
        )
    for outcome in done:
        if outcome.result is not None:
            record_usage(
                session,
                actor,
                outcome.result,
                kind="enhance-content-bulk",
                credits=outcome.credits_used,
            )
    remaining = (await credit_summary(session, actor)).available
    return BulkEnhanced(
        items=done,
        credits_used=used,
        credits_remaining=remaining,
        provider=engine.provider,
        model=engine.model,
    )
