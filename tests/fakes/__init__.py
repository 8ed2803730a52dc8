"""Fake provider servers on 127.0.0.1 for publishing tests (and the later end-to-end tests).

One module per provider, each following the provider's documented request and response
shapes: ``linkedin.FakeLinkedIn``, ``x.FakeX``, ``bluesky.FakeBluesky``,
``mastodon.FakeMastodon``, ``buffer.FakeBuffer``, ``publer.FakePubler``, and
``oauth.FakeOAuth`` (authorization server for LinkedIn/X, with PKCE). ``server.FakeServer`` is
the shared base; ``fixtures`` holds ready-made pytest fixtures (``fake_x``, …) and ``PNG``.

    with FakeMastodon().running() as fake:     # uvicorn in a thread, free port
        fake.base_url                          # point the adapter here
        fake.token                             # the valid credential (api_key for Buffer/Publer)
        fake.fail_next(503, times=1)           # next write answers 503 (after=N to skip N)
        fake.lose_next_response()              # next create happens, client sees 504
        fake.delay_next(2.0)                   # next request is held (client timeouts)
        fake.revoke(fake.token)                # token now answers 401
        fake.posts                             # every created post, in order
        fake.requests                          # every request: method, path, headers, body
        fake.reset()                           # between tests
"""
