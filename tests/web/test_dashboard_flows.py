"""The dashboard flows beyond the first pass: compose's image, draft and "publish now";
calendar drag-and-drop; connecting every credential network and LinkedIn through OAuth
(against fake providers on 127.0.0.1), back in the dashboard after the provider's callback."""

from __future__ import annotations

import base64
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.web.conftest import Dashboard, check_page
from tests.web.test_dashboard import api

# A 1x1 PNG: the smallest real image the upload path will accept and store.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEA"
    "ghWx5wAAAABJRU5ErkJggg=="
)


def _posts_with(dashboard: Dashboard, words: str) -> list[dict[str, Any]]:
    with api(dashboard) as client:
        listed = client.get("/api/v1/content/posts", params={"limit": 100}).json()
    return [p for p in listed["data"] if words in p["content"]]


def _wait_for_status(dashboard: Dashboard, post_id: str, wanted: str) -> dict[str, Any]:
    """Publishing runs in the server's worker: poll the API until it reports ``wanted``."""
    deadline = time.monotonic() + 60
    with api(dashboard) as client:
        while True:
            post: dict[str, Any] = client.get(f"/api/v1/content/posts/{post_id}").json()
            if post["status"] == wanted or time.monotonic() > deadline:
                return post
            time.sleep(0.2)


def _compose_one(page: Any, text: str) -> None:
    """The composer with only LinkedIn ticked and ``text`` typed as its post."""
    page.goto("/app/compose")
    page.get_by_role("checkbox", name="X", exact=True).uncheck()
    page.get_by_role("checkbox", name="LinkedIn", exact=True).check()
    page.get_by_role("button", name="Update previews").click()
    expect(page.locator("article.preview")).to_have_count(1)
    page.get_by_label("LinkedIn text").fill(text)


def test_compose_upload_image_save_draft_and_publish_now(
    signed_in: Any, dashboard: Dashboard, tmp_path: Path
) -> None:
    page = signed_in
    _compose_one(page, "Heron draft with a picture")
    page.get_by_role("button", name="Attach upload").click()
    expect(page.locator("#image_file-error")).to_contain_text("Choose an image file")

    picture = tmp_path / "heron.png"
    picture.write_bytes(PNG)
    page.get_by_label("Upload an image").set_input_files(str(picture))
    page.get_by_role("button", name="Attach upload").click()
    expect(page.get_by_role("status")).to_contain_text("Image attached")
    image = page.locator("article.p-linkedin .media img")
    expect(image).to_have_count(1)
    assert page.evaluate("i => i.complete && i.naturalWidth", image.element_handle()) == 1
    expect(page.get_by_label("LinkedIn text")).to_have_value("Heron draft with a picture")

    page.get_by_role("button", name="Save as draft").click()
    expect(page).to_have_url(re.compile(r"/app/calendar\?done=saved"))
    expect(page.get_by_role("status")).to_contain_text("Saved as draft")
    [draft] = _posts_with(dashboard, "Heron draft with a picture")
    assert draft["status"] == "draft"
    with api(dashboard) as client:
        stored = client.get(f"/api/v1/post/{draft['post_id']}").json()
    assert stored["imageKey"]

    _compose_one(page, "Heron published at once")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish now").click()
    expect(page).to_have_url(re.compile(r"/app/calendar\?done=publishing"))
    expect(page.get_by_role("status")).to_contain_text("Publishing now")
    [sent] = _posts_with(dashboard, "Heron published at once")
    assert _wait_for_status(dashboard, sent["post_id"], "published")["status"] == "published"


