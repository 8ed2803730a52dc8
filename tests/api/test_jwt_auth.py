"""External identity provider tokens (RS256), verified against a JWKS served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm

from postwright.api.app import create_app
from postwright.core.clock import FrozenClock
from postwright.core.settings import AuthSettings
from tests.conftest import make_settings
from tests.fakes.http_handler import QuietHandler

SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "https://clerk.example.test"


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    public = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "key-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def token(key: rsa.RSAPrivateKey = SIGNING_KEY, *, expires_in: int = 300, **claims: object) -> str:
    payload = {
        "sub": "user_clerk_123",
        "iss": ISSUER,
        "exp": int(time.time()) + expires_in,
        "iat": int(time.time()),
        "email": "grace@example.com",
        "given_name": "Grace",
        "family_name": "Hopper",
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "key-1"})


@pytest.fixture
async def jwt_client(
    database_url: str, tmp_path: Path, clock: FrozenClock, jwks_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url, tmp_path, jwt=AuthSettings(jwks_url=jwks_url, issuer=ISSUER)
    )
    app: FastAPI = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_valid_token_signs_in_and_provisions_the_user_once(
    jwt_client: httpx.AsyncClient,
) -> None:
    headers = {"Authorization": f"Bearer {token()}"}

    first = await jwt_client.get("/api/v1/user", headers=headers)
    second = await jwt_client.get("/api/v1/user", headers=headers)

    assert first.status_code == 200, first.text
    assert first.json()["email"] == "grace@example.com"
    assert first.json()["firstName"] == "Grace"
    assert first.json()["id"] == second.json()["id"]
    workspaces = (await jwt_client.get("/api/v1/workspaces", headers=headers)).json()["workspaces"]
    assert len(workspaces) == 1
    assert workspaces[0]["role"] == "owner"


@pytest.mark.parametrize(
    "bad_token",
    [
        pytest.param(lambda: token(OTHER_KEY), id="wrong-signing-key"),
        pytest.param(lambda: token(expires_in=-3600), id="expired"),
        pytest.param(lambda: token(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "x", "exp": int(time.time()) + 60}, "secret", algorithm="HS256"
            ),
            id="hs256-not-accepted",
        ),
    ],
)
async def test_invalid_tokens_get_401(jwt_client: httpx.AsyncClient, bad_token: object) -> None:
    response = await jwt_client.get(
        "/api/v1/user",
        headers={"Authorization": f"Bearer {bad_token()}"},  # type: ignore[operator]
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
