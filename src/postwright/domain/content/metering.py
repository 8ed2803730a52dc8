"""zorbit's quota rule for generation: refuse before any model call when not even the
minimum is left, generate at most what is left, charge only what was generated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postwright.core.errors import PaymentRequired
from postwright.domain.billing.service import QuotaType, check_quota

if TYPE_CHECKING:
    from postwright.domain.context import Ctx


async def units_available(ctx: Ctx, quota_type: QuotaType, *, wanted: int, minimum: int = 1) -> int:
    """How many of ``wanted`` units may be generated: 402 (with ``quota``) below ``minimum``.
    Nothing is consumed here; ``consume_quota`` after success is the binding check."""
    status = await check_quota(ctx.session, ctx.actor, quota_type)
    if not status.allows(minimum):
        raise PaymentRequired(
            f"Quota exhausted: {quota_type.value} needs {minimum}, {status.remaining} of "
            f"{status.limit} remaining",
            quota=status.as_quota(),
        )
    return min(wanted, status.remaining)
