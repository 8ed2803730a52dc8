"""Application errors. The domain raises these; one handler renders the error envelope.

Every error carries a stable ``code`` and an HTTP status. ``extras`` are merged into the
``error`` object (voxburst's ``required``/``available``); ``quota`` sits beside it (zorbit).
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    default_message: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        extras: dict[str, Any] | None = None,
        quota: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.extras = extras or {}
        self.quota = quota
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(AppError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "Request validation failed"


class Unauthorized(AppError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = "Authentication required"


class PaymentRequired(AppError):
    status_code = 402
    code = "QUOTA_EXHAUSTED"
    default_message = "Quota exhausted"


class InsufficientCredits(AppError):
    status_code = 402
    code = "INSUFFICIENT_CREDITS"
    default_message = "Insufficient credits"


class Forbidden(AppError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "You do not have permission to do this"


class NotFound(AppError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Not found"


class MethodNotAllowed(AppError):
    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"
    default_message = "Conflict"


class Gone(AppError):
    status_code = 410
    code = "GONE"
    default_message = "This resource is gone"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body exceeds the size limit"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Content-Type must be application/json"


class UnprocessableEntity(AppError):
    status_code = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "Idempotency-Key was already used with a different request"


class RateLimited(AppError):
    status_code = 429
    code = "RATE_LIMITED"
    default_message = "Rate limit exceeded"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    default_message = "Service temporarily unavailable"


def error_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the errors a route raises itself. The ones every
    authenticated route shares (400/401/403/429/500, 413/415 with a body) are added to the
    whole document by ``api.openapi``."""
    from postwright.core.envelope import ErrorEnvelope  # local: envelope imports nothing back

    statuses = {e.status_code: e for e in errors}
    return {
        status: {"model": ErrorEnvelope, "description": err.default_message}
        for status, err in sorted(statuses.items())
    }
