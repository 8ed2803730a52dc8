"""/api/v1/projects/{id}/posts: the documented shapes, codes and review rules."""

from __future__ import annotations

from typing import Any

import httpx

from postwright.core.services import Services
from tests.api.sparkvox.conftest import available, create_project
from tests.domain.media.helpers import local_path
from tests.factories import Tenant, make_tenant
from tests.fakes.images import png

JobClient = tuple[httpx.AsyncClient, Services]
POST_FIELDS = {
    "id",
    "moment_id",
    "platform",
    "generated_content",
    "first_comment",
    "status",
    "publish_tool",
    "image_url",
    "created_at",
}


async def project_with_posts(
    http: httpx.AsyncClient, tenant: Tenant, moments: int = 2
) -> tuple[str, list[dict[str, Any]]]:
    project = await create_project(http, tenant, max_moments=moments)
    listed = await http.get(f"/api/v1/projects/{project['id']}/posts", headers=tenant.headers)
    assert listed.status_code == 200, listed.text
    return project["id"], listed.json()["posts"]


async def test_posts_are_listed_and_read_as_documented(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, posts = await project_with_posts(http, tenant)

    assert posts
    for post in posts:
        assert set(post) == POST_FIELDS
        assert post["platform"] == "linkedin"
        assert post["status"] == "pending"
        assert post["publish_tool"] is None
        assert post["image_url"] is None
        assert post["generated_content"]
        assert post["created_at"].endswith("Z")
    single = await http.get(
        f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}", headers=tenant.headers
    )
    assert single.status_code == 200
    assert single.json() == {"post": posts[0]}


async def test_status_filter_and_approval_without_provider(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, posts = await project_with_posts(http, tenant)
    url = f"/api/v1/projects/{project_id}/posts"
    before = await available(services, tenant)

    approved = await http.patch(
        f"{url}/{posts[0]['id']}",
        json={
            "generated_content": "Revised content...",
            "first_comment": "Updated hashtags... #shipping",
            "image_url": "https://media.example.com/hero.png",
        },
        headers=tenant.headers,
    )

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert set(body) == POST_FIELDS
    assert body["status"] == "approved"
    assert body["generated_content"] == "Revised content..."
    assert body["first_comment"] == "Updated hashtags... #shipping"
    assert body["image_url"] == "https://media.example.com/hero.png"
    assert body["publish_tool"] is None
    pending = (await http.get(url, params={"status": "pending"}, headers=tenant.headers)).json()
    only_approved = (
        await http.get(url, params={"status": "approved"}, headers=tenant.headers)
    ).json()
    assert [p["id"] for p in only_approved["posts"]] == [posts[0]["id"]]
    assert posts[0]["id"] not in {p["id"] for p in pending["posts"]}
    assert len(pending["posts"]) == len(posts) - 1
    # Reviewing is free.
    assert await available(services, tenant) == before


async def test_a_post_can_be_discarded_and_its_comment_and_image_cleared(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, posts = await project_with_posts(http, tenant, moments=1)
    url = f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}"

    response = await http.patch(
        url,
        json={"status": "discarded", "first_comment": None, "image_url": None},
        headers=tenant.headers,
    )

    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert response.json()["first_comment"] is None
    assert response.json()["generated_content"] == posts[0]["generated_content"]
    listed = await http.get(
        f"/api/v1/projects/{project_id}/posts?status=discarded", headers=tenant.headers
    )
    assert [p["id"] for p in listed.json()["posts"]] == [posts[0]["id"]]


BAD_UPDATES: list[tuple[dict[str, Any], str]] = [
    ({"generated_content": ""}, "generated_content"),
    ({"generated_content": "   "}, "generated_content"),
    ({"status": "published"}, "status"),
    ({"image_url": "http://insecure.example.com/a.png"}, "image_url"),
    ({"image_url": "not a url"}, "image_url"),
    ({"provider": "myspace"}, "provider"),
    ({"provider": "buffer", "generated_content": ""}, "generated_content"),
    ({"provider": "buffer", "status": "discarded"}, "status"),
    ({"unknown_field": 1}, "unknown_field"),
]


async def test_bad_updates_are_400_and_change_nothing(job_client: JobClient) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, posts = await project_with_posts(http, tenant, moments=1)
    url = f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}"

    for body, field in BAD_UPDATES:
        response = await http.patch(url, json=body, headers=tenant.headers)

        assert response.status_code == 400, (body, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert field in {d["field"] for d in error["details"]}, body
        assert (await http.get(url, headers=tenant.headers)).json()["post"] == posts[0]


async def test_scheduling_without_a_connection_is_refused_and_changes_nothing(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    project_id, posts = await project_with_posts(http, tenant, moments=1)
    url = f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}"

    for provider in ("linkedin", "buffer", "publer", "Buffer"):
        response = await http.patch(
            url,
            json={"provider": provider, "generated_content": "Ready to go", "account_id": "a1"},
            headers=tenant.headers,
        )

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "PROVIDER_NOT_CONNECTED"
        assert provider.lower() in error["message"]
        assert (await http.get(url, headers=tenant.headers)).json()["post"] == posts[0]


async def test_posts_of_another_workspace_or_project_are_404(job_client: JobClient) -> None:
    http, services = job_client
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    project_id, posts = await project_with_posts(http, owner, moments=1)
    other_project, _ = await project_with_posts(http, owner, moments=1)
    post_url = f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}"

    probes = [
        ("GET", f"/api/v1/projects/{project_id}/posts", None),
        ("GET", post_url, None),
        ("PATCH", post_url, {"status": "approved"}),
        ("PATCH", post_url, {"provider": "buffer"}),
    ]
    for method, url, body in probes:
        response = await http.request(method, url, json=body, headers=stranger.headers)
        assert response.status_code == 404, (method, url)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    wrong_project = f"/api/v1/projects/{other_project}/posts/{posts[0]['id']}"
    assert (await http.get(wrong_project, headers=owner.headers)).status_code == 404
    missing = await http.get("/api/v1/projects/proj_nope/posts", headers=owner.headers)
    assert missing.status_code == 404
    assert (await http.get(post_url, headers=owner.headers)).json()["post"]["status"] == "pending"


