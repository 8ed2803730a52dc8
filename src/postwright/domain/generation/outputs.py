"""Structured outputs: the same Pydantic models whichever engine produced them.

The LLM engine asks pydantic-ai for these types; the builtin engine constructs them. Field
names are the domain's (snake_case); the dialect schemas in ``api/`` rename them.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

OutputT = TypeVar("OutputT", bound=BaseModel)


class TokenUsage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    # Input tokens the provider served from its prompt cache, when it says so (else None).
    cached_tokens: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class GenerationResult(BaseModel, Generic[OutputT]):
    """An output and who made it; ``truncated`` says a platform limit cut the text."""

    output: OutputT
    provider: str
    model: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    truncated: bool = False


class PostText(BaseModel):
    content: str = Field(description="The finished post, hashtags included")


class EnhancedText(BaseModel):
    enhanced: str
    changes: list[str] = Field(default_factory=list, description="What was changed, briefly")
    suggestions: list[str] = Field(default_factory=list, description="Further ideas to try")


class HashtagSuggestion(BaseModel):
    tag: str = Field(description="Without the leading '#'")
    relevance: float = Field(ge=0, le=1)
    trending: bool = False


class HashtagSet(BaseModel):
    suggestions: list[HashtagSuggestion]

    @property
    def hashtags(self) -> list[str]:
        return [f"#{s.tag}" for s in self.suggestions]

    @property
    def relevance_scores(self) -> dict[str, float]:
        return {f"#{s.tag}": s.relevance for s in self.suggestions}


class ThreadPosts(BaseModel):
    items: list[str] = Field(description="Each post of the thread, numbered '1/n …'")


class AdCopyVariant(BaseModel):
    hook: str
    body: str
    cta: str
    hashtags: list[str] = Field(default_factory=list)


class AdCopySet(BaseModel):
    variants: list[AdCopyVariant]


CommentLength = Literal["short", "medium"]


class Comment(BaseModel):
    quote: str
    type: CommentLength = "short"


class CommentSet(BaseModel):
    comments: list[Comment]


class Idea(BaseModel):
    title: str
    content: str
    key_takeaways: list[str] = Field(default_factory=list)
    controversial_angle: str = ""


class IdeaSet(BaseModel):
    ideas: list[Idea]


class PlatformPost(BaseModel):
    platform: str
    text: str = Field(description="The post; for YouTube, the description")
    title: str | None = Field(None, description="YouTube only")


class PlatformPosts(BaseModel):
    posts: list[PlatformPost]

    def as_outputs(self) -> dict[str, str | dict[str, str]]:
        """powerpost's ``outputs``: a string per platform, YouTube as {title, description}."""
        outputs: dict[str, str | dict[str, str]] = {}
        for post in self.posts:
            if post.platform == "youtube":
                outputs[post.platform] = {"title": post.title or "", "description": post.text}
            else:
                outputs[post.platform] = post.text
        return outputs


class Moment(BaseModel):
    title: str
    summary: str
    quote: str = Field(description="A sentence taken verbatim from the source")


class MomentSet(BaseModel):
    moments: list[Moment]


class MomentPost(BaseModel):
    post: str
    first_comment: str
