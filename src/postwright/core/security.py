"""Secrets: API key minting and hashing, HMAC signing, and encryption at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

API_KEY_PREFIX = "pw_live_"


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(plaintext: str) -> str:
    """API keys carry 256 random bits, so a fast hash is enough; only the hash is stored."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def display_prefix(plaintext: str) -> str:
    return plaintext[: len(API_KEY_PREFIX) + 6]


def sign(secret: bytes, message: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def verify_signature(secret: bytes, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature)


class SecretBox:
    """Fernet encryption for secrets stored in the database (OAuth tokens, AI keys)."""

    def __init__(self, secret_key: bytes) -> None:
        derived = hashlib.sha256(b"postwright-secretbox:" + secret_key).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with the current key") from exc
