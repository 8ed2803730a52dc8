"""Postwright's own bulk endpoints: import a workspace's posts from CSV or JSON, export them.

``POST /api/v1/posts/import`` takes the file as the body: ``Content-Type: text/csv`` (a header
row; columns ``content`` [required], ``platform``, ``scheduled_at``, ``timezone``, ``title``,
``first_comment``, ``image_url``; others are ignored, so an export re-imports) or
``application/json`` (an array of objects with the same keys, or ``{"posts": [...]}``).
All rows are validated first; one bad row rejects the file (400 with ``details`` listing every
problem as ``{row, field, message}``) and nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from postwright.api.deps import CtxDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import UnprocessableEntity, UnsupportedMediaType, error_responses
from postwright.domain.content import transfer
from postwright.domain.content.models import PostSource

router = APIRouter(prefix="/api/v1/posts", tags=["platform: post import and export"])

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["content"],
                        "properties": {
                            "content": {"type": "string"},
                            "platform": {"type": "string", "default": "linkedin"},
                            "scheduled_at": {
                                "type": "string",
                                "description": "ISO 8601 with an offset, or local with timezone",
                            },
                            "timezone": {
                                "type": "string",
                                "description": "IANA name; default: the workspace's",
                            },
                            "title": {"type": "string"},
                            "first_comment": {"type": "string"},
                            "image_url": {"type": "string"},
                        },
                    },
                }
            },
        },
    }
}


class ImportedPost(BaseModel):
    row: int
    id: str
    platform: str
    scheduled_at: str | None
    status: str


class ImportResult(BaseModel):
    imported: int
    posts: list[ImportedPost]


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
    responses=error_responses(UnsupportedMediaType, UnprocessableEntity),
    openapi_extra=IMPORT_BODY,
)
async def import_posts(request: Request, ctx: CtxDep) -> ImportResult:
    """Import posts (drafts, or scheduled when ``scheduled_at`` is given), all or nothing."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    data = await request.body()
    if media_type in ("text/csv", "application/csv"):
        records = transfer.parse_csv(data)
    elif media_type == "application/json" or media_type.endswith("+json"):
        records = transfer.parse_json(data)
    else:
        raise UnsupportedMediaType(
            f"Content-Type must be text/csv or application/json, got {media_type or 'none'}"
        )

    imported = await transfer.import_posts(ctx, records)
    return ImportResult(
        imported=len(imported),
        posts=[
            ImportedPost(
                row=item.row,
                id=item.post.id,
                platform=item.post.platform,
                scheduled_at=isoformat_z(item.post.scheduled_on),
                status=str(item.post.publish_state),
            )
            for item in imported
        ],
    )


@router.get(
    "/export",
    responses={
        200: {
            "description": "The posts as CSV (one row per post) or JSON (``{posts: [...]}``)",
            "content": {"text/csv": {}, "application/json": {}},
        }
    },
)
async def export_posts(
    ctx: CtxDep,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    source: Annotated[PostSource | None, Query(description="only posts of this origin")] = None,
) -> Response:
    """The workspace's posts, oldest first; times in UTC (``…Z``). Re-importable as is."""
    records = await transfer.export_posts(ctx, source=source)
    disposition = {"Content-Disposition": f'attachment; filename="posts.{format}"'}
    if format == "json":
        return JSONResponse({"posts": records}, headers=disposition)
    return Response(
        transfer.to_csv(records), media_type="text/csv; charset=utf-8", headers=disposition
    )
