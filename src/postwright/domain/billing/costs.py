"""What each action costs in credits, from the configurable table in settings
(``POSTWRIGHT_BILLING_COSTS``)."""

from __future__ import annotations

import enum
import math

from postwright.core.settings import CreditCosts


class Action(enum.StrEnum):
    ENHANCE_CONTENT = "enhance_content"
    GENERATE_POST_CONTENT = "generate_post_content"
    BUILD_IMAGE_PROMPT = "build_image_prompt"
    HASHTAGS = "hashtags"
    BULK_ITEM = "bulk_item"
    # voxburst "Bulk enhancement (per item in the batch)": charged per item enhanced.
    BULK_ENHANCE_ITEM = "bulk_enhance_item"
    BEST_TIME = "best_time"
    THREAD = "thread"
    IMAGE = "image"
    ADCOPY_COPY = "adcopy_copy"
    ADCOPY_STATIC_AD = "adcopy_static_ad"
    ADCOPY_VIDEO = "adcopy_video"
    PROJECT_POST = "project_post"


class ResearchMode(enum.StrEnum):
    REGULAR = "regular"
    DEEP = "deep"


def price(costs: CreditCosts, action: Action, units: int = 1) -> int:
    """Credits for ``units`` of ``action``."""
    return int(getattr(costs, action.value)) * units


def powerpost_generation_price(
    costs: CreditCosts, *, platforms: int, research_mode: ResearchMode | str
) -> int:
    """powerpost charges per platform and research mode, rounded up per generation: by
    default regular 5 per platform (2 platforms → 10) and deep 7.5 (2 → 15, 1 → 8)."""
    mode = ResearchMode(research_mode)
    per_platform = (
        costs.powerpost_deep_per_platform
        if mode is ResearchMode.DEEP
        else costs.powerpost_regular_per_platform
    )
    return math.ceil(per_platform * max(platforms, 0))
