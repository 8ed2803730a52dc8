"""``Idempotency-Key`` for write routes: the core store, presented as each dialect documents.

zorbit: a repeated key answers the cached response with 409.
ietf (everything else, per draft-ietf-httpapi-idempotency-key-header): a repeated key
replays the original status and body with ``Idempotent-Replayed: true``; the same key with
a different payload is 422.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from postwright.api.deps import ActorDep, ServicesDep, SessionDep
from postwright.core import errors, idempotency
from postwright.core.services import Services
from postwright.domain.accounts.context import Actor

MAX_KEY_LENGTH = 255


class ReplayStyle(enum.Enum):
    ZORBIT = "zorbit"
    IETF = "ietf"


def _serialize(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(result)


class Idempotency:
    def __init__(
        self,
        request: Request,
        session: Any,
        actor: Actor,
        services: Services,
        style: ReplayStyle,
        key: str | None,
    ) -> None:
        self.request = request
        self.session = session
        self.actor = actor
        self.services = services
        self.style = style
        self.key = key or None

    async def run(
        self, handler: Callable[[], Awaitable[Any]], *, status_code: int = 200
    ) -> Response:
        """Run ``handler`` once per key; without a key it simply runs."""
        if self.key is None:
            return JSONResponse(_serialize(await handler()), status_code=status_code)
        route = self.request.scope.get("route")
        endpoint = f"{self.request.method} {getattr(route, 'path', self.request.url.path)}"
        body = await self.request.body()
        outcome = await idempotency.claim(
            self.session,
            scope=f"{self.actor.workspace_id}:{self.actor.user_id}",
            endpoint=endpoint,
            key=self.key,
            request_fingerprint=idempotency.fingerprint(
                self.request.method, self.request.url.path, body
            ),
            now=self.actor.now(),
            ttl=timedelta(hours=self.services.settings.idempotency_ttl_hours),
        )
        if isinstance(outcome, idempotency.Previous):
            return self._replay(outcome)
        payload = _serialize(await handler())
        text = json.dumps(payload, separators=(",", ":"))
        await idempotency.complete(self.session, outcome, status_code=status_code, body=text)
        return Response(text, status_code=status_code, media_type="application/json")

    def _replay(self, previous: idempotency.Previous) -> Response:
        if self.style is ReplayStyle.ZORBIT:
            if not previous.matches:
                raise errors.Conflict("Idempotency key already used with a different request")
            return Response(
                previous.body,
                status_code=409,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        if not previous.matches:
            raise errors.UnprocessableEntity()
        return Response(
            previous.body,
            status_code=previous.status_code,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )


def _dependency(style: ReplayStyle) -> Callable[..., Idempotency]:
    def build(
        request: Request,
        session: SessionDep,
        actor: ActorDep,
        services: ServicesDep,
        key: Annotated[
            str | None,
            Header(
                alias="Idempotency-Key",
                max_length=MAX_KEY_LENGTH,
                description="Makes the request safe to retry: it runs at most once per key",
            ),
        ] = None,
    ) -> Idempotency:
        return Idempotency(request, session, actor, services, style, key)

    return build


ZorbitIdempotency = Annotated[Idempotency, Depends(_dependency(ReplayStyle.ZORBIT))]
IetfIdempotency = Annotated[Idempotency, Depends(_dependency(ReplayStyle.IETF))]
