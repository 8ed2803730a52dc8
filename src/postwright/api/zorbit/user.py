"""zorbit: ``GET/PUT /api/v1/user`` — the authenticated user's profile."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    error_responses,
)
from postwright.domain.accounts import profile
from postwright.domain.accounts.models import User
from postwright.domain.context import RequestCtx

router = APIRouter(prefix="/api/v1", tags=["zorbit: user"])


class UserProfile(BaseModel):
    id: str
    firstName: str | None
    lastName: str | None
    email: str | None
    bio: str | None = None
    imageUrl: str | None
    imageKey: str | None


class UpdatedUser(BaseModel):
    id: str
    firstName: str | None
    lastName: str | None
    email: str | None
    imageUrl: str | None
    imageKey: str | None


class UpdateUserBody(BaseModel):
    # Unknown fields (``role``, ``email``…) are ignored: a client cannot set them here.
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    imageKey: str | None = Field(default=None, min_length=1, max_length=500)
    bio: str | None = Field(default=None, max_length=2000)


async def _profile(ctx: RequestCtx, user: User) -> UserProfile:
    return UserProfile(
        id=user.id,
        firstName=user.first_name,
        lastName=user.last_name,
        email=user.email,
        bio=user.bio,
        imageUrl=await profile.profile_image_url(ctx, user),
        imageKey=user.image_key,
    )


@router.get("/user", response_model=UserProfile, responses=error_responses(NotFound))
async def get_user(ctx: CtxDep) -> UserProfile:
    return await _profile(ctx, ctx.actor.user)


@router.put(
    "/user",
    response_model=UpdatedUser,
    responses=error_responses(ValidationFailed, Forbidden, NotFound, Conflict),
)
async def update_user(body: UpdateUserBody, ctx: CtxDep) -> UpdatedUser:
    """``imageKey`` must name an image of this workspace (``/upload-image``, a generated
    image): 403 for another workspace's key, 404 for none such; ``imageUrl`` then shows it."""

    user = await profile.update_profile(ctx, name=body.name, image_key=body.imageKey, bio=body.bio)
    return UpdatedUser(**(await _profile(ctx, user)).model_dump(exclude={"bio"}))
