"""``Idempotency-Key`` on every write route: one ASGI layer, not a per-route wrapper.

Every authenticated POST/PUT/PATCH/DELETE that carries the header runs at most once per
(workspace, user, method + route template, key):

1. the key is claimed in its own short committed transaction (``core.idempotency``), with a
   fingerprint of the request (method, path, query, body);
2. the route runs as usual (its own transactions, whatever they are);
3. a 2xx response is stored in another short transaction and then sent; anything else
   releases the key, so a retry runs again.

A duplicate arriving while the first is in flight waits for it (polling the store up to
``POSTWRIGHT_IDEMPOTENCY_WAIT_SECONDS``), then answers as for a finished one, or 409 if it
is still running; the handler never runs twice. Each dialect presents a replay as its
document says — zorbit: the cached body with 409; everywhere else the IETF
Idempotency-Key draft: the original status and body with ``Idempotent-Replayed: true``, and
the key with a different payload → 422. Requests that cannot be identified pass through
untouched (the route answers 401 itself).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from postwright.api.errors import envelope
from postwright.core import errors, idempotency
from postwright.core.clock import isoformat_z
from postwright.core.services import Services
from postwright.domain.accounts import authentication

MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = b"idempotency-key"
STATE_KEY = "idempotency"
# A claim still in flight after this long was left by a process that died.


class ReplayStyle(enum.Enum):
    ZORBIT = "zorbit"
    IETF = "ietf"


def replay_style(tags: list[str] | None) -> ReplayStyle:
    """zorbit's routes are tagged ``zorbit: …``; every other dialect follows the IETF draft."""
    if any(str(tag).startswith("zorbit") for tag in tags or ()):
        return ReplayStyle.ZORBIT
    return ReplayStyle.IETF


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _credential(scope: Scope) -> str | None:
    authorization = _header(scope, b"authorization") or ""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    api_key = (_header(scope, b"x-api-key") or "").strip()
    return api_key or None


async def _caller(services: Services, scope: Scope) -> str | None:
    """``workspace:user`` the request acts as, resolved the way the routes resolve it."""
    credential = _credential(scope)
    if credential is None:
        return None
    try:
        identity = await authentication.identify(services, credential)
        async with services.db.read_sessionmaker() as session:
            actor = await authentication.acting_as(
                session,
                identity,
                clock=services.clock,
                requested_workspace_id=_header(scope, b"x-workspace-id"),
                database=services.db.name,
                cache_seconds=services.settings.api_key_cache_seconds,
            )
        workspace_id, user_id = actor.workspace_id, actor.user_id
    except errors.AppError:
        return None
    return f"{workspace_id}:{user_id}"


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    started: bool = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(bytes(message.get("body", b"")))

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def media_type(self) -> str | None:
        for key, value in self.headers:
            if key.lower() == b"content-type":
                return value.decode("latin-1")
        return None

    async def forward(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


@dataclass
class _Keyed:
    """A keyed write request, handed from the middleware to the route's dependency."""

    key: str
    body: bytes
    claimed: idempotency.Claimed | None = None


class Replayed(Exception):
    def __init__(self, previous: idempotency.Finished, style: ReplayStyle) -> None:
        super().__init__("replayed")
        self.previous = previous
        self.style = style


async def claim_idempotency_key(request: Request) -> None:
    """App-wide dependency: claims the request's key once the route is known (its template
    scopes the key, its dialect picks the presentation) and before anything else runs.
    Raises ``Replayed`` for a finished duplicate, 422/409 for a refused one."""
    keyed: _Keyed | None = request.scope.get("state", {}).get(STATE_KEY)
    route = request.scope.get("route")
    if keyed is None or keyed.claimed is not None or route is None:
        return
    services: Services = request.app.state.services
    caller = await _caller(services, request.scope)
    if caller is None:
        return  # the route's own authentication answers
    style = replay_style(getattr(route, "tags", None))
    settings = services.settings
    request_fingerprint = idempotency.fingerprint(
        request.method, request.url.path, request.scope.get("query_string", b""), keyed.body
    )
    outcome = await idempotency.claim_or_wait(
        services.db,
        scope=caller,
        endpoint=f"{request.method} {getattr(route, 'path', request.url.path)}",
        key=keyed.key,
        request_fingerprint=request_fingerprint,
        clock=services.clock.now,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
        wait_seconds=settings.idempotency_wait_seconds,
    )
    if isinstance(outcome, idempotency.Claimed):
        keyed.claimed = outcome
        return
    if not outcome.matches:
        if style is ReplayStyle.ZORBIT:
            raise errors.Conflict("Idempotency-Key was already used with a different request")
        raise errors.UnprocessableEntity()
    if isinstance(outcome, idempotency.Finished):
        raise Replayed(outcome, style)
    raise errors.Conflict(
        "A request with this Idempotency-Key is still being processed; retry later"
    )


def replay_response(previous: idempotency.Finished, style: ReplayStyle) -> Response:
    return Response(
        previous.body.encode("utf-8", errors="surrogateescape"),
        status_code=409 if style is ReplayStyle.ZORBIT else previous.status_code,
        media_type=previous.media_type,
        headers={"Idempotent-Replayed": "true"},
    )


class IdempotencyMiddleware:
    """Buffers a keyed write request's body (for its fingerprint), and after the route ran,
    stores a 2xx response under the claimed key before sending it, or releases the key."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            message = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
            await self._error(scope, send, errors.ValidationFailed(message))
            return
        try:
            body = await _read_body(receive)
        except HTTPException as exc:
            if exc.status_code != 413:
                raise
            await self._error(scope, send, errors.PayloadTooLarge())
            return
        keyed = _Keyed(key=key, body=body)
        scope.setdefault("state", {})[STATE_KEY] = keyed
        captured = _Captured()
        try:
            await self.app(scope, _replaying(body, receive), captured.send)
        except BaseException:
            if keyed.claimed is not None:
                await idempotency.release(self.services.db, keyed.claimed)
            raise
        if keyed.claimed is not None:
            if 200 <= captured.status < 300:
                await idempotency.complete(
                    self.services.db,
                    keyed.claimed,
                    status_code=captured.status,
                    body=captured.body.decode("utf-8", errors="surrogateescape"),
                    media_type=captured.media_type(),
                )
            else:
                await idempotency.release(self.services.db, keyed.claimed)
        await captured.forward(send)

    async def _error(self, scope: Scope, send: Send, error: errors.AppError) -> None:
        state = scope.setdefault("state", {})
        state["error_code"] = error.code
        body = envelope(
            str(state.get("request_id", "")), error, isoformat_z(self.services.clock.now())
        )
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


def install_idempotency(app: FastAPI, services: Services) -> None:
    """The middleware and the replay renderer; the claim is ``claim_idempotency_key``."""

    @app.exception_handler(Replayed)
    async def _replayed(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, Replayed)
        return replay_response(exc.previous, exc.style)

    app.add_middleware(IdempotencyMiddleware, services=services)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The body already read, handed to the route once; then the client's own stream."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped
