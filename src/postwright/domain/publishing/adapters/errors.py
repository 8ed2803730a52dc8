"""How a provider call failed, in the three kinds a caller acts on differently.

``RetryableError``: try again later (429, 5xx, timeouts). ``NeedsReconnect``: the account's
token is invalid, expired or lost a permission; mark the account and stop. ``BadContent``: the
network refused this post (too long, duplicate, media rejected); retrying will not help.
Every error carries a ``reason`` written for the user who owns the post.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postwright.domain.publishing.adapters.base import PublishResult


class PublishingError(Exception):
    def __init__(
        self,
        reason: str,
        *,
        provider: str,
        status_code: int | None = None,
        partial: PublishResult | None = None,
    ) -> None:
        super().__init__(f"{provider}: {reason}")
        self.reason = reason
        self.provider = provider
        self.status_code = status_code
        # A thread that failed after its first post went out: what already exists remotely,
        # so the caller records it instead of publishing the root a second time.
        self.partial = partial


class RetryableError(PublishingError):
    def __init__(
        self,
        reason: str,
        *,
        provider: str,
        status_code: int | None = None,
        retry_after: float | None = None,
        partial: PublishResult | None = None,
    ) -> None:
        super().__init__(reason, provider=provider, status_code=status_code, partial=partial)
        self.retry_after = retry_after


class NeedsReconnect(PublishingError):
    pass


class BadContent(PublishingError):
    pass


class DuplicatePost(BadContent):
    """The network refused the text as a duplicate of a post it already has.

    ``existing_id`` names that post when the network says which one (LinkedIn does). After a
    lost response this *is* the reconciliation: the earlier attempt went out as that post.
    """

    def __init__(
        self,
        reason: str,
        *,
        provider: str,
        status_code: int | None = None,
        existing_id: str | None = None,
    ) -> None:
        super().__init__(reason, provider=provider, status_code=status_code)
        self.existing_id = existing_id


__all__ = ["BadContent", "DuplicatePost", "NeedsReconnect", "PublishingError", "RetryableError"]
