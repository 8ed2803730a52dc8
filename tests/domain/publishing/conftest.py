from tests.domain.publishing.world import (  # noqa: F401 - fixtures used by this package
    fakes,
    linkedin_auth_server,
    x_auth_server,
)
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
