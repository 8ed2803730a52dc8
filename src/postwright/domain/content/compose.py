"""Composing one idea for several networks at once (the dashboard's composer).

Generation, enhancing and hashtags go through the same metered ``generation.generate`` the
voxburst routes use; saving creates ordinary posts through the Post service and
scheduling/publishing goes through its shared rule. What is decided here is only what a
composer needs on top: which connected account carries each network's post, and attaching
one image to every post of the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postwright.core.errors import ValidationFailed
from postwright.domain.billing.service import Action
from postwright.domain.content import post_service
from postwright.domain.content.models import Post, PostSource
from postwright.domain.content.posts import usable_persona
from postwright.domain.context import RequestCtx
from postwright.domain.generation import service as generation
from postwright.domain.generation.outputs import HashtagSet
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import platform_key
from postwright.domain.generation.tasks import EnhanceTask, HashtagTask, PostTask
from postwright.domain.media import assets
from postwright.domain.media import generate as images
from postwright.domain.media.storage import key_belongs_to
from postwright.domain.publishing import accounts as connected
from postwright.domain.publishing import posts as publishing
from postwright.domain.publishing.adapters import DEFAULT_PROVIDER, PROVIDERS
from postwright.domain.publishing.models import AccountStatus, ConnectedAccount

MAX_PLATFORMS = 8


@dataclass(frozen=True)
class Draft:
    platform: str
    content: str


@dataclass(frozen=True)
class Route:
    """Where a network's post goes: a connected account, or the outbox feed."""

    provider: str
    account: ConnectedAccount | None

    @property
    def label(self) -> str:
        if self.account is None:
            return PROVIDERS[self.provider].display_name
        name = self.account.handle or self.account.display_name or self.account.id
        return f"{PROVIDERS[self.provider].display_name} · {name}"


async def _persona(ctx: RequestCtx, persona_id: str | None) -> PersonaProfile | None:
    view = await usable_persona(ctx, persona_id) if persona_id else None
    return view.profile if view else None


def _platforms(platforms: Sequence[str]) -> list[str]:
    keys = list(dict.fromkeys(platform_key(p) for p in platforms if p.strip()))
    if not keys:
        raise ValidationFailed(
            "Choose at least one platform",
            details=[{"field": "platforms", "message": "choose at least one platform"}],
        )
    if len(keys) > MAX_PLATFORMS:
        raise ValidationFailed(
            details=[{"field": "platforms", "message": f"at most {MAX_PLATFORMS} platforms"}]
        )
    return keys


async def generate_drafts(
    ctx: RequestCtx, *, topic: str, platforms: Sequence[str], persona_id: str | None
) -> list[Draft]:
    """One post per platform (1 credit each, as ``/v1/ai/generate-post-content``)."""
    if not topic.strip():
        raise ValidationFailed(
            "Write a topic or idea first",
            details=[{"field": "topic", "message": "must not be blank"}],
        )
    keys = _platforms(platforms)
    persona = await _persona(ctx, persona_id)
    drafts: list[Draft] = []
    for index, key in enumerate(keys):
        done = await generation.generate(
            ctx,
            PostTask(
                persona=persona,
                topic=topic.strip(),
                platform=key,
                previous_posts_in_batch=[d.content for d in drafts],
                batch_index=index,
                batch_size=len(keys),
            ),
            action=Action.GENERATE_POST_CONTENT,
            kind="generate-post-content",
        )
        drafts.append(Draft(platform=key, content=done.output.content))
    return drafts


async def enhance(ctx: RequestCtx, draft: Draft, *, persona_id: str | None) -> Draft:
    """1 credit, as ``/v1/ai/enhance-content``."""
    if not draft.content.strip():
        raise ValidationFailed(
            "There is no text to enhance yet",
            details=[{"field": f"text_{draft.platform}", "message": "write or generate first"}],
        )
    done = await generation.generate(
        ctx,
        EnhanceTask(
            persona=await _persona(ctx, persona_id), text=draft.content, platform=draft.platform
        ),
        action=Action.ENHANCE_CONTENT,
        kind="enhance-content",
    )
    return Draft(platform=draft.platform, content=done.output.enhanced)


