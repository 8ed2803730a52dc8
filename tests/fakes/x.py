"""Fake X API v2: posts, media upload v2, user timeline and ``/2/users/me``.

Errors are problem+json (``title``, ``detail``, ``type``, ``status``). Rate limiting answers
429 with ``x-rate-limit-reset``. The same text twice answers 403 "You are not allowed to create
a Tweet with duplicate content." Links in stored text come back as t.co links with
``entities.urls`` holding the originals, as X does.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer, multipart_form

LINK = re.compile(r"https?://\S+")


class FakeX(FakeServer):
    name = "fake-x"

    def __init__(self, token: str = "x-token", user_id: str = "2244994945") -> None:
        super().__init__()
        self.token = token
        self.user_id = user_id
        self.username = "postwright"
        self.valid_tokens = {token}
        self.media: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1850000000000000000)

    def reset(self) -> None:
        super().reset()
        self.media.clear()
        self.valid_tokens = {self.token}

    def error_body(self, status: int, message: str) -> Any:
        titles = {401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests"}
        return {
            "title": titles.get(status, "Error"),
            "detail": message,
            "type": "about:blank",
            "status": status,
        }

    def routes(self) -> list[Route]:
        return [
            Route("/2/tweets", self.create_tweet, methods=["POST"]),
            Route("/2/tweets/{id}", self.get_tweet, methods=["GET"]),
            Route("/2/media/upload", self.upload, methods=["POST"]),
            Route("/2/users/me", self.me, methods=["GET"]),
            Route("/2/users/{id}/tweets", self.timeline, methods=["GET"]),
        ]

    def _problem(self, request: Request) -> Response | None:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthorized"), status_code=401)
        return self.scripted_failure()

    def _tweet_json(self, post: dict[str, Any]) -> dict[str, Any]:
        urls, text = [], post["text"]
        for index, link in enumerate(LINK.findall(post["text"])):
            short = f"https://t.co/fake{index}"
            text = text.replace(link, short, 1)
            urls.append({"url": short, "expanded_url": link})
        return {
            "id": post["id"],
            "text": text,
            "created_at": post["created_at"],
            "entities": {"urls": urls},
        }

    async def create_tweet(self, request: Request) -> Response:
        if problem := self._problem(request):
            return problem
        body = await request.json()
        text = str(body.get("text", ""))
        if any(p["text"] == text for p in self.posts):
            detail = "You are not allowed to create a Tweet with duplicate content."
            return JSONResponse(self.error_body(403, detail), status_code=403)
        media_ids = body.get("media", {}).get("media_ids", [])
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        if any(m not in self.media for m in media_ids) or (
            reply_to and not any(p["id"] == reply_to for p in self.posts)
        ):
            detail = "One or more parameters to your request was invalid."
            return JSONResponse(self.error_body(400, detail), status_code=400)
        post = self.record_post(
            {
                "id": str(next(self._ids)),
                "text": text,
                "media_ids": media_ids,
                "in_reply_to_tweet_id": reply_to,
                "created_at": datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
            }
        )
        if self.response_lost():
            return self.lost_response()
        return JSONResponse({"data": {"id": post["id"], "text": text}}, status_code=201)

    async def get_tweet(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthorized"), status_code=401)
        for post in self.posts:
            if post["id"] == request.path_params["id"]:
                return JSONResponse({"data": self._tweet_json(post)})
        detail = f"Could not find tweet with id: [{request.path_params['id']}]."
        return JSONResponse({"errors": [{"detail": detail, "title": "Not Found Error"}]})

    async def upload(self, request: Request) -> Response:
        if problem := self._problem(request):
            return problem
        form = await multipart_form(request)
        upload = form.get("media")
        category = form["media_category"].text if "media_category" in form else ""
        if upload is None or category not in {"tweet_image", "tweet_gif", "tweet_video"}:
            return JSONResponse(self.error_body(400, "media and media_category required"), 400)
        media_id = str(next(self._ids))
        self.media[media_id] = {"size": len(upload.value), "category": category}
        return JSONResponse(
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(upload.value),
                    "expires_after_secs": 86400,
                }
            }
        )

    async def me(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthorized"), status_code=401)
        return JSONResponse(
            {"data": {"id": self.user_id, "name": "Postwright", "username": self.username}}
        )

    async def timeline(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthorized"), status_code=401)
        limit = int(request.query_params.get("max_results", "10"))
        if request.path_params["id"] != self.user_id or not 5 <= limit <= 100:
            return JSONResponse(self.error_body(400, "Invalid request"), status_code=400)
        tweets = [self._tweet_json(p) for p in reversed(self.posts)][:limit]
        return JSONResponse({"data": tweets, "meta": {"result_count": len(tweets)}})
