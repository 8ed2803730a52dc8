"""A fake HeyGen-style avatar-video API: generate, status, and the finished file — plus
``/avatars/green.png``, a plain green portrait for videos that show the user's avatar.

Each video reports ``processing`` for ``polls_before_done`` status calls, then ``completed``
with a ``video_url`` on this server (or ``failed`` when scripted with ``fail_videos``).
``/redirect?to=<url>`` answers 302 to any URL, as a CDN hop (or a hostile answer) would.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer

AVATAR_COLOUR = (0, 200, 0)
VIDEO_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isomfake-heygen-video"


class FakeHeyGen(FakeServer):
    name = "fake-heygen"

    def __init__(self) -> None:
        super().__init__()
        self.api_key = "heygen-test-key"
        self.valid_tokens = {self.api_key}
        self.polls_before_done = 1
        self.fail_videos = False
        self.videos: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.valid_tokens = {self.api_key}
            self.videos.clear()
            self.polls_before_done = 1
            self.fail_videos = False

    def error_body(self, status: int, message: str) -> Any:
        return {"error": {"code": str(status), "message": message}, "data": None}

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("x-api-key", "") in self.valid_tokens

    def routes(self) -> list[Route]:
        async def generate(request: Request) -> Response:
            if not self._authorized(request):
                return self.unauthorized()
            if failure := self.scripted_failure():
                return failure
            body = await request.json()
            video_id = f"vid_{next(self._ids)}"
            with self.lock:
                self.videos[video_id] = {"request": body, "polls": 0}
            self.record_post({"video_id": video_id, **body})
            return JSONResponse({"error": None, "data": {"video_id": video_id}})

        async def status(request: Request) -> Response:
            if not self._authorized(request):
                return self.unauthorized()
            video_id = request.query_params.get("video_id", "")
            with self.lock:
                video = self.videos.get(video_id)
                if video is None:
                    return JSONResponse(self.error_body(404, "video not found"), status_code=404)
                video["polls"] += 1
                polls = video["polls"]
            if self.fail_videos:
                data = {"status": "failed", "error": {"message": "avatar could not be animated"}}
            elif polls <= self.polls_before_done:
                data = {"status": "processing"}
            else:
                data = {"status": "completed", "video_url": f"{self.base_url}/files/{video_id}.mp4"}
            return JSONResponse({"code": 100, "data": {"id": video_id, **data}})

        async def file(request: Request) -> Response:
            return Response(VIDEO_BYTES, media_type="video/mp4")

        async def redirect(request: Request) -> Response:
            # A CDN's hop to where the file is (``?to=`` any URL, as a hostile answer could).
            return RedirectResponse(request.query_params["to"], status_code=302)

        async def avatar(request: Request) -> Response:
            if request.path_params["name"] != "green.png":
                return JSONResponse({"error": "no such avatar"}, status_code=404)
            buffer = io.BytesIO()
            Image.new("RGB", (64, 64), AVATAR_COLOUR).save(buffer, format="PNG")
            return Response(buffer.getvalue(), media_type="image/png")

        return [
            Route("/v2/video/generate", generate, methods=["POST"]),
            Route("/v1/video_status.get", status, methods=["GET"]),
            Route("/files/{name}", file, methods=["GET"]),
            Route("/redirect", redirect, methods=["GET"]),
            Route("/avatars/{name}", avatar, methods=["GET"]),
        ]
