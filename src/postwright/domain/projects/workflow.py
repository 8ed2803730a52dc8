"""The project generation workflow (DBOS): find the moments, then write a post for each.

A kind on the job kernel (``domain/jobs/kernel``): its items are the moments, one post each,
costing ``credits_per_post``. Each model call is its own child workflow on the rate-limited
LLM queue. Steps are at-least-once, so every effect is guarded by the row it changes: moments
are stored only while the project is still extracting, and a post is written — and its credits
settled, keyed by (project, moment) — only while its moment is still pending. The kernel ends
the project once and releases the credits no post used.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import jobs
from postwright.core.errors import AppError
from postwright.core.ids import new_id
from postwright.core.logging import logger
from postwright.domain.content import post_service
from postwright.domain.content.models import PostSource, ReviewStatus
from postwright.domain.context import Ctx
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.hashtags import suggest_hashtags
from postwright.domain.generation.outputs import GenerationResult, MomentPost, MomentSet
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import MomentPostTask, MomentsTask, Task
from postwright.domain.jobs import kernel
from postwright.domain.jobs.status import JobState
from postwright.domain.personas import service as personas
from postwright.domain.projects.models import Moment, MomentStatus, Project, ProjectStatus

PLATFORM = "linkedin"
FIRST_COMMENT_HASHTAGS = 3
UNEXPECTED = "The project stopped on an unexpected error"

# A running project is extracting its moments, then generating their posts: two stored
# spellings of ``JobState.RUNNING`` (``writing_posts`` tells them apart).
PROJECTS = kernel.Lifecycle(
    Project,
    {
        JobState.QUEUED: ProjectStatus.QUEUED.value,
        JobState.RUNNING: ProjectStatus.EXTRACTING.value,
        JobState.COMPLETED: ProjectStatus.COMPLETED.value,
        JobState.FAILED: ProjectStatus.FAILED.value,
    },
    also_stored={ProjectStatus.GENERATING.value: JobState.RUNNING},
)


def state(project: Project) -> JobState:
    return PROJECTS.state(project)


def writing_posts(project: Project) -> bool:
    """A running project past its moments, writing their posts."""
    return str(project.status) == ProjectStatus.GENERATING.value


def first_comment(output: MomentPost, avoid: list[str]) -> str:
    """sparkvox's first comment carries the hashtags and the CTA; an engine that wrote only
    the CTA gets the post's hashtags appended, so every draft is ready to publish as is."""
    comment = output.first_comment.strip()
    if "#" in comment:
        return comment
    tags = suggest_hashtags(output.post, count=FIRST_COMMENT_HASHTAGS, avoid=avoid).hashtags
    return f"{comment}\n\n{' '.join(tags)}".strip() if tags else comment


def workflow_id(project_id: str) -> str:
    return f"project:{project_id}"


async def start_generation(project_id: str) -> None:
    await jobs.enqueue(
        jobs.JOBS_QUEUE, project_generation, project_id, workflow_id=workflow_id(project_id)
    )


async def _run_child(workflow: Any, *args: Any, workflow_id: str) -> Any:
    await jobs.enqueue(jobs.LLM_QUEUE, workflow, *args, workflow_id=workflow_id)
    handle: Any = await DBOS.retrieve_workflow_async(workflow_id)
    return await handle.get_result()


@DBOS.workflow(name="postwright.project_generation")
async def project_generation(project_id: str) -> str:
    try:
        if not await _begin(project_id):
            return "skipped"
        parent = DBOS.workflow_id
        error = await _run_child(project_moments, project_id, workflow_id=f"{parent}:moments")
        if error:
            return await _finish(project_id, error=error)
        positions = await _pending_positions(project_id)
        await jobs.run_children(
            jobs.LLM_QUEUE,
            moment_post,
            [(f"{parent}:moment{position}", (project_id, position)) for position in positions],
        )
        return await _finish(project_id)
    except Exception as exc:
        logger.error("project.failed", project_id=project_id, exc_info=exc)
        return await _finish(project_id, error=UNEXPECTED)


@DBOS.step(name="postwright.project_begin")
async def _begin(project_id: str) -> bool:
    return await kernel.begin(PROJECTS, project_id)


async def _engine_run(task: Task[Any]) -> GenerationResult[Any]:
    engine = engine_for(kernel.services().settings)
    try:
        return await engine.run(task)
    finally:
        close = getattr(engine, "aclose", None)
        if close is not None:
            await close()


async def _persona(session: AsyncSession, project: Project) -> PersonaProfile | None:
    if not project.persona_id:
        return None
    view = await personas.workspace_view(session, project.workspace_id, project.persona_id)
    return view.profile


@DBOS.workflow(name="postwright.project_moments")
async def project_moments(project_id: str) -> str | None:
    return await _extract_moments(project_id)


