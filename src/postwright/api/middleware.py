"""The outermost ASGI layer: request ids, body limit, response headers, logs and metrics.

It is plain ASGI (no BaseHTTPMiddleware) so streaming bodies and exceptions pass through
untouched, and so an unexpected exception still gets the envelope, the request id and a
log line — never a traceback on the wire.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from postwright.api.errors import envelope
from postwright.core import errors
from postwright.core.clock import isoformat_z
from postwright.core.logging import logger
from postwright.core.services import Services

UPLOAD_PATH = "/media-upload/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming_id = _header(scope, b"x-request-id")
        request_id = (
            incoming_id
            if incoming_id and _REQUEST_ID.match(incoming_id)
            else (f"req_{uuid.uuid4().hex}")
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["response_headers"] = {}
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, method=scope["method"], path=scope["path"]
        )
        status_holder = {"status": 500, "started": False}
        limit = self.services.settings.http.max_body_bytes
        if scope["path"].startswith(UPLOAD_PATH):
            # Signed image uploads are bigger than JSON bodies; the route enforces the
            # size its URL was signed for.
            limit = max(limit, self.services.settings.media.max_upload_bytes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                extra = {"X-Request-ID": request_id, **state.get("response_headers", {})}
                present = {k.lower() for k, _ in headers}
                for name, value in extra.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), str(value).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        declared = _header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._send_error(send_with_headers, request_id, errors.PayloadTooLarge())
                return
            await self.app(scope, _limited(receive, limit), send_with_headers)
        except Exception as exc:
            logger.error("unhandled_exception", exc_info=exc)
            if not status_holder["started"]:
                await self._send_error(send_with_headers, request_id, errors.AppError())
        finally:
            self._observe(scope, state, int(status_holder["status"]), started)

    async def _send_error(self, send: Send, request_id: str, error: errors.AppError) -> None:
        body = envelope(request_id, error, isoformat_z(self.services.clock.now()))
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": error.status_code,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _observe(self, scope: Scope, state: dict[str, Any], status: int, started: float) -> None:
        duration = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"]
        metrics = self.services.metrics
        metrics.request_latency.labels(method, template, str(status)).observe(duration)
        if status >= 400:
            code = state.get("error_code", "UNKNOWN" if status < 500 else "INTERNAL_ERROR")
            metrics.errors.labels(method, template, str(status), code).inc()
        if template in ("/metrics", "/healthz"):
            return
        logger.info(
            "request",
            request_id=state.get("request_id"),
            method=method,
            path=scope["path"],
            status=status,
            duration_ms=round(duration * 1000, 2),
            route=template,
            user_id=state.get("user_id"),
            workspace_id=state.get("workspace_id"),
        )


def _limited(receive: Receive, limit: int) -> Receive:
    """Counts streamed body bytes; a body past the limit ends in 413 whatever it declared.

    An HTTPException (not an AppError) because FastAPI turns any other exception raised
    while reading the body into a 400.
    """
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(status_code=413)
        return message

    return wrapped
