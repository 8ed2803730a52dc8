"""Reading a workspace's outbox: its feed documents and single entries."""

from __future__ import annotations

from postwright.core.errors import NotFound
from postwright.core.services import Services
from postwright.domain.accounts.models import Workspace
from postwright.domain.publishing.adapters.outbox import OutboxEntry
from postwright.domain.publishing.config import DatabaseOutboxStore, outbox_base_url
from postwright.domain.publishing.outbox_feed import (
    FeedInfo,
    render_atom,
    render_json_feed,
    render_rss,
)

FEED_LENGTH = 50


async def _workspace(services: Services, workspace_id: str) -> Workspace:
    async with services.db.read_sessionmaker() as session:
        workspace = await session.get(Workspace, workspace_id)
        if workspace is None or workspace.deleted_at is not None:
            raise NotFound("Feed not found")
        return workspace


async def feed_document(services: Services, workspace_id: str, kind: str) -> bytes | str:
    workspace = await _workspace(services, workspace_id)
    base = f"{outbox_base_url(services.settings)}/{workspace.id}"
    entries = await DatabaseOutboxStore(services.db).entries(workspace.id, FEED_LENGTH)
    info = FeedInfo(
        title=f"{workspace.name} — published posts",
        home_url=f"{base}/feed.json",
        feed_url=f"{base}/feed.{kind}",
        author=workspace.name,
    )
    entry_url = base + "/entries/{id}"
    if kind == "rss":
        return render_rss(info, entries, entry_url)
    if kind == "atom":
        return render_atom(info, entries, entry_url)
    return render_json_feed(info, entries, entry_url)


async def get_entry(
    services: Services, workspace_id: str, entry_id: str
) -> tuple[OutboxEntry, str]:
    """The entry and its URL."""
    workspace = await _workspace(services, workspace_id)
    entry = await DatabaseOutboxStore(services.db).get(workspace.id, entry_id)
    if entry is None:
        raise NotFound("Entry not found")
    base = f"{outbox_base_url(services.settings)}/{workspace.id}"
    return entry, f"{base}/entries/{entry.id}"
