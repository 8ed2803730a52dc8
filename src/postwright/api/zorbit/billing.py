"""zorbit: plans, subscriptions and usage quotas (rules in ``domain/billing``)."""

from __future__ import annotations

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import ActorDep, AdminCtxDep, CtxDep, SessionDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    ValidationFailed,
    error_responses,
)
from postwright.core.models import MAX_INTEGER_COLUMN
from postwright.domain.billing import service as billing
from postwright.domain.billing.models import Plan

router = APIRouter(prefix="/api/v1", tags=["zorbit: plans, subscriptions, quotas"])


class SubscriptionOut(BaseModel):
    id: str
    userId: str | None
    planId: str
    status: str
    currentPeriodStart: str
    currentPeriodEnd: str
    cancelAtPeriodEnd: bool


class CancelOut(BaseModel):
    success: bool
    message: str
    cancelAt: str


class RenewedSubscription(BaseModel):
    id: str
    status: str
    currentPeriodEnd: str


class RenewOut(BaseModel):
    success: bool
    subscription: RenewedSubscription


class PlanOut(BaseModel):
    id: str
    name: str
    description: str | None
    price: float
    currency: str
    interval: str
    features: list[str]
    postGenerationLimit: int
    ideaGenerationLimit: int
    personaLimit: int
    imageCreationLimit: int
    commentGenerationLimit: int
    monthlyCredits: int = Field(description="Credits granted every billing period")
    aiAccess: bool = Field(description="Whether the plan includes the AI features")
    isActive: bool


class CreatePlanBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    price: float = Field(ge=0, le=1_000_000)
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    interval: str = Field(default="month", pattern=r"^(month|year)$")
    features: list[str] = Field(default_factory=list, max_length=50)
    postGenerationLimit: int = Field(ge=0, le=MAX_INTEGER_COLUMN)
    ideaGenerationLimit: int = Field(ge=0, le=MAX_INTEGER_COLUMN)
    personaLimit: int = Field(ge=0, le=MAX_INTEGER_COLUMN)
    imageCreationLimit: int = Field(ge=0, le=MAX_INTEGER_COLUMN)
    commentGenerationLimit: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INTEGER_COLUMN,
        description="Defaults to twice postGenerationLimit (at most the maximum)",
    )
    monthlyCredits: int = Field(default=0, ge=0, le=MAX_INTEGER_COLUMN)
    aiAccess: bool = True


class CreatedPlan(BaseModel):
    id: str
    name: str
    createdAt: str


class QuotaOut(BaseModel):
    limit: int
    used: int
    remaining: int
    resetAt: str | None


class QuotaAvailable(BaseModel):
    available: bool
    quotaType: str
    remaining: int
    limit: int


class QuotaExhausted(BaseModel):
    available: bool
    error: str
    quotaType: str
    upgradeRequired: bool
    remaining: int
    limit: int
    resetAt: str | None


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        name=plan.name,
        description=plan.description,
        price=plan.price_cents / 100,
        currency=plan.currency,
        interval=plan.interval,
        features=[str(f) for f in plan.features],
        postGenerationLimit=plan.post_generation_limit,
        ideaGenerationLimit=plan.idea_generation_limit,
        personaLimit=plan.persona_limit,
        imageCreationLimit=plan.image_creation_limit,
        commentGenerationLimit=plan.comment_generation_limit,
        monthlyCredits=plan.monthly_credits,
        aiAccess=plan.ai_access,
        isActive=plan.is_active,
    )


@router.get("/subscriptions", response_model=SubscriptionOut | None, responses=error_responses())
async def get_subscription(ctx: CtxDep) -> SubscriptionOut | None:
    """The workspace's subscription, or ``null`` while it has never had one (it then uses
    the free plan, and gets a subscription on it at first metered use)."""
    entitlement = await billing.get_subscription(ctx)
    if entitlement is None or entitlement.subscription is None:
        return None
    subscription, state = entitlement.subscription, entitlement.state
    return SubscriptionOut(
        id=subscription.id,
        userId=subscription.user_id,
        planId=subscription.plan_id,
        status=state.status,
        currentPeriodStart=isoformat_z(state.period_start),
        currentPeriodEnd=isoformat_z(state.period_end),
        cancelAtPeriodEnd=state.cancel_at_period_end,
    )


