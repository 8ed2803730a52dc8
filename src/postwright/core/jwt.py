"""Verification of an external identity provider's RS256 JWTs against its JWKS."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import jwt
from jwt.types import Options

from postwright.core.settings import AuthSettings


@dataclass(frozen=True)
class ExternalIdentity:
    subject: str
    email: str | None
    first_name: str | None
    last_name: str | None
    image_url: str | None


class JwtVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        if not settings.jwks_url:
            raise ValueError("JWT verification needs POSTWRIGHT_JWT_JWKS_URL")
        self._settings = settings
        # PyJWKClient caches the key set and refetches on an unknown ``kid``.
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300)

    async def verify(self, token: str) -> ExternalIdentity:
        """Raises ``jwt.PyJWTError`` when the token is not valid."""
        signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        options: Options = {"require": ["exp", "sub"]}
        if self._settings.audience is None:
            options["verify_aud"] = False
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            audience=self._settings.audience,
            issuer=self._settings.issuer,
            leeway=self._settings.leeway_seconds,
            options=options,
        )
        return ExternalIdentity(
            subject=str(claims["sub"]),
            email=claims.get("email"),
            first_name=claims.get("given_name") or claims.get("first_name"),
            last_name=claims.get("family_name") or claims.get("last_name"),
            image_url=claims.get("picture") or claims.get("image_url"),
        )


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("ey")