def test_calendar_drag_and_drop_reschedules(signed_in: Any, dashboard: Dashboard) -> None:
    page = signed_in
    year = datetime.now(UTC).year + 1
    start, target = date(year, 3, 10), date(year, 3, 12)
    with api(dashboard) as client:
        created = client.post("/api/v1/post", json={"content": "Drag the pelican post"})
        post_id = created.json()["id"]
        when = datetime(year, 3, 10, 14, 30, tzinfo=UTC).isoformat()
        moved = client.put(f"/api/v1/post/{post_id}", json={"scheduledOn": when})
        assert moved.status_code == 200, moved.text

    page.goto(f"/app/calendar?view=month&date={start.isoformat()}")
    chip = page.locator(f'.day[data-date="{start}"] a.chip[data-post="{post_id}"]')
    expect(chip).to_be_visible()
    chip.drag_to(page.locator(f'.day[data-date="{target}"]'))
    moved_chip = page.locator(f'.day[data-date="{target}"] a.chip[data-post="{post_id}"]')
    expect(moved_chip).to_be_visible()
    expect(page.locator(f'.day[data-date="{start}"] a.chip[data-post="{post_id}"]')).to_have_count(
        0
    )
    with api(dashboard) as client:
        post = client.get(f"/api/v1/content/posts/{post_id}").json()
    # The time of day is kept (the workspace's zone is UTC in the demo).
    assert post["scheduled_at"].startswith(f"{target.isoformat()}T14:30")


def _connect(page: Any, provider: str, fields: dict[str, str], button: str) -> None:
    form = page.locator(f"#connect-{provider}")
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name=button).click()


def test_connect_bluesky_buffer_publer_and_linkedin_oauth(
    signed_in: Any, dashboard: Dashboard
) -> None:
    page = signed_in
    fakes = dashboard.networks
    page.goto("/app/accounts")
    _connect(
        page,
        "bluesky",
        {
            "Handle or email": fakes.bluesky.handle,
            "App password": "wrong-password",
            "PDS URL (optional)": fakes.bluesky.base_url,
        },
        "Connect Bluesky",
    )
    expect(page.locator("#connect-bluesky .field-error")).to_be_visible()
    assert "{" not in page.get_by_role("alert").inner_text()
    _connect(
        page,
        "bluesky",
        {
            "Handle or email": fakes.bluesky.handle,
            "App password": fakes.bluesky.app_password,
            "PDS URL (optional)": fakes.bluesky.base_url,
        },
        "Connect Bluesky",
    )
    expect(page.get_by_role("status")).to_contain_text("Account connected")
    _connect(
        page,
        "buffer",
        {"API key": fakes.buffer.api_key, "Channel id": "chan_linkedin"},
        "Connect Buffer",
    )
    expect(page.get_by_role("status")).to_contain_text("Account connected")
    _connect(
        page,
        "publer",
        {
            "API key": fakes.publer.api_key,
            "Publer workspace id": fakes.publer.workspace_id,
            "Account id": "acc_li",
        },
        "Connect Publer",
    )
    expect(page.get_by_role("status")).to_contain_text("Account connected")

    # LinkedIn through OAuth: the fake consents, the callback sends the browser back here.
    page.get_by_role("button", name="Connect with LinkedIn").click()
    expect(page).to_have_url(re.compile(r"/app/accounts\?oauth=connected"))
    expect(page.get_by_role("status")).to_have_text("LinkedIn account connected.")
    assert fakes.linkedin_auth.authorize_requests[-1]["client_id"] == "li-client"
    for provider in ("bluesky", "buffer", "publer", "linkedin"):
        expect(page.locator("article", has_text=provider).first).to_contain_text("connected")
    check_page(page, "accounts-connected")

    # The provider refuses the code: the message is in words, next to the LinkedIn form.
    fakes.linkedin_auth.fail_next(500)
    page.get_by_role("button", name="Connect with LinkedIn").click()
    expect(page).to_have_url(re.compile(r"/app/accounts\?oauth=failed"))
    expect(page.get_by_role("alert")).to_have_text(
        "Connecting LinkedIn did not finish: LinkedIn did not accept the sign-in. Try again."
    )

    # A flow an API client started still ends on the API's JSON answer.
    with api(dashboard) as client:
        started = client.post("/api/v1/accounts/oauth/linkedin", json={})
        consent = httpx.get(started.json()["authorizationUrl"])
        callback = httpx.get(consent.headers["location"])
        assert callback.status_code == 200, callback.text
        assert callback.json()["provider"] == "linkedin"
        for account in client.get("/api/v1/accounts").json()["accounts"]:
            assert client.delete(f"/api/v1/accounts/{account['id']}").status_code == 204