@router.post(
    "/subscriptions/cancel",
    response_model=CancelOut,
    responses=error_responses(NotFound, Conflict),
)
async def cancel_subscription(ctx: CtxDep) -> CancelOut:
    subscription = await billing.cancel_subscription(ctx)
    return CancelOut(
        success=True,
        message="Subscription will be cancelled at the end of the current period",
        cancelAt=isoformat_z(subscription.current_period_end),
    )


@router.post(
    "/subscriptions/renew-free",
    response_model=RenewOut,
    responses=error_responses(ValidationFailed, Conflict),
)
async def renew_free(ctx: CtxDep) -> RenewOut:
    subscription = await billing.renew_free(ctx)
    return RenewOut(
        success=True,
        subscription=RenewedSubscription(
            id=subscription.id,
            status=subscription.status,
            currentPeriodEnd=isoformat_z(subscription.current_period_end),
        ),
    )


@router.get("/plans", response_model=list[PlanOut], responses=error_responses())
async def list_plans(_: ActorDep, session: SessionDep) -> list[PlanOut]:
    return [_plan_out(plan) for plan in await billing.list_plans(session)]


@router.get("/plans/{plan_id}", response_model=PlanOut, responses=error_responses(NotFound))
async def get_plan(plan_id: str, _: ActorDep, session: SessionDep) -> PlanOut:
    return _plan_out(await billing.get_plan(session, plan_id))


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedPlan,
    responses=error_responses(ValidationFailed, Forbidden, Conflict),
)
async def create_plan(body: CreatePlanBody, ctx: AdminCtxDep) -> CreatedPlan:
    """Platform admins only (403 otherwise)."""

    plan = await billing.create_plan(
        ctx,
        billing.PlanSpec(
            name=body.name,
            description=body.description,
            price_cents=round(body.price * 100),
            currency=body.currency,
            interval=body.interval,
            features=body.features,
            post_generation_limit=body.postGenerationLimit,
            idea_generation_limit=body.ideaGenerationLimit,
            persona_limit=body.personaLimit,
            image_creation_limit=body.imageCreationLimit,
            comment_generation_limit=body.commentGenerationLimit,
            monthly_credits=body.monthlyCredits,
            ai_access=body.aiAccess,
        ),
    )
    return CreatedPlan(id=plan.id, name=plan.name, createdAt=isoformat_z(plan.created_at))


@router.get("/usage/quotas", response_model=dict[str, QuotaOut], responses=error_responses())
async def usage_quotas(actor: ActorDep, session: SessionDep) -> dict[str, QuotaOut]:
    usage = await billing.quota_usage(session, actor)
    return {
        kind.value: QuotaOut(
            limit=s.limit, used=s.used, remaining=s.remaining, resetAt=isoformat_z(s.reset_at)
        )
        for kind, s in usage.items()
    }


@router.get(
    "/quotas/check",
    response_model=QuotaAvailable,
    responses={
        **error_responses(ValidationFailed),
        402: {"model": QuotaExhausted, "description": "Quota exhausted"},
    },
)
async def check_quota(
    actor: ActorDep,
    session: SessionDep,
    quota_type: str | None = Query(
        default=None,
        alias="type",
        description="post_generation, idea_generation, personas, comment_generation, "
        "image_creation",
    ),
) -> Response:
    """200 when at least one unit is left; 402 with the exhausted body (and the standard
    ``quota`` object) when none is."""
    quota = await billing.check_quota(session, actor, billing.parse_quota_type(quota_type))
    if quota.allows(1):
        return JSONResponse(
            QuotaAvailable(
                available=True,
                quotaType=quota.type.value,
                remaining=quota.remaining,
                limit=quota.limit,
            ).model_dump()
        )
    exhausted = QuotaExhausted(
        available=False,
        error=PaymentRequired.default_message,
        quotaType=quota.type.value,
        upgradeRequired=True,
        remaining=quota.remaining,
        limit=quota.limit,
        resetAt=isoformat_z(quota.reset_at),
    )
    return JSONResponse(
        {**exhausted.model_dump(), "quota": quota.as_quota()},
        status_code=status.HTTP_402_PAYMENT_REQUIRED,
    )
