"""Accounts: users, workspaces, memberships and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.db import after_commit
from postwright.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.security import display_prefix, generate_api_key, hash_api_key
from postwright.domain.accounts.keys import KEY_CACHE
from postwright.domain.accounts.models import ApiKey, Membership, Role, User, Workspace

if TYPE_CHECKING:
    from postwright.domain.context import RequestCtx


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    plaintext: str


@dataclass(frozen=True)
class Bootstrap:
    workspace: Workspace
    user: User
    api_key: str


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def create_user(
    session: AsyncSession,
    *,
    now: datetime,
    email: str | None,
    first_name: str | None = None,
    last_name: str | None = None,
    external_id: str | None = None,
    image_url: str | None = None,
    is_platform_admin: bool = False,
) -> User:
    if email and await get_user_by_email(session, email):
        raise Conflict("A user with this email already exists")
    user = User(
        id=new_id("user"),
        email=email.lower() if email else None,
        first_name=first_name,
        last_name=last_name,
        external_id=external_id,
        image_url=image_url,
        is_platform_admin=is_platform_admin,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def create_workspace(
    session: AsyncSession, *, now: datetime, name: str, owner: User, timezone: str = "UTC"
) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationFailed(details=[{"field": "name", "message": "must not be blank"}])
    workspace = Workspace(
        id=new_id("ws"), name=name, timezone=timezone, created_at=now, updated_at=now
    )
    session.add(workspace)
    await session.flush()
    await add_member(session, now=now, workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


async def add_member(
    session: AsyncSession, *, now: datetime, workspace: Workspace, user: User, role: Role
) -> Membership:
    membership = Membership(
        id=new_id("mem"),
        workspace_id=workspace.id,
        user_id=user.id,
        role=role,
        created_at=now,
        updated_at=now,
    )
    session.add(membership)
    await session.flush()
    return membership


async def issue_api_key(
    session: AsyncSession,
    *,
    now: datetime,
    user: User,
    workspace: Workspace,
    name: str = "default",
    plaintext: str | None = None,
) -> IssuedKey:
    """Mint a key. The plaintext is returned once here and never stored."""
    plaintext = plaintext or generate_api_key()
    key = ApiKey(
        id=new_id("key"),
        user_id=user.id,
        workspace_id=workspace.id,
        name=name,
        prefix=display_prefix(plaintext),
        key_hash=hash_api_key(plaintext),
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return IssuedKey(key=key, plaintext=plaintext)


async def bootstrap_workspace(
    session: AsyncSession,
    *,
    now: datetime,
    name: str,
    owner_email: str | None,
    api_key: str | None = None,
    platform_admin: bool = False,
) -> Bootstrap:
    """Create a workspace, its owner (re-using a user with that email) and a first key."""
    owner = await get_user_by_email(session, owner_email) if owner_email else None
    if owner is None:
        owner = await create_user(
            session, now=now, email=owner_email, is_platform_admin=platform_admin
        )
    workspace = await create_workspace(session, now=now, name=name, owner=owner)
    issued = await issue_api_key(
        session, now=now, user=owner, workspace=workspace, name="first key", plaintext=api_key
    )
    return Bootstrap(workspace=workspace, user=owner, api_key=issued.plaintext)


async def issue_key_for_member(
    session: AsyncSession, *, now: datetime, workspace_id: str, user_id: str | None, name: str
) -> IssuedKey:
    """Operator path (CLI): a key for a member, the workspace's owner by default."""
    statement = (
        select(User, Workspace)
        .join(Membership, Membership.user_id == User.id)
        .join(Workspace, Workspace.id == Membership.workspace_id)
        .where(Workspace.id == workspace_id, Workspace.alive(), User.alive())
    )
    if user_id:
        statement = statement.where(User.id == user_id)
    else:
        statement = statement.where(Membership.role == Role.OWNER)
    row = (await session.execute(statement.order_by(Membership.created_at).limit(1))).first()
    if row is None:
        raise NotFound("No such member of that workspace")
    return await issue_api_key(session, now=now, user=row[0], workspace=row[1], name=name)


async def any_workspace_exists(session: AsyncSession) -> bool:
    return await session.scalar(select(Workspace.id).limit(1)) is not None


async def authenticate_api_key(
    session: AsyncSession, plaintext: str, *, now: datetime
) -> ApiKey | None:
    """The unrevoked key, read-only (requests record use through ``keys.touch_api_key``)."""
    key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_api_key(plaintext)))
    if key is None or key.revoked_at is not None:
        return None
    return key


async def get_active_user(session: AsyncSession, user_id: str) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id, User.alive()))


async def get_user_by_external_id(session: AsyncSession, external_id: str) -> User | None:
    return await session.scalar(select(User).where(User.external_id == external_id))


