"""How one MCP tool call runs: the caller's identity, the rate limit, one unit of work, the
idempotency store, and API errors turned into MCP tool errors.

Tools are written as plain async functions taking the domain ``Ctx`` first (like the
routers' handlers); ``bind`` turns each into what the SDK registers: a function with the
tool's own typed arguments, an ``idempotency_key`` when it writes, and the SDK's
``Context``; ``api_tool`` wraps it in an ``ApiTool`` so arguments that do not match the
schema are refused in the API's envelope too. Nothing in here knows a business rule: tools
call the domain services.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Protocol, TypeVar

import pydantic_core
import structlog
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from postwright.core import errors, idempotency
from postwright.core.db import discard_after_commit, run_after_commit
from postwright.core.logging import logger
from postwright.core.services import Services
from postwright.domain.accounts import authentication
from postwright.domain.accounts.authentication import Identity
from postwright.domain.context import RequestCtx

ModelT = TypeVar("ModelT", bound=BaseModel)
ToolFn = Callable[..., Awaitable[BaseModel]]

IDEMPOTENCY_KEY = Annotated[
    str | None,
    Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Makes a retry safe: a second call with the same key and the same "
        "arguments returns the first result and is never charged again. Use a fresh "
        "random key (e.g. a UUID) per intended action.",
    ),
]


@dataclass(frozen=True)
class Limit:
    """A tool's rate-limit class (``read``, ``write``, ``ai`` or a named one) and the bucket
    it counts in: the HTTP route it mirrors, so a user has one budget across API and MCP."""

    limit_class: str
    bucket: str
    limit: str | None = None


READ = Limit("read", "read")
WRITE = Limit("write", "write")


def ai_limit(route: str) -> Limit:
    return Limit("ai", route)


@dataclass(frozen=True)
class ToolSpec:
    fn: ToolFn
    name: str
    title: str
    limit: Limit
    writes: bool
    annotations: ToolAnnotations
    output: TypeAdapter[Any] = field(repr=False)


TOOLS: list[ToolSpec] = []


def tool(
    *,
    title: str,
    limit: Limit = READ,
    writes: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
) -> Callable[[Callable[..., Awaitable[ModelT]]], Callable[..., Awaitable[ModelT]]]:
    """Declare a tool. ``writes``: it changes state, so it runs in a write transaction and
    takes an optional ``idempotency_key``."""

    def register(fn: Callable[..., Awaitable[ModelT]]) -> Callable[..., Awaitable[ModelT]]:
        returns = inspect.signature(fn, eval_str=True).return_annotation
        TOOLS.append(
            ToolSpec(
                fn=fn,
                name=fn.__name__,
                title=title,
                limit=limit,
                writes=writes,
                annotations=ToolAnnotations(
                    title=title,
                    read_only_hint=not writes,
                    destructive_hint=destructive if writes else None,
                    idempotent_hint=idempotent if writes else None,
                    open_world_hint=False,
                ),
                output=TypeAdapter(returns),
            )
        )
        return fn

    return register


@dataclass(frozen=True)
class Caller:
    """Who calls: a verified identity and the workspace asked for (``X-Workspace-Id``)."""

    identity: Identity
    workspace_id: str | None = None


class CallerSource(Protocol):
    """How a transport tells who is calling: HTTP from the request the guard verified,
    stdio from the key the process was started with."""

    async def __call__(self, context: Context) -> Caller: ...


def error_result(error: errors.AppError) -> CallToolResult:
    """An MCP tool error carrying the API's error code, message and details."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details is not None:
        body["details"] = error.details
    body.update(error.extras)
    if error.quota is not None:
        body["quota"] = error.quota
    payload = {"error": pydantic_core.to_jsonable_python(body, fallback=str)}
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(payload))],
        structured_content=payload,
        is_error=True,
    )


