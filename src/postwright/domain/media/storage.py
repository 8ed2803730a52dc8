"""Where media bytes live: the ``MediaStorage`` protocol, key rules, and the local backend.

Keys look like ``ws_…/images/med_….png``: the first segment is the owning workspace, so a
router checks ownership with :func:`key_belongs_to` before it signs or serves anything. The
local backend serves files through the app itself with HMAC-signed, expiring URLs::

    GET {base_url}/media/{key}?expires=…&signature=…          -> verify()
    PUT {base_url}/media-upload/{key}?expires=…&content_type=…&max_bytes=…&signature=…
                                                              -> verify_upload()

Public keys (``ws_…/{folder}/public/{128-bit token}/med_….png``, made by
:func:`new_public_media_key`) are the exception: an uploaded post image whose stable URL must
answer a plain GET, like a public bucket's. The token makes the URL unguessable;
``GET {base_url}/media/{key}`` serves such a key without a signature.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote, urlencode, urlsplit

from postwright.core.clock import Clock, SystemClock
from postwright.core.ids import new_id
from postwright.domain.media.errors import InvalidMediaKey, MediaNotFound
from postwright.domain.media.formats import FILE_EXTENSIONS

MAX_KEY_LENGTH = 512
_WORKSPACE_SEGMENT = re.compile(r"ws_[0-9a-z]{1,64}")
# A segment never starts with a dot: that refuses "." and ".." and keeps the local backend's
# ".name.type" sidecar files out of the key space.
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}")
PUBLIC_FOLDER = "public"
_PUBLIC_TOKEN = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class UploadTarget:
    """Where a client PUTs its own file, and the stable URL to reference it by afterwards."""

    upload_url: str
    method: str
    headers: dict[str, str]
    public_url: str
    key: str
    content_type: str
    max_bytes: int
    expires_at: datetime


class MediaStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> tuple[bytes, str]:
        """The bytes and content type; raises MediaNotFound."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Removes the object; deleting a missing key is not an error."""
        ...

    async def signed_url(self, key: str, expires_in: timedelta) -> tuple[str, datetime]:
        """A URL anyone can GET until the returned expiry."""
        ...

    async def presigned_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget: ...

    def public_url(self, key: str) -> str:
        """A stable URL naming the object (not a grant to read it)."""
        ...

    def key_from_url(self, url: str) -> str | None:
        """The key behind one of this storage's URLs, or None if the URL is not ours."""
        ...


