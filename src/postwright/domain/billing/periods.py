"""Billing periods are UTC calendar months."""

from __future__ import annotations

from datetime import UTC, datetime

# The one "period" of standing counts (personas): they never reset.
STANDING_PERIOD = datetime(1970, 1, 1, tzinfo=UTC)


def month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def next_month_start(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    if at.month == 12:
        return datetime(at.year + 1, 1, 1, tzinfo=UTC)
    return datetime(at.year, at.month + 1, 1, tzinfo=UTC)


def month_label(at: datetime) -> str:
    return month_start(at).strftime("%Y-%m")
