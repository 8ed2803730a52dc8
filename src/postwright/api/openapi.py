"""The served OpenAPI document: the conventions every route shares, written once.

FastAPI documents a 422 for validation; Postwright answers 400 in the error envelope.
Every authenticated operation can also answer 400/401/403/429/500, and every operation
with a body 413/415 — added here so no route has to repeat them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from postwright.api.idempotency import MAX_KEY_LENGTH, WRITE_METHODS, ReplayStyle, replay_style
from postwright.core.envelope import ErrorEnvelope

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"
COMMON_AUTHENTICATED = {
    "400": "Bad request: validation failed (field-level details)",
    "401": "Missing, invalid or revoked credentials",
    "403": "Not allowed in this workspace",
    "429": "Rate limit exceeded; see Retry-After",
    "500": "Internal server error",
}
COMMON_WITH_BODY = {
    "400": "Bad request: malformed JSON or validation failed",
    "413": "Request body larger than 5 MB",
    "415": "Content-Type must be application/json",
}
RATE_LIMIT_HEADERS = {
    name: {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("X-RateLimit-Limit", "Requests allowed in the window"),
        ("X-RateLimit-Remaining", "Requests left in the window"),
        ("X-RateLimit-Reset", "Unix time when the window resets"),
    )
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ENVELOPE_REF}}},
    }


def _complete(method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "HTTPValidationError" in str(responses.get("422", "")):
        responses.pop("422")
    common: dict[str, str] = {}
    if operation.get("security"):
        common.update(COMMON_AUTHENTICATED)
    if "requestBody" in operation:
        common.update(COMMON_WITH_BODY)
    for status, description in common.items():
        responses.setdefault(status, _error(description))
    _document_idempotency(method, operation, responses)
    if operation.get("security"):
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the request safe to retry: it runs at most once per key (24 h)",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def _document_idempotency(
    method: str, operation: dict[str, Any], responses: dict[str, Any]
) -> None:
    """Every authenticated write takes ``Idempotency-Key`` (``api.idempotency``): the key
    with another payload, or still in flight, is refused; zorbit answers a repeat with 409
    and the cached success body, the others replay the original response."""
    if method.upper() not in WRITE_METHODS or not operation.get("security"):
        return
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    if not any(p.get("name") == "Idempotency-Key" for p in parameters):
        parameters.append(dict(IDEMPOTENCY_KEY))
    zorbit = replay_style(operation.get("tags")) is ReplayStyle.ZORBIT
    responses.setdefault("409", _error("Idempotency-Key still in use by a request in flight"))
    if not zorbit:
        responses.setdefault("422", _error("Idempotency-Key already used with another request"))
        return
    success = next((r for status, r in responses.items() if status.startswith("2")), None)
    success_schema = (success or {}).get("content", {}).get("application/json", {}).get("schema")
    if success_schema is None:
        return
    responses["409"]["description"] = "Key already used: the cached response or an error"
    responses["409"]["content"] = {
        "application/json": {"schema": {"anyOf": [success_schema, {"$ref": ENVELOPE_REF}]}}
    }


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            webhooks=app.webhooks.routes,
        )
        for operations in spec.get("paths", {}).values():
            for method, operation in operations.items():
                _complete(method, operation)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(envelope.pop("$defs", {}))
        schemas.setdefault("ErrorEnvelope", envelope)
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
