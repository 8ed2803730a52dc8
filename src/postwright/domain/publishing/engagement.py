"""An account's engagement history, and the posting time it suggests (blended with the
platform prior in ``generation.timing``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from postwright.core.errors import ValidationFailed
from postwright.core.ids import new_id
from postwright.domain.context import Ctx
from postwright.domain.generation import timing
from postwright.domain.publishing import accounts
from postwright.domain.publishing.models import ConnectedAccount, EngagementSample

# Suggestions read at most this many recent posts: enough for the weight to saturate.
HISTORY_LIMIT = 1000
MAX_IMPORT = 5000
# The network each provider's posts land on, for its prior (schedulers default to LinkedIn).
PROVIDER_PLATFORM = {"x": "twitter", "bluesky": "bluesky", "mastodon": "mastodon"}


@dataclass(frozen=True, slots=True)
class SampleInput:
    external_id: str
    posted_at: datetime
    engagement: float


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: int
    updated: int
    total: int


def platform_of(account: ConnectedAccount) -> str:
    return PROVIDER_PLATFORM.get(account.provider, "linkedin")


async def import_history(ctx: Ctx, account_id: str, samples: Sequence[SampleInput]) -> ImportResult:
    """Store (or update, by the post's external id) how past posts performed."""
    account = await accounts.get_account(ctx, account_id)
    if len(samples) > MAX_IMPORT:
        raise ValidationFailed(f"At most {MAX_IMPORT} samples per import")
    for index, sample in enumerate(samples):
        if sample.posted_at.tzinfo is None:
            raise ValidationFailed(
                "postedAt needs a timezone",
                details=[{"field": f"samples[{index}].postedAt", "message": "no timezone"}],
            )
    existing = {
        row.external_id: row
        for row in await ctx.session.scalars(
            select(EngagementSample).where(
                EngagementSample.account_id == account.id,
                EngagementSample.external_id.in_([s.external_id for s in samples]),
            )
        )
    }
    now = ctx.now()
    imported = updated = 0
    for sample in samples:
        row = existing.get(sample.external_id)
        if row is None:
            row = EngagementSample(
                id=new_id("eng"),
                workspace_id=account.workspace_id,
                account_id=account.id,
                external_id=sample.external_id,
                created_at=now,
                posted_at=sample.posted_at.astimezone(UTC),
                engagement=sample.engagement,
            )
            ctx.session.add(row)
            existing[sample.external_id] = row
            imported += 1
        else:
            row.posted_at = sample.posted_at.astimezone(UTC)
            row.engagement = sample.engagement
            updated += 1
    await ctx.session.flush()
    total = await ctx.session.scalar(
        select(func.count())
        .select_from(EngagementSample)
        .where(EngagementSample.account_id == account.id)
    )
    return ImportResult(imported=imported, updated=updated, total=int(total or 0))


@dataclass(frozen=True, slots=True)
class AccountTimeSuggestion:
    account: ConnectedAccount
    suggestion: timing.TimeSuggestion


async def suggest_time(ctx: Ctx, account_id: str) -> AccountTimeSuggestion:
    account = await accounts.get_account(ctx, account_id)
    rows = await ctx.session.execute(
        select(EngagementSample.posted_at, EngagementSample.engagement)
        .where(EngagementSample.account_id == account.id)
        .order_by(EngagementSample.posted_at.desc())
        .limit(HISTORY_LIMIT)
    )
    history = [(posted_at, engagement) for posted_at, engagement in rows]
    suggestion = timing.suggest_time(
        platform_of(account), history, now=ctx.now(), timezone=account.timezone
    )
    return AccountTimeSuggestion(account=account, suggestion=suggestion)
