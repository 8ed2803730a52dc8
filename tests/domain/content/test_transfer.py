"""Schedule times in import files: one UTC instant per cell, whatever the DST rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from postwright.domain.content.transfer import resolve_schedule


@pytest.mark.parametrize(
    ("cell", "timezone", "expected"),
    [
        ("2027-03-13T09:00", "America/New_York", datetime(2027, 3, 13, 14, tzinfo=UTC)),
        ("2027-03-15T09:00", "America/New_York", datetime(2027, 3, 15, 13, tzinfo=UTC)),
        ("2027-11-07T03:00", "America/New_York", datetime(2027, 11, 7, 8, tzinfo=UTC)),
        ("2027-07-01T12:00", None, datetime(2027, 7, 1, 12, tzinfo=UTC)),
        ("2027-07-01T12:00+05:30", "Europe/Paris", datetime(2027, 7, 1, 6, 30, tzinfo=UTC)),
        ("2027-07-01 12:00:00Z", "Asia/Tokyo", datetime(2027, 7, 1, 12, tzinfo=UTC)),
        # Lord Howe Island moves its clocks by half an hour.
        ("2027-10-03T02:45", "Australia/Lord_Howe", datetime(2027, 10, 2, 15, 45, tzinfo=UTC)),
    ],
)
def test_schedule_cells_resolve_to_utc(cell: str, timezone: str | None, expected: datetime) -> None:
    assert resolve_schedule(cell, timezone, "UTC") == expected


@pytest.mark.parametrize(
    ("cell", "timezone", "reason"),
    [
        ("2027-03-14T02:30", "America/New_York", "does not exist"),
        ("2027-11-07T01:30", "America/New_York", "happens twice"),
        ("2027-10-03T02:15", "Australia/Lord_Howe", "does not exist"),
        ("2027-02-30T10:00", "UTC", "ISO 8601"),
        ("2027-07-01T12:00", "Not/AZone", "unknown timezone"),
        ("2027-07-01T12:00", "../../etc/passwd", "unknown timezone"),
    ],
)
def test_cells_naming_no_single_instant_are_refused(cell: str, timezone: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        resolve_schedule(cell, timezone, "UTC")


def test_the_workspace_timezone_is_the_default() -> None:
    assert resolve_schedule("2027-01-15T09:00", None, "Europe/Berlin") == datetime(
        2027, 1, 15, 8, tzinfo=UTC
    )
