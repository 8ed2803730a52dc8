"""``postwright bulk``: submit a bulk generation job through the API and watch it finish.

It is an API client (like the dashboard), so it runs anywhere with a base URL and a key:
``POSTWRIGHT_API_URL`` and ``POSTWRIGHT_API_KEY``, or ``--base-url`` / ``--api-key``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from postwright.cli.common import console, err_console

DEFAULT_URL = "http://127.0.0.1:8000"


def server_sent_events(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """``(event, data)`` pairs of a text/event-stream response (comments and pings skipped)."""
    event, data = "message", list[str]()
    for line in response.iter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def bulk(
    topic: Annotated[str, typer.Option(help="What the posts are about")],
    posts: Annotated[int, typer.Option(min=1, max=50, help="How many posts")] = 10,
    platform: Annotated[str, typer.Option(help="Target platform")] = "linkedin",
    account: Annotated[str, typer.Option(help="Account the posts are scheduled for")] = "default",
    persona: Annotated[str | None, typer.Option(help="Persona id")] = None,
    start: Annotated[
        datetime | None, typer.Option(help="First post's date (default: tomorrow 09:00 UTC)")
    ] = None,
    every_hours: Annotated[float, typer.Option(help="Hours between scheduled posts")] = 24,
    base_url: Annotated[
        str, typer.Option(envvar="POSTWRIGHT_API_URL", help="The API's base URL")
    ] = DEFAULT_URL,
    api_key: Annotated[
        str, typer.Option(envvar="POSTWRIGHT_API_KEY", help="API key (pw_live_…)")
    ] = "",
) -> None:
    """Generate a batch of posts (voxburst bulk generation) and show its progress live."""
    if not api_key:
        err_console.print("[red]An API key is required[/red] (--api-key or POSTWRIGHT_API_KEY)")
        raise typer.Exit(code=2)
    first = start or (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    body: dict[str, Any] = {
        "accountId": account,
        "platform": platform,
        "totalPosts": posts,
        "scheduledDates": [
            (first + timedelta(hours=every_hours * i)).isoformat() for i in range(posts)
        ],
        "topicHint": topic,
    }
    if persona:
        body["personaId"] = persona
    headers = {"Authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        submitted = http.post("/v1/bulk-generate", json=body)
        if submitted.status_code != 201:
            err_console.print(f"[red]{submitted.status_code}[/red] {submitted.text}")
            raise typer.Exit(code=1)
        job_id = submitted.json()["jobId"]
        console.print(f"job [bold]{job_id}[/bold] queued")
        job = _follow(http, job_id, posts)
    console.print(
        f"{job['status']}: {job['completedPosts']} written, {job['failedPosts']} failed, "
        f"{job['skippedPosts']} skipped; credits consumed {job['credits']['consumed']}, "
        f"refunded {job['credits']['refunded']}"
    )
    if job["status"] != "COMPLETED":
        raise typer.Exit(code=1)


def _follow(http: httpx.Client, job_id: str, total: int) -> dict[str, Any]:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    job: dict[str, Any] = {}
    with (
        Progress(*columns, console=console, transient=False) as bar,
        http.stream("GET", f"/v1/bulk-generate/{job_id}/events", timeout=None) as response,
    ):
        if response.status_code != 200:
            response.read()
            err_console.print(f"[red]{response.status_code}[/red] {response.text}")
            raise typer.Exit(code=1)
        task = bar.add_task("QUEUED", total=total)
        for event, data in server_sent_events(response):
            job = json.loads(data)
            bar.update(task, completed=job["progress"]["current"], description=job["status"])
            if event == "end":
                break
    return job
