"""BuiltinEngine: the default when no model is configured. It never pretends to be a model."""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel

from postwright.domain.generation.builtin import adcopy, comments, compose, extras
from postwright.domain.generation.builtin.image_prompt import compose_image_prompt
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.hashtags import suggest_hashtags
from postwright.domain.generation.image_prompts import ImagePromptTask
from postwright.domain.generation.outputs import (
    GenerationResult,
    OutputT,
    PlatformPost,
    PlatformPosts,
    PostText,
    ThreadPosts,
)
from postwright.domain.generation.prompts import persona_from_prompt, topic_from_prompt
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

BUILTIN_PROVIDER = "builtin"
BUILTIN_MODEL = "builtin-composer-1"


class BuiltinEngine(GenerationEngine):
    provider = BUILTIN_PROVIDER
    model = BUILTIN_MODEL

    async def run(self, task: Task[OutputT]) -> GenerationResult[OutputT]:
        return self.finish(task, cast(OutputT, compose_offline(task)))


def _post(task: PostTask) -> PostText:
    persona = task.persona
    topic = task.topic
    if persona is None and task.system_prompt:
        persona = persona_from_prompt(task.system_prompt)
    if not topic.strip() and task.user_prompt:
        topic = topic_from_prompt(task.user_prompt)
    content = compose.compose_post(
        persona=persona,
        topic=topic,
        platform=task.platform,
        batch_index=task.batch_index,
        previous_posts=task.previous_posts_in_batch,
        content_length=task.content_length,
        angle=task.angle,
    )
    return PostText(content=content)


def _platform_posts(task: PlatformPostsTask) -> PlatformPosts:
    posts = []
    for key in task.keys:
        if key == "youtube":
            rng = compose.seeded("youtube", compose.persona_key(task.persona), task.prompt)
            text = compose.compose_post(
                persona=task.persona, topic=task.prompt, platform=key, content_length="long"
            )
            posts.append(
                PlatformPost(platform=key, text=text, title=compose.youtube_title(task.prompt, rng))
            )
        else:
            text = compose.compose_post(persona=task.persona, topic=task.prompt, platform=key)
            posts.append(PlatformPost(platform=key, text=text))
    return PlatformPosts(posts=posts)


def compose_offline(task: Task[OutputT]) -> BaseModel:
    """Dispatch a task to its composer; every task type has one."""
    persona = task.persona
    match task:
        case PostTask():
            return _post(task)
        case EnhanceTask():
            return extras.enhance(
                task.text, platform=task.platform, tone=task.tone, style=task.style
            )
        case HashtagTask():
            return suggest_hashtags(
                task.content,
                count=task.wanted,
                boost=persona.keywords if persona else (),
                fixed=persona.hashtag_list if persona else (),
                avoid=task.avoid,
            )
        case ThreadTask():
            items = compose.thread_items(
                persona=persona, topic=task.topic, max_posts=task.max_posts
            )
            return ThreadPosts(items=items)
        case AdCopyTask():
            return adcopy.ad_copy(
                persona=persona,
                product_name=task.product_name,
                product_description=task.product_description,
                platform=task.platform,
                ad_format=task.format,
                tone=task.tone,
                custom_instructions=task.custom_instructions,
                count=task.count,
            )
        case CommentTask():
            return comments.comments(
                persona=persona,
                post_content=task.post_content,
                author_name=task.author_name,
                user_comment=task.user_comment,
                length=task.length,
                variants=task.variants,
            )
        case IdeaTask():
            return extras.ideas(persona=persona, prompt=task.prompt, count=task.count)
        case PersonaTask():
            return extras.persona_from_description(task.description)
        case PlatformPostsTask():
            return _platform_posts(task)
        case MomentsTask():
            return extras.moments(task.source_text, max_moments=task.max_moments)
        case MomentPostTask():
            return extras.moment_post(
                persona=persona, title=task.title, summary=task.summary, quote=task.quote
            )
        case ImagePromptTask():
            return compose_image_prompt(task)
    raise TypeError(f"No builtin composer for {type(task).__name__}")
