"""Imports every area's models so the metadata (and Alembic) sees all tables."""

from postwright.core.idempotency import IdempotencyRecord
from postwright.core.models import Base
from postwright.domain.accounts.models import ApiKey, Membership, User, Workspace
from postwright.domain.adcopy.models import AdJob, AdProduct, AdProject
from postwright.domain.billing.models import (
    CreditBalance,
    CreditLedgerEntry,
    CreditReservation,
    IncomingWebhookEvent,
    Plan,
    QuotaCounter,
    Subscription,
)
from postwright.domain.content.models import Post
from postwright.domain.generation.models import GenerationUsage, WorkspaceAiConfig
from postwright.domain.jobs.models import BulkJob, BulkJobItem
from postwright.domain.personas.models import Persona

__all__ = [
    "AdJob",
    "AdProduct",
    "AdProject",
    "ApiKey",
    "Base",
    "BulkJob",
    "BulkJobItem",
    "CreditBalance",
    "CreditLedgerEntry",
    "CreditReservation",
    "GenerationUsage",
    "IdempotencyRecord",
    "IncomingWebhookEvent",
    "Membership",
    "Persona",
    "Plan",
    "Post",
    "QuotaCounter",
    "Subscription",
    "User",
    "Workspace",
    "WorkspaceAiConfig",
]