def _fingerprint(name: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps(
        pydantic_core.to_jsonable_python(arguments, fallback=str),
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{name}\n{canonical}".encode()).hexdigest()


class Runtime:
    """Runs tool calls for one server: services and the transport's way of knowing the
    caller."""

    def __init__(self, services: Services, callers: CallerSource) -> None:
        self.services = services
        self.callers = callers

    async def _enforce(self, limit: Limit, user_id: str) -> None:
        settings = self.services.settings.rate_limit
        if not settings.enabled:
            return
        rate = limit.limit or getattr(settings, limit.limit_class)
        state = await self.services.limiter.hit(rate, user_id, limit.limit_class, limit.bucket)
        if not state.allowed:
            self.services.metrics.rate_limited.labels(limit.limit_class).inc()
            raise errors.RateLimited(
                f"Rate limit exceeded: {rate}. Retry after {state.retry_after} seconds",
                extras={"retryAfter": state.retry_after},
            )

    async def call(
        self,
        spec: ToolSpec,
        context: Context,
        arguments: dict[str, Any],
        idempotency_key: str | None,
    ) -> Any:
        try:
            caller = await self.callers(context)
            await self._enforce(spec.limit, caller.identity.user_id)
            return await self._unit_of_work(spec, caller, arguments, idempotency_key)
        except errors.AppError as exc:
            return error_result(exc)
        except Exception as exc:
            logger.error("mcp_tool_failed", tool=spec.name, exc_info=exc)
            return error_result(errors.AppError())

    async def read(
        self, context: Context, work: Callable[[RequestCtx], Awaitable[ModelT]]
    ) -> ModelT:
        """A read for a resource or a prompt: the caller, the read limit, a read
        transaction. Errors propagate as ``AppError`` for the caller to present."""
        caller = await self.callers(context)
        await self._enforce(READ, caller.identity.user_id)
        async with self.session(writes=False) as session:
            return await work(await self.context(session, caller))

    def session(self, *, writes: bool) -> AsyncSession:
        db = self.services.db
        return (db.sessionmaker if writes else db.read_sessionmaker)()

    async def _unit_of_work(
        self,
        spec: ToolSpec,
        caller: Caller,
        arguments: dict[str, Any],
        idempotency_key: str | None,
    ) -> Any:
        """One transaction per call: committed when the tool returns, else rolled back;
        work queued for after the commit (job starts) runs only then."""
        if spec.writes and idempotency_key:
            return await self._once(spec, caller, arguments, idempotency_key)
        return await self._run(spec, caller, arguments)

    async def _run(self, spec: ToolSpec, caller: Caller, arguments: dict[str, Any]) -> Any:
        async with self.session(writes=spec.writes) as session:
            try:
                ctx = await self.context(session, caller)
                structlog.contextvars.bind_contextvars(
                    mcp_tool=spec.name, user_id=ctx.user_id, workspace_id=ctx.workspace_id
                )
                result = await spec.fn(ctx, **arguments)
                await session.commit()
            except BaseException:
                await session.rollback()
                discard_after_commit(session)
                raise
            await run_after_commit(session)
            return result

    async def context(self, session: AsyncSession, caller: Caller) -> RequestCtx:
        actor = await authentication.acting_as(
            session,
            caller.identity,
            clock=self.services.clock,
            requested_workspace_id=caller.workspace_id,
        )
        return RequestCtx(session=session, actor=actor, services=self.services)

    async def _once(
        self, spec: ToolSpec, caller: Caller, arguments: dict[str, Any], key: str
    ) -> Any:
        """The one idempotency store, keyed per caller and tool (the same claim → run →
        store protocol as the HTTP layer): a replay returns the stored result, a concurrent
        duplicate waits for it, so nothing is done or charged twice."""
        settings = self.services.settings
        workspace = caller.workspace_id or caller.identity.workspace_id
        outcome = await idempotency.claim_or_wait(
            self.services.db,
            scope=f"{workspace}:{caller.identity.user_id}",
            endpoint=f"mcp:{spec.name}",
            key=key,
            request_fingerprint=_fingerprint(spec.name, arguments),
            clock=self.services.clock.now,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            wait_seconds=settings.idempotency_wait_seconds,
        )
        if not isinstance(outcome, idempotency.Claimed):
            if not outcome.matches:
                raise errors.UnprocessableEntity(
                    "idempotency_key was already used with different arguments"
                )
            if isinstance(outcome, idempotency.Finished):
                return spec.output.validate_json(outcome.body)
            raise errors.Conflict("A call with this idempotency_key is still running")
        try:
            result = await self._run(spec, caller, arguments)
        except BaseException:
            await idempotency.release(self.services.db, outcome)
            raise
        body = spec.output.dump_json(result).decode()
        await idempotency.complete(
            self.services.db, outcome, status_code=200, body=body, media_type="application/json"
        )
        return result


def bind(spec: ToolSpec, runtime: Runtime) -> Callable[..., Awaitable[Any]]:
    """The function the SDK registers: the tool's own arguments (its schema), an optional
    ``idempotency_key`` for writes, and the SDK's ``Context`` in place of our ``Ctx``."""
    signature = inspect.signature(spec.fn, eval_str=True)
    parameters = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in list(signature.parameters.values())[1:]
    ]
    if spec.writes:
        parameters.append(
            inspect.Parameter(
                "idempotency_key",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=IDEMPOTENCY_KEY,
            )
        )
    parameters.append(
        inspect.Parameter("mcp_context", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    )

    async def call(**kwargs: Any) -> Any:
        context: Context = kwargs.pop("mcp_context")
        key: str | None = kwargs.pop("idempotency_key", None)
        return await runtime.call(spec, context, kwargs, key)

    call.__name__ = spec.name
    call.__qualname__ = spec.name
    call.__doc__ = inspect.getdoc(spec.fn)
    call.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in parameters} | {
        "return": signature.return_annotation
    }
    return call


def invalid_arguments(tool_name: str, exc: ValidationError) -> errors.ValidationFailed:
    """Arguments that do not match a tool's input schema, as the API words a request body
    that does not match its model: ``VALIDATION_ERROR`` with one detail per field."""
    details = [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "arguments",
            "message": item["msg"],
            "type": item["type"],
        }
        for item in exc.errors(include_url=False, include_input=False)
    ]
    problems = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return errors.ValidationFailed(
        f"Invalid arguments for {tool_name}: {problems}", details=details
    )


class ApiTool(Tool):
    """The SDK's tool, except that arguments its schema refuses come back as the API's
    ``VALIDATION_ERROR`` tool error (like every other error) instead of pydantic's text."""

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        try:
            return await super().run(arguments, context, convert_result=convert_result)
        except ToolError as exc:
            # The SDK raises argument validation failures as a ToolError caused by the
            # ValidationError (its own handler tells them apart the same way).
            if not isinstance(exc.__cause__, ValidationError):
                raise
            refused = invalid_arguments(self.name, exc.__cause__)
            logger.info("mcp_tool_invalid_arguments", tool=self.name, details=refused.details)
            return error_result(refused)


def api_tool(spec: ToolSpec, runtime: Runtime) -> Tool:
    """What the server registers for ``spec``."""
    return ApiTool.from_function(
        bind(spec, runtime), name=spec.name, title=spec.title, annotations=spec.annotations
    )
