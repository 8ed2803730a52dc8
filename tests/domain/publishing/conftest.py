from collections.abc import Iterator

import pytest

from tests.domain.publishing.world import Fakes
from tests.fakes.fixtures import (  # noqa: F401 - fixtures used by this package's tests
    bluesky_server,
    buffer_server,
    fake_bluesky,
    fake_buffer,
    fake_linkedin,
    fake_mastodon,
    fake_publer,
    fake_x,
    linkedin_server,
    mastodon_server,
    publer_server,
    x_server,
)
from tests.fakes.oauth import FakeOAuth


@pytest.fixture(scope="session")
def linkedin_auth_server() -> Iterator[FakeOAuth]:
    with FakeOAuth("li-client", "li-secret").running() as fake:
        yield fake


@pytest.fixture(scope="session")
def x_auth_server() -> Iterator[FakeOAuth]:
    with FakeOAuth("x-client", "x-secret", require_pkce=True).running() as fake:
        yield fake


@pytest.fixture
def fakes(
    request: pytest.FixtureRequest,
    linkedin_auth_server: FakeOAuth,
    x_auth_server: FakeOAuth,
) -> Fakes:
    """Every fake network, reset (through their ``fake_*`` fixtures)."""
    linkedin_auth_server.reset()
    x_auth_server.reset()
    linkedin_auth_server.expires_in = 3600
    networks = ["linkedin", "x", "bluesky", "mastodon", "buffer", "publer"]
    found = [request.getfixturevalue(f"fake_{name}") for name in networks]
    return Fakes(*found, linkedin_auth_server, x_auth_server)
