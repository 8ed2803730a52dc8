"""The one error envelope every dialect answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    message: str
    details: Any = None
    requestId: str
    timestamp: str


class QuotaBody(BaseModel):
    type: str
    limit: int
    used: int
    remaining: int
    resetAt: str | None


class ErrorEnvelope(BaseModel):
    error: ErrorBody
    quota: QuotaBody | None = None
