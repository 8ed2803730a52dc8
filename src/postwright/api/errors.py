"""Renders every error — ours, validation, routing, unexpected — as the one envelope."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from postwright.core import errors
from postwright.core.clock import isoformat_z

_STATUS_ERRORS: dict[int, type[errors.AppError]] = {
    cls.status_code: cls
    for cls in (
        errors.ValidationFailed,
        errors.Unauthorized,
        errors.Forbidden,
        errors.NotFound,
        errors.MethodNotAllowed,
        errors.Conflict,
        errors.PayloadTooLarge,
        errors.UnsupportedMediaType,
        errors.RateLimited,
        errors.ServiceUnavailable,
    )
}


def envelope(request_id: str, error: errors.AppError, timestamp: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "requestId": request_id,
        "timestamp": timestamp,
    }
    if error.details is not None:
        body["details"] = error.details
    body.update(error.extras)
    rendered: dict[str, Any] = {"error": body}
    if error.quota is not None:
        rendered["quota"] = error.quota
    return rendered


def error_response(request: Request, error: errors.AppError) -> JSONResponse:
    services = request.app.state.services
    request_id = getattr(request.state, "request_id", "")
    body = envelope(request_id, error, isoformat_z(services.clock.now()))
    request.state.error_code = error.code
    return JSONResponse(body, status_code=error.status_code, headers=error.headers or None)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for item in exc.errors():
        kind = item.get("type", "value_error")
        if kind == "json_invalid":
            position = item.get("loc", ("body", "?"))[-1]
            reason = (item.get("ctx") or {}).get("error", "JSON decode error")
            details.append(
                {"field": "body", "message": f"{reason} at position {position}", "type": kind}
            )
            continue
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        details.append(
            {
                "field": ".".join(location) or "body",
                "message": item.get("msg", "invalid"),
                "type": kind,
            }
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.AppError)
    async def _app_error(request: Request, exc: errors.AppError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        malformed = any(d["type"] == "json_invalid" for d in details)
        message = "Request body is not valid JSON" if malformed else "Request validation failed"
        return error_response(request, errors.ValidationFailed(message, details=details))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cls = _STATUS_ERRORS.get(exc.status_code, errors.ValidationFailed)
        message = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404:
            message = "Not found"
        error = cls(message, headers=dict(exc.headers or {}))
        if exc.status_code not in _STATUS_ERRORS:
            response = error_response(request, error)
            response.status_code = exc.status_code
            return response
        return error_response(request, error)
