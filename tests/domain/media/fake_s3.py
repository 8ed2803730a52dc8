"""A tiny path-style S3 on 127.0.0.1: PUT/GET/HEAD/DELETE objects, no auth checking."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.server import FakeServer

_NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
)


class FakeS3(FakeServer):
    name = "fake-s3"

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        # Runs (in the server's thread) before each HEAD is answered: what else happens in
        # the world while the app waits on the store.
        self.on_head: Callable[[], None] | None = None

    def reset(self) -> None:
        super().reset()
        self.on_head = None

    def routes(self) -> list[Route]:
        return [
            Route(
                "/{bucket}/{key:path}",
                self.object,
                methods=["GET", "PUT", "HEAD", "DELETE"],
            )
        ]

    async def object(self, request: Request) -> Response:
        bucket = request.path_params["bucket"]
        key = request.path_params["key"]
        if request.method == "PUT":
            failure = self.scripted_failure()
            if failure is not None:
                return failure
            content_type = request.headers.get("content-type", "binary/octet-stream")
            with self.lock:
                self.objects[(bucket, key)] = (await request.body(), content_type)
            return Response(status_code=200, headers={"ETag": '"fake"'})
        if request.method == "DELETE":
            with self.lock:
                self.objects.pop((bucket, key), None)
            return Response(status_code=204)
        if request.method == "HEAD" and self.on_head is not None:
            self.on_head()
        with self.lock:
            stored = self.objects.get((bucket, key))
        if stored is None:
            body = b"" if request.method == "HEAD" else _NO_SUCH_KEY
            return Response(body, status_code=404, media_type="application/xml")
        data, content_type = stored
        headers = {"Content-Length": str(len(data)), "ETag": '"fake"'}
        if request.method == "HEAD":
            return Response(status_code=200, headers=headers, media_type=content_type)
        return Response(data, headers=headers, media_type=content_type)
