"""adcopy: projects and products (``/api/projects``, designed in the adcopy style) and
generation (``/api/generate/*``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import Conflict, InsufficientCredits, NotFound, error_responses
from postwright.domain.adcopy import lifecycle
from postwright.domain.adcopy import service as adcopy
from postwright.domain.adcopy.models import AdJob, AdJobType, AdProduct, AdProject
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.generation.errors import AiResponseIncomplete
from postwright.domain.jobs.status import JobState

router = APIRouter(prefix="/api", tags=["adcopy"])
AI = rate_limited("ai")
GENERATION_ERRORS = error_responses(InsufficientCredits, NotFound, AiSubscriptionRequired, Conflict)
HexColour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#1F2A44"])]


class ProjectBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    brandColors: list[HexColour] = Field(
        default_factory=list,
        max_length=5,
        description="Hex colours for rendered ads: the first paints the background, the "
        "second the accents (name, call-to-action button)",
    )


class ProjectOut(BaseModel):
    id: UUID
    name: str
    description: str
    brandColors: list[str]
    createdAt: str | None


class ProductBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    url: HttpUrl | None = None
    price: str | None = Field(default=None, max_length=50)


class ProductOut(BaseModel):
    id: UUID
    projectId: UUID
    name: str
    description: str
    url: str | None
    price: str | None
    createdAt: str | None


class ProjectList(BaseModel):
    projects: list[ProjectOut]


class ProductList(BaseModel):
    products: list[ProductOut]


class CopyBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    projectId: UUID
    productId: UUID
    platform: Literal["meta", "tiktok", "google", "linkedin", "pinterest", "universal"]
    format: Literal["short", "long", "hook", "story"]
    tone: Literal["professional", "casual", "urgent", "luxe", "playful", "bold"]
    customInstructions: str | None = Field(default=None, max_length=500)
    idempotencyKey: str | None = Field(default=None, min_length=1, max_length=128)


class Variant(BaseModel):
    hook: str
    body: str
    cta: str
    hashtags: list[str]


class CopyOut(BaseModel):
    jobId: UUID
    status: str
    creditsUsed: int
    creditsRemaining: int
    variants: list[Variant]


class StaticAdBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    projectId: UUID
    productId: UUID
    style: Literal["product_hero", "lifestyle", "minimal", "bold", "seasonal"] = "product_hero"
    aspectRatio: Literal["1:1", "9:16", "4:5", "16:9"] = "1:1"
    prompt: str | None = Field(default=None, min_length=5, max_length=1000)
    idempotencyKey: str | None = Field(default=None, min_length=1, max_length=128)


class VideoBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    projectId: UUID
    productId: UUID
    script: str = Field(min_length=10, max_length=2000)
    avatarUrl: HttpUrl | None = None
    voiceId: str = Field(default="male-1", max_length=50)
    aspectRatio: Literal["9:16", "1:1", "16:9"] = "9:16"
    idempotencyKey: str | None = Field(default=None, min_length=1, max_length=128)


class JobSubmitted(BaseModel):
    jobId: UUID
    status: str
    creditsUsed: int
    creditsRemaining: int


class Asset(BaseModel):
    id: str
    type: str
    url: str


class JobStatusOut(BaseModel):
    id: UUID
    type: str
    status: str
    assets: list[Asset]
    createdAt: str | None
    completedAt: str | None
    error: str | None = None


# The adcopy document's spelling of the job states (it also names ``pending``, "created, not
# yet queued": a job here is queued in the request that creates it).
STATUS_NAMES: dict[JobState, str] = {
    JobState.QUEUED: "queued",
    JobState.RUNNING: "processing",
    JobState.COMPLETED: "completed",
    JobState.FAILED: "failed",
    JobState.CANCELLED: "canceled",
    JobState.EXPIRED: "expired",
}


def _status(job: AdJob) -> str:
    return STATUS_NAMES[lifecycle.state(job)]


def _time(value: datetime | None) -> str | None:
    return isoformat_z(value)


def project_out(project: AdProject) -> ProjectOut:
    return ProjectOut(
        id=UUID(project.id),
        name=project.name,
        description=project.description,
        brandColors=[str(c) for c in project.brand_colors],
        createdAt=_time(project.created_at),
    )


def product_out(product: AdProduct) -> ProductOut:
    return ProductOut(
        id=UUID(product.id),
        projectId=UUID(product.project_id),
        name=product.name,
        description=product.description,
        url=product.url,
        price=product.price,
        createdAt=_time(product.created_at),
    )


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=ProjectOut)
async def create_project(body: ProjectBody, ctx: CtxDep) -> ProjectOut:
    """A project (a brand or campaign) groups products; its ``brandColors`` paint the static
    ads and videos generated for them. Ids are UUIDs, as in every adcopy request."""
    project = await adcopy.create_project(
        ctx, name=body.name, description=body.description, brand_colors=body.brandColors
    )
    return project_out(project)


@router.get("/projects", response_model=ProjectList)
async def list_projects(ctx: CtxDep) -> ProjectList:
    """This workspace's projects, newest first."""
    return ProjectList(projects=[project_out(p) for p in await adcopy.list_projects(ctx)])


