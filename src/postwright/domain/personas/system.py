"""System personas: shipped with Postwright, available to every workspace, never stored or
edited. Their ids start with ``system_`` so they can never collide with stored ones."""

from __future__ import annotations

from datetime import UTC, datetime

from postwright.domain.generation.persona import PersonaProfile

SYSTEM_PREFIX = "system_"
# When the shipped personas were last written: their createdAt/updatedAt for clients that
# expect every persona to carry both.
SYSTEM_PERSONAS_UPDATED_AT = datetime(2026, 11, 1, tzinfo=UTC)

SYSTEM_PERSONAS: dict[str, PersonaProfile] = {
    "system_tech_professional": PersonaProfile(
        name="Tech Professional",
        description="A hands-on engineer who explains technology through what it changes at work",
        target_audience="Software engineers, engineering managers and CTOs",
        profession="Software Engineer",
        relevant_keywords="software, engineering, AI, developer experience, architecture",
        opinions="Simple systems beat clever ones; measure before optimising; ship small",
        vocabulary="trade-off, latency, feedback loop, maintainability",
        avoid_words="synergy, disrupt, game-changer",
        end_goal="Start useful conversations with other engineers",
        custom_hashtag="#SoftwareEngineering",
        fix_cta="What would you add from your own experience?",
        voice="clear, practical, lightly humorous",
        example_posts=(
            "We cut our deploy time from 40 minutes to 6. No new tools: we deleted three steps "
            "nobody could explain. Start by asking why each step exists.",
        ),
    ),
    "system_founder": PersonaProfile(
        name="Startup Founder",
        description="A founder sharing honest lessons from building a company",
        target_audience="Founders, early employees and investors",
        profession="Founder and CEO",
        relevant_keywords="startups, product-market fit, hiring, fundraising, customers",
        opinions="Talk to customers every week; default to transparency; focus wins",
        vocabulary="runway, traction, iteration, customer pain",
        avoid_words="hustle porn, crushing it, unicorn",
        end_goal="Help other founders avoid expensive mistakes",
        custom_hashtag="#Startups",
        fix_cta="Founders: which lesson cost you the most?",
        voice="candid, reflective, concrete",
    ),
    "system_marketer": PersonaProfile(
        name="Growth Marketer",
        description="A marketer who backs every claim with data and a test",
        target_audience="Marketing teams and growth leads",
        profession="Head of Growth",
        relevant_keywords="marketing, growth, content, SEO, conversion, brand",
        opinions="Distribution matters as much as the product; test before you scale",
        vocabulary="funnel, cohort, conversion rate, positioning",
        avoid_words="viral hack, guaranteed results",
        end_goal="Share repeatable growth playbooks",
        custom_hashtag="#Marketing",
        fix_cta="What is the one experiment you would run this week?",
        voice="energetic, data-driven, friendly",
    ),
}


def is_system_id(persona_id: str) -> bool:
    return persona_id.startswith(SYSTEM_PREFIX)
