"""Our instructions to a model for each task, ordered stable → volatile (see ``prompts``)."""

from __future__ import annotations

from collections.abc import Sequence

from postwright.domain.generation.outputs import OutputT
from postwright.domain.generation.prompts import (
    AssembledPrompt,
    GenerationType,
    assemble,
    persona_block,
)
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

LENGTH_WORDS = {"short": "under 60 words", "medium": "80-150 words", "long": "200-300 words"}


def _listing(title: str, items: Sequence[str], limit: int) -> str:
    kept = _stable_window([item.strip() for item in items if item.strip()], limit)
    if not kept:
        return ""
    body = "\n".join(f"- {' '.join(item.split())[:600]}" for item in kept)
    return f"\n\n{title}:\n{body}"


def _stable_window(items: list[str], limit: int) -> list[str]:
    """At most ``limit`` of the latest items, with a start that moves in steps of half the
    window: between steps each request's list is the previous one plus one item, so the prompt
    prefix stays the same (a sliding "last 30" would change the first line every time)."""
    if len(items) <= limit:
        return items
    step = max(limit // 2, 1)
    start = -(-(len(items) - limit) // step) * step
    return items[start:]


def _post_prompt(task: PostTask) -> AssembledPrompt:
    """Stable → volatile: the system prompt (persona, rules, platform), then the job's context
    (topic, length, style examples, conversation), then this post's own parts (the batch so
    far, its angle, its position) last."""
    if task.system_prompt and task.user_prompt:
        base = AssembledPrompt(
            task.system_prompt, task.user_prompt, persona_block=task.system_prompt
        )
    else:
        base = assemble(task.persona, task.platform, GenerationType.POST_GENERATION, task.topic)
    user = base.user_prompt + f"\nLength: {LENGTH_WORDS.get(task.content_length, '')}"
    user += _listing("Style examples to imitate", task.style_examples, 5)
    user += _listing("Earlier messages in this conversation", task.conversation, 10)
    # The batch grows by one post per request: it comes before the parts that change.
    user += _listing(
        "Posts already written in this batch (use a different hook and structure)",
        task.previous_posts_in_batch,
        30,
    )
    tail = []
    if task.angle and task.angle.strip():
        tail.append(f"Angle for this post: {' '.join(task.angle.split())}")
    if task.batch_size > 1:
        tail.append(f"This is post {task.batch_index + 1} of {task.batch_size} in a series.")
    if tail:
        user += "\n\n" + "\n".join(tail)
    return AssembledPrompt(base.system_prompt, user, base.persona_block)


def _ad_field_rules(task: AdCopyTask) -> str:
    """The network's field limits, stated up front so the copy fits before any repair."""
    limits = task.limits
    tags = "no hashtags" if limits.hashtags == 0 else f"at most {limits.hashtags} hashtags"
    return (
        f"Field limits on {limits.display_name}: hook (headline) at most {limits.headline} "
        f"characters, body ({limits.body_name}) at most {limits.body}, cta at most "
        f"{limits.cta}; {tags}. Follow the instructions; do not quote them."
    )


def render(task: Task[OutputT]) -> AssembledPrompt:
    """The prompt pair for a task; the persona block is identical for every task of a persona."""
    persona = task.persona
    match task:
        case PostTask():
            return _post_prompt(task)
        case EnhanceTask():
            prompt = assemble(persona, task.platform, GenerationType.CONTENT_ENHANCEMENT, "")
            ask = f"Improve this text.\nTone: {task.tone or 'keep'}\nStyle: {task.style or 'keep'}"
            if task.max_length:
                ask += f"\nAt most {task.max_length} characters."
            return AssembledPrompt(
                prompt.system_prompt, f"{ask}\n\nText:\n{task.text}", prompt.persona_block
            )
        case HashtagTask():
            prompt = assemble(persona, task.platform, GenerationType.HASHTAG_GENERATION, "")
            ask = f"Suggest {task.wanted} hashtags for this content:\n{task.content}"
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case ThreadTask():
            prompt = assemble(persona, task.platform, GenerationType.THREAD_GENERATION, task.topic)
            ask = f"{prompt.user_prompt}\nAt most {task.max_posts} items; do not number them."
            if task.source_text:
                ask += f"\n\nSource:\n{task.source_text}"
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case AdCopyTask():
            prompt = assemble(persona, None, GenerationType.AD_COPY_GENERATION, task.product_name)
            ask = (
                f"Write {task.count} ad copy variants.\nProduct: {task.product_name}\n"
                f"Description: {task.product_description}\nAd platform: {task.platform}\n"
                f"Format: {task.format}\nTone: {task.tone}"
            )
            ask += f"\n{_ad_field_rules(task)}"
            if task.custom_instructions:
                ask += f"\nInstructions: {task.custom_instructions}"
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case CommentTask():
            prompt = assemble(persona, task.platform, GenerationType.COMMENT_GENERATION, "")
            kinds = (
                "one comment"
                if task.variants == 1
                else (f"{task.variants} varied comments, each typed short or medium")
            )
            ask = (
                f"Write {kinds} ({task.length}, tone: {task.tone or 'friendly'}) replying to "
                f"{task.author_name or 'the author'} ({task.author_bio or 'no bio'})."
            )
            if task.user_comment:
                ask += f"\nInstruction or draft: {task.user_comment}"
            return AssembledPrompt(
                prompt.system_prompt, f"{ask}\n\nPost:\n{task.post_content}", prompt.persona_block
            )
        case IdeaTask():
            prompt = assemble(persona, None, GenerationType.IDEA_GENERATION, task.prompt)
            ask = f"{prompt.user_prompt}\nPropose {task.count} ideas."
            ask += _listing("Earlier messages in this conversation", task.conversation, 10)
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case PersonaTask():
            prompt = assemble(None, None, GenerationType.PERSONA_GENERATION, task.description)
            return prompt
        case PlatformPostsTask():
            prompt = assemble(persona, None, GenerationType.POST_GENERATION, task.prompt)
            ask = (
                f"{prompt.user_prompt}\nWrite one post for each of: {', '.join(task.keys)}. "
                "For youtube give a title (max 100 characters) and a description."
            )
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case MomentsTask():
            prompt = assemble(persona, None, GenerationType.MOMENT_EXTRACTION, "")
            ask = f"Find at most {task.max_moments} moments.\n\nSource:\n{task.source_text}"
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
        case MomentPostTask():
            prompt = assemble(persona, task.platform, GenerationType.POST_GENERATION, task.title)
            ask = (
                f"Write a long-form post about this moment, and a first comment to post "
                f"under it.\nSummary: {task.summary}\nQuote: {task.quote}"
            )
            return AssembledPrompt(prompt.system_prompt, ask, prompt.persona_block)
    # A task that writes its own prompt (e.g. the bulk angle plan in generation/planning).
    own = getattr(task, "assembled_prompt", None)
    if callable(own):
        own_prompt: AssembledPrompt = own()
        return own_prompt
    return AssembledPrompt(persona_block(persona), "", persona_block(persona))
