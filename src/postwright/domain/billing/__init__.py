"""Billing: credits, plans, subscriptions, quotas. Other areas use ``billing.service``."""
