"""Process endpoints: liveness, readiness, metrics, and the spec in YAML."""

from __future__ import annotations

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from postwright.api.deps import ServicesDep
from postwright.core.errors import ServiceUnavailable, error_responses
from postwright.domain.jobs.executors import liveness

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=error_responses(ServiceUnavailable))
async def readyz(services: ServicesDep) -> Health:
    """The database answers."""
    try:
        await services.db.ping()
    except Exception as exc:
        raise ServiceUnavailable("Database is not reachable") from exc
    return Health(status="ready")


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(services: ServicesDep) -> Response:
    """Prometheus exposition: latency histograms, error and rate-limit counters, job
    executors alive and workflows taken over."""
    async with services.db.read_sessionmaker() as session:
        alive, taken = await liveness.counts(session, seen_after=liveness.alive_since(services))
    services.metrics.executors_alive.set(alive)
    services.metrics.workflows_taken_over.set(taken)
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/v1/openapi.yaml", include_in_schema=False)
async def openapi_yaml(request: Request) -> Response:
    spec = request.app.openapi()
    return Response(yaml.safe_dump(spec, sort_keys=False), media_type="application/yaml")
