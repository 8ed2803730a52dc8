"""sparkvox projects: create one from source material, follow its generation, read it back.

Creating a project reserves credits for ``max_moments`` posts (402 when short) and starts the
generation workflow once the project row is committed. Each post written settles its share of
the reservation; whatever is left is released when the project finishes, so a project that
found three moments out of five pays for three.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.db import after_commit
from postwright.core.errors import PayloadTooLarge, ValidationFailed
from postwright.core.ids import new_id
from postwright.core.pagination import KeysetPage, paginate_keyset
from postwright.core.settings import Settings
from postwright.core.tenancy import get_scoped, scoped
from postwright.core.text import is_storable
from postwright.domain.billing.service import Action, price, require_ai_access, reserve_credits
from postwright.domain.content.models import Post
from postwright.domain.context import Ctx, RequestCtx
from postwright.domain.personas import service as personas
from postwright.domain.projects.models import Moment, Project, ProjectStatus, SourceType

SOURCE_FILE_TYPES = (".txt", ".md", ".vtt", ".srt")
DEFAULT_MOMENTS = 5
MIN_SOURCE_CHARS = 20


@dataclass(frozen=True)
class NewProject:
    name: str
    source_text: str
    source_type: SourceType = SourceType.NOTES
    source_filename: str | None = None
    max_moments: int = DEFAULT_MOMENTS
    persona_id: str | None = None


@dataclass(frozen=True)
class ProjectView:
    project: Project
    moments: list[Moment]
    post_count: int


def read_source_file(filename: str, data: bytes, *, settings: Settings) -> str:
    """The text of an uploaded source file: a UTF-8 .txt/.md/.vtt/.srt within the size limit."""
    limit = settings.projects.max_source_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than {limit} bytes")
    if PurePath(filename).suffix.lower() not in SOURCE_FILE_TYPES:
        raise ValidationFailed(
            "Unsupported file type",
            details=[
                {"field": "file", "message": f"must be one of {', '.join(SOURCE_FILE_TYPES)}"}
            ],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text",
            details=[{"field": "file", "message": "must be UTF-8 encoded text"}],
        ) from exc


def _validate(request: NewProject, settings: Settings) -> None:
    problems = []
    if not request.name.strip():
        problems.append({"field": "name", "message": "must not be empty"})
    if len(request.source_text.encode()) > settings.projects.max_source_bytes:
        raise PayloadTooLarge(
            f"The source text is larger than {settings.projects.max_source_bytes} bytes"
        )
    if len(request.source_text.strip()) < MIN_SOURCE_CHARS:
        problems.append(
            {"field": "source_text", "message": f"needs at least {MIN_SOURCE_CHARS} characters"}
        )
    if not is_storable(request.source_text):
        problems.append({"field": "source_text", "message": "contains NUL characters"})
    if not 1 <= request.max_moments <= settings.projects.max_moments:
        problems.append(
            {
                "field": "max_moments",
                "message": f"must be between 1 and {settings.projects.max_moments}",
            }
        )
    if problems:
        raise ValidationFailed("Invalid project", details=problems)


async def create_project(ctx: RequestCtx, request: NewProject) -> Project:
    _validate(request, ctx.settings)
    if request.persona_id:
        await personas.workspace_view(ctx.session, ctx.workspace_id, request.persona_id)
    await require_ai_access(ctx.session, ctx.actor)
    now = ctx.now()
    project_id = new_id("proj")
    per_post = price(ctx.settings.billing.costs, Action.PROJECT_POST)
    reservation_id: str | None = None
    if per_post:
        reservation = await reserve_credits(
            ctx.session,
            ctx.actor,
            request.max_moments * per_post,
            reason="project posts",
            related_id=project_id,
            reference=f"{project_id}:reserve",
        )
        reservation_id = reservation.id
    project = Project(
        id=project_id,
        workspace_id=ctx.workspace_id,
        user_id=ctx.user_id,
        name=request.name.strip(),
        source_type=request.source_type,
        source_filename=request.source_filename,
        source_text=request.source_text,
        persona_id=request.persona_id,
        max_moments=request.max_moments,
        status=ProjectStatus.QUEUED,
        reservation_id=reservation_id,
        credits_per_post=per_post,
        credits_used=0,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(project)
    await ctx.session.flush()
    _start_after_commit(ctx.session, project)
    return project


def _start_after_commit(session: AsyncSession, project: Project) -> None:
    from postwright.domain.projects.workflow import start_generation

    project_id = project.id

    async def start() -> None:
        # Without a job engine in this process the project waits, queued, for the next
        # process that starts one: its orphan recovery picks the project up.
        if jobs.is_running():
            await start_generation(project_id)

    after_commit(session, start)


async def get_project(ctx: Ctx, project_id: str) -> Project:
    """The workspace's project, or 404 (another workspace's id included)."""
    project: Project = await get_scoped(ctx.session, Project, ctx.workspace_id, project_id)
    return project


async def view_project(ctx: Ctx, project_id: str) -> ProjectView:
    project = await get_project(ctx, project_id)
    moments = list(
        await ctx.session.scalars(
            select(Moment).where(Moment.project_id == project.id).order_by(Moment.position)
        )
    )
    posts = await ctx.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(
            Post.workspace_id == ctx.workspace_id,
            Post.project_id == project.id,
            Post.deleted_at.is_(None),
        )
    )
    return ProjectView(project=project, moments=moments, post_count=int(posts or 0))


async def list_projects(
    ctx: Ctx,
    *,
    cursor: str | None,
    limit: int,
) -> KeysetPage[Project]:
    """Newest first, by keyset cursor."""
    page: KeysetPage[Project] = await paginate_keyset(
        ctx.session,
        scoped(Project, ctx.workspace_id),
        codec=ctx.cursors,
        created_at=Project.created_at,
        id_column=Project.id,
        cursor=cursor,
        limit=limit,
        scope=f"projects:{ctx.workspace_id}",
    )
    return page
