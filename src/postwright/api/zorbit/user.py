"""zorbit: ``GET/PUT /api/v1/user`` — the authenticated user's profile."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import ActorDep, SessionDep
from postwright.core.errors import Conflict, NotFound, ValidationFailed, error_responses
from postwright.domain.accounts import service as accounts
from postwright.domain.accounts.models import User

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


def _profile(user: User) -> UserProfile:
    return UserProfile(
        id=user.id,
        firstName=user.first_name,
        lastName=user.last_name,
        email=user.email,
        bio=user.bio,
        imageUrl=user.image_url,
        imageKey=user.image_key,
    )


@router.get("/user", response_model=UserProfile, responses=error_responses(NotFound))
async def get_user(actor: ActorDep) -> UserProfile:
    return _profile(actor.user)


@router.put(
    "/user",
    response_model=UpdatedUser,
    responses=error_responses(ValidationFailed, Conflict),
)
async def update_user(body: UpdateUserBody, actor: ActorDep, session: SessionDep) -> UpdatedUser:
    user = await accounts.update_profile(
        session, actor, name=body.name, image_key=body.imageKey, bio=body.bio
    )
    return UpdatedUser(**_profile(user).model_dump(exclude={"bio"}))
