"""Synchronous generation as a metered operation: access check, model call, charge, usage.

Every synchronous AI endpoint goes through ``generate``: it refuses before spending a model
call when the workspace cannot pay, charges only after the engine succeeded (a failed or
unparseable generation costs nothing), and records the call's token usage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Generic

from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core.ids import new_id
from postwright.core.outbound import ensure_public_url
from postwright.domain.billing import holds
from postwright.domain.billing.context import Acting
from postwright.domain.billing.errors import insufficient_credits
from postwright.domain.billing.service import (
    Action,
    ai_access,
    charge_credits,
    credit_summary,
    price,
    require_ai_access,
)
from postwright.domain.generation import timing
from postwright.domain.generation.builtin import BuiltinEngine
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.factory import LlmOverride, engine_for
from postwright.domain.generation.models import GenerationUsage, WorkspaceAiConfig
from postwright.domain.generation.outputs import GenerationResult, OutputT, ThreadPosts
from postwright.domain.generation.platforms import get_platform
from postwright.domain.generation.providers import split_model
from postwright.domain.generation.tasks import Task, ThreadTask
from postwright.domain.personas import service as personas

if TYPE_CHECKING:
    from postwright.domain.context import Ctx, RequestCtx


@dataclass(frozen=True)
class Generated(Generic[OutputT]):
    result: GenerationResult[OutputT]
    credits_used: int
    credits_remaining: int

    @property
    def output(self) -> OutputT:
        return self.result.output


async def generate(
    ctx: Ctx,
    task: Task[OutputT],
    *,
    action: Action | None,
    kind: str,
    engine: GenerationEngine | None = None,
) -> Generated[OutputT]:
    """Run ``task`` for the actor's workspace; ``action`` names the credit price (None: free).
    ``engine`` (default: the server's) is used once and closed.

    A metered call: AI access is checked and the price reserved, and the request's work so
    far commits with the hold; the model is called with no transaction open; the charge and
    the usage record go into the request's next transaction, keyed by the usage id. A failed
    call releases the hold at once; a process that dies first leaves a hold that expires."""
    session, actor, settings = ctx.session, ctx.actor, ctx.settings
    amount = price(settings.billing.costs, action) if action else 0
    if task.cache_scope is None:
        # The workspace shares one prompt cache (OpenAI's prompt_cache_key) across its calls.
        task = replace(task, cache_scope=actor.workspace_id)
    usage_id = new_id("gen")
    held = await holds.hold_credits(
        session,
        actor,
        usage_id=usage_id,
        amount=amount,
        reason=action.value if action else kind,
        ttl=timedelta(seconds=settings.billing.hold_ttl_seconds),
    )
    engine = engine or engine_for(settings)

    async def call() -> GenerationResult[OutputT]:
        try:
            return await engine.run(task)
        finally:
            # Engines are made per call here; an LLM engine holds an HTTP client to close.
            close = getattr(engine, "aclose", None)
            if close is not None:
                await close()

    result = await holds.call_unlocked(session, actor, held, call)
    await holds.settle(session, actor, held)
    record_usage(session, actor, result, kind=kind, credits=amount, usage_id=usage_id)
    remaining = held.available_after
    if remaining is None:
        remaining = (await credit_summary(session, actor)).available
    return Generated(result=result, credits_used=amount, credits_remaining=remaining)


async def _affordable(ctx: Ctx, action: Action | None) -> int:
    """The price, once AI access and the balance are known to cover it (nothing is held)."""
    await require_ai_access(ctx.session, ctx.actor)
    amount = price(ctx.settings.billing.costs, action) if action else 0
    if amount:
        available = (await credit_summary(ctx.session, ctx.actor)).available
        if available < amount:
            raise insufficient_credits(amount, available)
    return amount


async def _charge(ctx: Ctx, action: Action | None, amount: int, related_id: str) -> None:
    if amount and action:
        await charge_credits(
            ctx.session, ctx.actor, action.value, amount=amount, related_id=related_id
        )


async def thread(
    ctx: RequestCtx,
    *,
    topic: str,
    source_text: str | None,
    platform: str,
    max_posts: int,
    persona_id: str | None,
) -> Generated[ThreadPosts]:
    """A numbered thread, each item within the platform's limit (voxburst: 2 credits)."""
    persona = (await personas.get_view(ctx, persona_id)).profile if persona_id else None
    task = ThreadTask(
        persona=persona,
        topic=topic,
        source_text=source_text,
        platform=platform,
        max_posts=max_posts,
    )
    return await generate(ctx, task, action=Action.THREAD, kind="thread")


@dataclass(frozen=True)
class BestTimePlan:
    cells: list[timing.HeatCell]
    recommendation: timing.Recommendation
    credits_used: int


async def best_time(ctx: RequestCtx, *, platforms: Sequence[str]) -> BestTimePlan:
    """The 7x24 engagement heatmap and the next best slot in the workspace's timezone."""
    for platform in platforms:
        get_platform(platform)  # unknown platforms are a 400 before anything is charged
    amount = await _affordable(ctx, Action.BEST_TIME)
    grid = timing.heatmap(platforms)
    recommendation = timing.recommend(
        platforms, now=ctx.now(), timezone=ctx.actor.workspace.timezone
    )
    await _charge(ctx, Action.BEST_TIME, amount, new_id("gen"))
    return BestTimePlan(
        cells=timing.cells(grid), recommendation=recommendation, credits_used=amount
    )


def record_usage(
    session: AsyncSession,
    actor: Acting,
    result: GenerationResult[OutputT],
    *,
    kind: str,
    credits: int = 0,
    usage_id: str | None = None,
) -> GenerationUsage:
    usage = GenerationUsage(
        id=usage_id or new_id("gen"),
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        kind=kind,
        provider=result.provider,
        model=result.model,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        cached_input_tokens=result.usage.cached_tokens,
        requests=result.usage.requests,
        credits=credits,
        created_at=actor.now(),
    )
    session.add(usage)
    return usage


@dataclass(frozen=True)
class AiStatus:
    configured: bool
    enabled: bool
    provider: str
    model: str
    has_workspace_key: bool
    last_updated: datetime | None


async def ai_status(ctx: Ctx) -> AiStatus:
    """Which engine the workspace's AI calls use, and whether its plan lets it use them.
    The builtin engine is always there, so AI is always configured."""
    config = await get_ai_config(ctx)
    access = await ai_access(ctx.session, ctx.actor)
    if config is not None and config.enabled and config.model:
        provider, model = split_model(config.model)
    elif ctx.settings.llm.model:
        provider, model = split_model(ctx.settings.llm.model)
    else:
        provider, model = BuiltinEngine.provider, BuiltinEngine.model
    updated = config.updated_at if config is not None else access.updated_at
    return AiStatus(
        configured=True,
        enabled=access.enabled and (config is None or config.enabled),
        provider=provider,
        model=model,
        has_workspace_key=bool(config and config.api_key_encrypted),
        last_updated=updated,
    )


async def get_ai_config(ctx: Ctx) -> WorkspaceAiConfig | None:
    return await ctx.session.get(WorkspaceAiConfig, ctx.workspace_id)


async def set_ai_config(
    ctx: Ctx,
    *,
    model: str | None,
    api_key: str | None,
    base_url: str | None,
    enabled: bool,
    allow_loopback: bool = False,
) -> WorkspaceAiConfig:
    """Store the workspace's own model/key (the key encrypted at rest). A base URL is the
    workspace's, not the operator's: it must not point inside our network (400)."""
    if model:
        split_model(model)  # refuses an unknown provider prefix with a 400
    if base_url:
        await ensure_public_url(base_url, allow_loopback=allow_loopback, field="baseUrl")
    now = ctx.now()
    config = await get_ai_config(ctx)
    if config is None:
        config = WorkspaceAiConfig(workspace_id=ctx.workspace_id, created_at=now, updated_at=now)
        ctx.session.add(config)
    config.model = model
    config.base_url = base_url
    if api_key is not None:
        config.api_key_encrypted = ctx.secrets.encrypt(api_key) if api_key else None
    config.enabled = enabled
    config.updated_at = now
    await ctx.session.flush()
    return config


async def workspace_engine(ctx: Ctx) -> GenerationEngine:
    """The engine the workspace configured for itself, else the server's default."""
    settings = ctx.settings
    config = await get_ai_config(ctx)
    if config is None or not config.enabled:
        return engine_for(settings)
    key = ctx.secrets.decrypt(config.api_key_encrypted) if config.api_key_encrypted else None
    if config.base_url:
        # Checked again at call time: a name can resolve somewhere else since it was saved.
        await ensure_public_url(
            config.base_url, allow_loopback=settings.http.allow_loopback_urls, field="baseUrl"
        )
    return engine_for(
        settings, LlmOverride(model=config.model, api_key=key, base_url=config.base_url)
    )
