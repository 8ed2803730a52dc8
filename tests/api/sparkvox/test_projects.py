"""Projects: created from text or an uploaded file, moments extracted, one post per moment."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from postwright.core.services import Services
from postwright.domain.billing import service as billing
from postwright.domain.billing.context import SystemActor
from postwright.domain.content.models import Post
from tests.api.sparkvox.conftest import TRANSCRIPT, available, create_project, wait_for_project
from tests.factories import make_tenant

JobClient = tuple[httpx.AsyncClient, Services]


async def test_project_extracts_moments_and_writes_one_post_each(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    before = await available(services, tenant)

    project = await create_project(http, tenant, max_moments=3)

    assert project["status"] == "completed"
    assert project["name"] == "Podcast 42"
    assert project["source_type"] == "transcript"
    moments = project["moments"]
    assert 1 <= len(moments) <= 3
    assert all(m["status"] == "completed" and m["post_id"] for m in moments)
    assert all(m["quote"] in TRANSCRIPT for m in moments)
    assert project["post_count"] == len(moments)
    assert project["credits_used"] == len(moments)
    assert project["completed_at"]
    # Only the posts written are paid for; the rest of the reservation comes back.
    assert await available(services, tenant) == before - len(moments)
    async with services.db.transaction() as session:
        posts = list(await session.scalars(select(Post).where(Post.project_id == project["id"])))
    assert {p.moment_id for p in posts} == {m["id"] for m in moments}
    assert {p.review_status for p in posts} == {"pending"}
    assert {p.source for p in posts} == {"project"}
    assert all(p.first_comment and "#" in p.first_comment for p in posts)


async def test_project_from_an_uploaded_file(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n" + TRANSCRIPT + "\n"

    response = await http.post(
        "/api/v1/projects/upload",
        files={"file": ("episode.vtt", vtt.encode(), "text/vtt")},
        data={"max_moments": "2"},
        headers=tenant.headers,
    )

    assert response.status_code == 202, response.text
    created = response.json()["project"]
    assert created["name"] == "episode.vtt"
    assert created["source_filename"] == "episode.vtt"
    assert created["status"] == "queued"
    project = await wait_for_project(http, tenant, created["id"])
    assert project["status"] == "completed"
    assert 1 <= len(project["moments"]) <= 2


async def test_uploads_of_the_wrong_kind_or_size_are_refused(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    limit = services.settings.projects.max_source_bytes

    wrong_type = await http.post(
        "/api/v1/projects/upload",
        files={"file": ("slides.pdf", b"%PDF-1.7 " + TRANSCRIPT.encode(), "application/pdf")},
        headers=tenant.headers,
    )
    too_big = await http.post(
        "/api/v1/projects/upload",
        files={"file": ("big.txt", b"a" * (limit + 1), "text/plain")},
        headers=tenant.headers,
    )
    not_text = await http.post(
        "/api/v1/projects/upload",
        files={"file": ("notes.md", b"\xff\xfe\x00bad" * 10, "text/markdown")},
        headers=tenant.headers,
    )

    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"]["details"][0]["field"] == "file"
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert not_text.status_code == 400
    listed = await http.get("/api/v1/projects", headers=tenant.headers)
    assert listed.json()["projects"] == []


async def test_creation_is_validated_and_charges_nothing_when_refused(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    before = await available(services, tenant)
    body = {"name": "Talk", "source_text": TRANSCRIPT}

    too_short = await http.post(
        "/api/v1/projects", json={**body, "source_text": "hi"}, headers=tenant.headers
    )
    too_many = await http.post(
        "/api/v1/projects", json={**body, "max_moments": 11}, headers=tenant.headers
    )
    bad_type = await http.post(
        "/api/v1/projects", json={**body, "source_type": "video"}, headers=tenant.headers
    )
    unknown_persona = await http.post(
        "/api/v1/projects", json={**body, "persona_id": "persona_nope"}, headers=tenant.headers
    )

    assert too_short.status_code == 400
    assert too_short.json()["error"]["details"][0]["field"] == "source_text"
    assert too_many.status_code == 400
    assert too_many.json()["error"]["details"][0]["field"] == "max_moments"
    assert bad_type.status_code == 400
    assert unknown_persona.status_code == 404
    assert await available(services, tenant) == before
    assert (await http.get("/api/v1/projects", headers=tenant.headers)).json()["projects"] == []


async def test_a_workspace_short_of_credits_gets_402(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    balance = await available(services, tenant)
    async with services.db.transaction() as session:
        acting = SystemActor(workspace_id=tenant.workspace_id, at=services.clock.now())
        await billing.adjust_credits(session, acting, -(balance - 2), reason="test")

    response = await http.post(
        "/api/v1/projects",
        json={"name": "Talk", "source_text": TRANSCRIPT, "max_moments": 3},
        headers=tenant.headers,
    )

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert (error["required"], error["available"]) == (3, 2)
    assert await available(services, tenant) == 2


async def test_projects_are_listed_newest_first_by_cursor(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    first = await create_project(http, tenant, name="One", max_moments=1)
    second = await create_project(http, tenant, name="Two", max_moments=1)

    page = (await http.get("/api/v1/projects?limit=1", headers=tenant.headers)).json()
    assert [p["id"] for p in page["projects"]] == [second["id"]]
    assert page["has_more"] is True
    following = await http.get(
        "/api/v1/projects",
        params={"limit": 1, "cursor": page["next_cursor"]},
        headers=tenant.headers,
    )
    assert [p["id"] for p in following.json()["projects"]] == [first["id"]]
    assert following.json()["has_more"] is False


async def test_another_workspace_cannot_see_a_project(job_client: JobClient) -> None:
    http, services = job_client
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project = await create_project(http, owner, max_moments=1)

    response = await http.get(f"/api/v1/projects/{project['id']}", headers=stranger.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert (await http.get("/api/v1/projects", headers=stranger.headers)).json()["projects"] == []
