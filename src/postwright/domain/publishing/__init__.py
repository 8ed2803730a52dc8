"""Publishing: connected accounts, the exactly-once publish loop, provider adapters, OAuth
helpers and the builtin outbox feed.

Rules: ``accounts`` (list, default per provider, token refresh, needs-reconnect) and
``connect`` (OAuth and credential connections); ``claims`` + ``publisher`` (the publish
protocol) run by ``workflow`` (DBOS cron + one durable workflow per publication);
``scheduling`` (``schedule_post`` for sparkvox, ``schedule`` for every dialect); ``sharing``
(zorbit's cron trigger and share-to-LinkedIn); ``posts`` (powerpost); ``engagement``
(history and suggest-time); ``outbox`` (feeds). Models in ``models``.

The provider layer below holds no database models and no HTTP routes; callers pass
credentials in and record what comes back.

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