def validate_key(key: str) -> str:
    """Returns ``key`` when it is a safe, workspace-scoped key; raises InvalidMediaKey."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidMediaKey("Media key is empty or too long")
    workspace, *rest = key.split("/")
    if not _WORKSPACE_SEGMENT.fullmatch(workspace):
        raise InvalidMediaKey("Media key must start with the workspace id (ws_…/…)")
    if not rest or not all(_SEGMENT.fullmatch(segment) for segment in rest):
        raise InvalidMediaKey("Media key has an empty, hidden or unsafe path segment")
    return key


def is_valid_key(key: str) -> bool:
    try:
        validate_key(key)
    except InvalidMediaKey:
        return False
    return True


def key_belongs_to(key: str, workspace_id: str) -> bool:
    return is_valid_key(key) and key.split("/", 1)[0] == workspace_id


def new_media_key(workspace_id: str, folder: str, content_type: str) -> str:
    """A fresh key such as ``ws_…/images/med_01j….png``."""
    extension = FILE_EXTENSIONS.get(content_type, "bin")
    return validate_key(f"{workspace_id}/{folder}/{new_id('med')}.{extension}")


def new_public_media_key(workspace_id: str, folder: str, content_type: str) -> str:
    """A fresh key readable without a signature: ``ws_…/{folder}/public/{token}/med_….png``."""
    extension = FILE_EXTENSIONS.get(content_type, "bin")
    token = secrets.token_hex(16)
    name = f"{new_id('med')}.{extension}"
    return validate_key(f"{workspace_id}/{folder}/{PUBLIC_FOLDER}/{token}/{name}")


def is_public_key(key: str) -> bool:
    """True for keys made by :func:`new_public_media_key` (and only those)."""
    parts = key.split("/")
    return (
        len(parts) == 5
        and parts[2] == PUBLIC_FOLDER
        and bool(_PUBLIC_TOKEN.fullmatch(parts[3]))
        and is_valid_key(key)
    )


@lru_cache(maxsize=32)
def _resolved(root: Path) -> Path:
    """A storage is built per request (its URLs follow the request's origin); resolving its
    root walks the file system, so it is done once per directory."""
    return root.resolve()


class LocalStorage:
    """Files under ``root``; reads and uploads go through the app's media routes.

    ``any_origin``: recognise ``/media/…`` URLs of any host as ours (``key_from_url``) — for
    a server with no configured public name, which clients may reach by any of its names.
    Ownership is still decided by the key's workspace segment."""

    def __init__(
        self,
        root: Path,
        base_url: str,
        secret: bytes,
        clock: Clock | None = None,
        *,
        any_origin: bool = False,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the media signing secret must be at least 16 bytes")
        self.root = _resolved(root)
        self.base_url = base_url.rstrip("/")
        self.any_origin = any_origin
        self._secret = secret
        self._clock = clock or SystemClock()

    # -- objects ----------------------------------------------------------------------------
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._write, path, data, content_type)

    async def get(self, key: str) -> tuple[bytes, str]:
        path = self._path(key)
        try:
            return await asyncio.to_thread(self._read, path)
        except FileNotFoundError:
            raise MediaNotFound() from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._remove, path)

    async def file_for(self, key: str) -> tuple[Path, str]:
        """The file behind ``key`` and its content type, for streaming; raises MediaNotFound."""
        path = self._path(key)
        if not await asyncio.to_thread(path.is_file):
            raise MediaNotFound()
        content_type = await asyncio.to_thread(self._content_type, path)
        return path, content_type

    # -- URLs -------------------------------------------------------------------------------
    async def signed_url(self, key: str, expires_in: timedelta) -> tuple[str, datetime]:
        validate_key(key)
        expires_at = self._expiry(expires_in)
        expires = int(expires_at.timestamp())
        query = urlencode({"expires": expires, "signature": self._sign("GET", key, expires)})
        return f"{self.public_url(key)}?{query}", expires_at

    async def presigned_upload(
        self, key: str, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        validate_key(key)
        expires_at = self._expiry(expires_in)
        expires = int(expires_at.timestamp())
        signature = self._sign("PUT", key, expires, content_type, str(max_bytes))
        query = urlencode(
            {
                "expires": expires,
                "content_type": content_type,
                "max_bytes": max_bytes,
                "signature": signature,
            }
        )
        return UploadTarget(
            upload_url=f"{self.base_url}/media-upload/{_quote_key(key)}?{query}",
            method="PUT",
            headers={"Content-Type": content_type},
            public_url=self.public_url(key),
            expires_at=expires_at,
            key=key,
            max_bytes=max_bytes,
            content_type=content_type,
        )

    def public_url(self, key: str) -> str:
        return f"{self.base_url}/media/{_quote_key(validate_key(key))}"

    def key_from_url(self, url: str) -> str | None:
        prefix = urlsplit(f"{self.base_url}/media/")
        parts = urlsplit(url)
        same_origin = (parts.scheme, parts.netloc) == (prefix.scheme, prefix.netloc)
        if not (same_origin or (self.any_origin and parts.scheme in ("http", "https"))):
            return None
        if not parts.path.startswith(prefix.path):
            return None
        key = unquote(parts.path[len(prefix.path) :])
        return key if is_valid_key(key) else None

    def verify(
        self, key: str, expires: str | int, signature: str, now: datetime | None = None
    ) -> bool:
        """True when a GET URL's signature is ours and it has not expired."""
        return self._check(key, expires, signature, now, "GET")

    def verify_upload(
        self,
        key: str,
        expires: str | int,
        content_type: str,
        max_bytes: str | int,
        signature: str,
        now: datetime | None = None,
    ) -> bool:
        """True when an upload URL is ours and unexpired. The route must still refuse a body
        with another Content-Type or over ``max_bytes``, and check the bytes themselves."""
        return self._check(key, expires, signature, now, "PUT", content_type, str(max_bytes))

    # -- internals --------------------------------------------------------------------------
    def _check(
        self,
        key: str,
        expires: str | int,
        signature: str,
        now: datetime | None,
        *fields: str,
    ) -> bool:
        method, *extra = fields
        if not is_valid_key(key):
            return False
        try:
            expires_at = int(expires)
        except (TypeError, ValueError):
            return False
        moment = now or self._clock.now()
        if expires_at <= moment.timestamp():
            return False
        expected = self._sign(method, key, expires_at, *extra)
        return hmac.compare_digest(expected.encode(), signature.encode())

    def _sign(self, method: str, key: str, expires: int, *extra: str) -> str:
        message = "\n".join([method, key, str(expires), *extra]).encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def _expiry(self, expires_in: timedelta) -> datetime:
        if expires_in <= timedelta(0):
            raise ValueError("expires_in must be positive")
        return (self._clock.now() + expires_in).astimezone(UTC).replace(microsecond=0)

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        # Belt and braces: the key rules already refuse traversal.
        if not path.is_relative_to(self.root):
            raise InvalidMediaKey("Media key escapes the storage root")
        return path

    @staticmethod
    def _type_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.type")

    def _write(self, path: Path, data: bytes, content_type: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename so a reader never sees half a file.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        self._type_path(path).write_text(content_type)
        os.replace(temporary, path)

    def _read(self, path: Path) -> tuple[bytes, str]:
        return path.read_bytes(), self._content_type(path)

    def _content_type(self, path: Path) -> str:
        try:
            return self._type_path(path).read_text().strip()
        except FileNotFoundError:
            return "application/octet-stream"

    def _remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._type_path(path).unlink(missing_ok=True)


def _quote_key(key: str) -> str:
    return quote(key, safe="/")
