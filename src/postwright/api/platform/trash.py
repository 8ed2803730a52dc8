"""Postwright's trash: the workspace's soft-deleted records and restoring them.

zorbit: "Deleted records can be restored within 30 days" (the window is
``POSTWRIGHT_SOFT_DELETE_RETENTION_DAYS``); the zorbit surface has no restore route, so it
lives here, for every soft-deleted type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from postwright.api.deps import CtxDep
from postwright.core.errors import (
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    PaymentRequired,
    ValidationFailed,
    error_responses,
)
from postwright.domain.content import trash

router = APIRouter(prefix="/api/v1/trash", tags=["platform: trash"])


class TrashItemOut(BaseModel):
    type: trash.TrashType
    id: str
    label: str = Field(description="The title, name or opening of the record")
    userId: str = Field(description="The member who owns the record")
    deletedAt: datetime
    restorableUntil: datetime = Field(description="After this the record is gone for good")


class TrashList(BaseModel):
    items: list[TrashItemOut]
    nextCursor: str | None
    hasMore: bool


class Restored(BaseModel):
    type: trash.TrashType
    id: str
    restoredAt: datetime


@router.get("", response_model=TrashList, responses=error_responses(ValidationFailed))
async def list_trash(
    ctx: CtxDep,
    type: Annotated[
        list[trash.TrashType] | None,
        Query(description="Only these types (repeat the parameter for several)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> TrashList:
    """Soft-deleted posts, ideas, personas and comments still within the retention window,
    most recently deleted first (keyset cursor: pass ``nextCursor`` back as ``cursor``).
    Lists what the caller may restore: their own records, and for a workspace owner/admin
    every member's posts and personas."""
    page = await trash.list_trash(ctx, types=type, cursor=cursor, limit=limit)
    return TrashList(
        items=[
            TrashItemOut(
                type=item.type,
                id=item.id,
                label=item.label,
                userId=item.user_id,
                deletedAt=item.deleted_at,
                restorableUntil=item.restorable_until,
            )
            for item in page.items
        ],
        nextCursor=page.next_cursor,
        hasMore=page.has_more,
    )


@router.post(
    "/{type}/{item_id}/restore",
    response_model=Restored,
    responses=error_responses(Forbidden, NotFound, Conflict, Gone, PaymentRequired),
)
async def restore(type: trash.TrashType, item_id: str, ctx: CtxDep) -> Restored:
    """Undo a soft delete. 404: no such record in this workspace; 403: someone else's record
    (posts and personas: owners/admins may restore any member's); 409: the record is not
    deleted; 410: deleted longer ago than the retention window (gone for good); 402
    ``QUOTA_EXHAUSTED``: restoring a persona needs a free unit of the personas quota again. A
    post whose schedule passed while it was deleted comes back as a draft."""
    row = await trash.restore(ctx, type, item_id)
    return Restored(type=type, id=row.id, restoredAt=row.updated_at)
