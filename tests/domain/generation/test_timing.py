from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from postwright.domain.generation import engagement_level, heatmap, recommend, suggest_time


def test_heatmap_is_7_by_24_with_scores_0_to_100() -> None:
    grid = heatmap(["twitter", "linkedin"])
    assert len(grid) == 7
    assert all(len(row) == 24 for row in grid)
    assert max(max(row) for row in grid) == 100
    assert min(min(row) for row in grid) >= 0


@pytest.mark.parametrize(
    ("score", "level"),
    [(100, "high"), (75, "high"), (74, "medium"), (50, "medium"), (49, "low"), (0, "low")],
)
def test_engagement_thresholds(score: int, level: str) -> None:
    assert engagement_level(score) == level


@pytest.mark.parametrize("days_before", [0, 1, 2, 3, 5])
def test_next_slot_is_in_the_future_across_dst_change(days_before: int) -> None:
    # US DST began 2026-03-08 at 02:00 local.
    now = datetime(2026, 3, 8, 7, 30, tzinfo=UTC) - timedelta(days=days_before)
    rec = recommend(["linkedin"], now=now, timezone="America/Chicago")
    assert rec.at > now
    assert rec.at.tzinfo == ZoneInfo("America/Chicago")
    assert rec.time == f"{rec.at.hour:02d}:00"
    assert rec.day_name == rec.at.strftime("%A")
    assert rec.engagement == "high"


def test_recommendation_never_lands_in_a_skipped_hour() -> None:
    now = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 01:00 CST, an hour before the gap
    rec = suggest_time("tiktok", [], now=now, timezone="America/Chicago")
    local = rec.suggested_time.astimezone(ZoneInfo("America/Chicago"))
    assert local.astimezone(UTC) == rec.suggested_time
    assert rec.suggested_time > now


def test_suggest_time_confidence_grows_with_history() -> None:
    now = datetime(2026, 4, 27, 12, tzinfo=UTC)
    sample = [
        (datetime(2026, 4, 7, 19, tzinfo=UTC) - timedelta(weeks=i % 4), 80.0) for i in range(200)
    ]
    confidences = [
        suggest_time("x", sample[:n], now=now, timezone="America/Chicago").confidence
        for n in (0, 5, 50, 200)
    ]
    assert confidences == sorted(confidences)
    assert len(set(confidences)) == 4
    strong = suggest_time("x", sample, now=now, timezone="America/Chicago")
    assert strong.suggested_time.astimezone(ZoneInfo("America/Chicago")).hour == 14
    assert strong.alternatives
    assert all(0 <= s <= 1 for _, s in strong.alternatives)
