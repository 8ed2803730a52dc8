"""The base of the tests' small stdlib HTTP fakes: quiet, and answering without delay."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


class QuietHandler(BaseHTTPRequestHandler):
    # Headers and body go out as separate writes: without TCP_NODELAY each answer waits
    # ~40 ms on Nagle and the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass
