"""Fake Publer API v1: media upload, bulk schedule/publish jobs, job status, posts, accounts.

Auth is ``Authorization: Bearer-API <key>`` plus ``Publer-Workspace-Id``; errors are
``{"errors": ["..."]}``. A schedule request records its post at once and answers a
``job_id``; ``job_status`` answers ``working`` for ``working_polls`` polls, then ``complete``
(with ``payload.failures`` when ``fail_next_job(message)`` was called).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer, multipart_form


class FakePubler(FakeServer):
    name = "fake-publer"

    def __init__(self, api_key: str = "publer-key", workspace_id: str = "ws_1") -> None:
        super().__init__()
        self.api_key = api_key
        self.workspace_id = workspace_id
        self.valid_tokens = {api_key}
        self.accounts = [{"id": "acc_li", "name": "Ada on LinkedIn", "provider": "linkedin"}]
        self.media: dict[str, int] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.working_polls = 1
        self._job_failure: str | None = None
        self._ids = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self.valid_tokens = {self.api_key}
        self.media.clear()
        self.jobs.clear()
        self.working_polls = 1
        self._job_failure = None

    def fail_next_job(self, message: str) -> None:
        self._job_failure = message

    def error_body(self, status: int, message: str) -> Any:
        return {"errors": [message]}

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/media", self.upload, methods=["POST"]),
            Route("/api/v1/posts/schedule", self.schedule, methods=["POST"]),
            Route("/api/v1/posts/schedule/publish", self.publish_now, methods=["POST"]),
            Route("/api/v1/job_status/{job_id}", self.job_status, methods=["GET"]),
            Route("/api/v1/posts", self.list_posts, methods=["GET"]),
            Route("/api/v1/accounts", self.list_accounts, methods=["GET"]),
        ]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def _auth_problem(self, request: Request) -> Response | None:
        if not self.bearer_ok(request, scheme="Bearer-API"):
            return JSONResponse({"errors": ["Invalid API key"]}, status_code=401)
        if request.headers.get("publer-workspace-id") != self.workspace_id:
            return JSONResponse({"errors": ["Workspace not found"]}, status_code=403)
        return None

    async def upload(self, request: Request) -> Response:
        if problem := self._auth_problem(request) or self.scripted_failure():
            return problem
        upload = (await multipart_form(request)).get("file")
        if upload is None:
            return JSONResponse({"errors": ["file is required"]}, status_code=422)
        media_id = f"media_{next(self._ids)}"
        self.media[media_id] = len(upload.value)
        return JSONResponse(
            {"id": media_id, "path": f"https://cdn.publer.test/{media_id}", "type": "photo"}
        )

    async def schedule(self, request: Request) -> Response:
        return await self._create(request, publish_now=False)

    async def publish_now(self, request: Request) -> Response:
        return await self._create(request, publish_now=True)

    async def _create(self, request: Request, *, publish_now: bool) -> Response:
        if problem := self._auth_problem(request) or self.scripted_failure():
            return problem
        bulk = (await request.json()).get("bulk") or {}
        posts = bulk.get("posts") or []
        if bulk.get("state") not in {"scheduled", "draft"} or not posts:
            return JSONResponse({"errors": ["bulk.state and bulk.posts are required"]}, 422)
        known = {a["id"]: a["provider"] for a in self.accounts}
        created = []
        for spec in posts:
            for account in spec.get("accounts", []):
                network = known.get(account.get("id"))
                content = (spec.get("networks") or {}).get(network or "")
                if network is None or content is None:
                    return JSONResponse({"errors": ["Unknown account or network"]}, 422)
                if not publish_now and not account.get("scheduled_at"):
                    return JSONResponse({"errors": ["scheduled_at is required"]}, 422)
                if any(m.get("id") not in self.media for m in content.get("media", [])):
                    return JSONResponse({"errors": ["Unknown media"]}, 422)
                created.append((account, content))
        job_id = f"job_{next(self._ids)}"
        failure, self._job_failure = self._job_failure, None
        self.jobs[job_id] = {"polls": 0, "failure": failure}
        if failure is None:
            for account, content in created:
                post_id = f"post_{next(self._ids)}"
                self.record_post(
                    {
                        "id": post_id,
                        "account_id": account["id"],
                        "text": content.get("text", ""),
                        "type": content.get("type"),
                        "media": content.get("media", []),
                        "state": "published" if publish_now else "scheduled",
                        "scheduled_at": account.get("scheduled_at")
                        or datetime.now(UTC).isoformat(),
                        "post_link": f"https://www.linkedin.com/feed/update/{post_id}"
                        if publish_now
                        else None,
                        "job_id": job_id,
                    }
                )
        if self.response_lost():
            return self.lost_response()
        return JSONResponse({"job_id": job_id})

    async def job_status(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return JSONResponse({"errors": ["Job not found"]}, status_code=404)
        job["polls"] += 1
        if job["polls"] <= self.working_polls:
            return JSONResponse({"status": "working"})
        failures = {"0": [{"message": job["failure"]}]} if job["failure"] else {}
        return JSONResponse({"status": "complete", "payload": {"failures": failures}})

    async def list_posts(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        account = request.query_params.get("account_ids[]")
        limit = int(request.query_params.get("limit", "20"))
        mine = [p for p in reversed(self.posts) if account in (None, p["account_id"])][:limit]
        return JSONResponse({"posts": mine, "total": len(mine)})

    async def list_accounts(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        return JSONResponse(self.accounts)
