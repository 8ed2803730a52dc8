"""Fake image providers on 127.0.0.1, answering as their public API references show.

- ``FakeOpenAIImages``: ``POST /v1/images/generations`` → ``{"created", "data": [{"b64_json"}],
  "usage"}``; errors ``{"error": {"message", "type", "param", "code"}}``.
- ``FakeReplicate``: ``POST /v1/models/{owner}/{name}/predictions`` → a prediction object
  (``id``, ``status``, ``output``, ``error``, ``urls.get``). With ``finish_after`` polls the
  prediction stays ``processing`` that many ``GET /v1/predictions/{id}`` first; ``fail_run``
  makes it end ``failed``. Outputs are served from ``/files/{id}.png``.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
from typing import Any

from PIL import Image
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer


def png(width: int = 64, height: int = 64, colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class FakeOpenAIImages(FakeServer):
    name = "fake-openai-images"

    def __init__(self, api_key: str = "sk-test") -> None:
        super().__init__()
        self.valid_tokens = {api_key}
        self.bodies: list[dict[str, Any]] = []

    def reset(self) -> None:
        super().reset()
        self.bodies.clear()

    def error_body(self, status: int, message: str) -> Any:
        kind = "rate_limit_exceeded" if status == 429 else "server_error"
        return {"error": {"message": message, "type": kind, "param": None, "code": kind}}

    def routes(self) -> list[Route]:
        return [Route("/v1/images/generations", self.generate, methods=["POST"])]

    async def generate(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_api_key",
                    }
                },
                status_code=401,
            )
        failure = self.scripted_failure()
        if failure is not None:
            return failure
        body = json.loads(await request.body())
        with self.lock:
            self.bodies.append(body)
        width, height = (int(part) for part in str(body.get("size", "1024x1024")).split("x"))
        encoded = base64.b64encode(png(width // 16, height // 16)).decode()
        return JSONResponse(
            {
                "created": 1_713_833_628,
                "data": [{"b64_json": encoded}],
                "usage": {"total_tokens": 100, "input_tokens": 50, "output_tokens": 50},
            }
        )


class FakeReplicate(FakeServer):
    name = "fake-replicate"

    def __init__(self, token: str = "r8_test") -> None:
        super().__init__()
        self.valid_tokens = {token}
        self.bodies: list[dict[str, Any]] = []
        self.finish_after = 0
        self.fail_run = False
        self.predictions: dict[str, dict[str, Any]] = {}
        self._polls: dict[str, int] = {}
        self._ids = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self.bodies.clear()
        self.finish_after = 0
        self.fail_run = False
        self.predictions.clear()
        self._polls.clear()

    def error_body(self, status: int, message: str) -> Any:
        return {"title": "Error", "detail": message, "status": status}

    def routes(self) -> list[Route]:
        return [
            Route("/v1/models/{owner}/{model}/predictions", self.create, methods=["POST"]),
            Route("/v1/predictions/{id}", self.get, methods=["GET"]),
            Route("/files/{id}.png", self.file, methods=["GET"]),
        ]

    def _finished(self, prediction_id: str) -> dict[str, Any]:
        prediction = self.predictions[prediction_id]
        if self.fail_run:
            prediction.update(status="failed", error="NSFW content detected", output=None)
        else:
            prediction.update(
                status="succeeded", output=[f"{self.base_url}/files/{prediction_id}.png"]
            )
        return prediction

    async def create(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthenticated"), status_code=401)
        failure = self.scripted_failure()
        if failure is not None:
            return failure
        body = json.loads(await request.body())
        prediction_id = f"pred{next(self._ids)}"
        with self.lock:
            self.bodies.append(body)
            self.predictions[prediction_id] = {
                "id": prediction_id,
                "model": f"{request.path_params['owner']}/{request.path_params['model']}",
                "version": "hidden",
                "input": body.get("input", {}),
                "status": "starting",
                "output": None,
                "error": None,
                "logs": "",
                "created_at": "2026-11-23T12:00:00.000Z",
                "urls": {
                    "get": f"{self.base_url}/v1/predictions/{prediction_id}",
                    "cancel": f"{self.base_url}/v1/predictions/{prediction_id}/cancel",
                },
            }
            self._polls[prediction_id] = 0
            if self.finish_after == 0:
                return JSONResponse(self._finished(prediction_id), status_code=201)
            return JSONResponse(self.predictions[prediction_id], status_code=201)

    async def get(self, request: Request) -> Response:
        if not self.bearer_ok(request):
            return JSONResponse(self.error_body(401, "Unauthenticated"), status_code=401)
        prediction_id = request.path_params["id"]
        with self.lock:
            if prediction_id not in self.predictions:
                return JSONResponse(self.error_body(404, "Not found"), status_code=404)
            self._polls[prediction_id] += 1
            if self._polls[prediction_id] >= self.finish_after:
                return JSONResponse(self._finished(prediction_id))
            self.predictions[prediction_id]["status"] = "processing"
            return JSONResponse(self.predictions[prediction_id])

    async def file(self, request: Request) -> Response:
        return Response(png(), media_type="image/png")
