"""POST /api/v1/posts/import and GET /api/v1/posts/export: all-or-nothing, DST-correct."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from postwright.core.services import Services
from postwright.domain.content.models import Post
from tests.factories import Tenant, make_tenant

CSV_HEADERS = {"Content-Type": "text/csv"}


def csv_body(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


async def import_csv(
    client: httpx.AsyncClient, tenant: Tenant, rows: list[dict[str, str]]
) -> httpx.Response:
    return await client.post(
        "/api/v1/posts/import",
        content=csv_body(rows).encode(),
        headers={**tenant.headers, **CSV_HEADERS},
    )


async def post_count(services: Services, tenant: Tenant) -> int:
    async with services.db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Post).where(Post.workspace_id == tenant.workspace_id)
        )
    return int(count or 0)


async def test_csv_import_stores_schedule_times_in_utc_across_dst(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    rows = [
        # Berlin is UTC+1 the day before the spring change and UTC+2 the day after.
        {
            "content": "Before the change",
            "scheduled_at": "2027-03-27T09:00",
            "timezone": "Europe/Berlin",
        },
        {
            "content": "After the change",
            "scheduled_at": "2027-03-29T09:00",
            "timezone": "Europe/Berlin",
        },
        {"content": "With an offset", "scheduled_at": "2027-06-01T09:00:00-04:00", "timezone": ""},
        {"content": "Zulu", "scheduled_at": "2027-06-01T09:00:00Z", "timezone": "Asia/Tokyo"},
        {"content": "A draft", "scheduled_at": "", "timezone": ""},
    ]

    response = await import_csv(client, tenant, rows)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["imported"] == 5
    assert [p["row"] for p in body["posts"]] == [1, 2, 3, 4, 5]
    assert [p["scheduled_at"] for p in body["posts"]] == [
        "2027-03-27T08:00:00.000Z",
        "2027-03-29T07:00:00.000Z",
        "2027-06-01T13:00:00.000Z",
        "2027-06-01T09:00:00.000Z",
        None,
    ]
    assert [p["status"] for p in body["posts"]] == ["scheduled"] * 4 + ["draft"]
    assert {p["platform"] for p in body["posts"]} == {"linkedin"}
    async with services.db.transaction() as session:
        stored = await session.get(Post, body["posts"][1]["id"])
        assert stored is not None
        assert stored.source == "import"
        assert stored.scheduled_on is not None
        assert stored.scheduled_on.isoformat() == "2027-03-29T07:00:00+00:00"


async def test_one_bad_row_rejects_the_whole_file_with_a_report_per_row(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    good = {
        "content": "Fine",
        "platform": "linkedin",
        "scheduled_at": "2027-05-01T10:00",
        "timezone": "UTC",
    }
    rows = [
        good,
        {**good, "scheduled_at": "2027-03-28T02:30", "timezone": "Europe/Berlin"},
        {**good, "scheduled_at": "2027-10-31T02:30", "timezone": "Europe/Berlin"},
        {**good, "scheduled_at": "2020-01-01T10:00:00Z"},
        {**good, "scheduled_at": "next tuesday"},
        {**good, "timezone": "Mars/Olympus"},
        {**good, "content": ""},
        {**good, "platform": "myspace"},
        {**good, "platform": "x", "content": "x" * 281},
        good,
    ]

    response = await import_csv(client, tenant, rows)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == "Nothing was imported: 8 of 10 rows have errors"
    problems = {(d["row"], d["field"]) for d in error["details"]}
    assert problems == {
        (2, "scheduled_at"),
        (3, "scheduled_at"),
        (4, "scheduled_at"),
        (5, "scheduled_at"),
        (6, "scheduled_at"),
        (7, "content"),
        (8, "platform"),
        (9, "content"),
    }
    messages = {d["row"]: d["message"] for d in error["details"]}
    assert "does not exist" in messages[2]
    assert "happens twice" in messages[3]
    assert "future" in messages[4]
    assert "Mars/Olympus" in messages[6]
    assert await post_count(services, tenant) == 0


async def test_json_import_accepts_an_array_or_posts_and_camel_case_keys(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    posts: list[dict[str, Any]] = [
        {
            "content": "Launch day",
            "platform": "x",
            "scheduledAt": "2027-11-07T01:30:00-05:00",
            "firstComment": "#launch",
        },
        {"content": "Draft", "image_url": "https://cdn.example.com/a.png"},
    ]

    as_array = await client.post("/api/v1/posts/import", json=posts, headers=tenant.headers)
    as_object = await client.post(
        "/api/v1/posts/import", json={"posts": posts[:1]}, headers=tenant.headers
    )
    not_a_list = await client.post(
        "/api/v1/posts/import", json={"posts": "nope"}, headers=tenant.headers
    )
    wrong_type = await client.post(
        "/api/v1/posts/import",
        content=b"<posts/>",
        headers={**tenant.headers, "Content-Type": "application/xml"},
    )
    bad_cells = await client.post(
        "/api/v1/posts/import",
        json=[{"content": 5}, "text", {"content": "ok", "image_url": "http://a.example/x.png"}],
        headers=tenant.headers,
    )

    assert as_array.status_code == 201, as_array.text
    assert as_array.json()["posts"][0]["scheduled_at"] == "2027-11-07T06:30:00.000Z"
    assert as_array.json()["posts"][0]["platform"] == "x"
    assert as_object.status_code == 201
    assert not_a_list.status_code == 400
    assert wrong_type.status_code == 415
    assert bad_cells.status_code == 400
    fields = {(d["row"], d["field"]) for d in bad_cells.json()["error"]["details"]}
    assert fields == {(1, "content"), (2, "body"), (3, "image_url")}
    assert await post_count(services, tenant) == 3


async def test_import_limits_and_empty_files(client: httpx.AsyncClient, services: Services) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, **CSV_HEADERS}

    no_rows = await client.post("/api/v1/posts/import", content=b"content\n", headers=headers)
    no_header = await client.post("/api/v1/posts/import", content=b"text\nhello\n", headers=headers)
    too_many = await import_csv(client, tenant, [{"content": f"Post {i}"} for i in range(1001)])
    not_utf8 = await client.post(
        "/api/v1/posts/import", content=b"content\n\xff\xfe\n", headers=headers
    )

    assert no_rows.status_code == 400
    assert no_header.status_code == 400
    assert too_many.status_code == 400
    assert not_utf8.status_code == 400
    assert await post_count(services, tenant) == 0


@pytest.mark.parametrize("depth", [20, 1000, 100_000])
async def test_json_nested_too_deep_is_refused_with_400(
    client: httpx.AsyncClient, services: Services, depth: int
) -> None:
    tenant = await make_tenant(services)
    nested = b"[" * depth + b"]" * depth
    headers = {**tenant.headers, "Content-Type": "application/json"}

    as_array = await client.post("/api/v1/posts/import", content=nested, headers=headers)
    in_a_post = await client.post(
        "/api/v1/posts/import",
        content=b'[{"content": "Hi", "platform": "x", "title": ' + nested + b"}]",
        headers=headers,
    )

    for response in (as_array, in_a_post):
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await post_count(services, tenant) == 0


async def test_export_round_trips_through_import(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    rows = [
        {"content": 'Quotes "and", commas\nand lines', "scheduled_at": "2027-01-02T03:04:05Z"},
        {"content": "Plain", "scheduled_at": ""},
    ]
    assert (await import_csv(client, tenant, rows)).status_code == 201

    exported = await client.get("/api/v1/posts/export", headers=tenant.headers)
    as_json = await client.get("/api/v1/posts/export?format=json", headers=tenant.headers)

    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="posts.csv"' in exported.headers["content-disposition"]
    # Rows imported together share created_at, so the order among them is by id.
    records = sorted(csv.DictReader(io.StringIO(exported.text)), key=lambda r: r["content"])
    assert [r["content"] for r in records] == ["Plain", rows[0]["content"]]
    assert records[1]["scheduled_at"] == "2027-01-02T03:04:05.000Z"
    assert records[1]["status"] == "scheduled"
    assert records[1]["source"] == "import"
    assert (records[0]["scheduled_at"], records[0]["status"]) == ("", "draft")
    assert as_json.status_code == 200
    assert sorted(p["content"] for p in as_json.json()["posts"]) == [r["content"] for r in records]
    again = await client.post(
        "/api/v1/posts/import",
        content=exported.content,
        headers={**tenant.headers, **CSV_HEADERS},
    )
    assert again.status_code == 201, again.text
    assert again.json()["imported"] == 2
    json_again = await client.post(
        "/api/v1/posts/import",
        content=json.dumps(as_json.json()).encode(),
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert json_again.status_code == 201
    assert await post_count(services, tenant) == 6


async def test_export_shows_only_the_callers_workspace(
    client: httpx.AsyncClient, services: Services
) -> None:
    owner = await make_tenant(services, email="o@example.com")
    stranger = await make_tenant(services, name="Other", email="s@example.com")
    assert (await import_csv(client, owner, [{"content": "Secret plan"}])).status_code == 201

    csv_export = await client.get("/api/v1/posts/export", headers=stranger.headers)
    json_export = await client.get("/api/v1/posts/export?format=json", headers=stranger.headers)

    assert "Secret plan" not in csv_export.text
    assert json_export.json() == {"posts": []}
    assert (await client.get("/api/v1/posts/export")).status_code == 401


async def test_an_import_replayed_with_its_idempotency_key_writes_once(
    client: httpx.AsyncClient, services: Services
) -> None:
    tenant = await make_tenant(services)
    headers = {**tenant.headers, **CSV_HEADERS, "Idempotency-Key": "import-1"}
    body = csv_body([{"content": "Once"}]).encode()

    first = await client.post("/api/v1/posts/import", content=body, headers=headers)
    second = await client.post("/api/v1/posts/import", content=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert await post_count(services, tenant) == 1
