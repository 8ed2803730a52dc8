"""The dashboard in a real headless Chromium against a real ``postwright serve`` process.

One server (SQLite, seeded by ``postwright demo``) and one browser serve the whole module;
every test gets a fresh browser context and signs in through the form. Debian's chromium is
used (Playwright's own browser download does not work here); without it the tests skip,
unless ``POSTWRIGHT_TEST_REQUIRE_BROWSER=1`` makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.databases import SqliteTemplate
from tests.domain.publishing.world import (
    AcceptsIssuedTokens,
)
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.buffer import FakeBuffer
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.oauth import FakeOAuth
from tests.fakes.publer import FakePubler
from tests.processes import app_env, run_cli, served

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 375, "height": 812}
SERIOUS = ("serious", "critical")
# Elements reaching past the viewport's right edge (outside scrollable tables).
WIDER_THAN_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-wrap, .tabs"))
    .slice(0, 5).map(e => e.tagName + "." + e.className);
}"""


def _require_browser() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (install it with `make chromium`)"
    if os.environ.get("POSTWRIGHT_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass(frozen=True)
class Networks:
    """Fake providers on 127.0.0.1, started before the server so its settings name them."""

    linkedin_auth: FakeOAuth
    linkedin: FakeLinkedIn
    bluesky: FakeBluesky
    buffer: FakeBuffer
    publer: FakePubler

    def env(self) -> dict[str, str]:
        return {
            "POSTWRIGHT_PUBLISHING_BASE_URLS": json.dumps(
                {
                    "linkedin": self.linkedin.base_url,
                    "bluesky": self.bluesky.base_url,
                    "buffer": self.buffer.base_url,
                    "publer": self.publer.base_url,
                }
            ),
            "POSTWRIGHT_PUBLISHING_LINKEDIN_CLIENT_ID": self.linkedin_auth.client_id,
            "POSTWRIGHT_PUBLISHING_LINKEDIN_CLIENT_SECRET": str(self.linkedin_auth.client_secret),
            "POSTWRIGHT_PUBLISHING_LINKEDIN_AUTHORIZE_URL": self.linkedin_auth.authorize_url,
            "POSTWRIGHT_PUBLISHING_LINKEDIN_TOKEN_URL": self.linkedin_auth.token_url,
        }


@dataclass(frozen=True)
class Dashboard:
    base_url: str
    api_key: str
    second_workspace: str
    env: dict[str, str]
    networks: Networks


@pytest.fixture(scope="session")
def networks() -> Iterator[Networks]:
    with ExitStack() as stack:
        linkedin = stack.enter_context(FakeLinkedIn().running())
        # The fake authorization server issues ``access-N``; the fake LinkedIn takes them.
        linkedin.valid_tokens = AcceptsIssuedTokens(linkedin.valid_tokens)
        yield Networks(
            linkedin_auth=stack.enter_context(FakeOAuth("li-client", "li-secret").running()),
            linkedin=linkedin,
            bluesky=stack.enter_context(FakeBluesky().running()),
            buffer=stack.enter_context(FakeBuffer().running()),
            publer=stack.enter_context(FakePubler().running()),
        )


@pytest.fixture(scope="session")
def dashboard(
    sqlite_template: SqliteTemplate,
    tmp_path_factory: pytest.TempPathFactory,
    networks: Networks,
) -> Iterator[Dashboard]:
    _require_browser()
    directory = tmp_path_factory.mktemp("dashboard")
    env = app_env(
        sqlite_template.fresh(directory),
        directory,
        POSTWRIGHT_HTTP_ALLOW_LOOPBACK_URLS="true",
        POSTWRIGHT_JOBS_POLLING_INTERVAL_SECONDS="0.2",
        **networks.env(),
    )
    demo = run_cli("demo", env=env)
    assert demo.returncode == 0, demo.stderr
    key = demo.stdout.split("API key: ")[1].split()[0]
    second = run_cli(
        "workspace",
        "create",
        "--name",
        "Second brand",
        "--owner-email",
        "demo@postwright.local",
        "--json",
        env=env,
    )
    assert second.returncode == 0, second.stderr
    with served(env) as base_url:
        yield Dashboard(
            base_url=base_url,
            api_key=key,
            second_workspace=json.loads(second.stdout)["workspace_id"],
            env=env,
            networks=networks,
        )


@pytest.fixture(scope="module")
def browser(dashboard: Dashboard) -> Iterator[Any]:
    """Started after the server, one per module: Playwright's sync API keeps an event loop
    running in this thread while it lives, and the database fixtures (and the in-process
    tests of this package) use ``asyncio.run``."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def anonymous(browser: Any, dashboard: Dashboard) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, base_url=dashboard.base_url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, api_key: str) -> None:
    page.goto("/app/login")
    page.get_by_label("API key").fill(api_key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/app/compose"))


@pytest.fixture
def signed_in(anonymous: Any, dashboard: Dashboard) -> Any:
    sign_in(anonymous, dashboard.api_key)
    return anonymous


def check_page(page: Any, name: str) -> None:
    """No serious or critical axe-core violations, at desktop and phone width; a screenshot
    of each under test-artifacts/web/ (not committed) to look at."""
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        assert not bad, f"{name} ({label}): " + "; ".join(
            f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in bad
        )
        wide = page.evaluate(WIDER_THAN_VIEWPORT)
        assert not wide, f"{name} ({label}) scrolls sideways: {wide}"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
