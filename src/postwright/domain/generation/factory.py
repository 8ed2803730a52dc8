"""Choosing the engine: the workspace's own model if it has one, else the server's, else builtin.

The server's engine is built once per event loop and settings, and shared: building one (the
pydantic-ai model, its provider and HTTP client) costs ~20 ms of CPU, paid otherwise by every
post of a bulk job; one HTTP client also keeps its connections to the provider open between
calls. A shared engine ignores ``aclose`` (every caller closes what ``engine_for`` gives it);
``close_shared`` closes them all when the process stops. HTTP clients belong to the event loop
that made them, hence one per loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass, field

from postwright.core.settings import LlmSettings, Settings
from postwright.domain.generation.builtin import BuiltinEngine
from postwright.domain.generation.engine import GenerationEngine
from postwright.domain.generation.llm import LlmEngine
from postwright.domain.generation.providers import LlmConfig


@dataclass(frozen=True)
class LlmOverride:
    """A workspace's AI configuration, with its key already decrypted by the caller.

    Unset fields fall back to the server settings; the key never appears in repr or logs.
    """

    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None


def engine_for(
    settings: Settings | LlmSettings, override: LlmOverride | None = None
) -> GenerationEngine:
    llm = settings.llm if isinstance(settings, Settings) else settings
    # Tests reach fake providers on 127.0.0.1; nothing else internal is ever allowed.
    allow_loopback = isinstance(settings, Settings) and settings.http.allow_loopback_urls
    config = LlmConfig.from_settings(llm)
    if override is not None and override.model:
        # The workspace picked the model: its base URL, or the provider's default, is its own.
        config = LlmConfig(
            model=override.model,
            api_key=override.api_key,
            base_url=override.base_url,
            timeout_seconds=llm.timeout_seconds,
            max_retries=llm.max_retries,
            workspace_supplied=True,
            allow_loopback=allow_loopback,
        )
    elif override is not None and config is not None and override.api_key:
        config = LlmConfig(
            model=config.model,
            api_key=override.api_key,
            base_url=override.base_url or config.base_url,
            timeout_seconds=config.timeout_seconds,
            max_retries=config.max_retries,
            workspace_supplied=override.base_url is not None,
            allow_loopback=allow_loopback,
        )
    if config is None:
        return BuiltinEngine()
    if override is not None:
        return LlmEngine(config)
    return _shared(config)


class _SharedLlmEngine(LlmEngine):
    """The server's engine, shared by every caller on its event loop: ``aclose`` leaves it
    open; ``close_shared`` closes it."""

    async def aclose(self) -> None:
        return None

    async def close_now(self) -> None:
        await super().aclose()


# How long closing waits for another loop to close its engine's client.
_CLOSE_SECONDS = 5.0

_engines: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[LlmConfig, _SharedLlmEngine]
] = weakref.WeakKeyDictionary()


def _shared(config: LlmConfig) -> LlmEngine:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop to bind a client to: the caller owns a fresh engine
        return LlmEngine(config)
    engines = _engines.setdefault(loop, {})
    engine = engines.get(config)
    if engine is None:
        engine = engines[config] = _SharedLlmEngine(config)
    return engine


async def close_shared() -> None:
    """Close every shared engine's HTTP client: this loop's here, another running loop's (the
    job engine's own, say) on that loop. An engine on a loop already closed is dropped."""
    current = asyncio.get_running_loop()
    for loop, engines in list(_engines.items()):
        closing = list(engines.values())
        engines.clear()
        for engine in closing:
            if loop is current:
                await engine.close_now()
            elif loop.is_running() and not loop.is_closed():
                future = asyncio.run_coroutine_threadsafe(engine.close_now(), loop)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.wrap_future(future), _CLOSE_SECONDS)
    _engines.clear()
