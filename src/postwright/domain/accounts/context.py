"""Who is acting, in which workspace, at what time: passed to every domain call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from postwright.core.clock import Clock
from postwright.domain.accounts.models import Role, User, Workspace


@dataclass(frozen=True)
class Actor:
    user: User
    workspace: Workspace
    role: Role
    clock: Clock
    api_key_id: str | None = None

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def workspace_id(self) -> str:
        return self.workspace.id

    @property
    def is_platform_admin(self) -> bool:
        return self.user.is_platform_admin

    def now(self) -> datetime:
        return self.clock.now()
