"""Postwright's outgoing webhooks: endpoints a workspace registers for job and post events.

Deliveries follow Standard Webhooks (standardwebhooks.com): a JSON body
``{"type", "timestamp", "data"}`` with ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, keyed with the
endpoint's ``whsec_`` secret). Failed deliveries are retried with exponential backoff for about
a day; a ``410 Gone`` answer disables the endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from postwright.api.deps import ManagerCtxDep
from postwright.core.errors import NotFound, error_responses
from postwright.domain.webhooks import service as webhooks
from postwright.domain.webhooks.events import EVENT_TYPES
from postwright.domain.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

router = APIRouter(prefix="/api/v1/webhooks", tags=["platform: outgoing webhooks"])


class CreateEndpointBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    url: HttpUrl = Field(description="Where to POST events; must be publicly reachable")
    events: list[str] = Field(
        default_factory=list,
        max_length=len(EVENT_TYPES),
        description=f"Event types to receive (empty: all). Known: {', '.join(EVENT_TYPES)}",
    )
    description: str | None = Field(default=None, max_length=500)


class EndpointOut(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabledReason: str | None
    createdAt: datetime


class CreatedEndpointOut(EndpointOut):
    secret: str = Field(
        description="The signing secret (whsec_…). Shown once: it cannot be read again"
    )


class EndpointList(BaseModel):
    webhooks: list[EndpointOut]


class AttemptOut(BaseModel):
    number: int
    attemptedAt: datetime
    statusCode: int | None
    error: str | None
    durationMs: int


class DeliveryOut(BaseModel):
    id: str = Field(description="The webhook-id header every attempt of this delivery carries")
    eventType: str
    status: str = Field(description="pending, delivered, failed or cancelled")
    attemptCount: int
    createdAt: datetime
    deliveredAt: datetime | None
    nextAttemptAt: datetime | None
    attempts: list[AttemptOut]


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
    nextCursor: str | None
    hasMore: bool


def _endpoint_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.event_types),
        description=endpoint.description,
        enabled=endpoint.enabled,
        disabledReason=endpoint.disabled_reason,
        createdAt=endpoint.created_at,
    )


def _delivery_out(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        eventType=delivery.event_type,
        status=str(delivery.status),
        attemptCount=delivery.attempt_count,
        createdAt=delivery.created_at,
        deliveredAt=delivery.delivered_at,
        nextAttemptAt=delivery.next_attempt_at,
        attempts=[
            AttemptOut(
                number=a.number,
                attemptedAt=a.attempted_at,
                statusCode=a.status_code,
                error=a.error,
                durationMs=a.duration_ms,
            )
            for a in attempts
        ],
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedEndpointOut,
    responses=error_responses(),
)
async def create_endpoint(body: CreateEndpointBody, ctx: ManagerCtxDep) -> CreatedEndpointOut:
    """Register an endpoint (workspace owners and admins). URLs that resolve to private,
    loopback or metadata addresses are refused with 400."""
    created = await webhooks.create_endpoint(
        ctx, url=str(body.url), event_types=body.events, description=body.description
    )
    return CreatedEndpointOut(**_endpoint_out(created.endpoint).model_dump(), secret=created.secret)


@router.get("", response_model=EndpointList, responses=error_responses())
async def list_endpoints(ctx: ManagerCtxDep) -> EndpointList:
    rows = await webhooks.list_endpoints(ctx)
    return EndpointList(webhooks=[_endpoint_out(e) for e in rows])


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(NotFound),
)
async def delete_endpoint(endpoint_id: str, ctx: ManagerCtxDep) -> Response:
    """Stop sending to the endpoint and forget its delivery history."""
    await webhooks.delete_endpoint(ctx, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=DeliveryList,
    responses=error_responses(NotFound),
)
async def list_deliveries(
    endpoint_id: str,
    ctx: ManagerCtxDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> DeliveryList:
    """Deliveries to this endpoint, newest first, each with every attempt made."""
    found = await webhooks.list_deliveries(ctx, endpoint_id, cursor=cursor, limit=limit)
    return DeliveryList(
        deliveries=[_delivery_out(d, found.attempts[d.id]) for d in found.page.items],
        nextCursor=found.page.next_cursor,
        hasMore=found.page.has_more,
    )


class EventPayload(BaseModel):
    type: str = Field(description="The event type, e.g. generation.completed")
    timestamp: datetime = Field(description="When the event happened")
    data: dict[str, Any] = Field(description="The event's subject (ids, status, outputs)")


EVENT_DATA = {
    "generation.completed": "generation_id, status, platforms, credits_used, outputs",
    "generation.failed": "generation_id, status, platforms, credits_used (0), error",
    "bulk_job.completed": "job_id, status, platform, total/completed/failed/skipped_posts",
    "bulk_job.failed": "job_id, status, counts and error",
    "bulk_job.paused": "job_id, status and counts (paused for credits)",
    "bulk_job.cancelled": "job_id, status and counts",
    "image.completed": "image job id, status and image URL",
    "image.failed": "image job id, status and error",
    "post.published": "post_id, platform, external id and URL",
    "post.failed": "post_id, platform and error",
}


def document_events(events: APIRouter) -> None:
    """Describe every event in the OpenAPI ``webhooks`` section (``app.webhooks``)."""
    for event_type in EVENT_TYPES:

        async def receive(
            payload: EventPayload,
            webhook_id: Annotated[str, Header(alias="webhook-id")],
            webhook_timestamp: Annotated[str, Header(alias="webhook-timestamp")],
            webhook_signature: Annotated[str, Header(alias="webhook-signature")],
        ) -> None:
            """Answer 2xx to acknowledge; anything else is retried, 410 disables the endpoint."""

        events.post(
            event_type,
            summary=event_type,
            operation_id=f"webhook_{event_type.replace('.', '_')}",
            description=f"Sent to subscribed endpoints. ``data``: {EVENT_DATA[event_type]}. "
            "Verify the Standard Webhooks signature with your endpoint's secret; the same "
            "``webhook-id`` repeats on every retry of one delivery.",
            status_code=status.HTTP_200_OK,
        )(receive)
