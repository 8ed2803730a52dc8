"""sparkvox: ``/api/v1/projects`` — create a project from source material, list, poll.

The sparkvox document describes only a project's posts; how a project comes to be is ours:
JSON with the source text, or a multipart upload of a .txt/.md/.vtt/.srt file. Creation
answers 202 and generation runs as a job; poll ``GET /api/v1/projects/{id}`` until ``status``
is ``completed`` (or ``failed``), then read ``/posts``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    InsufficientCredits,
    NotFound,
    PayloadTooLarge,
    UnprocessableEntity,
    ValidationFailed,
    error_responses,
)
from postwright.core.models import MAX_INTEGER_COLUMN
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.jobs.status import JobState
from postwright.domain.projects import service as projects
from postwright.domain.projects import workflow as project_jobs
from postwright.domain.projects.models import Moment, Project, SourceType
from postwright.domain.projects.service import DEFAULT_MOMENTS, NewProject

router = APIRouter(prefix="/api/v1/projects", tags=["sparkvox: projects"])

CREATE_ERRORS = error_responses(
    InsufficientCredits, AiSubscriptionRequired, NotFound, PayloadTooLarge, UnprocessableEntity
)


class CreateProjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    source_text: str = Field(min_length=1, description="The transcript, article or notes")
    source_type: SourceType = SourceType.NOTES
    max_moments: int = Field(
        default=DEFAULT_MOMENTS, ge=1, le=MAX_INTEGER_COLUMN, description="Posts wanted at most"
    )
    persona_id: str | None = Field(default=None, max_length=64)


class MomentOut(BaseModel):
    id: str
    position: int
    title: str
    summary: str
    quote: str
    status: str
    post_id: str | None


class ProjectOut(BaseModel):
    id: str
    name: str
    source_type: str
    source_filename: str | None
    status: str = Field(description="queued, extracting, generating, completed or failed")
    max_moments: int
    credits_used: int
    error: str | None
    created_at: str | None
    updated_at: str | None
    completed_at: str | None


class ProjectDetail(ProjectOut):
    post_count: int
    moments: list[MomentOut]


class ProjectEnvelope(BaseModel):
    project: ProjectOut


class ProjectDetailEnvelope(BaseModel):
    project: ProjectDetail


class ProjectList(BaseModel):
    projects: list[ProjectOut]
    next_cursor: str | None
    has_more: bool


# The sparkvox document's spelling of a project's job states; a running project is
# "extracting" its moments, then "generating" their posts.
STATUS_NAMES: dict[JobState, str] = {
    JobState.QUEUED: "queued",
    JobState.RUNNING: "extracting",
    JobState.COMPLETED: "completed",
    JobState.FAILED: "failed",
}


def status_name(project: Project) -> str:
    if project_jobs.writing_posts(project):
        return "generating"
    return STATUS_NAMES[project_jobs.state(project)]


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        source_type=project.source_type,
        source_filename=project.source_filename,
        status=status_name(project),
        max_moments=project.max_moments,
        credits_used=project.credits_used,
        error=project.error,
        created_at=isoformat_z(project.created_at),
        updated_at=isoformat_z(project.updated_at),
        completed_at=isoformat_z(project.completed_at),
    )


def moment_out(moment: Moment) -> MomentOut:
    return MomentOut(
        id=moment.id,
        position=moment.position,
        title=moment.title,
        summary=moment.summary,
        quote=moment.quote,
        status=moment.status,
        post_id=moment.post_id,
    )


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProjectEnvelope,
    responses=CREATE_ERRORS,
    openapi_extra=rate_limited("ai"),
)
async def create_project(body: CreateProjectBody, ctx: CtxDep) -> ProjectEnvelope:
    """Reserves ``max_moments`` posts' credits (402 ``INSUFFICIENT_CREDITS`` when short) and
    starts generation; unused credits are released when the project finishes."""

    project = await projects.create_project(
        ctx,
        NewProject(
            name=body.name,
            source_text=body.source_text,
            source_type=body.source_type,
            max_moments=body.max_moments,
            persona_id=body.persona_id,
        ),
    )
    return ProjectEnvelope(project=project_out(project))


class UploadFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    source_type: SourceType = SourceType.TRANSCRIPT
    max_moments: int = Field(default=DEFAULT_MOMENTS, ge=1, le=MAX_INTEGER_COLUMN)
    persona_id: str | None = Field(default=None, max_length=64)


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": ".txt, .md, .vtt or .srt, UTF-8",
                        },
                        **UploadFields.model_json_schema()["properties"],
                    },
                }
            }
        },
    }
}


async def _upload_form(request: Request) -> tuple[UploadFile, UploadFields]:
    # Parsed here rather than by File()/Form() parameters: the app-wide text check reads
    # the raw body first, and FastAPI's own form parsing would find the stream consumed.
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed(
            "A source file is required",
            details=[{"field": "file", "message": "send the file as multipart field 'file'"}],
        )
    fields = {key: value for key, value in form.items() if isinstance(value, str) and value}
    try:
        return upload, UploadFields.model_validate(fields)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
            for e in exc.errors()
        ]
        raise ValidationFailed("Request validation failed", details=details) from exc


@router.post(
    "/upload",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProjectEnvelope,
    responses=CREATE_ERRORS,
    openapi_extra={**rate_limited("ai"), **UPLOAD_BODY},
)
async def upload_project(request: Request, ctx: CtxDep) -> ProjectEnvelope:
    """The same as creating with ``source_text``, the text read from an uploaded file
    (multipart field ``file``; optional fields ``name``, ``source_type``, ``max_moments``,
    ``persona_id``)."""
    upload, fields = await _upload_form(request)
    limit = ctx.settings.projects.max_source_bytes
    data = await upload.read(limit + 1)
    filename = upload.filename or "source.txt"
    text = projects.read_source_file(filename, data, settings=ctx.settings)
    project = await projects.create_project(
        ctx,
        NewProject(
            name=fields.name or filename[:200],
            source_text=text,
            source_type=fields.source_type,
            source_filename=filename[:255],
            max_moments=fields.max_moments,
            persona_id=fields.persona_id,
        ),
    )
    return ProjectEnvelope(project=project_out(project))


@router.get("", response_model=ProjectList)
async def list_projects(
    ctx: CtxDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ProjectList:
    """The workspace's projects, newest first (``next_cursor`` for the next page)."""
    page = await projects.list_projects(ctx, cursor=cursor, limit=limit)
    return ProjectList(
        projects=[project_out(p) for p in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get(
    "/{project_id}", response_model=ProjectDetailEnvelope, responses=error_responses(NotFound)
)
async def get_project(project_id: str, ctx: CtxDep) -> ProjectDetailEnvelope:
    """The project, its status while generating, and the moments found in it."""
    view = await projects.view_project(ctx, project_id)
    detail = ProjectDetail(
        **project_out(view.project).model_dump(),
        post_count=view.post_count,
        moments=[moment_out(m) for m in view.moments],
    )
    return ProjectDetailEnvelope(project=detail)
