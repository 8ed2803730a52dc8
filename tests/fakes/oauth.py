"""Fake OAuth 2 authorization server (RFC 6749 + PKCE RFC 7636), shaped like LinkedIn's and
X's: ``GET /authorize`` redirects back with ``code`` and ``state`` (the user always consents);
``POST /token`` serves ``authorization_code`` and ``refresh_token`` grants.

Client authentication: ``client_secret_post`` (LinkedIn), ``client_secret_basic`` (X
confidential clients) or ``client_id`` alone for public clients. ``require_pkce`` makes a
missing or wrong ``code_verifier`` fail with ``invalid_grant``. Refresh tokens rotate.
``expires_in`` sets the lifetime of issued access tokens.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.server import FakeServer


class FakeOAuth(FakeServer):
    name = "fake-oauth"

    def __init__(
        self,
        client_id: str = "client-1",
        client_secret: str | None = "secret-1",
        *,
        require_pkce: bool = False,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.require_pkce = require_pkce
        self.expires_in = 3600
        self.codes: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: set[str] = set()
        self.issued: list[dict[str, Any]] = []
        self.authorize_requests: list[dict[str, str]] = []
        self._seq = itertools.count(1)

    def reset(self) -> None:
        super().reset()
        self.codes.clear()
        self.refresh_tokens.clear()
        self.issued.clear()
        self.authorize_requests.clear()

    def error_body(self, status: int, message: str) -> Any:
        return {"error": "server_error", "error_description": message}

    def routes(self) -> list[Route]:
        return [
            Route("/authorize", self.authorize, methods=["GET"]),
            Route("/token", self.token, methods=["POST"]),
        ]

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        if params.get("response_type") != "code" or params.get("client_id") != self.client_id:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if self.require_pkce and params.get("code_challenge_method") != "S256":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = f"code-{next(self._seq)}"
        self.codes[code] = {
            "redirect_uri": params.get("redirect_uri"),
            "challenge": params.get("code_challenge"),
            "scope": params.get("scope", ""),
        }
        query = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params.get('redirect_uri')}?{query}", status_code=302)

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return user == self.client_id and password == self.client_secret
        if form.get("client_id") != self.client_id:
            return False
        return self.client_secret is None or form.get("client_secret") == self.client_secret

    def _issue(self, scope: str) -> dict[str, Any]:
        n = next(self._seq)
        token = {
            "access_token": f"access-{n}",
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": f"refresh-{n}",
            "scope": scope,
        }
        self.refresh_tokens.add(token["refresh_token"])
        self.issued.append(token)
        return token

    async def token(self, request: Request) -> Response:
        if failure := self.scripted_failure():
            return failure
        form = dict(parse_qsl((await request.body()).decode()))
        if not self._client_ok(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)
            if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                return self._invalid_grant("Authorization code is invalid or was used")
            if issued["challenge"] or self.require_pkce:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if expected != issued["challenge"]:
                    return self._invalid_grant("PKCE verification failed")
            return JSONResponse(self._issue(issued["scope"]))
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            if refresh not in self.refresh_tokens:
                return self._invalid_grant("Refresh token is invalid or expired")
            self.refresh_tokens.discard(refresh)
            return JSONResponse(self._issue(form.get("scope", "")))
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)

    @staticmethod
    def _invalid_grant(description: str) -> Response:
        return JSONResponse(
            {"error": "invalid_grant", "error_description": description}, status_code=400
        )
