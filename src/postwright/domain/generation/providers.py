"""Provider construction: auth, HTTP client, base URL and retries — nothing about prompts.

A model string names the provider and the model ("openai:gpt-4.1-mini"); ``build_model`` turns
it, an optional API key and an optional base URL into a pydantic-ai ``Model``. Retries with
exponential backoff (honouring Retry-After) on 429 and 5xx come from pydantic-ai's tenacity
transport, so the SDKs' own retries are switched off to avoid retrying twice.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx2
from pydantic_ai._http import DEFAULT_HTTP_LIMITS
from pydantic_ai.models import Model, create_async_httpx2_client
from pydantic_ai.retries import AsyncHTTPX2TenacityTransport, RetryConfig, wait_retry_after
from tenacity import retry_if_exception, stop_after_attempt, wait_exponential

from postwright.core.outbound import pin_httpx2_transport
from postwright.core.settings import LlmSettings
from postwright.domain.generation.errors import AiNotConfigured

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
# OpenAI-compatible servers: the prefix picks a default base URL when none is configured.
OPENAI_COMPATIBLE = {
    "ollama": "http://127.0.0.1:11434/v1",
    "vllm": "http://127.0.0.1:8000/v1",
    "llamacpp": "http://127.0.0.1:8080/v1",
    "openrouter": "https://openrouter.ai/api/v1",
    "openai-compatible": None,
}
KNOWN_PROVIDERS = ("openai", "anthropic", "google", *OPENAI_COMPATIBLE)
OPENAI_API_HOST = "api.openai.com"


@dataclass(frozen=True)
class LlmConfig:
    """Everything needed to reach one model. ``api_key`` is a secret: kept out of repr."""

    model: str
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 3
    # Seconds between retries grow exponentially from this (tests set it near zero).
    backoff_seconds: float = 0.5
    # A workspace's own model (its base URL, or a provider default it picked) is a user-given
    # target: every connection is checked and pinned to the checked address (SSRF, DNS
    # rebinding). The operator's own model may stay on loopback (a local Ollama).
    workspace_supplied: bool = False
    allow_loopback: bool = False

    @property
    def provider_name(self) -> str:
        return split_model(self.model)[0]

    @property
    def model_name(self) -> str:
        return split_model(self.model)[1]

    @classmethod
    def from_settings(cls, settings: LlmSettings) -> LlmConfig | None:
        if not settings.model:
            return None
        return cls(
            model=settings.model,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            base_url=settings.base_url,
            timeout_seconds=settings.timeout_seconds,
            max_retries=settings.max_retries,
        )


def split_model(model: str) -> tuple[str, str]:
    provider, sep, name = model.partition(":")
    provider = provider.strip().lower()
    if not sep or not name.strip() or provider not in KNOWN_PROVIDERS:
        raise AiNotConfigured(
            f"Model must look like '<provider>:<model>' with provider one of "
            f"{', '.join(KNOWN_PROVIDERS)}; got '{model}'"
        )
    return provider, name.strip()


def _is_retryable(error: BaseException) -> bool:
    if isinstance(error, httpx2.HTTPStatusError):
        return error.response.status_code in RETRYABLE_STATUS
    return isinstance(error, httpx2.ConnectError)


def _raise_for_retryable(response: httpx2.Response) -> None:
    if response.status_code in RETRYABLE_STATUS:
        response.raise_for_status()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~50-80 ms of CPU on the event
    loop, too much to pay again for every model call of a bulk job."""
    return httpx2.create_ssl_context()


def _network_transport(config: LlmConfig) -> httpx2.AsyncHTTPTransport:
    transport = httpx2.AsyncHTTPTransport(verify=_tls_context(), limits=DEFAULT_HTTP_LIMITS)
    if config.workspace_supplied:
        pin_httpx2_transport(transport, allow_loopback=config.allow_loopback)
    return transport


def http_client(config: LlmConfig) -> httpx2.AsyncClient:
    """An HTTP client that retries 429/5xx and connection failures with exponential backoff."""
    transport = AsyncHTTPX2TenacityTransport(
        RetryConfig(
            retry=retry_if_exception(_is_retryable),
            wait=wait_retry_after(
                fallback_strategy=wait_exponential(multiplier=config.backoff_seconds, max=30),
                max_wait=60,
            ),
            stop=stop_after_attempt(config.max_retries + 1),
            reraise=True,
        ),
        wrapped=_network_transport(config),
        validate_response=_raise_for_retryable,
    )
    return create_async_httpx2_client(transport=transport, timeout=config.timeout_seconds)


def preload(config: LlmConfig) -> None:
    """Import the provider's SDK and load the TLS context now (seconds under load), so that a
    process that runs jobs does not pay it inside its first job."""
    _tls_context()
    # pydantic-ai loads genai-prices' bundled price tables when it builds its first model:
    # seconds of CPU under load, on the job's event loop, inside the first job otherwise.
    from genai_prices.data_snapshot import get_snapshot

    get_snapshot()
    if config.provider_name == "anthropic":
        import pydantic_ai.models.anthropic
    elif config.provider_name == "google":
        import pydantic_ai.models.google
    else:
        import pydantic_ai.models.openai  # noqa: F401


def build_model(config: LlmConfig) -> Model:
    """The provider SDKs load here, on first use: importing all three costs seconds of start-up
    in every process, most of which never call a model."""
    provider, name = config.provider_name, config.model_name
    client = http_client(config)
    if provider == "anthropic":
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider

        return AnthropicModel(
            name,
            provider=AnthropicProvider(
                api_key=config.api_key, base_url=config.base_url, http_client=client
            ),
        )
    if provider == "google":
        from pydantic_ai.models.google import GoogleModel
        from pydantic_ai.providers.google import GoogleProvider

        return GoogleModel(
            name,
            provider=GoogleProvider(
                api_key=config.api_key, base_url=config.base_url, http_client=client
            ),
        )
    base_url = config.base_url
    if provider in OPENAI_COMPATIBLE:
        base_url = base_url or OPENAI_COMPATIBLE[provider]
        if base_url is None:
            raise AiNotConfigured("An openai-compatible model needs POSTWRIGHT_LLM_BASE_URL")
    # Local servers accept any key; the SDK insists on one being present.
    api_key = config.api_key or ("not-needed" if provider != "openai" else None)
    from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    openai = OpenAIProvider(base_url=base_url, api_key=api_key, http_client=client)
    if is_openai_platform(provider, base_url):
        # OpenAI's own API: the Responses API runs native tools (web search) that chat
        # completions cannot; structured output, prompt_cache_key and usage work the same.
        return OpenAIResponsesModel(name, provider=openai)
    return OpenAIChatModel(name, provider=openai)


def is_openai_platform(provider: str, base_url: str | None) -> bool:
    """Whether requests go to OpenAI itself, which speaks the Responses API. A custom base
    URL (a proxy, vLLM, Ollama, any OpenAI-compatible server) speaks chat completions."""
    if provider != "openai":
        return False
    return base_url is None or urlsplit(base_url).hostname == OPENAI_API_HOST
