"""Settings → the provider layer's configuration: adapter options, OAuth clients, the outbox
store backed by the database."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from postwright.core.clock import Clock
from postwright.core.db import Database
from postwright.core.errors import ValidationFailed
from postwright.core.public_url import public_base_url
from postwright.core.settings import Settings
from postwright.domain.publishing.adapters import PublishingConfig
from postwright.domain.publishing.adapters.outbox import OutboxAttachment, OutboxEntry
from postwright.domain.publishing.models import OutboxEntryRecord
from postwright.domain.publishing.oauth import OAuthClientConfig, linkedin_oauth, x_oauth

OAUTH_PROVIDERS = ("linkedin", "x")


def outbox_base_url(settings: Settings) -> str:
    return public_base_url(settings) + "/api/v1/outbox"


def callback_url(settings: Settings, provider: str) -> str:
    return public_base_url(settings) + f"/api/v1/accounts/oauth/{provider}/callback"


def oauth_client(app_settings: Settings, provider: str) -> OAuthClientConfig:
    """The OAuth client for LinkedIn or X, or a 400 when the server has no app for it."""
    settings = app_settings.publishing
    redirect = callback_url(app_settings, provider)
    if provider == "linkedin" and settings.linkedin_client_id and settings.linkedin_client_secret:
        return linkedin_oauth(
            settings.linkedin_client_id,
            settings.linkedin_client_secret.get_secret_value(),
            redirect,
            authorize_url=settings.linkedin_authorize_url,
            token_url=settings.linkedin_token_url,
        )
    if provider == "x" and settings.x_client_id:
        secret = settings.x_client_secret.get_secret_value() if settings.x_client_secret else None
        return x_oauth(
            settings.x_client_id,
            secret,
            redirect,
            authorize_url=settings.x_authorize_url,
            token_url=settings.x_token_url,
        )
    raise ValidationFailed(
        f"Connecting {provider} accounts is not configured on this server "
        f"(set POSTWRIGHT_PUBLISHING_{provider.upper()}_CLIENT_ID).",
        details={"provider": provider},
    )


class DatabaseOutboxStore:
    """``OutboxStore`` on the ``outbox_entries`` table; each call is its own transaction, so
    an entry exists once the adapter returns, like a network's post."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _entry(row: OutboxEntryRecord) -> OutboxEntry:
        return OutboxEntry(
            id=row.id,
            workspace_id=row.workspace_id,
            text=row.text,
            published_at=row.published_at,
            attachments=tuple(OutboxAttachment(**a) for a in row.attachments),
            reply_to=row.reply_to,
            idempotency_key=row.idempotency_key,
        )

    async def _by_key(self, workspace_id: str, key: str) -> OutboxEntry | None:
        async with self.db.transaction() as session:
            row = await session.scalar(
                select(OutboxEntryRecord).where(
                    OutboxEntryRecord.workspace_id == workspace_id,
                    OutboxEntryRecord.idempotency_key == key,
                )
            )
            return self._entry(row) if row else None

    async def append(self, entry: OutboxEntry) -> OutboxEntry:
        if entry.idempotency_key is not None:
            existing = await self._by_key(entry.workspace_id, entry.idempotency_key)
            if existing is not None:
                return existing
        try:
            async with self.db.transaction() as session:
                session.add(
                    OutboxEntryRecord(
                        id=entry.id,
                        workspace_id=entry.workspace_id,
                        text=entry.text,
                        published_at=entry.published_at,
                        attachments=[asdict(a) for a in entry.attachments],
                        reply_to=entry.reply_to,
                        idempotency_key=entry.idempotency_key,
                    )
                )
        except IntegrityError:
            # A concurrent append with the same key won; that entry is the post.
            assert entry.idempotency_key is not None
            found = await self._by_key(entry.workspace_id, entry.idempotency_key)
            assert found is not None
            return found
        return entry

    async def entries(self, workspace_id: str, limit: int = 50) -> list[OutboxEntry]:
        async with self.db.read_sessionmaker() as session:
            rows = await session.scalars(
                select(OutboxEntryRecord)
                .where(OutboxEntryRecord.workspace_id == workspace_id)
                .order_by(OutboxEntryRecord.published_at.desc(), OutboxEntryRecord.id.desc())
                .limit(limit)
            )
            return [self._entry(r) for r in rows]

    async def get(self, workspace_id: str, entry_id: str) -> OutboxEntry | None:
        async with self.db.read_sessionmaker() as session:
            row = await session.scalar(
                select(OutboxEntryRecord).where(
                    OutboxEntryRecord.workspace_id == workspace_id,
                    OutboxEntryRecord.id == entry_id,
                )
            )
            return self._entry(row) if row else None


def publishing_config(app_settings: Settings, db: Database, clock: Clock) -> PublishingConfig:
    settings = app_settings.publishing
    return PublishingConfig(
        base_urls=dict(settings.base_urls),
        timeout_seconds=settings.timeout_seconds,
        outbox_store=DatabaseOutboxStore(db),
        outbox_base_url=outbox_base_url(app_settings),
        clock=clock,
        allow_loopback=app_settings.http.allow_loopback_urls,
    )
