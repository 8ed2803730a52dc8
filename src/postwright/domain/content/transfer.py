"""Bulk import and export of a workspace's posts (CSV and JSON).

Import is all-or-nothing: every row is validated first and any problem rejects the whole file
with a per-row report; only a clean file writes posts, in the request's one transaction.
Schedule times carry their timezone — an ISO 8601 offset (``2027-03-28T09:00:00+02:00``,
``…Z``) or a local time plus an IANA ``timezone`` (default: the workspace's) — and are stored
in UTC. A local time that a DST change skips (02:30 on a spring-forward night) or repeats
(01:30 on a fall-back night) is refused, since it names no single instant; give an offset.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from postwright.core.clock import isoformat_z
from postwright.core.errors import AppError, ValidationFailed
from postwright.core.tenancy import scoped
from postwright.core.text import is_storable
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PostSource
from postwright.domain.generation.platforms import get_platform

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx

MAX_IMPORT_ROWS = 1000
# A post is a flat object inside an array (inside an object): anything deeper is not a post.
MAX_JSON_DEPTH = 16
MAX_EXPORT_ROWS = 10_000
EXPORT_COLUMNS = (
    "id",
    "platform",
    "title",
    "content",
    "first_comment",
    "image_url",
    "scheduled_at",
    "status",
    "review_status",
    "source",
    "project_id",
    "created_at",
)
IMPORT_FIELDS = ("content", "platform", "title", "first_comment", "image_url")


@dataclass(frozen=True)
class ImportRow:
    row: int
    content: str
    platform: str
    title: str | None
    first_comment: str | None
    image_url: str | None
    scheduled_at: datetime | None


@dataclass(frozen=True)
class Imported:
    row: int
    post: Post


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, row: int, field: str, message: str) -> None:
        self.items.append({"row": row, "field": field, "message": message})


def parse_csv(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text",
            details=[{"row": 0, "field": "body", "message": "must be UTF-8"}],
        ) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "content" not in [f.strip() for f in reader.fieldnames]:
        raise ValidationFailed(
            "The CSV needs a header row with at least a 'content' column",
            details=[{"row": 0, "field": "content", "message": "column missing"}],
        )
    try:
        return [
            {(k or "").strip(): v for k, v in record.items() if k is not None} for record in reader
        ]
    except csv.Error as exc:
        raise ValidationFailed(
            f"Malformed CSV: {exc}",
            details=[{"row": reader.line_num, "field": "body", "message": str(exc)}],
        ) from exc


def parse_json(data: bytes) -> list[dict[str, Any]]:
    """A JSON array of posts, or ``{"posts": [...]}``."""
    try:
        document = json.loads(data)
    except RecursionError:
        # A body nested deeper than the parser's stack: refused, not a 500.
        raise ValidationFailed(
            "Request body is nested too deeply",
            details=[{"row": 0, "field": "body", "message": "nesting too deep"}],
        ) from None
    except ValueError as exc:
        raise ValidationFailed(
            "Request body is not valid JSON",
            details=[{"row": 0, "field": "body", "message": str(exc)}],
        ) from exc
    if _depth(document) > MAX_JSON_DEPTH:
        raise ValidationFailed(
            f"Request body is nested more than {MAX_JSON_DEPTH} levels deep",
            details=[{"row": 0, "field": "body", "message": "nesting too deep"}],
        )
    if isinstance(document, dict):
        document = document.get("posts")
    if not isinstance(document, list):
        raise ValidationFailed(
            "Expected a JSON array of posts or an object with a 'posts' array",
            details=[{"row": 0, "field": "posts", "message": "must be an array"}],
        )
    return [
        {_snake(str(k)): v for k, v in item.items()}
        if isinstance(item, dict)
        else {"__invalid__": item}
        for item in document
    ]


def _depth(document: Any) -> int:
    """How deeply ``document`` nests, walked without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            if level <= MAX_JSON_DEPTH:
                stack.extend((item, level + 1) for item in value)
    return deepest


def _snake(key: str) -> str:
    """JSON clients may send ``scheduledAt``/``firstComment``: the same columns as the CSV."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key).lstrip("_")


def _text(record: Mapping[str, Any], field: str, row: int, errors: RowErrors) -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.add(row, field, "must be a string")
        return None
    if not is_storable(value):
        errors.add(row, field, "contains NUL characters or unpaired surrogates")
        return None
    return value.strip() or None


def resolve_schedule(value: str, timezone: str | None, default_timezone: str) -> datetime:
    """The UTC instant a schedule cell names; ValueError says why it names none."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError("not an ISO 8601 date-time") from exc
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    name = timezone or default_timezone
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone '{name}'") from exc
    earlier, later = parsed.replace(tzinfo=zone, fold=0), parsed.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        # Either skipped (no such wall time) or repeated (two instants): tell them apart by
        # whether the wall time survives a round trip through UTC.
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed:
            raise ValueError(f"{value} does not exist in {name} (skipped by a DST change)")
        raise ValueError(f"{value} happens twice in {name} (DST change); add a UTC offset")
    return earlier.astimezone(UTC)


