"""A plain HTTP server on 127.0.0.1 that records every request reaching it: proof that
an internal address was (or was never) contacted."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer

from tests.fakes.http_handler import QuietHandler


class LoopbackServer:
    """Counts the requests that reach 127.0.0.1 and the Host header they named."""

    def __init__(self) -> None:
        self.hosts: list[str] = []
        server = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                server.hosts.append(self.headers.get("host", ""))
                self.rfile.read(int(self.headers.get("content-length", 0)))
                body = b'{"id": "1", "url": "https://example.com/1"}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"
