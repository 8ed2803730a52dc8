"""voxburst: ``/v1/personas`` (designed in the voxburst style; the document shows only
``runtime/assemble``) and the prompt assembly the generation endpoints consume."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from postwright.api.deps import CtxDep
from postwright.core.clock import isoformat_z
from postwright.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    UnprocessableEntity,
    ValidationFailed,
    error_responses,
)
from postwright.domain.personas import service as personas
from postwright.domain.personas.service import PersonaView

router = APIRouter(prefix="/v1/personas", tags=["voxburst: personas"])

LIST = Field(default=None, max_length=50)


class PersonaInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str | None = Field(default=None, max_length=5000)
    voice: str | None = Field(default=None, max_length=500)
    bio: str | None = Field(default=None, max_length=5000)
    targetAudience: str | None = Field(default=None, max_length=5000)
    profession: str | None = Field(default=None, max_length=500)
    keywords: list[str] | None = LIST
    opinions: str | None = Field(default=None, max_length=5000)
    vocabulary: str | None = Field(default=None, max_length=5000)
    avoidWords: list[str] | None = LIST
    endGoal: str | None = Field(default=None, max_length=5000)
    hashtags: list[str] | None = Field(default=None, max_length=30)
    cta: str | None = Field(default=None, max_length=1000)
    examplePosts: list[str] | None = Field(default=None, max_length=20)

    def domain_fields(self) -> dict[str, object]:
        def joined(items: list[str] | None, sep: str = ", ") -> str | None:
            return None if items is None else sep.join(i.strip() for i in items if i.strip())

        return {
            "description": self.description,
            "voice": self.voice,
            "bio": self.bio,
            "target_audience": self.targetAudience,
            "profession": self.profession,
            "relevant_keywords": joined(self.keywords),
            "opinions": self.opinions,
            "vocabulary": self.vocabulary,
            "avoid_words": joined(self.avoidWords),
            "end_goal": self.endGoal,
            "custom_hashtag": joined(self.hashtags, " "),
            "fix_cta": self.cta,
            "example_posts": self.examplePosts,
        }


class CreatePersona(PersonaInput):
    name: str = Field(min_length=1, max_length=200)


class UpdatePersona(PersonaInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)


class VoxPersona(BaseModel):
    id: str
    name: str
    description: str
    voice: str
    bio: str
    targetAudience: str
    profession: str
    keywords: list[str]
    opinions: str
    vocabulary: str
    avoidWords: list[str]
    endGoal: str
    hashtags: list[str]
    cta: str
    examplePosts: list[str]
    isSystem: bool
    createdAt: str | None
    updatedAt: str | None


class PersonaEnvelope(BaseModel):
    persona: VoxPersona


class PersonaList(BaseModel):
    personas: list[VoxPersona]


class PersonaDeleted(BaseModel):
    id: str
    deleted: bool


class AssembleBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    platform: str | None = Field(default=None, max_length=40)
    generationType: str = Field(default="POST_GENERATION", max_length=40)
    ideaInput: str = Field(min_length=1, max_length=5000)


class Assembled(BaseModel):
    systemPrompt: str
    userPrompt: str


def vox_persona(view: PersonaView) -> VoxPersona:
    p, stored = view.profile, view.stored
    return VoxPersona(
        id=view.id,
        name=p.name,
        description=p.description,
        voice=p.voice,
        bio=p.bio,
        targetAudience=p.target_audience,
        profession=p.profession,
        keywords=p.keywords,
        opinions=p.opinions,
        vocabulary=p.vocabulary,
        avoidWords=p.avoid_list,
        endGoal=p.end_goal,
        hashtags=p.hashtag_list,
        cta=p.fix_cta,
        examplePosts=list(p.example_posts),
        isSystem=view.is_system,
        createdAt=isoformat_z(stored.created_at) if stored else None,
        updatedAt=isoformat_z(stored.updated_at) if stored else None,
    )


@router.get("", response_model=PersonaList)
async def list_personas(ctx: CtxDep) -> PersonaList:
    return PersonaList(personas=[vox_persona(v) for v in await personas.list_views(ctx)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PersonaEnvelope,
    responses=error_responses(PaymentRequired, Conflict, UnprocessableEntity),
)
async def create_persona(body: CreatePersona, ctx: CtxDep) -> PersonaEnvelope:
    persona = await personas.create_persona(ctx, name=body.name, **body.domain_fields())
    return PersonaEnvelope(persona=vox_persona(personas.view_of(persona)))


@router.get("/{persona_id}", response_model=PersonaEnvelope, responses=error_responses(NotFound))
async def get_persona(persona_id: str, ctx: CtxDep) -> PersonaEnvelope:
    return PersonaEnvelope(persona=vox_persona(await personas.get_view(ctx, persona_id)))


@router.patch(
    "/{persona_id}",
    response_model=PersonaEnvelope,
    responses=error_responses(NotFound, Forbidden, Conflict, UnprocessableEntity),
)
async def update_persona(
    persona_id: str,
    body: UpdatePersona,
    ctx: CtxDep,
) -> PersonaEnvelope:
    persona = await personas.update_persona(ctx, persona_id, name=body.name, **body.domain_fields())
    return PersonaEnvelope(persona=vox_persona(personas.view_of(persona)))


@router.delete(
    "/{persona_id}", response_model=PersonaDeleted, responses=error_responses(NotFound, Forbidden)
)
async def delete_persona(persona_id: str, ctx: CtxDep) -> PersonaDeleted:
    persona = await personas.delete_persona(ctx, persona_id)
    return PersonaDeleted(id=persona.id, deleted=True)


@router.post(
    "/{persona_id}/runtime/assemble",
    response_model=Assembled,
    responses=error_responses(NotFound, ValidationFailed),
)
async def assemble(persona_id: str, body: AssembleBody, ctx: CtxDep) -> Assembled:
    """The persona block first and byte-stable, so providers' prompt caches cover it."""
    assembled = await personas.assemble_prompt(
        ctx,
        persona_id,
        platform=body.platform,
        generation_type=body.generationType,
        idea_input=body.ideaInput,
    )
    return Assembled(systemPrompt=assembled.system_prompt, userPrompt=assembled.user_prompt)
