"""Fake LinkedIn: Posts, Images, Comments (socialActions) and OpenID userinfo.

Checks the versioned-API headers (``LinkedIn-Version: YYYYMM``, ``X-Restli-Protocol-Version:
2.0.0``), that the author is the token's member and that attached images were uploaded.
Answers the new URN in ``x-restli-id`` with an empty 201, like LinkedIn. Errors use LinkedIn's
``{"status", "serviceErrorCode", "code", "message"}`` shape. Posting the same commentary twice
answers 422 "Content is a duplicate of urn:li:share:…".
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer


class FakeLinkedIn(FakeServer):
    name = "fake-linkedin"

    def __init__(self, token: str = "li-token", member: str = "abc123") -> None:
        super().__init__()
        self.token = token
        self.member = member
        self.valid_tokens = {token}
        self.comments: list[dict[str, Any]] = []
        self.images: dict[str, bytes | None] = {}
        self._ids = itertools.count(7100000000000000000)

    @property
    def author(self) -> str:
        return f"urn:li:person:{self.member}"

    def reset(self) -> None:
        super().reset()
        self.comments.clear()
        self.images.clear()
        self.valid_tokens = {self.token}

    def error_body(self, status: int, message: str) -> Any:
        return {"status": status, "serviceErrorCode": 100, "message": message}

    def routes(self) -> list[Route]:
        return [
            Route("/rest/images", self.initialize_upload, methods=["POST"]),
            Route("/upload/{image_id}", self.upload, methods=["PUT"]),
            Route("/rest/posts", self.create_post, methods=["POST"]),
            Route("/rest/posts", self.find_posts, methods=["GET"]),
            Route("/rest/posts/{urn}", self.get_post, methods=["GET"]),
            Route("/rest/socialActions/{urn}/comments", self.create_comment, methods=["POST"]),
            Route("/v2/userinfo", self.userinfo, methods=["GET"]),
        ]

    def _api_problem(self, request: Request) -> Response | None:
        if not self.bearer_ok(request):
            return JSONResponse(
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token",
                },
                status_code=401,
            )
        if not re.fullmatch(r"\d{6}", request.headers.get("linkedin-version", "")):
            return JSONResponse(self.error_body(426, "A valid LinkedIn-Version is required"), 426)
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return JSONResponse(self.error_body(400, "X-Restli-Protocol-Version 2.0.0"), 400)
        return self.scripted_failure()

    async def initialize_upload(self, request: Request) -> Response:
        if problem := self._api_problem(request):
            return problem
        if request.query_params.get("action") != "initializeUpload":
            return JSONResponse(self.error_body(400, "Unsupported action"), 400)
        body = await request.json()
        if body.get("initializeUploadRequest", {}).get("owner") != self.author:
            return JSONResponse(self.error_body(403, "Not authorized to upload for owner"), 403)
        image_id = f"D4E10AQ{next(self._ids)}"
        self.images[f"urn:li:image:{image_id}"] = None
        return JSONResponse(
            {
                "value": {
                    "uploadUrlExpiresAt": int(time.time() * 1000) + 3_600_000,
                    "uploadUrl": f"{self.base_url}/upload/{image_id}",
                    "image": f"urn:li:image:{image_id}",
                }
            }
        )

    async def upload(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized()
        urn = f"urn:li:image:{request.path_params['image_id']}"
        if urn not in self.images:
            return JSONResponse(self.error_body(404, "Unknown upload"), 404)
        self.images[urn] = await request.body()
        return Response(status_code=201)

    async def create_post(self, request: Request) -> Response:
        if problem := self._api_problem(request):
            return problem
        body = await request.json()
        if body.get("author") != self.author:
            return JSONResponse(self.error_body(403, "Not enough permissions for author"), 403)
        commentary = str(body.get("commentary", ""))
        if len(commentary) > 3000:
            return JSONResponse(self.error_body(422, "commentary is too long"), 422)
        for existing in self.posts:
            if existing["commentary"] == commentary:
                message = f"Content is a duplicate of {existing['id']}"
                return JSONResponse(self.error_body(422, message), 422)
        content = body.get("content") or {}
        image_ids = [content["media"]["id"]] if "media" in content else []
        image_ids += [i["id"] for i in content.get("multiImage", {}).get("images", [])]
        if any(self.images.get(i) is None for i in image_ids):
            return JSONResponse(self.error_body(422, "Image is not uploaded"), 422)
        post = self.record_post(
            {
                **body,
                "id": f"urn:li:share:{next(self._ids)}",
                "createdAt": int(time.time() * 1000),
                "image_ids": image_ids,
            }
        )
        if self.response_lost():
            return self.lost_response()
        return Response(status_code=201, headers={"x-restli-id": post["id"]})

    async def find_posts(self, request: Request) -> Response:
        if problem := self._api_problem(request):
            return problem
        if request.query_params.get("q") != "author":
            return JSONResponse(self.error_body(400, "Unsupported finder"), 400)
        author = request.query_params.get("author")
        count = int(request.query_params.get("count", "10"))
        mine = [p for p in reversed(self.posts) if p["author"] == author][:count]
        return JSONResponse({"elements": mine, "paging": {"start": 0, "count": count}})

    async def get_post(self, request: Request) -> Response:
        if problem := self._api_problem(request):
            return problem
        urn = unquote(request.path_params["urn"])
        for post in self.posts:
            if post["id"] == urn:
                return JSONResponse(post)
        return JSONResponse(self.error_body(404, "Not found"), 404)

    async def create_comment(self, request: Request) -> Response:
        if problem := self._api_problem(request):
            return problem
        urn = unquote(request.path_params["urn"])
        body = await request.json()
        if not any(p["id"] == urn for p in self.posts) or body.get("object") != urn:
            return JSONResponse(self.error_body(404, "Post not found"), 404)
        if body.get("actor") != self.author or not body.get("message", {}).get("text"):
            return JSONResponse(self.error_body(422, "Invalid comment"), 422)
        comment_id = f"urn:li:comment:({urn},{next(self._ids)})"
        self.comments.append({"id": comment_id, "object": urn, "text": body["message"]["text"]})
        return JSONResponse(
            {"id": comment_id, "object": urn, "message": body["message"]},
            status_code=201,
            headers={"x-restli-id": comment_id},
        )

    async def userinfo(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self.unauthorized()
        return JSONResponse({"sub": self.member, "name": "Ada Lovelace", "email": "ada@x.test"})
