"""``postwright`` command line: serve, worker, migrate, workspaces, keys, demo data."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, TypeVar

import typer
import uvicorn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.cli.bulk import bulk as bulk_command
from postwright.cli.common import console, err_console, run_in_transaction, services_context
from postwright.cli.credits import credits_app
from postwright.cli.mcp import mcp as mcp_command
from postwright.cli.workers import workers
from postwright.core import idempotency, softdelete
from postwright.core import migrate as migrations
from postwright.core.errors import AppError
from postwright.core.services import Services
from postwright.core.settings import get_settings
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import ApiKey
from postwright.domain.billing import holds

T = TypeVar("T")

app = typer.Typer(
    help="Postwright: self-hosted engine for AI social-media content.", no_args_is_help=True
)
workspace_app = typer.Typer(help="Workspaces.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")
app.add_typer(key_app, name="key")
app.add_typer(credits_app, name="credits")
app.command(name="bulk")(bulk_command)
app.command()(workers)
app.command("mcp")(mcp_command)

DEMO_WORKSPACE = "Demo workspace"
DEMO_EMAIL = "demo@postwright.local"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    workers: Annotated[int, typer.Option(help="API processes (use PostgreSQL when > 1)")] = 1,
) -> None:
    """Serve the HTTP API."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    # The app (and each worker process uvicorn starts) reads the address it is served on
    # from these, so links it hands out point here unless POSTWRIGHT_PUBLIC_BASE_URL says
    # otherwise.
    os.environ["POSTWRIGHT_HOST"] = host
    os.environ["POSTWRIGHT_PORT"] = str(port)
    get_settings.cache_clear()
    uvicorn.run(
        "postwright.api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


@app.command()
def worker(
    interval: Annotated[int, typer.Option(help="Seconds between maintenance passes")] = 3600,
    once: Annotated[bool, typer.Option(help="One maintenance pass, then exit")] = False,
    recover: Annotated[
        list[str] | None,
        typer.Option(help="Also recover the unfinished jobs of this dead executor id"),
    ] = None,
) -> None:
    """Run durable jobs (bulk generation, media, publishing) and periodic maintenance.

    Give each worker a stable executor id (DBOS__VMID or POSTWRIGHT_JOBS_EXECUTOR_ID): a
    restarted worker resumes its own unfinished jobs; ``--recover ID`` takes over another's.
    """
    from postwright.core import jobs
    from postwright.domain.jobs import registry as job_registry

    async def main() -> None:
        async with services_context() as services:
            await job_registry.start_engine(services, listen=True)
            try:
                if recover:
                    recovered = jobs.recover(list(recover))
                    console.print(f"recovered {len(recovered)} workflow(s) of {', '.join(recover)}")
                while True:
                    await _maintenance_pass(services)
                    if once:
                        return
                    await asyncio.sleep(interval)
            finally:
                await job_registry.stop_engine()

    console.print("[bold]postwright worker[/bold]: running jobs")
    asyncio.run(main())


async def _maintenance_pass(services: Services) -> None:
    settings = services.settings
    now = services.clock.now()
    async with services.db.transaction() as session:
        expired = await idempotency.purge_expired(
            session, now=now, ttl=timedelta(hours=settings.idempotency_ttl_hours)
        )
        purged = await softdelete.purge_expired(
            session, now=now, retention=timedelta(days=settings.soft_delete_retention_days)
        )
        released = await holds.release_expired(session, now=now)
    console.print(
        json.dumps(
            {
                "idempotency_records_purged": expired,
                "soft_deleted_purged": purged,
                "expired_holds_released": released,
            }
        )
    )


@app.command()
def purge() -> None:
    """Delete for good what was soft-deleted before the retention window, and expired
    idempotency records."""

    async def main() -> None:
        async with services_context() as services:
            await _maintenance_pass(services)

    asyncio.run(main())


@app.command()
def migrate(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply database migrations."""
    url = get_settings().database.url
    migrations.upgrade(url, revision)
    console.print(f"migrated to {revision}")


@workspace_app.command("create")
def workspace_create(
    name: Annotated[str, typer.Option("--name", help="Workspace name")],
    owner_email: Annotated[
        str | None, typer.Option(help="Owner's email (re-used if known)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Create a workspace, its owner and a first API key (shown once)."""

    async def work(session: AsyncSession, services: Services) -> accounts.Bootstrap:
        return await accounts.bootstrap_workspace(
            session, now=services.clock.now(), name=name, owner_email=owner_email
        )

    created = _or_exit(work)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "workspace_id": created.workspace.id,
                    "user_id": created.user.id,
                    "api_key": created.api_key,
                }
            )
        )
        return
    console.print(f"workspace [bold]{created.workspace.id}[/bold] owner {created.user.id}")
    typer.echo(f"API key (shown once): {created.api_key}")


