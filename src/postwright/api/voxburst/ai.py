"""voxburst: the synchronous AI endpoints under ``/v1/ai``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.errors import InsufficientCredits, NotFound, error_responses
from postwright.domain.billing.errors import AiSubscriptionRequired
from postwright.domain.billing.service import Action
from postwright.domain.generation import assist, bulk_enhance
from postwright.domain.generation import service as generation
from postwright.domain.generation.errors import AiResponseIncomplete
from postwright.domain.generation.image_prompts import aspect_ratio
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.prompts import persona_from_prompt, topic_from_prompt
from postwright.domain.generation.tasks import EnhanceTask, HashtagTask, PostTask

router = APIRouter(prefix="/v1/ai", tags=["voxburst: AI generation"])
AI = rate_limited("ai")
AI_ERRORS = error_responses(AiSubscriptionRequired, AiResponseIncomplete)


@asynccontextmanager
async def voxburst_credit_errors() -> AsyncIterator[None]:
    """The synchronous AI endpoints report an exhausted balance as ``AI_SUBSCRIPTION``."""
    try:
        yield
    except InsufficientCredits as exc:
        raise AiSubscriptionRequired(
            "No credits left for AI generation: " + exc.message, extras=exc.extras
        ) from exc


class GeneratePostBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    systemPrompt: str = Field(min_length=1, max_length=100_000)
    userPrompt: str = Field(min_length=1, max_length=50_000)
    topic: str | None = Field(default=None, max_length=500)
    platform: str | None = Field(default=None, max_length=40)
    previousPostsInBatch: list[str] = Field(default_factory=list, max_length=30)
    batchIndex: int = Field(default=0, ge=0, le=1000)
    batchSize: int = Field(default=1, ge=1, le=1000)


class GeneratedPost(BaseModel):
    content: str
    provider: str
    model: str
    truncated: bool


class PersonaContext(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    voice: str | None = Field(default=None, max_length=500)
    bio: str | None = Field(default=None, max_length=5000)


class EnhanceContentBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=10_000)
    tone: str | None = Field(default=None, max_length=200)
    platform: str | None = Field(default=None, max_length=40)
    persona: PersonaContext | None = None


class EnhancedContent(BaseModel):
    enhanced: str
    provider: str
    model: str
    credits_used: int
    credits_remaining: int


class BuildImagePromptBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=10_000, description="The post to illustrate")
    style: str | None = Field(
        default=None,
        max_length=200,
        description="Look of the image: photorealistic (default), illustration, minimal, 3d, "
        "watercolor, cinematic, or any free-form style",
    )
    platform: str | None = Field(
        default=None, max_length=40, description="Target platform: decides the aspect ratio"
    )
    personaId: str | None = Field(
        default=None, max_length=64, description="A workspace persona (wins over `persona`)"
    )
    persona: PersonaContext | None = None


class BuiltImagePrompt(BaseModel):
    prompt: str = Field(description="Ready to send to an image model")
    negativePrompt: str = Field(description="What the image must not contain")
    aspectRatio: str = Field(description="The platform's best frame, e.g. 4:5")
    provider: str
    model: str
    credits_used: int
    credits_remaining: int


class BulkEnhanceItemBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=10_000)
    tone: str | None = Field(default=None, max_length=200)
    platform: str | None = Field(default=None, max_length=40)


class BulkEnhanceBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[BulkEnhanceItemBody] = Field(min_length=1, max_length=bulk_enhance.MAX_ITEMS)
    tone: str | None = Field(default=None, max_length=200, description="Default for every item")
    platform: str | None = Field(default=None, max_length=40, description="Default for every item")
    persona: PersonaContext | None = None


class ItemErrorOut(BaseModel):
    code: str
    message: str


class BulkEnhancedItem(BaseModel):
    index: int = Field(description="Position of the item in the request")
    status: str = Field(description="`enhanced` or `failed`")
    enhanced: str | None = None
    credits_used: int
    error: ItemErrorOut | None = None


class BulkEnhanced(BaseModel):
    results: list[BulkEnhancedItem]
    enhancedCount: int
    failedCount: int
    provider: str
    model: str
    credits_used: int
    credits_remaining: int


class EnhanceBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=10_000)
    platform: str | None = Field(default=None, max_length=40)
    style: str | None = Field(
        default=None, pattern="^(professional|casual|engaging|formal|humorous)$"
    )
    tone: str | None = Field(default=None, max_length=200)
    maxLength: int | None = Field(default=None, ge=1, le=100_000)


class Enhanced(BaseModel):
    original: str
    enhanced: str
    suggestions: list[str]
    changes: list[str]
    platform: str | None


class HashtagsBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    content: str = Field(min_length=1, max_length=10_000)
    platform: str | None = Field(default=None, max_length=40)
    platforms: list[str] | None = Field(default=None, max_length=20)


class HashtagSuggestionOut(BaseModel):
    tag: str
    relevance: float
    trending: bool


class Hashtags(BaseModel):
    hashtags: list[str]
    relevanceScores: dict[str, float]
    suggestions: list[HashtagSuggestionOut]


class BestTimeBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    platforms: list[str] = Field(default_factory=lambda: ["linkedin"], min_length=1, max_length=10)


class HeatCellOut(BaseModel):
    day: int
    hour: int
    score: int


class RecommendationOut(BaseModel):
    date: str
    time: str
    dayName: str
    engagement: str
    reason: str


class BestTime(BaseModel):
    heatmap: list[HeatCellOut]
    recommendation: RecommendationOut


class ThreadBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    topic: str = Field(min_length=1, max_length=500)
    content: str | None = Field(
        default=None, max_length=25_000, description="Source text to split into a thread"
    )
    platform: str = Field(default="x", max_length=40)
    maxPosts: int = Field(default=5, ge=2, le=25)
    personaId: str | None = Field(default=None, max_length=64)


class Thread(BaseModel):
    posts: list[str]
    provider: str
    model: str
    truncated: bool
    credits_used: int
    credits_remaining: int


@router.post(
    "/generate-post-content", response_model=GeneratedPost, responses=AI_ERRORS, openapi_extra=AI
)
async def generate_post_content(body: GeneratePostBody, ctx: CtxDep) -> GeneratedPost:
    """1 credit. Output is fitted to ``platform`` (``truncated`` says it was cut)."""
    task = PostTask(
        persona=persona_from_prompt(body.systemPrompt),
        topic=body.topic or topic_from_prompt(body.userPrompt),
        platform=body.platform or "linkedin",
        system_prompt=body.systemPrompt,
        user_prompt=body.userPrompt,
        previous_posts_in_batch=body.previousPostsInBatch,
        batch_index=body.batchIndex,
        batch_size=body.batchSize,
    )
    async with voxburst_credit_errors():
        done = await generation.generate(
            ctx,
            task,
            action=Action.GENERATE_POST_CONTENT,
            kind="generate-post-content",
        )
    return GeneratedPost(
        content=done.output.content,
        provider=done.result.provider,
        model=done.result.model,
        truncated=done.result.truncated,
    )


@router.post(
    "/enhance-content", response_model=EnhancedContent, responses=AI_ERRORS, openapi_extra=AI
)
async def enhance_content(body: EnhanceContentBody, ctx: CtxDep) -> EnhancedContent:
    """1 credit; an optional ``persona`` keeps it on-brand."""
    persona = (
        PersonaProfile(
            name=body.persona.name, voice=body.persona.voice or "", bio=body.persona.bio or ""
        )
        if body.persona
        else None
    )
    task = EnhanceTask(persona=persona, text=body.text, platform=body.platform, tone=body.tone)
    async with voxburst_credit_errors():
        done = await generation.generate(
            ctx,
            task,
            action=Action.ENHANCE_CONTENT,
            kind="enhance-content",
        )
    return EnhancedContent(
        enhanced=done.output.enhanced,
        provider=done.result.provider,
        model=done.result.model,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


def _persona(context: PersonaContext | None) -> PersonaProfile | None:
    if context is None:
        return None
    return PersonaProfile(name=context.name, voice=context.voice or "", bio=context.bio or "")


@router.post(
    "/build-image-prompt",
    response_model=BuiltImagePrompt,
    responses=error_responses(AiSubscriptionRequired, AiResponseIncomplete, NotFound),
    openapi_extra=AI,
    summary="Build an image prompt from a post",
)
async def build_image_prompt(body: BuildImagePromptBody, ctx: CtxDep) -> BuiltImagePrompt:
    """1 credit: a ready image prompt (subject, scene, look, mood; no text in the image) from
    the post's content, the persona (``personaId`` or an inline ``persona``) and ``style``.
    Charged only when a prompt is returned."""
    async with voxburst_credit_errors():
        done = await assist.build_image_prompt(
            ctx,
            content=body.content,
            style=body.style,
            platform=body.platform,
            persona_id=body.personaId,
            persona=_persona(body.persona),
        )
    return BuiltImagePrompt(
        prompt=done.output.prompt,
        negativePrompt=done.output.negative_prompt,
        aspectRatio=aspect_ratio(body.platform),
        provider=done.result.provider,
        model=done.result.model,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


@router.post(
    "/enhance-content/bulk",
    response_model=BulkEnhanced,
    responses=AI_ERRORS,
    openapi_extra=AI,
    summary="Enhance up to 50 texts, each on its own",
)
async def enhance_content_bulk(body: BulkEnhanceBody, ctx: CtxDep) -> BulkEnhanced:
    """Bulk enhancement: 1 credit per item enhanced, at most 50 items. The whole batch is
    reserved up front (402 ``AI_SUBSCRIPTION`` when the balance cannot cover it, nothing
    charged); then each item is enhanced or refused on its own — a refused item (unknown
    platform, unusable model answer, provider failure) has ``status: "failed"`` and an
    ``error`` and costs nothing. ``tone``/``platform``/``persona`` at the top apply to every
    item; an item's own ``tone``/``platform`` win. ``results`` keep the request's order."""
    persona = _persona(body.persona)
    items = [
        bulk_enhance.EnhanceItem(
            text=item.text,
            tone=item.tone or body.tone,
            platform=item.platform or body.platform,
            persona=persona,
        )
        for item in body.items
    ]
    async with voxburst_credit_errors():
        done = await bulk_enhance.enhance_many(ctx, items)
    return BulkEnhanced(
        results=[
            BulkEnhancedItem(
                index=o.index,
                status="enhanced" if o.result is not None else "failed",
                enhanced=o.result.output.enhanced if o.result is not None else None,
                credits_used=o.credits_used,
                error=ItemErrorOut(code=o.error.code, message=o.error.message)
                if o.error is not None
                else None,
            )
            for o in done.items
        ],
        enhancedCount=done.enhanced,
        failedCount=len(done.items) - done.enhanced,
        provider=done.provider,
        model=done.model,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )


@router.post("/enhance", response_model=Enhanced, responses=AI_ERRORS, openapi_extra=AI)
async def enhance(body: EnhanceBody, ctx: CtxDep) -> Enhanced:
    """Uses the workspace's own AI configuration; consumes no credits."""
    engine = await generation.workspace_engine(ctx)
    task = EnhanceTask(
        text=body.content,
        platform=body.platform,
        tone=body.tone,
        style=body.style,
        max_length=body.maxLength,
    )
    done = await generation.generate(ctx, task, action=None, kind="enhance", engine=engine)
    return Enhanced(
        original=body.content,
        enhanced=done.output.enhanced,
        suggestions=done.output.suggestions,
        changes=done.output.changes,
        platform=body.platform,
    )


