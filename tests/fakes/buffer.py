"""Fake Buffer GraphQL API: one endpoint answering ``createPost``, ``posts``, ``post`` and
``account`` as documented. Not a GraphQL engine: it recognises the operation by its root
field and reads the ``variables``.

Errors follow Buffer's model: HTTP 200 with ``errors[].extensions.code`` for auth and system
problems, typed ``MutationError`` payloads (``InvalidInputError``, ``LimitReachedError``) for
bad posts, and 429 for rate limits. ``fail_next(200, body=...)`` scripts any of them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer


class FakeBuffer(FakeServer):
    name = "fake-buffer"

    def __init__(self, api_key: str = "buffer-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.valid_tokens = {api_key}
        self.organization_id = "org_1"
        self.channels = {"chan_linkedin": "linkedin", "chan_x": "twitter"}
        self.char_limit = 3000
        self._ids = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self.valid_tokens = {self.api_key}

    def error_body(self, status: int, message: str) -> Any:
        code = {429: "RATE_LIMIT_EXCEEDED"}.get(status, "INTERNAL_SERVER_ERROR")
        return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}

    def routes(self) -> list[Route]:
        return [Route("/", self.graphql, methods=["POST"])]

    @staticmethod
    def _graphql_error(code: str, message: str) -> Response:
        return JSONResponse(
            {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
        )

    async def graphql(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return self._graphql_error("UNAUTHORIZED", "Invalid API key")
        body = await request.json()
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        if "createPost(" in query:
            if failure := self.scripted_failure():
                return failure
            return self._create_post(variables.get("input") or {})
        if "posts(" in query:
            return self._posts(variables)
        if "post(" in query:
            post_id = (variables.get("input") or {}).get("id")
            post = next((p for p in self.posts if p["id"] == post_id), None)
            if post is None:
                return self._graphql_error("NOT_FOUND", "Post not found")
            return JSONResponse({"data": {"post": self._node(post)}})
        if "account" in query:
            orgs = [{"id": self.organization_id, "name": "Postwright"}]
            account = {"id": "acc_1", "email": "team@x.test", "organizations": orgs}
            return JSONResponse({"data": {"account": account}})
        return self._graphql_error("GRAPHQL_VALIDATION_FAILED", "Unknown operation")

    @staticmethod
    def _node(post: dict[str, Any]) -> dict[str, Any]:
        return {k: post[k] for k in ("id", "text", "status", "dueAt")}

    def _create_post(self, post_input: dict[str, Any]) -> Response:
        def mutation_error(kind: str, message: str) -> Response:
            payload = {"__typename": kind, "message": message}
            return JSONResponse({"data": {"createPost": payload}})

        if post_input.get("channelId") not in self.channels:
            return mutation_error("NotFoundError", "Channel not found")
        mode = post_input.get("mode")
        if mode not in {"addToQueue", "shareNext", "shareNow", "customScheduled"}:
            return mutation_error("InvalidInputError", "Invalid mode")
        if mode == "customScheduled" and not post_input.get("dueAt"):
            return mutation_error("InvalidInputError", "dueAt is required for customScheduled")
        text = str(post_input.get("text", ""))
        if len(text) > self.char_limit:
            return mutation_error("InvalidInputError", "Text is too long for this channel")
        for asset in post_input.get("assets", []):
            if set(asset) - {"image", "video", "document", "link"} or "url" not in next(
                iter(asset.values())
            ):
                return mutation_error("InvalidInputError", "Each asset needs exactly one url")
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        post = self.record_post(
            {
                "id": f"post_{next(self._ids)}",
                "text": text,
                "channelId": post_input["channelId"],
                "status": "sending" if mode == "shareNow" else "scheduled",
                "dueAt": post_input.get("dueAt") or now,
                "assets": post_input.get("assets", []),
            }
        )
        if self.response_lost():
            return self.lost_response()
        payload = {"__typename": "PostActionSuccess", "post": self._node(post)}
        return JSONResponse({"data": {"createPost": payload}})

    def _posts(self, variables: dict[str, Any]) -> Response:
        post_input = variables.get("input") or {}
        if post_input.get("organizationId") != self.organization_id:
            return self._graphql_error("FORBIDDEN", "Not a member of this organization")
        channels = (post_input.get("filter") or {}).get("channelIds") or list(self.channels)
        first = int(variables.get("first") or 20)
        mine = [p for p in reversed(self.posts) if p["channelId"] in channels][:first]
        edges = [{"node": self._node(p)} for p in mine]
        return JSONResponse({"data": {"posts": {"edges": edges}}})