@router.post(
    "/projects/{project_id}/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    responses=error_responses(NotFound),
)
async def create_product(project_id: UUID, body: ProductBody, ctx: CtxDep) -> ProductOut:
    """A product to advertise; ``name``, ``description`` and ``price`` feed the copy and the
    rendered ads. 404 when the project is not this workspace's."""
    product = await adcopy.create_product(
        ctx,
        str(project_id),
        name=body.name,
        description=body.description,
        url=str(body.url) if body.url else None,
        price_label=body.price,
    )
    return product_out(product)


@router.get(
    "/projects/{project_id}/products",
    response_model=ProductList,
    responses=error_responses(NotFound),
)
async def list_products(project_id: UUID, ctx: CtxDep) -> ProductList:
    """The project's products, newest first."""
    products = await adcopy.list_products(ctx, str(project_id))
    return ProductList(products=[product_out(p) for p in products])


@router.post(
    "/generate/copy",
    response_model=CopyOut,
    responses=error_responses(
        InsufficientCredits, NotFound, AiSubscriptionRequired, AiResponseIncomplete, Conflict
    ),
    openapi_extra=AI,
)
async def generate_copy(body: CopyBody, ctx: CtxDep) -> CopyOut:
    """Five platform-optimised copy variants, synchronously; 1 credit."""
    done = await adcopy.generate_copy(
        ctx,
        project_id=str(body.projectId),
        product_id=str(body.productId),
        platform=body.platform,
        ad_format=body.format,
        tone=body.tone,
        custom_instructions=body.customInstructions,
        idempotency_key=body.idempotencyKey,
    )
    return CopyOut(
        jobId=UUID(done.job.id),
        status="reused" if done.reused else _status(done.job),
        creditsUsed=done.credits_used,
        creditsRemaining=done.credits_remaining,
        variants=[Variant(**v) for v in done.job.result.get("variants", [])],
    )


def _submitted(done: adcopy.Submitted) -> JobSubmitted:
    return JobSubmitted(
        jobId=UUID(done.job.id),
        status="reused" if done.reused else _status(done.job),
        creditsUsed=done.credits_used,
        creditsRemaining=done.credits_remaining,
    )


@router.post(
    "/generate/static-ad",
    response_model=JobSubmitted,
    responses=GENERATION_ERRORS,
    openapi_extra=AI,
)
async def generate_static_ad(body: StaticAdBody, ctx: CtxDep) -> JobSubmitted:
    """An ad image, asynchronously; 3 credits (refunded if it fails or expires). Poll
    ``/api/generate/status``."""
    done = await adcopy.submit_media_job(
        ctx,
        job_type=AdJobType.STATIC_AD,
        project_id=str(body.projectId),
        product_id=str(body.productId),
        params={"style": body.style, "aspectRatio": body.aspectRatio, "prompt": body.prompt},
        idempotency_key=body.idempotencyKey,
    )
    return _submitted(done)


@router.post(
    "/generate/video", response_model=JobSubmitted, responses=GENERATION_ERRORS, openapi_extra=AI
)
async def generate_video(body: VideoBody, ctx: CtxDep) -> JobSubmitted:
    """An avatar video with captions (and speech where a voice engine exists); 40 credits."""
    done = await adcopy.submit_media_job(
        ctx,
        job_type=AdJobType.VIDEO,
        project_id=str(body.projectId),
        product_id=str(body.productId),
        params={
            "script": body.script,
            "avatarUrl": str(body.avatarUrl) if body.avatarUrl else None,
            "voiceId": body.voiceId,
            "aspectRatio": body.aspectRatio,
        },
        idempotency_key=body.idempotencyKey,
    )
    return _submitted(done)


@router.get(
    "/generate/status",
    response_model=JobStatusOut,
    responses=error_responses(NotFound),
)
async def job_status(
    ctx: CtxDep,
    jobId: str = Query(min_length=1, max_length=64),
) -> JobStatusOut:
    """A job's status; ``assets`` carry signed URLs made now, valid for
    ``POSTWRIGHT_ADCOPY_ASSET_URL_TTL_SECONDS``. Failed, canceled and expired jobs were
    refunded."""
    found = await adcopy.job_status(ctx, jobId)
    job = found.job
    return JobStatusOut(
        id=UUID(job.id),
        type=job.type,
        status=_status(job),
        assets=[Asset(id=a.id, type=a.type, url=a.url) for a in found.assets],
        createdAt=_time(job.created_at),
        completedAt=_time(job.completed_at),
        error=job.error,
    )
