"""Pytest fixtures for the fake provider servers, for any test package to import.

Each ``<provider>_server`` fixture starts one server per test session; ``fake_<provider>``
resets its recorded posts and scripted failures before each test. Import the pairs you need
into a ``conftest.py``::

    from tests.fakes.fixtures import fake_x, x_server  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.bluesky import FakeBluesky
from tests.fakes.buffer import FakeBuffer
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.publer import FakePubler
from tests.fakes.x import FakeX

# A valid 1x1 PNG, for media uploads.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="session")
def mastodon_server() -> Iterator[FakeMastodon]:
    with FakeMastodon().running() as fake:
        yield fake


@pytest.fixture
def fake_mastodon(mastodon_server: FakeMastodon) -> FakeMastodon:
    mastodon_server.reset()
    return mastodon_server


@pytest.fixture(scope="session")
def linkedin_server() -> Iterator[FakeLinkedIn]:
    with FakeLinkedIn().running() as fake:
        yield fake


@pytest.fixture
def fake_linkedin(linkedin_server: FakeLinkedIn) -> FakeLinkedIn:
    linkedin_server.reset()
    return linkedin_server


@pytest.fixture(scope="session")
def x_server() -> Iterator[FakeX]:
    with FakeX().running() as fake:
        yield fake


@pytest.fixture
def fake_x(x_server: FakeX) -> FakeX:
    x_server.reset()
    return x_server


@pytest.fixture(scope="session")
def bluesky_server() -> Iterator[FakeBluesky]:
    with FakeBluesky().running() as fake:
        yield fake


@pytest.fixture
def fake_bluesky(bluesky_server: FakeBluesky) -> FakeBluesky:
    bluesky_server.reset()
    return bluesky_server


@pytest.fixture(scope="session")
def buffer_server() -> Iterator[FakeBuffer]:
    with FakeBuffer().running() as fake:
        yield fake


@pytest.fixture
def fake_buffer(buffer_server: FakeBuffer) -> FakeBuffer:
    buffer_server.reset()
    return buffer_server


@pytest.fixture(scope="session")
def publer_server() -> Iterator[FakePubler]:
    with FakePubler().running() as fake:
        yield fake


@pytest.fixture
def fake_publer(publer_server: FakePubler) -> FakePubler:
    publer_server.reset()
    return publer_server