def _validate_row(
    record: Mapping[str, Any], row: int, *, now: datetime, default_timezone: str, errors: RowErrors
) -> ImportRow | None:
    if "__invalid__" in record:
        errors.add(row, "body", "must be an object")
        return None
    before = len(errors.items)
    values = {field: _text(record, field, row, errors) for field in IMPORT_FIELDS}
    timezone = _text(record, "timezone", row, errors)
    schedule_cell = _text(record, "scheduled_at", row, errors)
    content = values["content"]
    platform_key = "linkedin"
    if not post_service.has_content(content):
        errors.add(row, "content", post_service.EMPTY)
    try:
        profile = get_platform(values["platform"] or "linkedin")
        platform_key = profile.key
        if content and profile.measure(content) > profile.limit:
            errors.add(row, "content", f"longer than {profile.display_name}'s {profile.limit}")
    except AppError:
        errors.add(row, "platform", f"unknown platform '{values['platform']}'")
    image_url = values["image_url"]
    if image_url and (urlsplit(image_url).scheme != "https" or not urlsplit(image_url).hostname):
        errors.add(row, "image_url", "must be an https:// URL")
    scheduled_at = None
    if schedule_cell:
        try:
            scheduled_at = resolve_schedule(schedule_cell, timezone, default_timezone)
        except ValueError as exc:
            errors.add(row, "scheduled_at", str(exc))
        else:
            if scheduled_at <= now:
                errors.add(row, "scheduled_at", "must be in the future")
    if len(errors.items) > before or content is None:
        return None
    return ImportRow(
        row=row,
        content=content,
        platform=platform_key,
        title=values["title"],
        first_comment=values["first_comment"],
        image_url=image_url,
        scheduled_at=scheduled_at,
    )


def validate_rows(
    records: list[dict[str, Any]], *, now: datetime, default_timezone: str
) -> list[ImportRow]:
    """Every row checked; any error rejects them all with the full per-row report."""
    if not records:
        raise ValidationFailed(
            "Nothing to import", details=[{"row": 0, "field": "body", "message": "no rows"}]
        )
    if len(records) > MAX_IMPORT_ROWS:
        raise ValidationFailed(
            f"At most {MAX_IMPORT_ROWS} posts per import",
            details=[{"row": 0, "field": "body", "message": f"{len(records)} rows"}],
        )
    errors = RowErrors()
    rows = [
        _validate_row(record, index, now=now, default_timezone=default_timezone, errors=errors)
        for index, record in enumerate(records, start=1)
    ]
    if errors.items:
        failed = len({e["row"] for e in errors.items})
        raise ValidationFailed(
            f"Nothing was imported: {failed} of {len(records)} rows have errors",
            details=errors.items,
        )
    return [row for row in rows if row is not None]


async def import_posts(ctx: RequestCtx, records: list[dict[str, Any]]) -> list[Imported]:
    now = ctx.now()
    rows = validate_rows(records, now=now, default_timezone=ctx.actor.workspace.timezone or "UTC")
    imported = []
    for row in rows:
        post = post_service.add_post(
            ctx.session,
            ctx.actor,
            post_service.PostDraft(
                content=row.content,
                platform=row.platform,
                title=row.title,
                first_comment=row.first_comment,
                image_url=row.image_url,
                scheduled_on=row.scheduled_at,
            ),
            source=PostSource.IMPORT,
            now=now,
        )
        imported.append(Imported(row=row.row, post=post))
    await ctx.session.flush()
    return imported


def export_record(post: Post) -> dict[str, str | None]:
    return {
        "id": post.id,
        "platform": post.platform,
        "title": post.title,
        "content": post.content,
        "first_comment": post.first_comment,
        "image_url": post.image_url,
        "scheduled_at": isoformat_z(post.scheduled_on),
        "status": str(post.publish_state),
        "review_status": str(post.review_status),
        "source": str(post.source),
        "project_id": post.project_id,
        "created_at": isoformat_z(post.created_at),
    }


async def export_posts(
    ctx: RequestCtx, *, source: PostSource | None = None
) -> list[dict[str, str | None]]:
    """The workspace's posts (not deleted), oldest first, at most ``MAX_EXPORT_ROWS``."""
    statement = scoped(Post, ctx.workspace_id)
    if source is not None:
        statement = statement.where(Post.source == source)
    rows = await ctx.session.scalars(
        statement.order_by(Post.created_at, Post.id).limit(MAX_EXPORT_ROWS)
    )
    return [export_record(post) for post in rows]


def to_csv(records: Iterable[Mapping[str, str | None]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
    return buffer.getvalue()
