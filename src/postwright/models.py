"""Imports every area's models so the metadata (and Alembic) sees all tables."""

from postwright.core.idempotency import IdempotencyRecord
from postwright.core.models import Base
from postwright.domain.accounts.models import ApiKey, Membership, User, Workspace
from postwright.domain.accounts.sessions import DashboardSession
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
from postwright.domain.content.comment_models import Comment
from postwright.domain.content.conversation_models import Idea, Thread, ThreadMessage
from postwright.domain.content.models import Post
from postwright.domain.generation.models import GenerationUsage, WorkspaceAiConfig
from postwright.domain.jobs.executors.models import Executor, ExecutorTakeover
from postwright.domain.jobs.generation_models import ContentGeneration
from postwright.domain.jobs.models import BulkJob, BulkJobItem
from postwright.domain.media.models import ImageJob, MediaAsset
from postwright.domain.personas.models import Persona
from postwright.domain.projects.models import Moment, Project
from postwright.domain.publishing.models import (
    ConnectedAccount,
    EngagementSample,
    OAuthSignIn,
    OutboxEntryRecord,
    Publication,
)
from postwright.domain.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AdJob",
    "AdProduct",
    "AdProject",
    "ApiKey",
    "Base",
    "BulkJob",
    "BulkJobItem",
    "Comment",
    "ConnectedAccount",
    "ContentGeneration",
    "CreditBalance",
    "CreditLedgerEntry",
    "CreditReservation",
    "DashboardSession",
    "EngagementSample",
    "Executor",
    "ExecutorTakeover",
    "GenerationUsage",
    "Idea",
    "IdempotencyRecord",
    "ImageJob",
    "IncomingWebhookEvent",
    "MediaAsset",
    "Membership",
    "Moment",
    "OAuthSignIn",
    "OutboxEntryRecord",
    "Persona",
    "Plan",
    "Post",
    "Project",
    "Publication",
    "QuotaCounter",
    "Subscription",
    "Thread",
    "ThreadMessage",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workspace",
    "WorkspaceAiConfig",
]
