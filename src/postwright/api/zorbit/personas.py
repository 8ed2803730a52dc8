"""zorbit: ``/api/v1/persona`` — CRUD, AI generation and the dropdown list."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep, rate_limited
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    error_responses,
)
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView

router = APIRouter(prefix="/api/v1/persona", tags=["zorbit: personas"])

TEXT = Field(default=None, max_length=5000)


class PersonaFields(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str | None = TEXT
    defaultPrompt: str | None = TEXT
    targetAudience: str | None = TEXT
    profession: str | None = Field(default=None, max_length=500)
    relevantKeywords: str | None = TEXT
    opinions: str | None = TEXT
    vocabulary: str | None = TEXT
    avoidWords: str | None = TEXT
    endGoal: str | None = TEXT
    customHashtag: str | None = Field(default=None, max_length=500)
    fixCta: str | None = TEXT

    def domain_fields(self) -> dict[str, str | None]:
        return {
            "description": self.description,
            "default_prompt": self.defaultPrompt,
            "target_audience": self.targetAudience,
            "profession": self.profession,
            "relevant_keywords": self.relevantKeywords,
            "opinions": self.opinions,
            "vocabulary": self.vocabulary,
            "avoid_words": self.avoidWords,
            "end_goal": self.endGoal,
            "custom_hashtag": self.customHashtag,
            "fix_cta": self.fixCta,
        }


class CreatePersonaBody(PersonaFields):
    name: str = Field(min_length=1, max_length=200)


class UpdatePersonaBody(PersonaFields):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class GeneratePersonaBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=3, max_length=5000)


class PersonaOut(BaseModel):
    id: str
    name: str
    description: str
    targetAudience: str
    profession: str
    relevantKeywords: str
    opinions: str
    vocabulary: str
    avoidWords: str
    endGoal: str
    customHashtag: str
    fixCta: str
    isSystem: bool
    createdAt: str
    updatedAt: str


class GeneratedPersona(BaseModel):
    id: str
    name: str
    description: str
    targetAudience: str
    profession: str
    relevantKeywords: str
    opinions: str
    vocabulary: str
    avoidWords: str
    endGoal: str
    createdAt: str | None


class PersonaCreated(BaseModel):
    id: str
    name: str
    createdAt: str | None


class PersonaUpdated(BaseModel):
    id: str
    name: str
    updatedAt: str | None


class PersonaDeleted(BaseModel):
    success: bool
    deletedAt: str | None


class DropdownItem(BaseModel):
    id: str
    name: str


def _time(value: datetime | None) -> str | None:
    return isoformat_z(value)


def persona_out(view: PersonaView) -> PersonaOut:
    p = view.profile
    return PersonaOut(
        id=view.id,
        name=p.name,
        description=p.description,
        targetAudience=p.target_audience,
        profession=p.profession,
        relevantKeywords=p.relevant_keywords,
        opinions=p.opinions,
        vocabulary=p.vocabulary,
        avoidWords=p.avoid_words,
        endGoal=p.end_goal,
        customHashtag=p.custom_hashtag,
        fixCta=p.fix_cta,
        isSystem=view.is_system,
        createdAt=isoformat_z(view.created_at),
        updatedAt=isoformat_z(view.updated_at),
    )


@router.get("", response_model=list[PersonaOut])
async def list_personas(ctx: CtxDep) -> list[PersonaOut]:
    """The workspace's personas, then the system personas everyone may use."""
    return [persona_out(v) for v in await personas.list_views(ctx)]


@router.get("/dropdown", response_model=list[DropdownItem])
async def dropdown(ctx: CtxDep) -> list[DropdownItem]:
    return [DropdownItem(id=v.id, name=v.name) for v in await personas.list_views(ctx)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonaCreated,
    responses=error_responses(PaymentRequired, Conflict),
    openapi_extra=rate_limited("persona-create", "50/hour"),
)
async def create_persona(body: CreatePersonaBody, ctx: CtxDep) -> PersonaCreated:
    """Consumes one unit of the ``personas`` quota."""

    persona = await personas.create_persona(ctx, name=body.name, **body.domain_fields())
    return PersonaCreated(id=persona.id, name=persona.name, createdAt=_time(persona.created_at))


@router.post(
    "/generate",
    status_code=status.HTTP_201_CREATED,
    response_model=GeneratedPersona,
    responses=error_responses(PaymentRequired, Conflict),
    openapi_extra=rate_limited("persona-generate", "20/hour"),
)
async def generate_persona(
    body: GeneratePersonaBody,
    ctx: CtxDep,
) -> GeneratedPersona:
    """Writes a persona from a description with the AI engine; consumes one ``personas`` unit."""

    persona = await personas.generate_persona(ctx, description=body.prompt)
    out = persona_out(personas.view_of(persona))
    return GeneratedPersona(
        **out.model_dump(exclude={"customHashtag", "fixCta", "isSystem", "updatedAt"})
    )


@router.get("/{persona_id}", response_model=PersonaOut, responses=error_responses(NotFound))
async def get_persona(persona_id: str, ctx: CtxDep) -> PersonaOut:
    return persona_out(await personas.get_view(ctx, persona_id))


@router.put(
    "/{persona_id}",
    response_model=PersonaUpdated,
    responses=error_responses(NotFound, Forbidden, Conflict),
)
async def update_persona(
    persona_id: str,
    body: UpdatePersonaBody,
    ctx: CtxDep,
) -> PersonaUpdated:
    persona = await personas.update_persona(ctx, persona_id, name=body.name, **body.domain_fields())
    return PersonaUpdated(id=persona.id, name=persona.name, updatedAt=_time(persona.updated_at))


@router.delete(
    "/{persona_id}",
    response_model=PersonaDeleted,
    responses=error_responses(NotFound, Forbidden, Conflict),
)
async def delete_persona(persona_id: str, ctx: CtxDep) -> PersonaDeleted:
    """Soft delete (restorable for 30 days); gives the ``personas`` quota unit back."""

    persona = await personas.delete_persona(ctx, persona_id)
    return PersonaDeleted(success=True, deletedAt=_time(persona.deleted_at))
