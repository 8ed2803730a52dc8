"""An OpenAI-compatible chat server on 127.0.0.1 answering every call after a fixed latency.

Each reply is a tool call carrying a distinct post, so bulk jobs see a diverse batch. It runs
in a child process of its own, as a real provider is elsewhere: in the benchmark's process its
threads would take the GIL from the engine under measurement.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import random
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VOCABULARY = [f"word{index}" for index in range(3000)]


def _angles(request: dict[str, Any]) -> list[dict[str, str]]:
    """An angle plan as long as the prompt asks for ("Return exactly N angles")."""
    found = re.search(r"Return exactly (\d+) angles", json.dumps(request))
    count = int(found.group(1)) if found else 1
    return [
        {"hook": f"Hook {i}: a door of its own.", "subtopic": f"slice {i}", "format": "story"}
        for i in range(count)
    ]


class FakeLlm:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self._counter = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # Forked: the child serves the socket bound here; this process never accepts on it.
        self._process = multiprocessing.get_context("fork").Process(
            target=self._server.serve_forever, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeLlm:
        self._process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(timeout=10)
        self._server.server_close()

    def _reply(self, request: dict[str, Any]) -> bytes:
        number = next(self._counter)
        tools = request.get("tools") or []
        name = tools[0]["function"]["name"] if tools else "final_result"
        if "angles" in json.dumps(tools):
            arguments = json.dumps({"angles": _angles(request)})
        else:
            # Distinct words per call, so a batch is as diverse as a real model's.
            words = " ".join(random.Random(number).sample(VOCABULARY, 40))
            content = f"Update {number}: what we learned this week. {words} #Build{number}"
            arguments = json.dumps({"content": content})
        completion = {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_{number}",
                                "type": "function",
                                "function": {
                                    "name": name,
                                    "arguments": arguments,
                                },
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130},
        }
        return json.dumps(completion).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out as separate writes: without TCP_NODELAY each answer
            # waits ~40 ms on Nagle and the client's delayed ACK.
            disable_nagle_algorithm = True

            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                if fake.latency:
                    time.sleep(fake.latency)
                body = fake._reply(request)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
