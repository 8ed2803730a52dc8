"""Where a job's rendered files live, and the signed links handed out for them.

Jobs store keys only (``ws_…/adcopy/<job id>.png``): a link is signed each time a status is
read, so it is always fresh and never outlives ``POSTWRIGHT_ADCOPY_ASSET_URL_TTL_SECONDS``.
Keys are derived from the job id, so a re-run render step overwrites its own file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from postwright.core.clock import Clock
from postwright.core.settings import Settings
from postwright.domain.media.backend import storage_for
from postwright.domain.media.storage import MediaStorage

EXTENSIONS = {"image/png": "png", "video/mp4": "mp4"}


def media_storage(settings: Settings, clock: Clock) -> MediaStorage:
    """The configured media storage (local directory or S3), as every area uses it."""
    return storage_for(settings, clock)


def asset_key(workspace_id: str, job_id: str, content_type: str, index: int = 0) -> str:
    suffix = f"-{index}" if index else ""
    return f"{workspace_id}/adcopy/{job_id}{suffix}.{EXTENSIONS[content_type]}"


def asset_record(
    job_id: str, key: str, kind: str, content_type: str, index: int = 0
) -> dict[str, Any]:
    """What a job stores per asset. The id is derived, so a re-run step yields the same one."""
    asset_id = uuid.uuid5(uuid.NAMESPACE_URL, f"postwright:adcopy:{job_id}:{index}")
    return {"id": str(asset_id), "type": kind, "key": key, "contentType": content_type}


@dataclass(frozen=True)
class AssetLink:
    id: str
    type: str
    url: str


async def signed_links(
    storage: MediaStorage, assets: list[dict[str, Any]], ttl: timedelta
) -> list[AssetLink]:
    links = []
    for asset in assets:
        url, _ = await storage.signed_url(str(asset["key"]), ttl)
        links.append(AssetLink(id=str(asset["id"]), type=str(asset["type"]), url=url))
    return links
