"""Billing errors with the bodies the documents show."""

from __future__ import annotations

from postwright.core.errors import AppError, InsufficientCredits


class AiSubscriptionRequired(AppError):
    """voxburst ``AI_SUBSCRIPTION``: the workspace's plan has no AI access (or it ended)."""

    status_code = 402
    code = "AI_SUBSCRIPTION"
    default_message = "AI access requires an active subscription that includes AI"


def insufficient_credits(required: int, available: int) -> InsufficientCredits:
    return InsufficientCredits(
        f"Insufficient credits: need {required}, have {available} usable",
        extras={"required": required, "available": available},
    )
