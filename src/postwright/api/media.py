"""Media through the app: ``GET /media/{key}`` streams a file, ``PUT /media-upload/{key}``
receives a client's upload. Both answer only to URLs the local storage signed — except public
keys (``ws_…/{folder}/public/{token}/…``, an uploaded post image's stable ``public_url``), which
``GET /media/{key}`` serves to anyone on either backend. Otherwise, with the S3 backend
clients talk to the bucket and these routes answer 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from postwright.api.deps import ServicesDep, SessionDep
from postwright.core.errors import Forbidden, NotFound, ValidationFailed, error_responses
from postwright.core.services import Services
from postwright.domain.media import assets
from postwright.domain.media.backend import local_storage, storage_for
from postwright.domain.media.errors import MediaNotFound, MediaTooLarge, UnsupportedMedia
from postwright.domain.media.formats import detect_image_type
from postwright.domain.media.storage import LocalStorage, is_public_key

router = APIRouter(tags=["media"])

INVALID_SIGNATURE = "The link is invalid or has expired"


def _local(services: Services) -> LocalStorage:
    if services.settings.media.backend != "local":
        raise NotFound()
    return local_storage(services.settings, services.clock)


@router.get(
    "/media/{key:path}",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}}},
        **error_responses(ValidationFailed, Forbidden, NotFound),
    },
)
async def signed_media(
    key: str,
    services: ServicesDep,
    expires: Annotated[str, Query()] = "",
    signature: Annotated[str, Query()] = "",
) -> Response:
    """Streams a stored file while its signed URL is valid (403 once it expired). A public
    key (an uploaded post image's ``public_url``) needs no signature."""
    if not signature and is_public_key(key):
        return await _public_media(services, key)
    storage = _local(services)
    if not storage.verify(key, expires, signature):
        raise Forbidden(INVALID_SIGNATURE)
    path, content_type = await storage.file_for(key)
    return FileResponse(
        path,
        media_type=content_type,
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


PUBLIC_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


async def _public_media(services: Services, key: str) -> Response:
    settings = services.settings
    if settings.media.backend == "local":
        path, content_type = await local_storage(settings, services.clock).file_for(key)
        return FileResponse(path, media_type=content_type, headers=PUBLIC_HEADERS)
    data, content_type = await storage_for(settings, services.clock).get(key)
    # A bucket upload is checked only when its post reads it; never relay other bytes.
    if detect_image_type(data) != content_type:
        raise MediaNotFound()
    return Response(data, media_type=content_type, headers=PUBLIC_HEADERS)


@router.put(
    "/media-upload/{key:path}",
    status_code=200,
    responses=error_responses(Forbidden, NotFound, MediaTooLarge, UnsupportedMedia),
    openapi_extra={"x-raw-body": True},
)
async def signed_upload(
    key: str,
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    expires: Annotated[str, Query()] = "",
    content_type: Annotated[str, Query()] = "",
    max_bytes: Annotated[str, Query()] = "",
    signature: Annotated[str, Query()] = "",
) -> Response:
    """Receives the bytes of a presigned upload: the Content-Type must be the signed one and
    the bytes must really be that image type, within the signed size."""
    storage = _local(services)
    if not storage.verify_upload(key, expires, content_type, max_bytes, signature):
        raise Forbidden(INVALID_SIGNATURE)
    sent_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if sent_type != content_type:
        raise UnsupportedMedia(f"Content-Type must be {content_type}")
    limit = int(max_bytes)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MediaTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise MediaTooLarge()
    await assets.accept_upload(
        session,
        storage,
        key=key,
        data=bytes(body),
        content_type=content_type,
        max_bytes=limit,
        now=services.clock.now(),
    )
    return Response(status_code=200)
