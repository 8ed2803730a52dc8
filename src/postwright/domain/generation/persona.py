"""The persona as the engine sees it: zorbit's persona fields plus voxburst's voice/bio.

Storage lives in ``domain/personas``; callers build a ``PersonaProfile`` from a stored row (or a
request's inline persona) and hand it to the engine. The LLM engine also returns this model when
it generates a persona from a description, so the same fields round-trip.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from postwright.domain.generation.text import split_list


class PersonaProfile(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    default_prompt: str = ""
    target_audience: str = ""
    profession: str = ""
    relevant_keywords: str = Field("", description="Comma-separated, e.g. 'AI, ML, Tech'")
    opinions: str = ""
    vocabulary: str = ""
    avoid_words: str = Field("", description="Comma-separated words or phrases never to use")
    end_goal: str = ""
    custom_hashtag: str = ""
    fix_cta: str = Field("", description="A call to action to end posts with")
    voice: str = Field("", description="Voice or tone descriptor, e.g. 'warm, direct'")
    bio: str = ""
    example_posts: tuple[str, ...] = ()

    @property
    def keywords(self) -> list[str]:
        return split_list(self.relevant_keywords)

    @property
    def avoid_list(self) -> list[str]:
        return split_list(self.avoid_words)

    @property
    def vocabulary_list(self) -> list[str]:
        return split_list(self.vocabulary)

    @property
    def opinion_list(self) -> list[str]:
        return split_list(self.opinions)

    @property
    def hashtag_list(self) -> list[str]:
        """customHashtag may hold several ("#TechLife #AI"); each one normalised to '#Tag'."""
        tags = split_list(self.custom_hashtag.replace(" ", ","))
        return [tag if tag.startswith("#") else f"#{tag}" for tag in tags if tag.strip("#")]
