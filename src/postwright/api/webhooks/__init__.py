"""Incoming webhooks (identity provider, payments): signed, never API-key authenticated."""
