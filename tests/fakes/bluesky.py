"""Fake Bluesky PDS: sessions, blobs, post records, handle resolution.

Validates records the way a PDS does for ``app.bsky.feed.post``: ``$type``, ``createdAt``,
text ≤ 300 graphemes, facet byte ranges inside the UTF-8 text, uploaded blobs in image embeds,
reply ``root``/``parent`` refs to existing records. ``expire_access_tokens()`` makes every
current access JWT answer 400 ``ExpiredToken`` (refresh JWTs keep working, once each).
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import regex
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer

COLLECTION = "app.bsky.feed.post"


class FakeBluesky(FakeServer):
    name = "fake-bluesky"

    def __init__(
        self,
        handle: str = "postwright.bsky.social",
        app_password: str = "abcd-efgh-ijkl-mnop",
        did: str = "did:plc:postwright",
    ) -> None:
        super().__init__()
        self.handle = handle
        self.app_password = app_password
        self.did = did
        self.known_handles: dict[str, str] = {"alice.bsky.social": "did:plc:alice"}
        self.blobs: dict[str, bytes] = {}
        self.refresh_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.sessions_created = 0
        self._seq = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self.blobs.clear()
        self.refresh_tokens.clear()
        self.expired_tokens.clear()
        self.sessions_created = 0

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.expired_tokens |= self.valid_tokens
            self.valid_tokens = set()

    def error_body(self, status: int, message: str) -> Any:
        return {"error": "InternalServerError" if status >= 500 else "Error", "message": message}

    def routes(self) -> list[Route]:
        xrpc = "/xrpc/"
        return [
            Route(xrpc + "com.atproto.server.createSession", self.create_session, methods=["POST"]),
            Route(
                xrpc + "com.atproto.server.refreshSession", self.refresh_session, methods=["POST"]
            ),
            Route(xrpc + "com.atproto.server.getSession", self.get_session, methods=["GET"]),
            Route(xrpc + "com.atproto.repo.uploadBlob", self.upload_blob, methods=["POST"]),
            Route(xrpc + "com.atproto.repo.createRecord", self.create_record, methods=["POST"]),
            Route(xrpc + "com.atproto.repo.listRecords", self.list_records, methods=["GET"]),
            Route(xrpc + "com.atproto.repo.getRecord", self.get_record, methods=["GET"]),
            Route(
                xrpc + "com.atproto.identity.resolveHandle", self.resolve_handle, methods=["GET"]
            ),
        ]

    def new_session(self) -> dict[str, Any]:
        n = next(self._seq)
        access, refresh = f"access-{n}", f"refresh-{n}"
        with self.lock:
            self.valid_tokens.add(access)
            self.refresh_tokens.add(refresh)
            self.sessions_created += 1
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "active": True,
        }

    def _auth_problem(self, request: Request) -> Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token in self.expired_tokens:
            return JSONResponse({"error": "ExpiredToken", "message": "Token has expired"}, 400)
        if token not in self.valid_tokens:
            return JSONResponse(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                401,
            )
        return None

    async def create_session(self, request: Request) -> Response:
        if failure := self.scripted_failure():
            return failure
        body = await request.json()
        if body.get("identifier") not in {self.handle, self.did} or (
            body.get("password") != self.app_password
        ):
            return JSONResponse(
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                401,
            )
        return JSONResponse(self.new_session())

    async def refresh_session(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            if token not in self.refresh_tokens:
                return JSONResponse(
                    {"error": "ExpiredToken", "message": "Token has been revoked"}, 400
                )
            self.refresh_tokens.discard(token)
        return JSONResponse(self.new_session())

    async def get_session(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        return JSONResponse({"handle": self.handle, "did": self.did, "active": True})

    async def upload_blob(self, request: Request) -> Response:
        if problem := self._auth_problem(request) or self.scripted_failure():
            return problem
        data = await request.body()
        mime = request.headers.get("content-type", "")
        if len(data) > 1_000_000:
            return JSONResponse({"error": "BlobTooLarge", "message": "Blob too large"}, 400)
        cid = "bafkrei" + hashlib.sha256(data).hexdigest()[:52]
        self.blobs[cid] = data
        return JSONResponse(
            {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}}
        )

    def _record_problem(self, record: dict[str, Any]) -> str | None:
        text = record.get("text")
        if record.get("$type") != COLLECTION or not isinstance(text, str):
            return "Invalid app.bsky.feed.post record"
        if "createdAt" not in record:
            return 'Record must have the property "createdAt"'
        if len(regex.findall(r"\X", text)) > 300:
            return "Record/text must not be longer than 300 graphemes"
        size = len(text.encode("utf-8"))
        for facet in record.get("facets", []):
            index = facet["index"]
            if not 0 <= index["byteStart"] < index["byteEnd"] <= size:
                return "Invalid facet byte range"
        for image in record.get("embed", {}).get("images", []):
            if image["image"]["ref"]["$link"] not in self.blobs:
                return "Could not find blob"
        reply = record.get("reply")
        if reply:
            uris = {p["uri"] for p in self.posts}
            if reply["root"]["uri"] not in uris or reply["parent"]["uri"] not in uris:
                return "Reply refs must point to existing records"
        return None

    async def create_record(self, request: Request) -> Response:
        if problem := self._auth_problem(request) or self.scripted_failure():
            return problem
        body = await request.json()
        if body.get("repo") != self.did or body.get("collection") != COLLECTION:
            return JSONResponse({"error": "InvalidRequest", "message": "Invalid repo"}, 400)
        record = body.get("record", {})
        if message := self._record_problem(record):
            return JSONResponse({"error": "InvalidRequest", "message": message}, 400)
        rkey = f"3l{next(self._seq):011d}"
        uri = f"at://{self.did}/{COLLECTION}/{rkey}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52]
        self.record_post({"uri": uri, "cid": cid, "value": record})
        if self.response_lost():
            return self.lost_response()
        return JSONResponse(
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": cid, "rev": rkey},
                "validationStatus": "valid",
            }
        )

    async def list_records(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        limit = int(request.query_params.get("limit", "50"))
        records = list(reversed(self.posts))[:limit]
        return JSONResponse({"records": records})

    async def get_record(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        rkey = request.query_params.get("rkey")
        for post in self.posts:
            if post["uri"].endswith(f"/{rkey}"):
                return JSONResponse(post)
        return JSONResponse(
            {"error": "RecordNotFound", "message": f"Could not locate record: {rkey}"}, 400
        )

    async def resolve_handle(self, request: Request) -> Response:
        if problem := self._auth_problem(request):
            return problem
        did = self.known_handles.get(request.query_params.get("handle", ""))
        if did is None:
            return JSONResponse({"error": "InvalidRequest", "message": "Unable to resolve"}, 400)
        return JSONResponse({"did": did})
