"""AI writing: a post for a persona, enhancing a draft, hashtags, and when to post."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from postwright.core.clock import isoformat_z
from postwright.domain.billing import service as billing
from postwright.domain.billing.service import Action
from postwright.domain.context import RequestCtx
from postwright.domain.generation import service as generation
from postwright.domain.generation.prompts import persona_from_prompt
from postwright.domain.generation.tasks import EnhanceTask, HashtagTask, PostTask
from postwright.domain.personas import service as personas
from postwright.domain.publishing import engagement
from postwright.mcp.runtime import READ, ai_limit, tool

PersonaId = Annotated[
    str, Field(min_length=1, max_length=64, description="A persona id from list_personas")
]
Platform = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description="linkedin, x, bluesky, mastodon, threads, instagram, facebook, tiktok, "
        "youtube… (read the postwright://platforms resource for every platform and its rules)",
    ),
]


class Charge(BaseModel):
    credits_used: int = Field(description="Credits this call consumed")
    credits_remaining: int = Field(description="Credits available after this call")


class GeneratedPost(Charge):
    content: str = Field(description="The finished post, within the platform's limits")
    platform: str
    persona_id: str
    provider: str = Field(description="'builtin' for the offline engine, else the model's")
    model: str
    truncated: bool = Field(description="The text was cut to fit the platform's limit")


class Enhanced(Charge):
    enhanced: str
    changes: list[str]
    suggestions: list[str]
    provider: str
    model: str


class Hashtag(BaseModel):
    tag: str = Field(description="With the leading '#'")
    relevance: float = Field(ge=0, le=1)
    trending: bool


class Hashtags(Charge):
    hashtags: list[Hashtag]


class HeatCell(BaseModel):
    day: int = Field(description="0 = Monday … 6 = Sunday")
    hour: int = Field(description="0-23, in the workspace's timezone")
    score: int = Field(description="0-100")


class Recommendation(BaseModel):
    at: str = Field(description="The next best slot, ISO 8601 with the workspace's offset")
    day_name: str
    engagement: str
    reason: str


class BestTime(Charge):
    recommendation: Recommendation
    heatmap: list[HeatCell] = Field(description="7x24 engagement scores")


class Alternative(BaseModel):
    at: str
    score: float


class SuggestedTime(BaseModel):
    account_id: str
    platform: str
    suggested_time: str = Field(description="UTC, ISO 8601: pass to schedule_post")
    timezone: str = Field(description="The account's timezone")
    confidence: float = Field(description="Grows with the account's engagement history")
    reasoning: str
    alternatives: list[Alternative]


@tool(title="Generate a post", limit=ai_limit("/v1/ai/generate-post-content"), writes=True)
async def generate_post(
    ctx: RequestCtx,
    persona_id: PersonaId,
    platform: Platform,
    topic: Annotated[
        str, Field(min_length=1, max_length=5000, description="What the post is about")
    ],
) -> GeneratedPost:
    """Write one post about `topic` in a persona's voice, fitted to the platform's limits
    and hashtag rules. Costs 1 credit (nothing is charged when generation fails). The post is
    not saved: pass `content` to create_post to keep it, then schedule_post to publish."""
    assembled = await personas.assemble_prompt(
        ctx,
        persona_id,
        platform=platform,
        generation_type="POST_GENERATION",
        idea_input=topic,
    )
    task = PostTask(
        persona=persona_from_prompt(assembled.system_prompt),
        topic=topic,
        platform=platform,
        system_prompt=assembled.system_prompt,
        user_prompt=assembled.user_prompt,
    )
    done = await generation.generate(
        ctx,
        task,
        action=Action.GENERATE_POST_CONTENT,
        kind="generate-post-content",
    )
    return GeneratedPost(
        content=done.output.content,
        platform=platform,
        persona_id=persona_id,
        provider=done.result.provider,
        model=done.result.model,
        truncated=done.result.truncated,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


@tool(title="Enhance a draft", limit=ai_limit("/v1/ai/enhance-content"), writes=True)
async def enhance(
    ctx: RequestCtx,
    text: Annotated[str, Field(min_length=1, max_length=10_000, description="The draft")],
    platform: Platform | None = None,
    tone: Annotated[str | None, Field(max_length=200, description="e.g. 'warmer'")] = None,
    style: Literal["professional", "casual", "engaging", "formal", "humorous"] | None = None,
    persona_id: Annotated[
        str | None, Field(max_length=64, description="Keep it in this persona's voice")
    ] = None,
) -> Enhanced:
    """Improve a draft post: clearer, more engaging, within the platform's limits, optionally
    in a persona's voice. Costs 1 credit. Returns the new text and what changed."""
    persona = (await personas.get_view(ctx, persona_id)).profile if persona_id else None
    task = EnhanceTask(persona=persona, text=text, platform=platform, tone=tone, style=style)
    done = await generation.generate(
        ctx,
        task,
        action=Action.ENHANCE_CONTENT,
        kind="enhance-content",
    )
    return Enhanced(
        enhanced=done.output.enhanced,
        changes=done.output.changes,
        suggestions=done.output.suggestions,
        provider=done.result.provider,
        model=done.result.model,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


@tool(title="Suggest hashtags", limit=ai_limit("/v1/ai/hashtags"), writes=True)
async def hashtags(
    ctx: RequestCtx,
    content: Annotated[str, Field(min_length=1, max_length=10_000, description="The post")],
    platform: Platform | None = None,
    count: Annotated[
        int | None, Field(ge=1, le=30, description="How many; capped by the platform")
    ] = None,
) -> Hashtags:
    """Suggest hashtags for a post, most relevant first, no more than the platform allows
    (e.g. Instagram 5, none for some platforms). Costs 1 credit."""
    task = HashtagTask(content=content, platform=platform, count=count)
    done = await generation.generate(
        ctx,
        task,
        action=Action.HASHTAGS,
        kind="hashtags",
    )
    return Hashtags(
        hashtags=[
            Hashtag(tag=f"#{s.tag}", relevance=s.relevance, trending=s.trending)
            for s in done.output.suggestions
        ],
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


@tool(title="Best time to post", limit=ai_limit("/v1/ai/best-time"), writes=True)
async def best_time(
    ctx: RequestCtx,
    platforms: Annotated[
        list[str], Field(min_length=1, max_length=10, description="e.g. ['linkedin', 'x']")
    ],
) -> BestTime:
    """When the audience of these platforms engages most: a 7x24 heatmap in the workspace's
    timezone and the next best slot. Costs 1 credit. For one connected account's own
    history use suggest_time instead (free)."""
    plan = await generation.best_time(ctx, platforms=platforms)
    rec = plan.recommendation
    remaining = await billing.credit_summary(ctx.session, ctx.actor)
    return BestTime(
        recommendation=Recommendation(
            at=rec.at.isoformat(),
            day_name=rec.day_name,
            engagement=rec.engagement,
            reason=rec.reason,
        ),
        heatmap=[HeatCell(day=c.day, hour=c.hour, score=c.score) for c in plan.cells],
        credits_used=plan.credits_used,
        credits_remaining=remaining.available,
    )


@tool(title="Suggest a time for an account", limit=READ)
async def suggest_time(
    ctx: RequestCtx,
    account_id: Annotated[
        str, Field(min_length=1, max_length=100, description="From list_accounts")
    ],
) -> SuggestedTime:
    """The next best time to post from one connected account, from its own engagement
    history blended with the platform's norms. Free."""
    found = await engagement.suggest_time(ctx, account_id)
    s = found.suggestion
    return SuggestedTime(
        account_id=found.account.id,
        platform=s.platform,
        suggested_time=isoformat_z(s.suggested_time),
        timezone=s.timezone,
        confidence=s.confidence,
        reasoning=s.reasoning,
        alternatives=[Alternative(at=isoformat_z(at), score=score) for at, score in s.alternatives],
    )
