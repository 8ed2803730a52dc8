"""A fake OpenAI-compatible server on 127.0.0.1: scripted replies to /v1/chat/completions,
and to /v1/responses (OpenAI's Responses API) in the same shapes.

Every request body is kept (``requests``). Replies come from ``replies`` in order; when that
list is empty, from ``responder`` (called with the request body), else a 500.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import pytest

from tests.fakes.http_handler import QuietHandler

OPENAI_HOST = "api.openai.com"


def override_openai_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make api.openai.com resolve to 127.0.0.1 in this process (a host override), so the
    fake answers for OpenAI's own API: ``http://api.openai.com:<fake's port>/v1``."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host  # anyio passes IDNA bytes
        return real("127.0.0.1" if name == OPENAI_HOST else host, port, *args, **kwargs)

    # asyncio and anyio look socket.getaddrinfo up at call time.
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@dataclass
class Reply:
    status: int = 200
    arguments: str | dict[str, Any] | None = None  # tool-call arguments (the structured output)
    finish_reason: str = "tool_calls"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 120
    completion_tokens: int = 45
    cached_tokens: int | None = None  # reported as usage.prompt_tokens_details.cached_tokens
    # Held until the test sets it: a model call that lasts exactly as long as the test needs.
    gate: threading.Event | None = None


class FakeOpenAI:
    def __init__(self, responder: Callable[[dict[str, Any]], Reply] | None = None) -> None:
        self.replies: list[Reply] = []
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        # "answered" is appended as each reply goes out; tests may add their own events to
        # the same list to assert what happened before the model answered.
        self.events: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def openai_platform_url(self) -> str:
        """This server under OpenAI's host name (see ``override_openai_host``)."""
        return f"http://{OPENAI_HOST}:{self._server.server_address[1]}/v1"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def bodies(self) -> list[dict[str, Any]]:
        return [request["body"] for request in self.requests]

    def _next_reply(self, request: dict[str, Any]) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        return self.responder(request) if self.responder else Reply(status=500)

    def _completion(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        tools = request.get("tools") or []
        name = tools[0]["function"]["name"] if tools else "final_result"
        arguments = reply.arguments
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments or {})
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": reply.finish_reason,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_{len(self.requests)}",
                                "type": "function",
                                "function": {"name": name, "arguments": arguments},
                            }
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                **(
                    {"prompt_tokens_details": {"cached_tokens": reply.cached_tokens}}
                    if reply.cached_tokens is not None
                    else {}
                ),
            },
        }

    def _response(self, request: dict[str, Any], reply: Reply) -> dict[str, Any]:
        """The Responses API's answer: the structured output as one function call."""
        functions = [tool for tool in request.get("tools") or [] if tool.get("type") == "function"]
        name = functions[0]["name"] if functions else "final_result"
        arguments = reply.arguments
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments or {})
        return {
            "id": f"resp_{len(self.requests)}",
            "object": "response",
            "created_at": int(time.time()),
            "model": request.get("model", "fake"),
            "status": "completed",
            "output": [
                {
                    "type": "function_call",
                    "id": f"fc_{len(self.requests)}",
                    "call_id": f"call_{len(self.requests)}",
                    "name": name,
                    "arguments": arguments,
                    "status": "completed",
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": {
                "input_tokens": reply.prompt_tokens,
                "output_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                "input_tokens_details": {"cached_tokens": reply.cached_tokens or 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(
                    {"path": self.path, "body": request, "auth": self.headers.get("authorization")}
                )
                reply = fake._next_reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.gate is not None:
                    reply.gate.wait(timeout=120)
                if reply.status != 200:
                    body = json.dumps({"error": {"message": "scripted", "type": "fake"}}).encode()
                else:
                    answer = (
                        fake._response if self.path.endswith("/responses") else fake._completion
                    )
                    body = json.dumps(answer(request, reply)).encode()
                fake.events.append("answered")
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler
