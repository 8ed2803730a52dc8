"""Provider credentials at rest: JSON sealed with the SecretBox, never stored in clear."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from postwright.core.security import SecretBox
from postwright.domain.publishing.adapters.base import Credentials
from postwright.domain.publishing.models import ConnectedAccount


def seal(box: SecretBox, credentials: Credentials) -> str:
    document: dict[str, Any] = {
        "access_token": credentials.access_token,
        "refresh_token": credentials.refresh_token,
        "expires_at": credentials.expires_at.isoformat() if credentials.expires_at else None,
        "account_id": credentials.account_id,
        "handle": credentials.handle,
        "instance_url": credentials.instance_url,
        "api_key": credentials.api_key,
        "extra": dict(credentials.extra),
    }
    return box.encrypt(json.dumps(document))


def unseal(box: SecretBox, sealed: str) -> Credentials:
    document = json.loads(box.decrypt(sealed))
    expires = document.get("expires_at")
    return Credentials(
        access_token=document.get("access_token"),
        refresh_token=document.get("refresh_token"),
        expires_at=datetime.fromisoformat(expires) if expires else None,
        account_id=document.get("account_id"),
        handle=document.get("handle"),
        instance_url=document.get("instance_url"),
        api_key=document.get("api_key"),
        extra=dict(document.get("extra") or {}),
    )


def store(box: SecretBox, account: ConnectedAccount, credentials: Credentials) -> None:
    account.encrypted_credentials = seal(box, credentials)
    account.token_expires_at = credentials.expires_at
    scope = credentials.extra.get("scope")
    if scope:
        account.scopes = scope


def load(box: SecretBox, account: ConnectedAccount) -> Credentials:
    return unseal(box, account.encrypted_credentials)
