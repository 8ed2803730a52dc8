"""Small typed factories for tests."""

from __future__ import annotations

from dataclasses import dataclass

from postwright.core.services import Services
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import Role


@dataclass(frozen=True)
class Tenant:
    workspace_id: str
    user_id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


async def make_tenant(
    services: Services,
    *,
    name: str = "Acme",
    email: str | None = None,
    platform_admin: bool = False,
) -> Tenant:
    async with services.db.transaction() as session:
        created = await accounts.bootstrap_workspace(
            session,
            now=services.clock.now(),
            name=name,
            owner_email=email,
            platform_admin=platform_admin,
        )
        created.user.first_name = "Ada"
        created.user.last_name = "Lovelace"
        return Tenant(created.workspace.id, created.user.id, created.api_key)


async def add_member(
    services: Services, tenant: Tenant, *, email: str, role: Role = Role.MEMBER
) -> Tenant:
    """A second user in the tenant's workspace, with a key of their own."""
    async with services.db.transaction() as session:
        now = services.clock.now()
        user = await accounts.create_user(session, now=now, email=email)
        workspace = await session.get(accounts.Workspace, tenant.workspace_id)
        assert workspace is not None
        await accounts.add_member(session, now=now, workspace=workspace, user=user, role=role)
        issued = await accounts.issue_api_key(session, now=now, user=user, workspace=workspace)
        return Tenant(workspace.id, user.id, issued.plaintext)
