"""Fake Mastodon instance: statuses (with Idempotency-Key), v2 media, accounts.

Errors answer ``{"error": "..."}`` as Mastodon does. A status longer than ``char_limit``
answers 422 "Validation failed: Text character limit of 500 exceeded". A repeated
``Idempotency-Key`` returns the status it created the first time (Mastodon keeps them 1 h).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer, multipart_form


class FakeMastodon(FakeServer):
    name = "fake-mastodon"

    def __init__(self, token: str = "masto-token", account_id: str = "109000") -> None:
        super().__init__()
        self.token = token
        self.account_id = account_id
        self.username = "postwright"
        self.valid_tokens = {token}
        self.char_limit = 500
        self.media: dict[str, dict[str, Any]] = {}
        self.media_processing_polls = 0
        self._by_key: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(110000000000000000)

    def reset(self) -> None:
        super().reset()
        self.media.clear()
        self._by_key.clear()
        self.valid_tokens = {self.token}

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/statuses", self.create_status, methods=["POST"]),
            Route("/api/v1/statuses/{id}", self.get_status, methods=["GET"]),
            Route("/api/v2/media", self.upload_media, methods=["POST"]),
            Route("/api/v1/media/{id}", self.get_media, methods=["GET"]),
            Route("/api/v1/accounts/verify_credentials", self.verify, methods=["GET"]),
            Route("/api/v1/accounts/{id}/statuses", self.account_statuses, methods=["GET"]),
        ]

    def _status_json(self, post: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/@{self.username}/{post['id']}"
        return {
            "id": post["id"],
            "uri": f"{self.base_url}/users/{self.username}/statuses/{post['id']}",
            "url": url,
            "created_at": post["created_at"],
            "content": f"<p>{escape(post['status'])}</p>",
            "visibility": post["visibility"],
            "in_reply_to_id": post["in_reply_to_id"],
            "media_attachments": [self.media[m] for m in post["media_ids"]],
            "account": {"id": self.account_id, "acct": self.username},
        }

    async def create_status(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        if failure := self.scripted_failure():
            return failure
        body = await request.json()
        key = request.headers.get("idempotency-key")
        if key and key in self._by_key:
            return JSONResponse(self._status_json(self._by_key[key]))
        text = str(body.get("status", ""))
        if not text and not body.get("media_ids"):
            return JSONResponse({"error": "Validation failed: Text can't be blank"}, 422)
        if len(text) > self.char_limit:
            message = f"Validation failed: Text character limit of {self.char_limit} exceeded"
            return JSONResponse({"error": message}, 422)
        for media_id in body.get("media_ids", []):
            if media_id not in self.media:
                return JSONResponse({"error": "Record not found"}, 404)
        post = self.record_post(
            {
                "id": str(next(self._ids)),
                "status": text,
                "visibility": body.get("visibility", "public"),
                "in_reply_to_id": body.get("in_reply_to_id"),
                "media_ids": list(body.get("media_ids", [])),
                "idempotency_key": key,
                "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            }
        )
        if key:
            self._by_key[key] = post
        if self.response_lost():
            return self.lost_response()
        return JSONResponse(self._status_json(post))

    async def get_status(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        for post in self.posts:
            if post["id"] == request.path_params["id"]:
                return JSONResponse(self._status_json(post))
        return JSONResponse({"error": "Record not found"}, 404)

    async def upload_media(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        if failure := self.scripted_failure():
            return failure
        form = await multipart_form(request)
        upload = form.get("file")
        if upload is None:
            return JSONResponse({"error": "Validation failed: File can't be blank"}, 422)
        content_type = upload.content_type or ""
        if not content_type.startswith(("image/", "video/")):
            return JSONResponse({"error": "Validation failed: File has an invalid type"}, 422)
        media_id = str(next(self._ids))
        processing = self.media_processing_polls > 0
        attachment = {
            "id": media_id,
            "type": "image" if content_type.startswith("image/") else "video",
            "url": None if processing else f"{self.base_url}/media/{media_id}",
            "description": form["description"].text if "description" in form else None,
            "size": len(upload.value),
        }
        self.media[media_id] = attachment
        return JSONResponse(attachment, status_code=202 if processing else 200)

    async def get_media(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        attachment = self.media.get(request.path_params["id"])
        if attachment is None:
            return JSONResponse({"error": "Record not found"}, 404)
        if self.media_processing_polls > 0:
            self.media_processing_polls -= 1
            return JSONResponse(attachment, status_code=206)
        attachment["url"] = f"{self.base_url}/media/{attachment['id']}"
        return JSONResponse(attachment)

    async def verify(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        return JSONResponse(
            {
                "id": self.account_id,
                "username": self.username,
                "acct": self.username,
                "display_name": "Postwright",
                "url": f"{self.base_url}/@{self.username}",
            }
        )

    async def account_statuses(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized("The access token is invalid")
        limit = int(request.query_params.get("limit", "20"))
        posts = list(reversed(self.posts))
        if request.query_params.get("exclude_replies") == "true":
            posts = [p for p in posts if not p["in_reply_to_id"]]
        return JSONResponse([self._status_json(p) for p in posts[:limit]])
