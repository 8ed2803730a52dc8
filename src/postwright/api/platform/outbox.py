"""The builtin outbox provider's feeds: what a workspace published, as RSS 2.0, Atom 1.0 and
JSON Feed 1.1. Public, like any published post: feed readers send no credentials."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from postwright.api.deps import ServicesDep
from postwright.core.errors import NotFound, error_responses
from postwright.domain.publishing import outbox

router = APIRouter(prefix="/api/v1/outbox", tags=["platform: outbox feed"])

FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}


class EntryOut(BaseModel):
    id: str
    text: str
    publishedAt: datetime
    inReplyTo: str | None
    url: str


@router.get(
    "/{workspace_id}/feed.{kind}",
    response_class=Response,
    responses={
        200: {"content": {t.split(";")[0]: {} for t in FEED_TYPES.values()}},
        **error_responses(NotFound),
    },
)
async def feed(workspace_id: str, kind: str, services: ServicesDep) -> Response:
    """``kind``: ``rss``, ``atom`` or ``json``."""
    if kind not in FEED_TYPES:
        raise NotFound("Feed not found")
    document = await outbox.feed_document(services, workspace_id, kind)
    return Response(document, media_type=FEED_TYPES[kind])


@router.get(
    "/{workspace_id}/entries/{entry_id}",
    response_model=EntryOut,
    responses=error_responses(NotFound),
)
async def entry(workspace_id: str, entry_id: str, services: ServicesDep) -> EntryOut:
    found, url = await outbox.get_entry(services, workspace_id, entry_id)
    return EntryOut(
        id=found.id,
        text=found.text,
        publishedAt=found.published_at,
        inReplyTo=found.reply_to,
        url=url,
    )
