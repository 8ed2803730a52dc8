"""Every dashboard flow end to end: a real browser, a real server process, a real database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.fakes.mastodon import FakeMastodon
from tests.web.conftest import Dashboard, check_page, sign_in


def api(dashboard: Dashboard) -> httpx.Client:
    return httpx.Client(
        base_url=dashboard.base_url, headers={"x-api-key": dashboard.api_key}, timeout=60
    )


def test_sign_in_switch_workspace_and_sign_out(anonymous: Any, dashboard: Dashboard) -> None:
    page = anonymous
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/app/login\?next="))
    check_page(page, "login")

    page.get_by_label("API key").fill("pw_live_not-a-real-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#api_key-error")).to_contain_text("not valid")

    sign_in(page, dashboard.api_key)
    cookie = next(c for c in page.context.cookies() if c["name"] == "pw_session")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    assert dashboard.api_key not in cookie["value"]
    assert dashboard.api_key not in page.content()
    assert dashboard.api_key not in page.url

    # A form posted without the session's CSRF token is refused, in words.
    refused = page.request.post("/app/settings/keys", form={"name": "sneaky"}, max_redirects=0)
    assert refused.status == 403
    assert "form has expired" in refused.text()

    switcher = page.get_by_label("Workspace")
    expect(switcher).to_have_value(re.compile(r"^ws_"))
    switcher.select_option(label="Second brand")
    expect(page.get_by_label("Workspace")).to_have_value(dashboard.second_workspace)
    switcher = page.get_by_label("Workspace")
    switcher.select_option(label="Demo workspace")
    expect(page.get_by_label("Workspace")).not_to_have_value(dashboard.second_workspace)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/app/login"))
    page.goto("/app/calendar")
    expect(page).to_have_url(re.compile(r"/app/login\?next=%2Fapp%2Fcalendar"))


def test_compose_generate_edit_count_and_schedule(signed_in: Any, dashboard: Dashboard) -> None:
    page = signed_in
    page.goto("/app/compose")
    page.get_by_role("button", name="Generate posts").click()
    expect(page.locator("#topic-error")).to_contain_text("must not be blank")

    page.get_by_label("Persona").select_option(index=1)
    page.get_by_label("Bluesky").check()
    page.get_by_label("Topic or idea").fill("Why small teams ship faster")
    page.get_by_role("button", name="Generate posts").click()
    expect(page.get_by_role("status")).to_contain_text("Wrote 3 posts")
    cards = page.locator("article.preview")
    expect(cards).to_have_count(3)
    for name in ("LinkedIn", "X", "Bluesky"):
        expect(page.get_by_label(f"{name} text")).not_to_have_value("")

    # The counter measures as the platform does: X weighs an emoji 2, Bluesky counts graphemes.
    x_text = page.get_by_label("X text")
    x_text.fill("👩‍👩‍👧 hi")
    x_card = page.locator("article.p-x")
    expect(x_card.locator("[data-counter]")).to_have_text("5 / 280")
    expect(x_card.locator("[data-body]")).to_have_text("👩‍👩‍👧 hi")
    page.get_by_label("Bluesky text").fill("👩‍👩‍👧 hi")
    expect(page.locator("article.p-bluesky [data-counter]")).to_have_text("4 / 300")
    page.get_by_label("Bluesky text").fill(
        "Small teams ship faster: fewer handoffs, faster feedback."
    )
    x_text.fill("x" * 281)
    expect(x_card.locator("[data-counter]")).to_have_class(re.compile("over"))
    x_text.fill("Small teams ship faster because decisions are close to the work.")

    x_card.get_by_role("button", name="Hashtags").click()
    expect(page.get_by_label("X text")).to_have_value(re.compile(r"#\w+"))
    page.locator("article.p-linkedin").get_by_role("button", name="Enhance").click()
    expect(page.get_by_role("status")).to_contain_text("Enhanced the LinkedIn post")
    page.get_by_role("button", name="Suggest best time").click()
    expect(page.get_by_label("Date")).not_to_have_value("")
    page.get_by_role("button", name="Generate image").click()
    expect(page.locator("article.preview .media img")).to_have_count(3)
    check_page(page, "compose")

    when = datetime.now(UTC) + timedelta(days=3)
    page.get_by_label("Date").fill(when.date().isoformat())
    page.get_by_label("Time", exact=True).fill("10:30")
    page.get_by_label("Timezone").select_option("UTC")
    page.get_by_role("button", name="Schedule").click()
    expect(page).to_have_url(re.compile(r"/app/calendar\?done=scheduled"))
    expect(page.get_by_role("status")).to_contain_text("Scheduled")

    with api(dashboard) as client:
        listed = client.get("/api/v1/content/posts", params={"status": "scheduled"}).json()
    scheduled = [p for p in listed["data"] if "decisions are close" in p["content"]]
    assert len(scheduled) == 1


def _post(dashboard: Dashboard, content: str, when: datetime | None = None) -> str:
    with api(dashboard) as client:
        created = client.post("/api/v1/post", json={"content": content})
        assert created.status_code == 201, created.text
        post_id: str = created.json()["id"]
        if when is not None:
            moved = client.put(f"/api/v1/post/{post_id}", json={"scheduledOn": when.isoformat()})
            assert moved.status_code == 200, moved.text
    return post_id


def test_calendar_views_edit_reschedule_review_delete_restore(
    signed_in: Any, dashboard: Dashboard
) -> None:
    page = signed_in
    when = (datetime.now(UTC) + timedelta(days=1)).replace(hour=12, minute=0, second=0)
    post_id = _post(dashboard, "Calendar flamingo post about retros", when)

    page.goto(f"/app/calendar?view=month&date={when.date().isoformat()}")
    chip = page.locator(f'a.chip[data-post="{post_id}"]')
    expect(chip).to_have_class(re.compile("s-scheduled"))
    check_page(page, "calendar-month")
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.locator(f'a.chip[data-post="{post_id}"]')).to_be_visible()
    check_page(page, "calendar-week")

    page.locator(f'a.chip[data-post="{post_id}"]').click()
    expect(page).to_have_url(re.compile(f"/app/posts/{post_id}"))
    page.get_by_label("Post text").fill("Calendar flamingo post, edited")
    page.get_by_role("button", name="Save text").click()
    expect(page.get_by_role("status")).to_contain_text("Text saved")

    page.get_by_label("New date").fill("2001-01-01")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("#when_date-error, #scheduledOn-error")).to_contain_text("past")
    later = when + timedelta(days=2)
    page.get_by_label("New date").fill(later.date().isoformat())
    page.get_by_label("Timezone").select_option("UTC")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.get_by_role("status")).to_contain_text("Rescheduled")
    check_page(page, "post")

    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_role("status")).to_contain_text("Discarded")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")

    page.goto("/app/posts?q=flamingo")
    expect(
        page.get_by_role("link", name=re.compile("Calendar flamingo post, edited"))
    ).to_be_visible()
    page.goto("/app/posts?q=no-such-words-anywhere")
    expect(page.get_by_text("No posts match these filters")).to_be_visible()
    page.goto("/app/posts?q=flamingo")
    check_page(page, "posts")

    page.goto(f"/app/posts/{post_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Post deleted")
    page.goto("/app/posts?q=flamingo&deleted=1")
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_role("status")).to_contain_text("restored")
    expect(page.locator("#post-status")).to_have_text("draft")


def test_bulk_campaign_estimate_progress_pause_resume_and_cancel(
    signed_in: Any, dashboard: Dashboard
) -> None:
    page = signed_in
    page.goto("/app/bulk")
    expect(page.get_by_text("No campaigns yet")).to_be_visible()
    page.get_by_label("Platform").select_option("linkedin")
    page.get_by_label("Topic hint").fill("remote onboarding")
    page.get_by_label("Number of posts").fill("3")
    page.get_by_label("Spread over (days)").fill("3")
    page.get_by_role("button", name="Spread at best times").click()
    expect(page.get_by_label(re.compile("Dates and times"))).to_have_value(
        re.compile(r"(.+\n){2}.+")
    )
    page.get_by_role("button", name="Estimate credits").click()
    expect(page.locator("#estimate")).to_contain_text("will reserve 3 credits")
    check_page(page, "bulk")

    page.get_by_role("button", name="Start campaign").click()
    expect(page).to_have_url(re.compile(r"/app/bulk/bgjob_"))
    expect(page.locator("[data-label]")).to_have_text("3 of 3 done (100%)", timeout=90_000)
    expect(page.locator("[data-state]")).to_have_text("COMPLETED")
    expect(page.locator("[data-feed] li[data-id]")).to_have_count(3)
    check_page(page, "bulk-job")

    # Long campaigns: one paused (the pause is stored, not only shown), then cancelled: its
    # unused credits come back; another paused, then resumed.
    for then in ("cancel", "resume"):
        page.goto("/app/bulk")
        page.get_by_label("Number of posts").fill("50")
        page.get_by_label("Spread over (days)").fill("25")
        page.get_by_role("button", name="Start campaign").click()
        expect(page).to_have_url(re.compile(r"/app/bulk/bgjob_"))
        page.get_by_role("button", name="Pause").click()
        expect(page.locator("[data-state]")).to_have_text("PAUSED")
        expect(page.get_by_text(re.compile("no new posts are written until"))).to_be_visible()
        expect(page.get_by_role("button", name="Pause")).to_be_hidden()
        page.reload()
        expect(page.locator("[data-state]")).to_have_text("PAUSED")
        if then == "cancel":
            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="Cancel").click()
            expect(page.locator("[data-state]")).to_have_text("CANCELLED")
            expect(page.locator("[data-credits]")).to_contain_text(re.compile(r"[1-9]\d* refunded"))
        else:
            page.get_by_role("button", name="Resume").click()
            expect(page.locator("[data-state]")).to_have_text(re.compile("PROCESSING|COMPLETED"))
            expect(page.get_by_role("button", name="Resume")).to_be_hidden()
    # Cleanup, not a check: stop the resumed campaign so later tests keep their credits.
    job_id = page.url.rsplit("/", 1)[1]
    with api(dashboard) as client:
        client.post(f"/v1/bulk-generate/{job_id}/cancel")


def test_personas_create_edit_preview_generate_delete(signed_in: Any) -> None:
    page = signed_in
    page.goto("/app/personas")
    check_page(page, "personas")
    page.get_by_role("link", name="New persona").click()
    page.get_by_role("button", name="Create persona").click()
    expect(page.locator("#p-name:invalid")).to_have_count(1)
    page.get_by_label("Name", exact=True).fill("Calm Founder")
    page.get_by_label("Voice", exact=True).fill("warm, direct")
    page.get_by_label("Words to avoid (comma-separated)").fill("synergy, leverage")
    page.get_by_label(re.compile("Example posts")).fill("We shipped.\n---\nWe listened.")
    page.get_by_role("button", name="Create persona").click()
    expect(page.get_by_role("status")).to_contain_text("Persona created")
    page.get_by_label("Voice", exact=True).fill("warm, direct, curious")
    page.get_by_role("button", name="Save persona").click()
    expect(page.get_by_role("status")).to_contain_text("Persona saved")
    expect(page.get_by_label("Voice", exact=True)).to_have_value("warm, direct, curious")
    expect(page.get_by_label(re.compile("Example posts"))).to_have_value(
        "We shipped.\n---\nWe listened."
    )

    page.get_by_label("Topic").fill("hiring our first designer")
    page.get_by_role("button", name=re.compile("Preview post")).click()
    preview = page.locator("#persona-preview")
    expect(preview).not_to_be_empty()
    assert "synergy" not in preview.inner_text().lower()
    check_page(page, "persona")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Persona deleted")
    expect(page.get_by_role("link", name="Calm Founder")).to_have_count(0)

    page.get_by_label("Generate a persona from a description").fill(
        "A patient data engineer who writes for analysts"
    )
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Persona created")
    expect(page.get_by_label("Name", exact=True)).not_to_have_value("")


def test_accounts_connect_reconnect_and_settings(signed_in: Any) -> None:
    page = signed_in
    with FakeMastodon().running() as fake:
        page.goto("/app/accounts")
        expect(page.get_by_text("No accounts connected")).to_be_visible()
        form = page.locator("#connect-mastodon")
        form.get_by_label("Instance URL").fill(fake.base_url)
        form.get_by_label("Access token").fill("wrong-token")
        form.get_by_role("button", name="Connect Mastodon").click()
        expect(page.get_by_role("alert")).to_be_visible()
        assert "{" not in page.get_by_role("alert").inner_text()
        form = page.locator("#connect-mastodon")
        form.get_by_label("Instance URL").fill(fake.base_url)
        form.get_by_label("Access token").fill(fake.token)
        form.get_by_label("Make default").check()
        form.get_by_role("button", name="Connect Mastodon").click()
        expect(page.get_by_role("status")).to_contain_text("Account connected")
    card = page.locator("article", has_text="connected").first
    expect(card).to_contain_text("mastodon")
    card.get_by_label("Timezone").select_option("Europe/Berlin")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(
        page.locator("article", has_text="mastodon").first.get_by_label("Timezone")
    ).to_have_value("Europe/Berlin")
    check_page(page, "accounts")

    page.goto("/app/accounts")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("article", has_text="mastodon").first.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("Account removed")


def test_credits_chart_quotas_and_ledger(signed_in: Any, dashboard: Dashboard) -> None:
    page = signed_in
    with api(dashboard) as client:
        spent = client.post(
            "/v1/ai/generate-post-content",
            json={
                "systemPrompt": "You write posts.",
                "userPrompt": "Write about tea",
                "platform": "x",
            },
        )
        assert spent.status_code == 200, spent.text
        available = client.get("/api/v1/content/credits").json()["credits_remaining"]
    page.goto("/app/credits")
    expect(page.locator("#available")).to_have_text(str(available))
    expect(page.locator("svg.chart rect")).not_to_have_count(0)
    expect(page.locator(".keys")).to_contain_text("generate post content")
    expect(page.get_by_role("table").first).to_contain_text("Post generation")
    expect(page.get_by_text(re.compile(r"Page 1 of \d+"))).to_be_visible()
    check_page(page, "credits")


def test_settings_keys_webhooks_and_ai_model(signed_in: Any, dashboard: Dashboard) -> None:
    page = signed_in
    page.goto("/app/settings")
    page.get_by_label("Key name").fill("dashboard-made")
    page.get_by_role("button", name="Create key").click()
    key = page.locator("#new-key").inner_text().strip()
    assert key.startswith("pw_live_")
    assert (
        httpx.get(f"{dashboard.base_url}/api/v1/user", headers={"x-api-key": key}).status_code
        == 200
    )
    page.goto("/app/settings")
    expect(page.locator("#new-key")).to_have_count(0)
    assert key not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke key dashboard-made").click()
    expect(page.get_by_role("status")).to_contain_text("Key revoked")
    assert (
        httpx.get(f"{dashboard.base_url}/api/v1/user", headers={"x-api-key": key}).status_code
        == 401
    )

    page.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/hooks")
    page.get_by_label("post.published").check()
    page.get_by_role("button", name="Register endpoint").click()
    expect(page.locator("#new-secret")).to_contain_text("whsec_")
    page.get_by_role("link", name="Deliveries").click()
    expect(page.get_by_text("No deliveries yet")).to_be_visible()
    check_page(page, "deliveries")
    page.goto("/app/settings")

    page.get_by_label("Model", exact=True).fill("nonsense:model")
    page.get_by_role("button", name="Save AI settings").click()
    expect(page.locator("#problem")).to_be_visible()
    page.get_by_label("Model", exact=True).fill("openai:gpt-4.1-mini")
    page.get_by_label("Use this workspace's model").check()
    page.get_by_role("button", name="Save AI settings").click()
    expect(page.get_by_role("status")).to_contain_text("AI settings saved")
    expect(page.get_by_text(re.compile("Now using openai"))).to_be_visible()
    check_page(page, "settings")
    page.get_by_label("Use this workspace's model").uncheck()
    page.get_by_role("button", name="Save AI settings").click()
    expect(page.get_by_role("status")).to_contain_text("AI settings saved")
