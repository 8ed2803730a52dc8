"""Dashboard sign-in sessions: a random token in an HttpOnly cookie names a server-side row.

Only the token's hash is stored (like API keys), so a database read never yields a usable
cookie; the row remembers the user, the workspace they act in, and the CSRF token every form
of that session must echo. Signing out or expiry ends it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from postwright.core.clock import Clock
from postwright.core.errors import Forbidden, Unauthorized
from postwright.core.ids import new_id
from postwright.core.models import Base
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import User

SESSION_LIFETIME = timedelta(days=7)
# Extending on every page view would turn reads into writes; once an hour is enough.
RENEW_AFTER = timedelta(hours=1)


class DashboardSession(Base):
    __tablename__ = "dashboard_sessions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class OpenedSession:
    token: str  # for the cookie; never stored
    record: DashboardSession


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(
    session: AsyncSession, *, now: datetime, user_id: str, workspace_id: str
) -> OpenedSession:
    token = secrets.token_urlsafe(32)
    record = DashboardSession(
        id=new_id("dsess"),
        token_hash=_hash(token),
        user_id=user_id,
        workspace_id=workspace_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(record)
    await session.flush()
    return OpenedSession(token=token, record=record)


async def find_session(
    session: AsyncSession, token: str, *, now: datetime
) -> DashboardSession | None:
    record = await session.scalar(
        select(DashboardSession).where(DashboardSession.token_hash == _hash(token))
    )
    if record is None or record.expires_at <= now:
        return None
    return record


def needs_renewal(record: DashboardSession, now: datetime) -> bool:
    return now - record.last_seen_at >= RENEW_AFTER


async def renew(session: AsyncSession, record_id: str, *, now: datetime) -> None:
    record = await session.get(DashboardSession, record_id)
    if record is not None:
        record.last_seen_at = now
        record.expires_at = now + SESSION_LIFETIME


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        delete(DashboardSession).where(DashboardSession.token_hash == _hash(token))
    )


async def purge_expired(session: AsyncSession, *, now: datetime) -> None:
    await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))


async def actor_for(session: AsyncSession, record: DashboardSession, *, clock: Clock) -> Actor:
    """The acting user in the session's workspace; a user removed since, or a membership
    lost, ends the session's use (401 / falls back to the user's oldest workspace)."""
    user = await accounts.get_active_user(session, record.user_id)
    if user is None:
        raise Unauthorized("Your account no longer exists; sign in again")
    try:
        workspace, role = await accounts.resolve_workspace(
            session, user=user, requested_id=None, default_id=record.workspace_id
        )
    except Forbidden as exc:
        raise Unauthorized(exc.message) from exc
    return Actor(user=user, workspace=workspace, role=role, clock=clock)


async def switch_workspace(
    session: AsyncSession, record_id: str, *, user: User, workspace_id: str
) -> None:
    """Act in another of the user's workspaces (403 when not a member)."""
    workspace, _ = await accounts.resolve_workspace(
        session, user=user, requested_id=workspace_id, default_id=None
    )
    record = await session.get(DashboardSession, record_id, with_for_update=True)
    if record is None:
        raise Unauthorized("Your session ended; sign in again")
    record.workspace_id = workspace.id
    await session.flush()


__all__ = [
    "DashboardSession",
    "OpenedSession",
    "actor_for",
    "close_session",
    "find_session",
    "open_session",
    "purge_expired",
    "switch_workspace",
]
