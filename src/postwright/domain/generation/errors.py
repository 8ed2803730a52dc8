"""Errors of the generation engine, rendered by the shared error envelope."""

from __future__ import annotations

from postwright.core.errors import AppError


class AiResponseIncomplete(AppError):
    """The model's answer was cut off (finish_reason "length") or could not be parsed."""

    status_code = 400
    code = "AI_RESPONSE_INCOMPLETE"
    default_message = "AI response was truncated or could not be parsed"


class AiProviderError(AppError):
    """The provider refused or failed after retries (auth, 4xx, persistent 429/5xx)."""

    status_code = 502
    code = "AI_PROVIDER_ERROR"
    default_message = "The AI provider could not complete the request"


class AiProviderTimeout(AiProviderError):
    status_code = 504
    code = "AI_PROVIDER_TIMEOUT"
    default_message = "The AI provider did not answer in time"


class AiNotConfigured(AppError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "The AI model setting is invalid"
