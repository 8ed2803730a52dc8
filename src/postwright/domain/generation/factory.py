"""Choosing the engine: the workspace's own model if it has one, else the server's, else builtin."""

from __future__ import annotations

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
    return BuiltinEngine() if config is None else LlmEngine(config)
