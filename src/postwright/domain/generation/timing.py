"""When to post: a 7x24 heatmap from sourced priors, and account-specific suggestions.

Days are numbered as the voxburst document numbers them: 0 = Sunday … 6 = Saturday. Hours are
local to the timezone given; concrete slots are computed with ``zoneinfo`` so a slot across a
DST change is the wall-clock hour the audience sees (a skipped hour is never suggested).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postwright.core.errors import ValidationFailed
from postwright.domain.generation.platforms import get_platform

Engagement = Literal["high", "medium", "low"]
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# How many posts of history weigh as much as the prior: below this the prior dominates.
HISTORY_HALF_WEIGHT = 20
Heatmap = list[list[int]]  # [day][hour] → 0-100


@dataclass(frozen=True, slots=True)
class HeatCell:
    day: int
    hour: int
    score: int


@dataclass(frozen=True, slots=True)
class Recommendation:
    at: datetime  # aware, in the requested timezone
    date: str
    time: str
    day_name: str
    engagement: Engagement
    score: int
    reason: str


@dataclass(frozen=True, slots=True)
class TimeSuggestion:
    platform: str
    suggested_time: datetime  # UTC
    timezone: str
    confidence: float
    reasoning: str
    alternatives: list[tuple[datetime, float]]  # (UTC time, 0-1 score)


def engagement_level(score: float) -> Engagement:
    if score >= 75:
        return "high"
    return "medium" if score >= 50 else "low"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"Unknown timezone '{name}'", details={"timezone": name}) from None


@cache
def _priors() -> dict[str, dict[str, list[float]]]:
    raw = json.loads(
        resources.files("postwright.domain.generation")
        .joinpath("data/engagement_priors.json")
        .read_text(encoding="utf-8")
    )
    platforms: dict[str, dict[str, list[float]]] = raw["platforms"]
    return platforms


def _prior_grid(platform: str) -> list[list[float]]:
    prior = _priors()[get_platform(platform).key]
    return [[d * h for h in prior["hours"]] for d in prior["days"]]


def _scaled(grid: list[list[float]]) -> Heatmap:
    top = max(max(row) for row in grid) or 1.0
    return [[round(100 * value / top) for value in row] for row in grid]


def heatmap(platforms: Sequence[str]) -> Heatmap:
    """The blended 7x24 heatmap (mean of the platforms' priors), scaled so the best slot is 100."""
    keys = list(dict.fromkeys(get_platform(p).key for p in platforms)) or ["linkedin"]
    grids = [_prior_grid(key) for key in keys]
    blended = [[sum(g[d][h] for g in grids) / len(grids) for h in range(24)] for d in range(7)]
    return _scaled(blended)


def cells(grid: Heatmap) -> list[HeatCell]:
    return [HeatCell(day, hour, grid[day][hour]) for day in range(7) for hour in range(24)]


def _weekday_sunday_first(day: date) -> int:
    return (day.weekday() + 1) % 7


def _local_slot(day: date, hour: int, tz: ZoneInfo) -> datetime | None:
    """The aware datetime for a wall-clock hour, or None when DST skips that hour."""
    local = datetime.combine(day, time(hour), tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    return local if round_trip.replace(tzinfo=None) == local.replace(tzinfo=None) else None


def upcoming_slots(grid: Heatmap, now: datetime, tz: ZoneInfo) -> list[tuple[datetime, int]]:
    """Every whole-hour slot of the next 7 days after ``now``, best score first, then soonest."""
    local_now = now.astimezone(tz)
    slots = []
    for offset in range(8):
        day = local_now.date() + timedelta(days=offset)
        for hour in range(24):
            at = _local_slot(day, hour, tz)
            if at is not None and at > local_now and at - local_now <= timedelta(days=7):
                slots.append((at, grid[_weekday_sunday_first(day)][hour]))
    return sorted(slots, key=lambda slot: (-slot[1], slot[0]))


def recommend(platforms: Sequence[str], *, now: datetime, timezone: str) -> Recommendation:
    """The next occurrence, after ``now``, of the best slot in the blended heatmap."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    grid = heatmap(platforms)
    at, score = upcoming_slots(grid, now, zone(timezone))[0]
    names = ", ".join(get_platform(p).display_name for p in platforms) or "LinkedIn"
    day_name = DAY_NAMES[_weekday_sunday_first(at.date())]
    hour_label = f"{at.hour % 12 or 12}{'am' if at.hour < 12 else 'pm'}"
    return Recommendation(
        at=at,
        date=at.date().isoformat(),
        time=at.strftime("%H:%M"),
        day_name=day_name,
        engagement=engagement_level(score),
        score=score,
        reason=f"{day_name}s at {hour_label} are the strongest engagement window for {names} "
        "in published engagement studies.",
    )


def _history_grid(history: Sequence[tuple[datetime, float]], tz: ZoneInfo) -> list[list[float]]:
    sums = [[0.0] * 24 for _ in range(7)]
    counts = [[0] * 24 for _ in range(7)]
    for posted_at, engagement in history:
        local = posted_at.astimezone(tz)
        day, hour = _weekday_sunday_first(local.date()), local.hour
        sums[day][hour] += max(engagement, 0.0)
        counts[day][hour] += 1
    return [
        [sums[d][h] / counts[d][h] if counts[d][h] else 0.0 for h in range(24)] for d in range(7)
    ]


def history_confidence(samples: int) -> float:
    """0.3 with no history, approaching 0.95 as the account's history grows."""
    return round(0.3 + 0.65 * samples / (samples + HISTORY_HALF_WEIGHT), 2)


def suggest_time(
    platform: str,
    history: Sequence[tuple[datetime, float]],
    *,
    now: datetime,
    timezone: str,
    alternatives: int = 3,
) -> TimeSuggestion:
    """Blend the account's own engagement by hour with the platform prior.

    The account's weight is n / (n + 20) for n posts of history, so a handful of posts nudges
    the prior and a few hundred replace it; ``confidence`` grows the same way.
    """
    tz = zone(timezone)
    key = get_platform(platform).key
    prior = heatmap([key])
    weight = len(history) / (len(history) + HISTORY_HALF_WEIGHT)
    own = _scaled(_history_grid(history, tz)) if history else prior
    blended = [
        [round((1 - weight) * prior[d][h] + weight * own[d][h]) for h in range(24)]
        for d in range(7)
    ]
    ranked = upcoming_slots(blended, now, tz)
    best_at, _ = ranked[0]
    others, used_days = [], {best_at.date()}
    for at, score in ranked[1:]:
        if at.date() in used_days:
            continue  # alternatives on other days are more useful than the next hour
        used_days.add(at.date())
        others.append((at.astimezone(UTC), round(score / 100, 2)))
        if len(others) == alternatives:
            break
    day_name = DAY_NAMES[_weekday_sunday_first(best_at.date())]
    basis = f"your last {len(history)} posts" if history else "platform-wide engagement data"
    return TimeSuggestion(
        platform=key,
        suggested_time=best_at.astimezone(UTC),
        timezone=timezone,
        confidence=history_confidence(len(history)),
        reasoning=f"Based on {basis}, your audience is most active on {day_name}s around "
        f"{best_at.strftime('%H:00')}.",
        alternatives=others,
    )
