"""Spreading a campaign's posts over days, each at its platform's best hour of that day
(the same evidence-based heatmap ``best-time`` recommends from)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from postwright.core.errors import ValidationFailed
from postwright.domain.generation import timing

MAX_DAYS = 365


def spread(
    platform: str, *, count: int, days: int, start: date, timezone: str, now: datetime
) -> list[datetime]:
    """``count`` aware datetimes over ``days`` days from ``start`` (local dates), evenly
    spaced by day, each at the best-scoring hour of its weekday that is still ahead."""
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(
            details=[{"field": "spread_days", "message": f"must be 1 to {MAX_DAYS} days"}]
        )
    if count < 1:
        raise ValidationFailed(details=[{"field": "total_posts", "message": "at least 1"}])
    tz = timing.zone(timezone)
    grid = timing.heatmap([platform])
    local_now = now.astimezone(tz)
    result: list[datetime] = []
    for index in range(count):
        day = start + timedelta(days=(index * days) // count)
        slot = None
        for _ in range(8):  # a day whose good hours have all passed moves to the next day
            hours = sorted(range(24), key=lambda h: -grid[(day.weekday() + 1) % 7][h])
            candidates = [
                at
                for hour in hours
                if (at := datetime.combine(day, datetime.min.time(), tzinfo=tz).replace(hour=hour))
                > local_now
                and grid[(day.weekday() + 1) % 7][hour] >= 50
            ]
            if candidates:
                slot = candidates[0]
                break
            day += timedelta(days=1)
        result.append(slot or local_now + timedelta(hours=1 + index))
    return result


__all__ = ["spread"]