async def resolve_member(
    session: AsyncSession, *, user_id: str, requested_id: str | None, default_id: str | None
) -> tuple[User, Workspace, Role]:
    """The acting user, workspace and role in one statement when the workspace is known
    (the request's header or the key's own); otherwise as ``resolve_workspace`` decides."""
    wanted = requested_id or default_id
    if wanted:
        row = (
            await session.execute(
                select(User, Workspace, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .join(Workspace, Workspace.id == Membership.workspace_id)
                .where(User.id == user_id, Workspace.id == wanted, Workspace.alive())
            )
        ).first()
        if row is not None:
            if row[0].deleted_at is not None:
                raise Unauthorized("User no longer exists")
            return row[0], row[1], row[2]
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise Unauthorized("User no longer exists")
    workspace, role = await resolve_workspace(
        session, user=user, requested_id=requested_id, default_id=default_id
    )
    return user, workspace, role


async def resolve_workspace(
    session: AsyncSession, *, user: User, requested_id: str | None, default_id: str | None
) -> tuple[Workspace, Role]:
    """The workspace a request acts in: the one asked for, else the credential's, else the
    user's oldest. Asking for a workspace the user is not a member of is forbidden."""
    statement = (
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id, Workspace.alive())
    )
    wanted = requested_id or default_id
    if wanted:
        row = (await session.execute(statement.where(Workspace.id == wanted))).first()
        if row is not None:
            return row[0], row[1]
        if requested_id:
            raise Forbidden("You are not a member of this workspace")
    row = (await session.execute(statement.order_by(Membership.created_at).limit(1))).first()
    if row is None:
        raise Forbidden("You are not a member of any workspace")
    return row[0], row[1]


async def list_workspaces(session: AsyncSession, *, user: User) -> list[tuple[Workspace, Role]]:
    rows = await session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id, Workspace.alive())
        .order_by(Membership.created_at)
    )
    return [(w, r) for w, r in rows.tuples()]


async def list_api_keys(ctx: RequestCtx) -> list[ApiKey]:
    rows = await ctx.session.scalars(
        select(ApiKey)
        .where(ApiKey.user_id == ctx.user_id, ApiKey.workspace_id == ctx.workspace_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    )
    return list(rows)


async def create_api_key_for(ctx: RequestCtx, *, name: str) -> IssuedKey:
    return await issue_api_key(
        ctx.session, now=ctx.now(), user=ctx.actor.user, workspace=ctx.actor.workspace, name=name
    )


async def revoke_api_key(ctx: RequestCtx, key_id: str) -> ApiKey:
    """Revoke one of the actor's keys in this workspace; owners and admins may revoke any."""
    statement = select(ApiKey).where(ApiKey.id == key_id, ApiKey.workspace_id == ctx.workspace_id)
    if not ctx.actor.role.can_manage:
        statement = statement.where(ApiKey.user_id == ctx.user_id)
    key = await ctx.session.scalar(statement)
    if key is None:
        raise NotFound("API key not found")
    if key.revoked_at is None:
        key.revoked_at = ctx.now()
    _forget_key(ctx.session, key.id)
    return key


def _forget_key(session: AsyncSession, key_id: str) -> None:
    """This process stops trusting the key now, and again once the revocation committed (a
    request that read the key in between must not cache it back)."""
    KEY_CACHE.forget(key_id)

    async def forget_again() -> None:
        KEY_CACHE.forget(key_id)

    after_commit(session, forget_again)


async def revoke_api_key_by_id(session: AsyncSession, *, now: datetime, key_id: str) -> ApiKey:
    """Operator revocation (CLI): any key by id."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("API key not found")
    if key.revoked_at is None:
        key.revoked_at = now
    _forget_key(session, key.id)
    return key


async def list_all_api_keys(session: AsyncSession, *, workspace_id: str | None) -> list[ApiKey]:
    statement = select(ApiKey).order_by(ApiKey.created_at)
    if workspace_id:
        statement = statement.where(ApiKey.workspace_id == workspace_id)
    return list(await session.scalars(statement))


async def provision_external_user(
    session: AsyncSession,
    *,
    now: datetime,
    external_id: str,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
    image_url: str | None,
) -> User:
    """First sign-in through the identity provider: a user and a personal workspace."""
    user = await get_user_by_external_id(session, external_id)
    if user is not None:
        return user
    if email and (existing := await get_user_by_email(session, email)):
        existing.external_id = external_id
        return existing
    user = await create_user(
        session,
        now=now,
        email=email,
        first_name=first_name,
        last_name=last_name,
        external_id=external_id,
        image_url=image_url,
    )
    label = " ".join(p for p in (first_name, last_name) if p) or email or "My"
    await create_workspace(session, now=now, name=f"{label}'s workspace", owner=user)
    return user


def split_name(name: str) -> tuple[str, str | None]:
    first, _, last = name.strip().partition(" ")
    return first, (last.strip() or None)


async def update_profile(
    ctx: RequestCtx,
    *,
    name: str | None = None,
    image_key: str | None = None,
    bio: str | None = None,
) -> User:
    if name is None and image_key is None and bio is None:
        raise ValidationFailed("No valid fields to update")
    user = ctx.actor.user
    if name is not None:
        user.first_name, user.last_name = split_name(name)
    if image_key is not None:
        user.image_key = image_key
    if bio is not None:
        user.bio = bio
    user.updated_at = ctx.now()
    await ctx.session.flush()
    return user
