"""What can be generated: one task type per kind, each with its output model and its rules.

Every engine runs the same tasks and every output goes through the task's ``finalize``: each
text is fitted to its platform and keeps none of the persona's avoidWords, whoever wrote it.
A model is first asked to repair its own output (``violations`` names what is wrong);
``finalize`` is the deterministic fallback and works by whole sentences, never by cutting words
out of one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal

from postwright.core.errors import ValidationFailed
from postwright.domain.generation import repair
from postwright.domain.generation import text as t
from postwright.domain.generation.ad_limits import AdLimits, ad_limits, shorten
from postwright.domain.generation.errors import AiResponseIncomplete
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
# The length asked for when a post was cut off by the model's output limit.
SHORT_POST_CHARACTERS = 600


@dataclass(frozen=True, kw_only=True)
class Task(ABC, Generic[OutputT]):
    persona: PersonaProfile | None = None
    # Who shares the provider's prompt cache: the workspace id, hashed with the persona into
    # OpenAI's prompt_cache_key. None: the persona alone.
    cache_scope: str | None = None

    @property
    @abstractmethod
    def output_type(self) -> type[OutputT]: ...

    @property
    def avoid(self) -> list[str]:
        return self.persona.avoid_list if self.persona else []

    def clean(self, value: str, profile: PlatformProfile, *, limit: int | None = None) -> Fitted:
        """Drop sentences with avoided words, cap hashtags, fit the limit: the rule every text
        obeys. Whole sentences and whole hashtags go; no word is cut out of a sentence."""
        without = t.drop_avoided_sentences(value, self.avoid)
        capped = limit_hashtags(without, profile)
        fitted = fit(capped, profile, limit=limit)
        return Fitted(fitted.text, fitted.truncated or capped != without)

    def violations(self, output: OutputT) -> list[str]:
        """The rules ``output`` breaks, worded for the model that is asked to repair it."""
        return repair.output_avoided(output, self.avoid)

    def shorter(self) -> str:
        """What to ask after an answer was cut off by the output token limit."""
        return (
            "Your previous answer was cut off by the output limit before it ended. Answer "
            "again, complete and about half as long."
        )

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
    # This post's planned angle (hook, sub-topic, format) in a bulk batch: volatile, goes last.
    angle: str | None = None
    content_length: ContentLength = "medium"
    style_examples: Sequence[str] = ()
    conversation: Sequence[str] = field(default=(), metadata={"why": "last 10 thread messages"})

    @property
    def output_type(self) -> type[PostText]:
        return PostText

    @property
    def profile(self) -> PlatformProfile:
        return get_platform(self.platform)

    def violations(self, output: PostText) -> list[str]:
        return repair.text_violations(output.content, self.profile, self.avoid)

    def shorter(self) -> str:
        budget = min(self.profile.limit, SHORT_POST_CHARACTERS)
        return (
            "Your previous answer was cut off by the output limit before it ended. Write a "
            f"complete post of at most {budget} characters (under 60 words), ending with the "
            "call to action and the hashtags."
        )

    def finalize(self, output: PostText) -> tuple[PostText, bool]:
        cleaned = self.clean(output.content, self.profile)
        if not cleaned.text.strip(" #\n"):
            raise AiResponseIncomplete(details={"reason": "no sentence of the post was usable"})
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

    @property
    def limits(self) -> tuple[PlatformProfile, int]:
        profile = get_platform(self.platform or "facebook")
        return profile, min(self.max_length or profile.limit, profile.limit)

    def violations(self, output: EnhancedText) -> list[str]:
        profile, limit = self.limits
        return repair.text_violations(output.enhanced, profile, self.avoid, limit=limit)

    def finalize(self, output: EnhancedText) -> tuple[EnhancedText, bool]:
        profile, limit = self.limits
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

    def violations(self, output: ThreadPosts) -> list[str]:
        from postwright.domain.generation.threads import item_budget

        profile = get_platform(self.platform)
        found = repair.output_avoided(output, self.avoid)
        budget = item_budget(profile, self.max_posts)
        for number, item in enumerate(output.items, 1):
            found += repair.length_violation(item, profile, limit=budget, where=f"item {number}")
        if len(output.items) > self.max_posts:
            found.append(
                f"The thread has {len(output.items)} items; write at most {self.max_posts}, "
                "the last one closing with the call to action."
            )
        return found

    def finalize(self, output: ThreadPosts) -> tuple[ThreadPosts, bool]:
        from postwright.domain.generation.threads import number_thread

        profile = get_platform(self.platform)
        bodies = [t.drop_avoided_sentences(item, self.avoid) for item in output.items]
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
    def limits(self) -> AdLimits:
        """The ad network's field limits (ad networks are not social platforms)."""
        return ad_limits(self.platform)

    def violations(self, output: AdCopySet) -> list[str]:
        found = repair.output_avoided(output, self.avoid)
        variants = output.variants[: self.count]
        for number, variant in enumerate(variants, 1):
            where = f"variant {number}" if len(variants) > 1 else "the ad"
            found += repair.ad_field_violations(variant, self.limits, where=where)
        return found + repair.ad_set_violations(variants, self.count)

    def _field(self, value: str, limit: int, *, ellipsis: bool = False) -> Fitted:
        """Sentences with avoided words go whole; then the field is shortened to its limit
        by whole sentences, then whole words — never inside a word."""
        kept = t.drop_avoided_sentences(value, self.avoid)
        fitted = shorten(kept, limit, self.limits.measure, ellipsis=ellipsis)
        return Fitted(fitted.text, fitted.truncated or kept != value.strip())

    def finalize(self, output: AdCopySet) -> tuple[AdCopySet, bool]:
        limits, truncated, variants = self.limits, False, []
        for variant in output.variants[: self.count]:
            hook = self._field(variant.hook, limits.headline)
            body = self._field(variant.body, limits.body, ellipsis=True)
            cta = self._field(variant.cta, limits.cta)
            tags = [tag for tag in variant.hashtags if not t.contains_avoided(tag, self.avoid)]
            truncated |= hook.truncated or body.truncated or cta.truncated
            truncated |= len(tags) > limits.hashtags
            variants.append(
                AdCopyVariant(
                    hook=hook.text, body=body.text, cta=cta.text, hashtags=tags[: limits.hashtags]
                )
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

    @property
    def limits(self) -> tuple[PlatformProfile, int]:
        # LinkedIn caps comments at 1,250 characters; an X reply is a post.
        profile = get_platform(self.platform)
        return profile, 1250 if self.platform == "linkedin" else profile.limit

    def violations(self, output: CommentSet) -> list[str]:
        profile, limit = self.limits
        found: list[str] = []
        for number, comment in enumerate(output.comments[: self.variants], 1):
            where = f"comment {number}" if self.variants > 1 else ""
            found += repair.text_violations(
                comment.quote, profile, self.avoid, limit=limit, hashtags=False, where=where
            )
        return found

    def finalize(self, output: CommentSet) -> tuple[CommentSet, bool]:
        (profile, limit), truncated, comments = self.limits, False, []
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
        avoid, ideas = self.avoid, []
        # An idea whose title uses an avoided word is dropped whole; elsewhere whole sentences go.
        for idea in output.ideas:
            if t.contains_avoided(idea.title, avoid):
                continue
            takeaways = [k for k in idea.key_takeaways if not t.contains_avoided(k, avoid)]
            ideas.append(
                idea.model_copy(
                    update={
                        "content": t.drop_avoided_sentences(idea.content, avoid),
                        "key_takeaways": takeaways,
                        "controversial_angle": t.drop_avoided_sentences(
                            idea.controversial_angle, avoid
                        ),
                    }
                )
            )
        return IdeaSet(ideas=ideas[: self.count]), False


@dataclass(frozen=True, kw_only=True)
class PersonaTask(Task[PersonaProfile]):
    description: str

    @property
    def output_type(self) -> type[PersonaProfile]:
        return PersonaProfile

    def finalize(self, output: PersonaProfile) -> tuple[PersonaProfile, bool]:
        return output, False


def _same_platform(name: str, key: str) -> bool:
    try:
        return platform_key(name) == key
    except ValidationFailed:  # a platform the model made up: finalize leaves it out
        return False


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

    def violations(self, output: PlatformPosts) -> list[str]:
        found = repair.output_avoided(output, self.avoid)
        wanted = set(self.keys)
        for post in output.posts:
            key = next(
                (k for k in wanted if post.platform and _same_platform(post.platform, k)), ""
            )
            if key:
                profile = get_platform(key)
                found += repair.length_violation(post.text, profile, where=key)
                found += repair.hashtag_violation(post.text, profile)
                if key == "youtube" and post.title and profile.title_limit:
                    found += repair.length_violation(
                        post.title, profile, limit=profile.title_limit, where="YouTube title"
                    )
        return found

    def finalize(self, output: PlatformPosts) -> tuple[PlatformPosts, bool]:
        wanted, truncated, posts = self.keys, False, []
        by_platform = {
            key: post
            for post in output.posts
            for key in wanted
            if post.platform and _same_platform(post.platform, key)
        }
        for key in wanted:
            post = by_platform.get(key)
            if post is None:
                continue
            profile = get_platform(key)
            body = self.clean(post.text, profile)
            title = None
            if key == "youtube":
                title_text = post.title or self.prompt
                if t.contains_avoided(title_text, self.avoid):
                    title_text = t.drop_avoided_sentences(self.prompt, self.avoid) or "Video"
                fitted = fit_title(title_text, profile)
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

    def violations(self, output: MomentPost) -> list[str]:
        profile = get_platform(self.platform)
        return (
            repair.output_avoided(output, self.avoid)
            + repair.length_violation(output.post, profile)
            + repair.length_violation(
                output.first_comment,
                profile,
                limit=self.comment_limit(profile),
                where="first comment",
            )
        )

    @staticmethod
    def comment_limit(profile: PlatformProfile) -> int:
        # LinkedIn caps comments at 1,250 characters; elsewhere a comment is a post.
        return min(1250, profile.limit)

    def finalize(self, output: MomentPost) -> tuple[MomentPost, bool]:
        profile = get_platform(self.platform)
        post = self.clean(output.post, profile)
        comment = self.clean(output.first_comment, profile, limit=self.comment_limit(profile))
        fitted = MomentPost(post=post.text, first_comment=comment.text)
        return fitted, post.truncated or comment.truncated
