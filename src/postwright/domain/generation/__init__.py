"""Generation engine: platform rules, prompts, the builtin composer and LLM providers.

Endpoints build a task (``PostTask``, ``CommentTask`` …), get an engine from ``engine_for`` and
``await engine.run(task)``; the result carries the finalized output, provider, model, token
usage and whether a platform limit truncated anything.
"""

from postwright.domain.generation.builtin import BuiltinEngine
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.errors import (
    AiNotConfigured,
    AiProviderError,
    AiProviderTimeout,
    AiResponseIncomplete,
)
from postwright.domain.generation.factory import LlmOverride, engine_for
from postwright.domain.generation.hashtags import extract_keywords, suggest_hashtags
from postwright.domain.generation.llm import LlmEngine
from postwright.domain.generation.outputs import (
    AdCopySet,
    AdCopyVariant,
    Comment,
    CommentSet,
    EnhancedText,
    GenerationResult,
    HashtagSet,
    HashtagSuggestion,
    Idea,
    IdeaSet,
    Moment,
    MomentPost,
    MomentSet,
    PlatformPost,
    PlatformPosts,
    PostText,
    ThreadPosts,
    TokenUsage,
)
from postwright.domain.generation.persona import PersonaProfile
from postwright.domain.generation.platforms import (
    Fitted,
    PlatformProfile,
    fit,
    fit_title,
    get_platform,
    known_platforms,
    platform_key,
)
from postwright.domain.generation.prompts import (
    AssembledPrompt,
    GenerationType,
    assemble,
    persona_from_prompt,
    topic_from_prompt,
)
from postwright.domain.generation.providers import LlmConfig
from postwright.domain.generation.tasks import (
    AdCopyTask,
    CommentTask,
    EnhanceTask,
    HashtagTask,
    IdeaTask,
    MomentPostTask,
    MomentsTask,
    PersonaTask,
    PlatformPostsTask,
    PostTask,
    Task,
    ThreadTask,
)
from postwright.domain.generation.timing import (
    HeatCell,
    Recommendation,
    TimeSuggestion,
    cells,
    engagement_level,
    heatmap,
    recommend,
    suggest_time,
)

__all__ = [
    "AdCopySet",
    "AdCopyTask",
    "AdCopyVariant",
    "AiNotConfigured",
    "AiProviderError",
    "AiProviderTimeout",
    "AiResponseIncomplete",
    "AssembledPrompt",
    "BuiltinEngine",
    "Comment",
    "CommentSet",
    "CommentTask",
    "EnhanceTask",
    "EnhancedText",
    "Fitted",
    "GenerationEngine",
    "GenerationResult",
    "GenerationType",
    "HashtagSet",
    "HashtagSuggestion",
    "HashtagTask",
    "HeatCell",
    "Idea",
    "IdeaSet",
    "IdeaTask",
    "LlmConfig",
    "LlmEngine",
    "LlmOverride",
    "Moment",
    "MomentPost",
    "MomentPostTask",
    "MomentSet",
    "MomentsTask",
    "PersonaProfile",
    "PersonaTask",
    "PlatformPost",
    "PlatformPosts",
    "PlatformPostsTask",
    "PlatformProfile",
    "PostTask",
    "PostText",
    "Recommendation",
    "Task",
    "ThreadPosts",
    "ThreadTask",
    "TimeSuggestion",
    "TokenUsage",
    "assemble",
    "cells",
    "engagement_level",
    "engine_for",
    "extract_keywords",
    "fit",
    "fit_title",
    "get_platform",
    "heatmap",
    "known_platforms",
    "persona_from_prompt",
    "platform_key",
    "recommend",
    "suggest_hashtags",
    "suggest_time",
    "topic_from_prompt",
]