@router.post("/hashtags", response_model=Hashtags, responses=AI_ERRORS, openapi_extra=AI)
async def hashtags(body: HashtagsBody, ctx: CtxDep) -> Hashtags:
    """1 credit. ``platforms`` is an alternative to ``platform``; its first entry is used."""
    platform = body.platform or (body.platforms[0] if body.platforms else None)
    task = HashtagTask(content=body.content, platform=platform)
    async with voxburst_credit_errors():
        done = await generation.generate(
            ctx,
            task,
            action=Action.HASHTAGS,
            kind="hashtags",
        )
    output = done.output
    return Hashtags(
        hashtags=output.hashtags,
        relevanceScores=output.relevance_scores,
        suggestions=[
            HashtagSuggestionOut(tag=s.tag, relevance=s.relevance, trending=s.trending)
            for s in output.suggestions
        ],
    )


@router.post("/best-time", response_model=BestTime, responses=AI_ERRORS, openapi_extra=AI)
async def best_time(body: BestTimeBody, ctx: CtxDep) -> BestTime:
    """1 credit. Evidence-based weights per platform; the recommendation is the next such slot
    in the workspace's timezone."""
    async with voxburst_credit_errors():
        plan = await generation.best_time(ctx, platforms=body.platforms)
    rec = plan.recommendation
    return BestTime(
        heatmap=[HeatCellOut(day=c.day, hour=c.hour, score=c.score) for c in plan.cells],
        recommendation=RecommendationOut(
            date=rec.date,
            time=rec.time,
            dayName=rec.day_name,
            engagement=rec.engagement,
            reason=rec.reason,
        ),
    )


@router.post(
    "/thread",
    response_model=Thread,
    responses=error_responses(AiSubscriptionRequired, AiResponseIncomplete, NotFound),
    openapi_extra=AI,
)
async def create_thread(body: ThreadBody, ctx: CtxDep) -> Thread:
    """2 credits: a thread split into numbered items ("1/5 …"), each within the platform limit."""
    async with voxburst_credit_errors():
        done = await generation.thread(
            ctx,
            topic=body.topic,
            source_text=body.content,
            platform=body.platform,
            max_posts=body.maxPosts,
            persona_id=body.personaId,
        )
    return Thread(
        posts=done.output.items,
        provider=done.result.provider,
        model=done.result.model,
        truncated=done.result.truncated,
        credits_used=done.credits_used,
        credits_remaining=done.credits_remaining,
    )
