"""Time source. Everything that reads "now" goes through a Clock so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, overload


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock for tests: stands still until advanced."""

    def __init__(self, at: datetime) -> None:
        self._now = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, at: datetime) -> None:
        self._now = at.astimezone(UTC)


@overload
def isoformat_z(value: datetime) -> str: ...
@overload
def isoformat_z(value: None) -> None: ...
@overload
def isoformat_z(value: datetime | None) -> str | None: ...
def isoformat_z(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with milliseconds and a Z suffix, as the API documents show."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
