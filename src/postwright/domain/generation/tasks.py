"""What can be generated: one task type per kind, each with its output model and its rules.

Every engine runs the same tasks and every output goes through the task's ``finalize``: the
persona's avoidWords are removed and each text is fitted to its platform, whoever wrote it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal

from postwright.domain.generation import text as t
from postwright.domain.generation.outputs import (
    AdCopySet,
    AdCopyVariant,
    Comment,
    CommentSet,
    EnhancedText,
    HashtagSet,
    IdeaSet,
    MomentPost,
    MomentSet,
    OutputT,
    PlatformPost,
    PlatformPosts,
    PostText,
    ThreadPosts,
)
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import (
    Fitted,
    PlatformProfile,
    fit,
    fit_title,
    get_platform,
    limit_hashtags,
    platform_key,
)

ContentLength = Literal["short", "medium", "long"]
AdFormat = Literal["short", "long", "hook", "story"]
# Ad networks are not social platforms: their copy limits differ from organic posts.
# Google responsive search ads: headline 30, description 90
# (support.google.com/google-ads/answer/7684791).
AD_PLATFORM_PROFILE = {"meta": "facebook", "tiktok": "tiktok", "linkedin": "linkedin"}
AD_PLATFORM_PROFILE |= {"pinterest": "pinterest", "universal": "instagram", "google": "x"}
AD_BODY_LIMIT = {"google": 90, "universal": 500}


@dataclass(frozen=True, kw_only=True)
class Task(ABC, Generic[OutputT]):
    persona: PersonaProfile | None = None

    @property
    @abstractmethod
    def output_type(self) -> type[OutputT]: ...

    @property
    def avoid(self) -> list[str]:
        return self.persona.avoid_list if self.persona else []

    def clean(self, value: str, profile: PlatformProfile, *, limit: int | None = None) -> Fitted:
        """Remove avoided words, cap hashtags, fit the limit: the rule every text obeys."""
        scrubbed = limit_hashtags(t.scrub_avoided(value, self.avoid), profile)
        return fit(scrubbed, profile, limit=limit)

    @abstractmethod
    def finalize(self, output: OutputT) -> tuple[OutputT, bool]:
        """The output made safe for its platform, and whether anything was cut."""


@dataclass(frozen=True, kw_only=True)
class PostTask(Task[PostText]):
    topic: str
    platform: str = "linkedin"
    system_prompt: str | None = None
    user_prompt: str | None = None
    previous_posts_in_batch: Sequence[str] = ()
    batch_index: int = 0
    batch_size: int = 1
    content_length: ContentLength = "medium"
    style_examples: Sequence[str] = ()
    conversation: Sequence[str] = field(default=(), metadata={"why": "last 10 thread messages"})
    angle: str | None = None

    @property
    def output_type(self) -> type[PostText]:
        return PostText

    def finalize(self, output: PostText) -> tuple[PostText, bool]:
        cleaned = self.clean(output.content, get_platform(self.platform))
        return PostText(content=cleaned.text), cleaned.truncated


@dataclass(frozen=True, kw_only=True)
class EnhanceTask(Task[EnhancedText]):
    text: str
    platform: str | None = None
    tone: str | None = None
    style: str | None = None
    max_length: int | None = None

    @property
    def output_type(self) -> type[EnhancedText]:
        return EnhancedText

    def finalize(self, output: EnhancedText) -> tuple[EnhancedText, bool]:
        profile = get_platform(self.platform or "facebook")
        limit = min(self.max_length or profile.limit, profile.limit)
        cleaned = self.clean(output.enhanced, profile, limit=limit)
        return output.model_copy(update={"enhanced": cleaned.text}), cleaned.truncated


@dataclass(frozen=True, kw_only=True)
class HashtagTask(Task[HashtagSet]):
    content: str
    platform: str | None = None
    count: int | None = None

    @property
    def output_type(self) -> type[HashtagSet]:
        return HashtagSet

    @property
    def wanted(self) -> int:
        """How many tags: the caller's count, capped by the platform's maximum (Instagram: 5)."""
        profile = get_platform(self.platform or "linkedin")
        ceiling = max(profile.max_hashtags, 1)
        return max(1, min(self.count or ceiling, ceiling))

    def finalize(self, output: HashtagSet) -> tuple[HashtagSet, bool]:
        avoid, seen, kept = self.avoid, set(), []
        for suggestion in output.suggestions:
            tag = suggestion.tag.lstrip("#").strip()
            if not tag or tag.lower() in seen or t.contains_avoided(tag, avoid):
                continue
            seen.add(tag.lower())
            kept.append(suggestion.model_copy(update={"tag": tag}))
        kept.sort(key=lambda s: s.relevance, reverse=True)
        return HashtagSet(suggestions=kept[: self.wanted]), False


@dataclass(frozen=True, kw_only=True)
class ThreadTask(Task[ThreadPosts]):
    topic: str
    platform: str = "x"
    max_posts: int = 5
    source_text: str | None = None

    @property
    def output_type(self) -> type[ThreadPosts]:
        return ThreadPosts

    def finalize(self, output: ThreadPosts) -> tuple[ThreadPosts, bool]:
        from postwright.domain.generation.threads import number_thread

        profile = get_platform(self.platform)
        bodies = [t.scrub_avoided(item, self.avoid) for item in output.items]
        items, truncated = number_thread(bodies, profile, max_posts=self.max_posts)
        return ThreadPosts(items=items), truncated


@dataclass(frozen=True, kw_only=True)
class AdCopyTask(Task[AdCopySet]):
    product_name: str
    product_description: str = ""
    platform: str = "meta"
    format: AdFormat = "short"
    tone: str = "professional"
    custom_instructions: str | None = None
    count: int = 5

    @property
    def output_type(self) -> type[AdCopySet]:
        return AdCopySet

    @property
    def profile(self) -> PlatformProfile:
        return get_platform(AD_PLATFORM_PROFILE.get(self.platform, self.platform))

    def finalize(self, output: AdCopySet) -> tuple[AdCopySet, bool]:
        profile, truncated, variants = self.profile, False, []
        body_limit = AD_BODY_LIMIT.get(self.platform, profile.limit)
        for variant in output.variants[: self.count]:
            hook = self.clean(variant.hook, profile, limit=min(body_limit, 120))
            body = self.clean(variant.body, profile, limit=body_limit)
            cta = self.clean(variant.cta, profile, limit=40)
            tags = [tag for tag in variant.hashtags if not t.contains_avoided(tag, self.avoid)]
            truncated |= hook.truncated or body.truncated or cta.truncated
            variants.append(
                AdCopyVariant(hook=hook.text, body=body.text, cta=cta.text, hashtags=tags[:5])
            )
        return AdCopySet(variants=variants), truncated


@dataclass(frozen=True, kw_only=True)
class CommentTask(Task[CommentSet]):
    """One comment (``variants=1``) or zorbit's beast mode (``variants=5``)."""

    post_content: str
    platform: Literal["linkedin", "x"] = "linkedin"
    tone: str | None = None
    length: Literal["short", "medium", "long"] = "short"
    user_comment: str | None = None
    author_name: str | None = None
    author_bio: str | None = None
    variants: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", platform_key(self.platform))

    @property
    def output_type(self) -> type[CommentSet]:
        return CommentSet

    def finalize(self, output: CommentSet) -> tuple[CommentSet, bool]:
        profile, truncated, comments = get_platform(self.platform), False, []
        # LinkedIn caps comments at 1,250 characters; an X reply is a post.
        limit = 1250 if self.platform == "linkedin" else profile.limit
        for comment in output.comments[: self.variants]:
            cleaned = self.clean(comment.quote, profile, limit=limit)
            truncated |= cleaned.truncated
            comments.append(Comment(quote=cleaned.text, type=comment.type))
        return CommentSet(comments=comments), truncated


