"""Postwright's own account endpoints: workspaces and API keys (no dialect documents them)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import ActorDep, CtxDep, SessionDep
from postwright.core.errors import Conflict, NotFound, UnprocessableEntity, error_responses
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import ApiKey

router = APIRouter(prefix="/api/v1", tags=["platform: workspaces and keys"])


class WorkspaceOut(BaseModel):
    id: str
    name: str
    timezone: str
    role: str
    createdAt: datetime


class WorkspaceList(BaseModel):
    workspaces: list[WorkspaceOut]


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it")
    workspaceId: str
    createdAt: datetime
    lastUsedAt: datetime | None
    revokedAt: datetime | None


class CreatedApiKey(ApiKeyOut):
    key: str = Field(
        description="The key itself. Shown once: it is not stored and cannot be read again"
    )


class ApiKeyList(BaseModel):
    keys: list[ApiKeyOut]


class CreateApiKeyBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)


def _key_out(key: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        workspaceId=key.workspace_id,
        createdAt=key.created_at,
        lastUsedAt=key.last_used_at,
        revokedAt=key.revoked_at,
    )


@router.get("/workspaces", response_model=WorkspaceList, responses=error_responses())
async def list_workspaces(actor: ActorDep, session: SessionDep) -> WorkspaceList:
    rows = await accounts.list_workspaces(session, user=actor.user)
    return WorkspaceList(
        workspaces=[
            WorkspaceOut(
                id=w.id, name=w.name, timezone=w.timezone, role=r.value, createdAt=w.created_at
            )
            for w, r in rows
        ]
    )


@router.get("/api-keys", response_model=ApiKeyList, responses=error_responses())
async def list_api_keys(ctx: CtxDep) -> ApiKeyList:
    return ApiKeyList(keys=[_key_out(k) for k in await accounts.list_api_keys(ctx)])


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedApiKey,
    responses=error_responses(Conflict, UnprocessableEntity),
)
async def create_api_key(body: CreateApiKeyBody, ctx: CtxDep) -> CreatedApiKey:
    issued = await accounts.create_api_key_for(ctx, name=body.name)
    return CreatedApiKey(**_key_out(issued.key).model_dump(), key=issued.plaintext)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut, responses=error_responses(NotFound))
async def revoke_api_key(key_id: str, ctx: CtxDep) -> ApiKeyOut:
    return _key_out(await accounts.revoke_api_key(ctx, key_id))