async def test_requests_without_credentials_are_401(job_client: JobClient) -> None:
    http, _ = job_client
    response = await http.get("/api/v1/projects/proj_x/posts")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_an_uploaded_image_is_attached_by_its_public_url_and_read_signed(
    job_client: JobClient,
) -> None:
    http, services = job_client
    tenant = await make_tenant(services)
    stranger = await make_tenant(services, name="Other", email="other@example.com")
    project_id, posts = await project_with_posts(http, tenant, moments=1)
    url = f"/api/v1/projects/{project_id}/posts/{posts[0]['id']}"
    target = (
        await http.post(
            f"{url}/upload-url",
            json={"filename": "hero.png", "mime_type": "image/png", "file_size_bytes": 2048},
            headers=tenant.headers,
        )
    ).json()
    data = png()
    put = await http.put(
        local_path(target["upload_url"]), content=data, headers={"Content-Type": "image/png"}
    )
    assert put.status_code == 200, put.text

    patched = await http.patch(
        url, json={"image_url": target["public_url"]}, headers=tenant.headers
    )

    assert patched.status_code == 200, patched.text
    shown = (await http.get(url, headers=tenant.headers)).json()["post"]["image_url"]
    assert shown != target["public_url"]  # signed for this read
    assert (await http.get(local_path(shown))).content == data
    # Another workspace cannot borrow the file by writing its URL onto a post of its own.
    other_project, other_posts = await project_with_posts(http, stranger, moments=1)
    borrowed = await http.patch(
        f"/api/v1/projects/{other_project}/posts/{other_posts[0]['id']}",
        json={"image_url": target["public_url"]},
        headers=stranger.headers,
    )
    assert borrowed.status_code == 400
