"""The shared part of every fake: a Starlette app served by uvicorn in a background thread.

Scripting (all thread-safe; the server runs on its own event loop):

- ``fail_next(status, times=1, body=None, headers=None, after=0)``: after ``after`` calls pass,
  the next ``times`` calls to a scripted route (the write endpoints) answer ``status`` with the
  provider's error shape (or ``body``).
- ``delay_next(seconds, times=1)``: hold the next requests, to exercise client timeouts.
- ``lose_next_response(times=1)``: the next create *does* create the post, then answers 504 as
  if the response were lost on the way; reconciliation tests use it.
- ``revoke(token)`` / ``valid_tokens``: tokens not in the set answer 401.
- ``posts``: every created post, in order; ``requests``: every request (method, path, headers).
"""

from __future__ import annotations

import asyncio
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes


@dataclass
class ScriptedFailure:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FormPart:
    value: bytes
    filename: str | None
    content_type: str | None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8")


async def multipart_form(request: Request) -> dict[str, FormPart]:
    """Parse multipart/form-data with the standard library (no python-multipart needed)."""
    body = await request.body()
    header = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    parts: dict[str, FormPart] = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            content_type = part.get("content-type")
            parts[name] = FormPart(payload, part.get_filename(), content_type)
    return parts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeServer:
    """Base class: subclasses define ``routes()`` and ``error_body(status, message)``."""

    name = "fake"

    def __init__(self) -> None:
        self.port = 0
        self.lock = threading.RLock()
        self.posts: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.valid_tokens: set[str] = set()
        self._failures: list[ScriptedFailure | None] = []
        self._lost_responses = 0
        self._delays: list[float] = []
        # Runs (in the server's thread) as each request arrives: what the rest of the world
        # does, or checks, while the app waits on this provider.
        self.on_request: Callable[[], None] | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- subclass hooks ---------------------------------------------------------------------
    def routes(self) -> list[Route]:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    # -- scripting --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        after: int = 0,
    ) -> None:
        """Fail the next ``times`` scripted calls, after letting ``after`` calls through."""
        with self.lock:
            self._failures.extend([None] * after)
            for _ in range(times):
                self._failures.append(ScriptedFailure(status, body, dict(headers or {})))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` requests (of any route) for ``seconds`` before handling."""
        with self.lock:
            self._delays.extend([seconds] * times)

    def lose_next_response(self, times: int = 1) -> None:
        with self.lock:
            self._lost_responses += times

    def revoke(self, token: str) -> None:
        with self.lock:
            self.valid_tokens.discard(token)

    def reset(self) -> None:
        with self.lock:
            self.posts.clear()
            self.requests.clear()
            self._failures.clear()
            self._lost_responses = 0
            self._delays.clear()
            self.on_request = None

    # -- helpers for subclasses -------------------------------------------------------------
    def scripted_failure(self) -> Response | None:
        with self.lock:
            if not self._failures:
                return None
            failure = self._failures.pop(0)
        if failure is None:
            return None
        body = failure.body
        if body is None:
            body = self.error_body(failure.status, f"scripted failure {failure.status}")
        return JSONResponse(body, status_code=failure.status, headers=failure.headers)

    def response_lost(self) -> bool:
        """Call after creating a post: True when its response must be 'lost' (answer 504)."""
        with self.lock:
            if self._lost_responses <= 0:
                return False
            self._lost_responses -= 1
            return True

    def lost_response(self) -> Response:
        return JSONResponse(self.error_body(504, "gateway timeout"), status_code=504)

    def bearer_ok(self, request: Request, scheme: str = "Bearer") -> bool:
        header = request.headers.get("authorization", "")
        prefix = f"{scheme} "
        return header.startswith(prefix) and header[len(prefix) :] in self.valid_tokens

    def unauthorized(self, message: str = "invalid access token") -> Response:
        return JSONResponse(self.error_body(401, message), status_code=401)

    def record_post(self, post: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.posts.append(post)
        return post

    def app(self) -> Starlette:
        async def record(request: Request, call_next: RequestResponseEndpoint) -> Response:
            if self.on_request is not None:
                self.on_request()
            body = await request.body()
            with self.lock:
                self.requests.append(
                    RecordedRequest(
                        request.method,
                        request.url.path,
                        dict(request.headers),
                        dict(request.query_params),
                        body,
                    )
                )
                delay = self._delays.pop(0) if self._delays else 0.0
            if delay:
                await asyncio.sleep(delay)
            return await call_next(request)

        return Starlette(
            routes=self.routes(), middleware=[Middleware(BaseHTTPMiddleware, dispatch=record)]
        )

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{self.name} fake server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    @contextmanager
    def running(self) -> Iterator[Self]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