@DBOS.step(name="postwright.project_extract_moments")
async def _extract_moments(project_id: str) -> str | None:
    """Find and store the moments; the reason the project fails when none can be, else None."""
    services = kernel.services()
    async with services.db.read_transaction() as session:
        project = await session.get(Project, project_id)
        if project is None:
            raise LookupError(f"project {project_id} vanished")
        # Still extracting (a re-run after a crash extracts again: nothing was stored yet).
        if str(project.status) != ProjectStatus.EXTRACTING.value:
            return None
        task = MomentsTask(
            persona=await _persona(session, project),
            source_text=project.source_text,
            max_moments=project.max_moments,
        )
    try:
        result: GenerationResult[MomentSet] = await _engine_run(task)
    except AppError as exc:
        return f"Moments could not be extracted: {exc.message}"
    moments = result.output.moments
    if not moments:
        return "No moment worth a post was found in the source"
    async with services.db.transaction() as session:
        project = await kernel.locked(session, PROJECTS, project_id)
        if str(project.status) != ProjectStatus.EXTRACTING.value:
            return None
        now = services.clock.now()
        session.add_all(
            Moment(
                id=new_id("mom"),
                project_id=project.id,
                workspace_id=project.workspace_id,
                position=position,
                title=moment.title[:500],
                summary=moment.summary,
                quote=moment.quote,
                status=MomentStatus.PENDING,
                created_at=now,
            )
            for position, moment in enumerate(moments)
        )
        project.status = ProjectStatus.GENERATING
        project.updated_at = now
        record_usage(session, kernel.acting(project, services), result, kind="project-moments")
        return None


@DBOS.step(name="postwright.project_pending_moments")
async def _pending_positions(project_id: str) -> list[int]:
    async with kernel.services().db.read_transaction() as session:
        rows = await session.scalars(
            select(Moment.position)
            .where(Moment.project_id == project_id, Moment.status == MomentStatus.PENDING)
            .order_by(Moment.position)
        )
        return list(rows)


@DBOS.workflow(name="postwright.project_moment_post")
async def moment_post(project_id: str, position: int) -> str:
    return await _write_moment_post(project_id, position)


async def _moment(session: AsyncSession, project_id: str, position: int) -> Moment:
    moment = await session.scalar(
        select(Moment).where(Moment.project_id == project_id, Moment.position == position)
    )
    if moment is None:
        raise LookupError(f"moment {position} of {project_id} vanished")
    return moment


@DBOS.step(name="postwright.project_write_moment_post")
async def _write_moment_post(project_id: str, position: int) -> str:
    services = kernel.services()
    async with services.db.read_transaction() as session:
        project = await session.get(Project, project_id)
        moment = await _moment(session, project_id, position)
        if project is None or moment.status != MomentStatus.PENDING:
            return "skipped"
        task = MomentPostTask(
            persona=await _persona(session, project),
            title=moment.title,
            summary=moment.summary,
            quote=moment.quote,
            platform=PLATFORM,
        )
    try:
        result: GenerationResult[MomentPost] = await _engine_run(task)
    except AppError as exc:
        return await _settle_moment(project_id, position, None, error=exc.message)
    except Exception as exc:
        logger.error("project_moment.error", project_id=project_id, exc_info=exc)
        return await _settle_moment(project_id, position, None, error="Generation failed")
    comment = first_comment(result.output, task.avoid)
    final = result.model_copy(
        update={"output": result.output.model_copy(update={"first_comment": comment})}
    )
    return await _settle_moment(project_id, position, final)


async def _settle_moment(
    project_id: str,
    position: int,
    result: GenerationResult[MomentPost] | None,
    *,
    error: str | None = None,
) -> str:
    """Write the moment's post and consume its credits — or give them back on failure."""
    services = kernel.services()
    async with services.db.transaction() as session:
        project = await kernel.locked(session, PROJECTS, project_id)
        moment = await _moment(session, project_id, position)
        if moment.status != MomentStatus.PENDING or state(project).finished:
            return "discarded"
        acting = kernel.acting(project, services)
        # The moment is the item: its post is charged, or its share given back, once.
        cost = project.credits_per_post if result is not None else 0
        await kernel.settle_item(
            session,
            acting,
            project,
            str(position),
            consumed=cost,
            refunded=project.credits_per_post - cost,
        )
        now = services.clock.now()
        if result is None:
            moment.status = MomentStatus.FAILED
            moment.error = error
            return "failed"
        post = post_service.add_post(
            session,
            acting,
            post_service.PostDraft(
                content=result.output.post,
                platform=PLATFORM,
                title=moment.title,
                first_comment=result.output.first_comment,
                persona_id=project.persona_id,
                review_status=ReviewStatus.PENDING,
                project_id=project.id,
                moment_id=moment.id,
                attributes={"truncated": result.truncated, "provider": result.provider},
            ),
            source=PostSource.PROJECT,
            now=now,
        )
        moment.status = MomentStatus.COMPLETED
        moment.post_id = post.id
        project.credits_used += cost
        project.updated_at = now
        record_usage(session, acting, result, kind="project-post", credits=cost)
        return "completed"


@DBOS.step(name="postwright.project_finish")
async def _finish(project_id: str, *, error: str | None = None) -> str:
    """Close the project: completed when any post was written; unused credits released."""

    async def outcome(ctx: Ctx, project: Project) -> JobState:
        session, acting = ctx.session, ctx.actor
        written = await session.scalar(
            select(Moment.id).where(
                Moment.project_id == project_id, Moment.status == MomentStatus.COMPLETED
            )
        )
        await kernel.release(session, acting, project)
        if written is not None and error is None:
            return JobState.COMPLETED
        project.error = error or "No post could be generated"
        return JobState.FAILED

    return await kernel.finish(PROJECTS, project_id, outcome)


async def recover_orphans() -> int:
    """Start the workflow of every project left unfinished without one (a crash between
    commit and enqueue). The workflow id is the project's, so a live run is re-attached."""
    return await kernel.recover(PROJECTS, start_generation)
