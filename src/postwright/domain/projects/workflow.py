"""The project generation workflow (DBOS): find the moments, then write a post for each.

Each model call is its own child workflow on the rate-limited LLM queue. Steps are
at-least-once, so every effect is guarded by the row it changes: moments are stored only while
the project is still extracting, and a post is written — and its credits settled, keyed by
(project, moment) — only while its moment is still pending. A step re-run after a crash
changes nothing that was already done.
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
from postwright.core.services import Services
from postwright.domain.billing.context import SystemActor
from postwright.domain.billing.service import release_reservation, settle_reservation
from postwright.domain.content import post_service
from postwright.domain.content.models import PostSource, ReviewStatus
from postwright.domain.generation.factory import engine_for
from postwright.domain.generation.hashtags import suggest_hashtags
from postwright.domain.generation.outputs import GenerationResult, MomentPost, MomentSet
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.service import record_usage
from postwright.domain.generation.tasks import MomentPostTask, MomentsTask, Task
from postwright.domain.personas import service as personas
from postwright.domain.projects.models import Moment, MomentStatus, Project, ProjectStatus

PLATFORM = "linkedin"
FIRST_COMMENT_HASHTAGS = 3


def first_comment(output: MomentPost, avoid: list[str]) -> str:
    """sparkvox's first comment carries the hashtags and the CTA; an engine that wrote only
    the CTA gets the post's hashtags appended, so every draft is ready to publish as is."""
    comment = output.first_comment.strip()
    if "#" in comment:
        return comment
    tags = suggest_hashtags(output.post, count=FIRST_COMMENT_HASHTAGS, avoid=avoid).hashtags
    return f"{comment}\n\n{' '.join(tags)}".strip() if tags else comment


async def start_generation(project_id: str, workflow_id: str) -> None:
    await jobs.enqueue(jobs.JOBS_QUEUE, project_generation, project_id, workflow_id=workflow_id)


def _services() -> Services:
    found: Services = jobs.services()
    return found


def _acting(project: Project, services: Services) -> SystemActor:
    return SystemActor(
        workspace_id=project.workspace_id, at=services.clock.now(), user_id=project.user_id
    )


async def _locked(session: AsyncSession, project_id: str) -> Project:
    project = await session.scalar(
        select(Project).where(Project.id == project_id).with_for_update()
    )
    if project is None:
        raise LookupError(f"project {project_id} vanished")
    return project


async def _run_child(workflow: Any, *args: Any, workflow_id: str) -> Any:
    await jobs.enqueue(jobs.LLM_QUEUE, workflow, *args, workflow_id=workflow_id)
    handle: Any = await DBOS.retrieve_workflow_async(workflow_id)
    return await handle.get_result()


@DBOS.workflow(name="postwright.project_generation")
async def project_generation(project_id: str) -> str:
    try:
        parent = DBOS.workflow_id
        outcome = await _run_child(project_moments, project_id, workflow_id=f"{parent}:moments")
        if outcome == ProjectStatus.GENERATING:
            positions = await _pending_positions(project_id)
            children = [f"{parent}:moment{position}" for position in positions]
            for position, child in zip(positions, children, strict=True):
                await jobs.enqueue(
                    jobs.LLM_QUEUE, moment_post, project_id, position, workflow_id=child
                )
            for child in children:
                handle: Any = await DBOS.retrieve_workflow_async(child)
                await handle.get_result()
        return await _finish(project_id)
    except Exception as exc:
        logger.error("project.failed", project_id=project_id, exc_info=exc)
        return await _finish(project_id, error="The project stopped on an unexpected error")


async def _engine_run(task: Task[Any]) -> GenerationResult[Any]:
    engine = engine_for(_services().settings)
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
async def project_moments(project_id: str) -> str:
    return await _extract_moments(project_id)


@DBOS.step(name="postwright.project_extract_moments")
async def _extract_moments(project_id: str) -> str:
    services = _services()
    async with services.db.transaction() as session:
        project = await _locked(session, project_id)
        # EXTRACTING too: a re-run after a crash extracts again (nothing was stored yet).
        if project.status not in (ProjectStatus.QUEUED, ProjectStatus.EXTRACTING):
            return str(project.status)
        project.status = ProjectStatus.EXTRACTING
        project.updated_at = services.clock.now()
        task = MomentsTask(
            persona=await _persona(session, project),
            source_text=project.source_text,
            max_moments=project.max_moments,
        )
    try:
        result: GenerationResult[MomentSet] = await _engine_run(task)
    except AppError as exc:
        return await _fail(project_id, f"Moments could not be extracted: {exc.message}")
    async with services.db.transaction() as session:
        project = await _locked(session, project_id)
        if project.status != ProjectStatus.EXTRACTING:
            return str(project.status)
        moments = result.output.moments
        if not moments:
            project.status = ProjectStatus.FAILED
            project.error = "No moment worth a post was found in the source"
            return str(project.status)
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
        record_usage(session, _acting(project, services), result, kind="project-moments")
        return str(project.status)


async def _fail(project_id: str, reason: str) -> str:
    services = _services()
    async with services.db.transaction() as session:
        project = await _locked(session, project_id)
        if not ProjectStatus(project.status).finished:
            project.status = ProjectStatus.FAILED
            project.error = reason
            project.updated_at = services.clock.now()
        return str(project.status)


@DBOS.step(name="postwright.project_pending_moments")
async def _pending_positions(project_id: str) -> list[int]:
    services = _services()
    async with services.db.transaction() as session:
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
    services = _services()
    async with services.db.transaction() as session:
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
    services = _services()
    async with services.db.transaction() as session:
        project = await _locked(session, project_id)
        moment = await _moment(session, project_id, position)
        if moment.status != MomentStatus.PENDING:
            return "discarded"
        acting = _acting(project, services)
        cost = project.credits_per_post if result is not None else 0
        if project.reservation_id:
            await settle_reservation(
                session,
                acting,
                project.reservation_id,
                consumed=cost,
                refunded=project.credits_per_post - cost,
                reference=f"{project.id}:{position}",
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
    """Close the project: completed when any post was written, and release unused credits."""
    services = _services()
    async with services.db.transaction() as session:
        project = await _locked(session, project_id)
        now = services.clock.now()
        if not ProjectStatus(project.status).finished:
            written = await session.scalar(
                select(Moment.id).where(
                    Moment.project_id == project_id, Moment.status == MomentStatus.COMPLETED
                )
            )
            if written is not None and error is None:
                project.status = ProjectStatus.COMPLETED
            else:
                project.status = ProjectStatus.FAILED
                project.error = error or "No post could be generated"
        project.completed_at = project.completed_at or now
        project.updated_at = now
        if project.reservation_id:
            await release_reservation(session, _acting(project, services), project.reservation_id)
        return str(project.status)


async def recover_orphans() -> int:
    """Start the workflow of every project left unfinished without one (a crash between
    commit and enqueue). The workflow id is the project's, so a live run is re-attached."""
    services = _services()
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(Project).where(
                Project.status.in_(
                    [ProjectStatus.QUEUED, ProjectStatus.EXTRACTING, ProjectStatus.GENERATING]
                )
            )
        )
        targets = [(project.id, project.workflow_id) for project in rows]
    for project_id, workflow_id in targets:
        await start_generation(project_id, workflow_id)
    return len(targets)