@key_app.command("create")
def key_create(
    workspace_id: Annotated[str, typer.Option("--workspace", help="Workspace id")],
    name: Annotated[str, typer.Option(help="A label for the key")] = "cli",
    user_id: Annotated[str | None, typer.Option("--user", help="Member to issue it to")] = None,
) -> None:
    """Issue an API key to a member of a workspace (the owner by default)."""

    async def work(session: AsyncSession, services: Services) -> str:
        issued = await accounts.issue_key_for_member(
            session, now=services.clock.now(), workspace_id=workspace_id, user_id=user_id, name=name
        )
        return issued.plaintext

    typer.echo(f"API key (shown once): {_or_exit(work)}")


@key_app.command("revoke")
def key_revoke(key_id: Annotated[str, typer.Argument(help="Key id (key_…)")]) -> None:
    """Revoke an API key; requests with it get 401 from now on."""

    async def work(session: AsyncSession, services: Services) -> None:
        await accounts.revoke_api_key_by_id(session, now=services.clock.now(), key_id=key_id)

    _or_exit(work)
    console.print(f"revoked {key_id}")


@key_app.command("list")
def key_list(
    workspace_id: Annotated[str | None, typer.Option("--workspace", help="Workspace id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List API keys (never the keys themselves)."""

    async def work(session: AsyncSession, _: Services) -> list[ApiKey]:
        return await accounts.list_all_api_keys(session, workspace_id=workspace_id)

    keys = _or_exit(work)
    if as_json:
        fields = ("id", "name", "prefix", "workspace_id", "user_id")
        times = ("created_at", "last_used_at", "revoked_at")
        rows = [
            {
                **{f: getattr(k, f) for f in fields},
                **{t: getattr(k, t).isoformat() if getattr(k, t) else None for t in times},
            }
            for k in keys
        ]
        typer.echo(json.dumps(rows))
        return
    table = Table("id", "name", "prefix", "workspace", "user", "created", "last used", "revoked")
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            key.prefix + "…",
            key.workspace_id,
            key.user_id,
            key.created_at.isoformat(timespec="seconds"),
            key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "-",
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-",
        )
    console.print(table)


@app.command()
def demo() -> None:
    """Seed a demo workspace, user and API key; later runs re-use them."""
    settings = get_settings()
    key_file = settings.data_dir / "demo_api_key"

    async def work(session: AsyncSession, services: Services) -> tuple[str, bool]:
        if key_file.exists():
            existing = key_file.read_text().strip()
            if await accounts.authenticate_api_key(session, existing, now=services.clock.now()):
                return existing, False
        created = await accounts.bootstrap_workspace(
            session,
            now=services.clock.now(),
            name=DEMO_WORKSPACE,
            owner_email=DEMO_EMAIL,
            platform_admin=True,
        )
        created.user.first_name, created.user.last_name = "Demo", "User"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(created.api_key)
        key_file.chmod(0o600)
        return created.api_key, True

    key, fresh = _or_exit(work)
    state = "created" if fresh else "re-using"
    typer.echo(f"Demo workspace ready ({state}). API key: {key}")
    typer.echo(
        f'Try: curl -H "Authorization: Bearer {key}" http://{settings.host}:{settings.port}/api/v1/user'
    )


def _or_exit(work: Callable[[AsyncSession, Services], Awaitable[T]]) -> T:
    try:
        return run_in_transaction(work)
    except AppError as exc:
        err_console.print(f"[red]{exc.code}[/red]: {exc.message}")
        raise typer.Exit(code=1) from exc


if __name__ == "__main__":  # pragma: no cover
    app()
