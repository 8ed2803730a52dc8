"""Publishing: provider adapters, OAuth helpers and the builtin outbox feed.

This package is the provider layer only. It holds no database models and no HTTP routes;
callers (the scheduler, the API) pass credentials in and record what comes back.

- ``adapters``: ``adapter_for(provider, credentials, PublishingConfig)``, ``PROVIDERS`` with
  capabilities; ``adapters.base`` (``PublishingAdapter``, ``PublishRequest``,
  ``PublishResult``, ``Credentials``, ``Media``); ``adapters.errors`` (``RetryableError``,
  ``NeedsReconnect``, ``BadContent``, ``DuplicatePost``).
- ``oauth``: authorization URLs, code exchange and refresh (Authlib), Bluesky sessions.
- ``outbox_feed``: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the builtin ``outbox`` provider,
  whose storage protocol is ``adapters.outbox.OutboxStore``.

Exactly-once publishing is the caller's protocol: record the attempt (with an idempotency
key) before ``publish``; after a crash or a ``RetryableError``, call ``find_recent`` before
publishing again; a ``DuplicatePost`` with ``existing_id`` also means the post exists.
"""