async def hashtags(ctx: RequestCtx, draft: Draft) -> HashtagSet:
    """1 credit, as ``/v1/ai/hashtags``."""
    if not draft.content.strip():
        raise ValidationFailed(
            "There is no text to suggest hashtags for yet",
            details=[{"field": f"text_{draft.platform}", "message": "write or generate first"}],
        )
    done = await generation.generate(
        ctx,
        HashtagTask(content=draft.content, platform=draft.platform),
        action=Action.HASHTAGS,
        kind="hashtags",
    )
    return done.output


async def best_time(ctx: RequestCtx, platforms: Sequence[str]) -> generation.BestTimePlan:
    """1 credit, as ``/v1/ai/best-time``: the next best slot in the workspace's timezone."""
    return await generation.best_time(ctx, platforms=_platforms(platforms))


def route_for(platform: str, accounts: Sequence[ConnectedAccount]) -> Route:
    """The workspace's default active account for the network, else its first active one,
    else the outbox feed (which needs no account)."""
    usable = [a for a in accounts if a.provider == platform and a.status == AccountStatus.ACTIVE]
    usable.sort(key=lambda a: (not a.is_default, a.created_at))
    if usable:
        return Route(provider=platform, account=usable[0])
    return Route(provider=DEFAULT_PROVIDER, account=None)


async def routes(ctx: RequestCtx, platforms: Sequence[str]) -> dict[str, Route]:
    found = await connected.list_accounts(ctx)
    return {p: route_for(p, found) for p in platforms}


async def store_image(ctx: RequestCtx, *, data: bytes, declared: str | None) -> assets.SignedImage:
    """An uploaded picture, checked and stored; its key is attached when the posts are saved."""
    kind = assets.check_image_bytes(
        data, declared=declared, max_bytes=ctx.settings.media.max_upload_bytes
    )
    asset = await assets.store_upload(ctx, data=data, content_type=kind, folder="posts")
    await ctx.session.flush()
    return await assets.sign(ctx.storage, ctx.settings, asset.key)


async def generate_image(
    ctx: RequestCtx, *, content: str, prompt: str | None
) -> assets.SignedImage:
    """One ``image_creation`` quota unit, as zorbit's generate-image."""
    return await images.generate_now(
        ctx,
        post_content=content,
        post_id=None,
        custom_prompt=prompt,
    )


async def image_url(ctx: RequestCtx, key: str | None) -> str | None:
    if not key or not key_belongs_to(key, ctx.workspace_id):
        return None
    return (await assets.sign(ctx.storage, ctx.settings, key)).url


async def save(
    ctx: RequestCtx,
    drafts: Sequence[Draft],
    *,
    persona_id: str | None,
    image_key: str | None,
    schedule_at: datetime | None = None,
    publish_now: bool = False,
) -> list[Post]:
    """Save each draft as a post; then, when asked, schedule them for ``schedule_at`` or
    publish them now through each network's route. All of it, or on any refusal none."""
    if not drafts:
        raise ValidationFailed("Nothing to save: generate or write a post first")
    empty = [d.platform for d in drafts if not post_service.has_content(d.content)]
    if empty:
        raise ValidationFailed(
            "Every platform's post needs text",
            details=[post_service.empty_detail(f"text_{p}") for p in empty],
        )
    if image_key and not key_belongs_to(image_key, ctx.workspace_id):
        raise ValidationFailed(details=[{"field": "image", "message": "unknown image"}])
    await usable_persona(ctx, persona_id)
    chosen = await routes(ctx, [d.platform for d in drafts])
    saved = []
    for draft in drafts:
        post = await post_service.create_post(
            ctx,
            post_service.PostDraft(
                content=draft.content, platform=platform_key(draft.platform), persona_id=persona_id
            ),
            source=PostSource.MANUAL,
        )
        if image_key:
            images.attach(post, ctx.storage, image_key, ctx.actor)
        route = chosen[draft.platform]
        account_id = route.account.id if route.account else None
        if publish_now:
            await publishing.publish_now(
                ctx,
                post.id,
                provider=route.provider,
                account_id=account_id,
            )
        elif schedule_at is not None:
            await publishing.schedule_post(
                ctx,
                post.id,
                at=schedule_at,
                provider=route.provider,
                account_id=account_id,
            )
        saved.append(post)
    await ctx.session.flush()
    return saved


__all__ = [
    "Draft",
    "Route",
    "best_time",
    "enhance",
    "generate_drafts",
    "generate_image",
    "hashtags",
    "image_url",
    "route_for",
    "routes",
    "save",
    "store_image",
]
