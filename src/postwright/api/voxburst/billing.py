"""voxburst: the credit pre-flight for bulk jobs and the AI status of the workspace."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from postwright.api.deps import CtxDep, ManagerDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import ValidationFailed, error_responses
from postwright.domain.billing import service as billing
from postwright.domain.generation import service as generation

router = APIRouter(prefix="/v1", tags=["voxburst: credits"])


class ValidateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    accountId: str = Field(min_length=1, max_length=100)
    totalPosts: int = Field(ge=1, le=50)
    creditsPerPost: int = Field(
        default=1, ge=1, le=100, description="1 for text only; 6 with generateImages (1 + 5)"
    )


class ValidateOut(BaseModel):
    valid: bool
    error: str | None
    creditBalance: int = Field(description="Credits available now (balance minus reserved)")
    estimatedCredits: int


class AiStatusOut(BaseModel):
    configured: bool
    enabled: bool
    provider: str
    model: str | None
    lastUpdated: str | None


@router.post(
    "/bulk-generate/validate",
    response_model=ValidateOut,
    responses=error_responses(ValidationFailed),
)
async def validate_bulk_generation(body: ValidateBody, ctx: CtxDep) -> ValidateOut:
    """Pre-flight: creates no job and reserves nothing."""
    check = await billing.check_budget(ctx, estimated=body.totalPosts * body.creditsPerPost)
    return ValidateOut(
        valid=check.valid,
        error=check.error,
        creditBalance=check.available,
        estimatedCredits=check.estimated,
    )


@router.get("/ai/status", response_model=AiStatusOut)
async def ai_status(ctx: CtxDep) -> AiStatusOut:
    """The workspace's AI configuration: its own model if set, else the server's, else the
    builtin offline engine; ``enabled`` when its plan includes AI."""
    found = await generation.ai_status(ctx)
    return AiStatusOut(
        configured=found.configured,
        enabled=found.enabled,
        provider=found.provider,
        model=found.model,
        lastUpdated=isoformat_z(found.last_updated),
    )


class AiSettingsBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str | None = Field(
        default=None,
        max_length=200,
        description="'<provider>:<model>', e.g. 'openai:gpt-4.1-mini' or 'ollama:llama3.2'",
    )
    apiKey: str | None = Field(
        default=None,
        max_length=500,
        description="Stored encrypted and never returned; empty string removes it",
    )
    baseUrl: HttpUrl | None = None
    enabled: bool = True


@router.put("/ai/settings", response_model=AiStatusOut, responses=error_responses(ValidationFailed))
async def update_ai_settings(body: AiSettingsBody, ctx: CtxDep, _: ManagerDep) -> AiStatusOut:
    """The workspace's own AI key and model (used by ``POST /v1/ai/enhance``). Owners and
    admins only. The key is encrypted at rest and no response ever contains it."""
    await generation.set_ai_config(
        ctx,
        model=body.model,
        api_key=body.apiKey,
        base_url=str(body.baseUrl) if body.baseUrl else None,
        enabled=body.enabled,
        allow_loopback=ctx.settings.http.allow_loopback_urls,
    )
    return await ai_status(ctx)
