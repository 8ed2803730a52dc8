"""The acting membership (user + workspace + role) remembered in process, like the API key.

A request that names its workspace (the key's own or ``X-Workspace-Id``) would otherwise read
the membership row every time: on SQLite each statement is several thread hops, so this read
is a large share of a cached-key list request. The cache keeps *column values*, never ORM
objects: every request gets its own fresh ``User`` and ``Workspace`` attached to its own
session (no SQL), so a route that changes ``actor.user`` changes only its copy, and its flush
writes through its own session as before.

Invalidation: any ORM write to a user, workspace or membership (unit-of-work flush, or a bulk
``update``/``delete`` through a session) forgets the affected entries in this process at once,
and again when that transaction commits, so a request that read the old row in between cannot
put it back (a generation counter refuses such late writes). Other processes see a change
within ``api_key_cache_seconds``, the same bound as a key revocation.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql.dml import Delete, Update

from postwright.core.clock import Clock
from postwright.domain.accounts.context import Actor
from postwright.domain.accounts.models import Membership, Role, User, Workspace

_TABLES = frozenset({User.__tablename__, Workspace.__tablename__, Membership.__tablename__})
_PENDING = "member_cache_forget"
_EVERYTHING = "*"

Model = TypeVar("Model", User, Workspace)


@dataclass(frozen=True)
class MemberSnapshot:
    """Loaded column values of the user and the workspace, and the role."""

    user: tuple[tuple[str, Any], ...]
    workspace: tuple[tuple[str, Any], ...]
    role: Role
    user_id: str
    workspace_id: str
    is_platform_admin: bool


def _columns(instance: User | Workspace) -> tuple[tuple[str, Any], ...] | None:
    state = instance_state(instance)
    values = []
    for attribute in state.mapper.column_attrs:
        if attribute.key not in state.dict:  # not loaded: a copy would lazy-load (no SQL here)
            return None
        values.append((attribute.key, state.dict[attribute.key]))
    return tuple(values)


def snapshot(user: User, workspace: Workspace, role: Role) -> MemberSnapshot | None:
    user_values, workspace_values = _columns(user), _columns(workspace)
    if user_values is None or workspace_values is None:
        return None
    return MemberSnapshot(
        user_values,
        workspace_values,
        role,
        user_id=user.id,
        workspace_id=workspace.id,
        is_platform_admin=user.is_platform_admin,
    )


def _attach(
    session: AsyncSession, model: type[Model], values: tuple[tuple[str, Any], ...]
) -> Model:
    """A persistent instance in ``session`` as if just loaded from ``values``: no SQL. Column
    values are strings, booleans and datetimes, so sharing them between copies is safe."""
    instance: Model = inspect(model).class_manager.new_instance()
    for key, value in values:
        setattr(instance, key, value)
    make_transient_to_detached(instance)
    identity = inspect(instance).key
    already = session.identity_map.get(identity) if identity is not None else None
    if already is not None:
        found: Model = already
        return found
    session.add(instance)
    return instance


class CachedMemberActor(Actor):
    """The actor of a cached membership. Its ``User`` and ``Workspace`` join the request's
    session only when a route first touches ``user`` or ``workspace``: most requests need the
    ids and the role alone, and attaching two instances was ~7 % of a list request's CPU."""

    _session: AsyncSession
    _member: MemberSnapshot

    def __init__(
        self,
        session: AsyncSession,
        member: MemberSnapshot,
        *,
        clock: Clock,
        api_key_id: str | None = None,
    ) -> None:
        # The dataclass is frozen: fields are set the way its own __init__ sets them.
        for name, value in (("role", member.role), ("clock", clock), ("api_key_id", api_key_id)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_member", member)

    @functools.cached_property
    def user(self) -> User:
        return _attach(self._session, User, self._member.user)

    @functools.cached_property
    def workspace(self) -> Workspace:
        return _attach(self._session, Workspace, self._member.workspace)

    @property
    def user_id(self) -> str:
        return self._member.user_id

    @property
    def workspace_id(self) -> str:
        return self._member.workspace_id

    @property
    def is_platform_admin(self) -> bool:
        return self._member.is_platform_admin


class MemberCache:
    """(database, user id, workspace id) → snapshot for ``ttl`` seconds."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.generation = 0
        self._entries: dict[tuple[str, str, str], tuple[float, MemberSnapshot]] = {}

    def get(
        self, database: str, user_id: str, workspace_id: str, ttl: float
    ) -> MemberSnapshot | None:
        key = (database, user_id, workspace_id)
        found = self._entries.get(key)
        if found is None:
            return None
        stored_at, member = found
        if self.now() - stored_at >= ttl:
            self._entries.pop(key, None)
            return None
        return member

    def put(
        self,
        database: str,
        user_id: str,
        workspace_id: str,
        member: MemberSnapshot,
        *,
        ttl: float,
        read_at_generation: int,
    ) -> None:
        """Remember ``member`` unless something was forgotten since it was read (it may be
        the row that changed)."""
        if ttl <= 0 or read_at_generation != self.generation:
            return
        if len(self._entries) > 10_000:  # bounded: the oldest go first
            cutoff = self.now() - ttl
            for key, (stored_at, _) in list(self._entries.items()):
                if stored_at <= cutoff:
                    self._entries.pop(key, None)
        self._entries[(database, user_id, workspace_id)] = (self.now(), member)

    def forget(self, ids: set[str]) -> None:
        """Forget every entry naming one of ``ids`` (user or workspace ids); ``"*"`` forgets all."""
        self.generation += 1
        if _EVERYTHING in ids:
            self._entries.clear()
            return
        for key in list(self._entries):
            if key[1] in ids or key[2] in ids:
                self._entries.pop(key, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()


MEMBER_CACHE = MemberCache()


def _changed_ids(session: Session) -> set[str]:
    ids: set[str] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, User | Workspace):
            ids.add(instance.id)
        elif isinstance(instance, Membership):
            ids.update((instance.user_id, instance.workspace_id))
    return ids


@event.listens_for(Session, "after_flush")
def _forget_flushed(session: Session, _flush: UOWTransaction) -> None:
    ids = _changed_ids(session)  # still the pre-flush new/dirty/deleted sets here
    if ids:
        MEMBER_CACHE.forget(ids)
        session.info.setdefault(_PENDING, set()).update(ids)


def _table_name(statement: Update | Delete) -> str | None:
    return getattr(statement.table, "name", None)


@event.listens_for(Session, "do_orm_execute")
def _forget_bulk_writes(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, Update | Delete) and _table_name(statement) in _TABLES:
        MEMBER_CACHE.forget({_EVERYTHING})
        state.session.info.setdefault(_PENDING, set()).add(_EVERYTHING)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        MEMBER_CACHE.forget(ids)