@dataclass(frozen=True, kw_only=True)
class IdeaTask(Task[IdeaSet]):
    prompt: str
    count: int = 3
    conversation: Sequence[str] = ()

    @property
    def output_type(self) -> type[IdeaSet]:
        return IdeaSet

    def finalize(self, output: IdeaSet) -> tuple[IdeaSet, bool]:
        avoid = self.avoid
        ideas = [
            idea.model_copy(
                update={
                    "title": t.scrub_avoided(idea.title, avoid),
                    "content": t.scrub_avoided(idea.content, avoid),
                    "key_takeaways": [t.scrub_avoided(k, avoid) for k in idea.key_takeaways],
                    "controversial_angle": t.scrub_avoided(idea.controversial_angle, avoid),
                }
            )
            for idea in output.ideas[: self.count]
        ]
        return IdeaSet(ideas=ideas), False


@dataclass(frozen=True, kw_only=True)
class PersonaTask(Task[PersonaProfile]):
    description: str

    @property
    def output_type(self) -> type[PersonaProfile]:
        return PersonaProfile

    def finalize(self, output: PersonaProfile) -> tuple[PersonaProfile, bool]:
        return output, False


@dataclass(frozen=True, kw_only=True)
class PlatformPostsTask(Task[PlatformPosts]):
    """powerpost: one prompt, one post per platform (YouTube: title + description)."""

    prompt: str
    platforms: Sequence[str]

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(platform_key(p) for p in self.platforms))

    @property
    def output_type(self) -> type[PlatformPosts]:
        return PlatformPosts

    def finalize(self, output: PlatformPosts) -> tuple[PlatformPosts, bool]:
        wanted, truncated, posts = self.keys, False, []
        by_platform = {platform_key(p.platform): p for p in output.posts if p.platform}
        for key in wanted:
            post = by_platform.get(key)
            if post is None:
                continue
            profile = get_platform(key)
            body = self.clean(post.text, profile)
            title = None
            if key == "youtube":
                fitted = fit_title(t.scrub_avoided(post.title or self.prompt, self.avoid), profile)
                title, truncated = fitted.text, truncated or fitted.truncated
            truncated |= body.truncated
            posts.append(PlatformPost(platform=key, text=body.text, title=title))
        return PlatformPosts(posts=posts), truncated


@dataclass(frozen=True, kw_only=True)
class MomentsTask(Task[MomentSet]):
    """Moments: the few passages of a transcript or article worth a post each."""

    source_text: str
    max_moments: int = 5

    @property
    def output_type(self) -> type[MomentSet]:
        return MomentSet

    def finalize(self, output: MomentSet) -> tuple[MomentSet, bool]:
        return MomentSet(moments=output.moments[: self.max_moments]), False


@dataclass(frozen=True, kw_only=True)
class MomentPostTask(Task[MomentPost]):
    """A long-form post about one moment, plus the first comment to pin under it."""

    title: str
    summary: str
    quote: str
    platform: str = "linkedin"

    @property
    def output_type(self) -> type[MomentPost]:
        return MomentPost

    def finalize(self, output: MomentPost) -> tuple[MomentPost, bool]:
        profile = get_platform(self.platform)
        post = self.clean(output.post, profile)
        comment = self.clean(output.first_comment, profile, limit=min(1250, profile.limit))
        fitted = MomentPost(post=post.text, first_comment=comment.text)
        return fitted, post.truncated or comment.truncated
