"""The served OpenAPI document: the conventions every route shares, written once.

FastAPI documents a 422 for validation; Postwright answers 400 in the error envelope.
Every authenticated operation can also answer 400/401/403/429/500, and every operation
with a body 413/415 — added here so no route has to repeat them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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


def _complete(operation: dict[str, Any]) -> None:
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
    _document_idempotent_replay(operation, responses)
    if operation.get("security"):
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)


def _document_idempotent_replay(operation: dict[str, Any], responses: dict[str, Any]) -> None:
    """A repeated Idempotency-Key may answer 409 with the cached success body (zorbit)."""
    keyed = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    success = next((r for status, r in responses.items() if status.startswith("2")), None)
    if not keyed or success is None or "409" not in responses:
        return
    success_schema = success.get("content", {}).get("application/json", {}).get("schema")
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
            for operation in operations.values():
                _complete(operation)
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(envelope.pop("$defs", {}))
        schemas.setdefault("ErrorEnvelope", envelope)
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
