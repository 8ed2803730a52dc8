"""Outgoing webhooks (Standard Webhooks). Other areas call only ``emit``."""

from postwright.domain.webhooks.service import emit

__all__ = ["emit"]
