"""Posts and image checks for media tests."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from PIL import Image

from postwright.core.ids import new_id
from postwright.core.services import Services
from postwright.domain.content.models import Post, PostSource


async def make_post(
    services: Services,
    *,
    workspace_id: str,
    user_id: str,
    content: str = "Why we stopped shipping on Fridays.\nIt changed how the team works.",
    project_id: str | None = None,
    persona_id: str | None = None,
) -> str:
    now = services.clock.now()
    async with services.db.transaction() as session:
        post = Post(
            id=new_id("post"),
            workspace_id=workspace_id,
            user_id=user_id,
            persona_id=persona_id,
            content=content,
            source=PostSource.PROJECT if project_id else PostSource.MANUAL,
            project_id=project_id,
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        return post.id


async def load_post(services: Services, post_id: str) -> Post:
    async with services.db.read_sessionmaker() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        return post


def local_path(url: str) -> str:
    """The path and query of a signed local URL, to fetch through the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size
