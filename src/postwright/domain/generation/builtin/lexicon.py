"""Phrasebook of the builtin composer; ``{topic}`` is a noun phrase that fits every line."""

from __future__ import annotations

HOOKS = (
    "Let's talk about {topic}.",
    "Here is what I have learned about {topic}.",
    "{Topic} deserves more attention than it gets.",
    "A quick thought on {topic}.",
    "Three things I keep noticing about {topic}.",
    "Most advice on {topic} skips the hard part.",
    "If {topic} is on your list this quarter, read this first.",
    "I changed my mind about {topic}.",
    "The simplest way to think about {topic}:",
    "What nobody tells you about {topic}.",
    "Unpopular opinion: {topic} is easier than it looks.",
    "One lesson from working on {topic} every week.",
)

# Each body is a list of sentences, used in order and cut from the end when space is short.
BODIES = (
    (
        "The teams that get it right start small and measure what changes.",
        "They treat {topic} as a habit, not a project.",
        "That is where {keyword} stops being a buzzword and starts paying off.",
        "Progress comes from doing the boring parts consistently.",
    ),
    (
        "It is tempting to wait for the perfect plan.",
        "In practice, the first version teaches you more than any plan.",
        "Ship something, listen, and adjust.",
        "For {audience}, that loop is the real advantage.",
    ),
    (
        "First, be clear about the problem you are solving.",
        "Second, pick one measure of success and stick to it.",
        "Third, share what you learn, including what did not work.",
        "{Keyword} makes each of those steps easier.",
    ),
    (
        "The details matter more than the headline.",
        "Small, specific improvements compound faster than big announcements.",
        "When I look at {topic}, I look for the people doing the work.",
        "They usually know what to fix next.",
    ),
    (
        "It starts with listening to {audience}.",
        "Their questions tell you what to build and what to explain.",
        "Everything else about {topic} follows from that.",
        "Clarity beats volume every time.",
    ),
)

OPINION_LEADS = ("My view: {opinion}.", "I believe {opinion}.", "Where I stand: {opinion}.")
GOAL_LEADS = ("The goal is simple: {goal}.", "All of this serves one aim: {goal}.")

CTAS = (
    "What is your take on {topic}?",
    "How are you approaching {topic}? Tell me in the comments.",
    "Share this with someone who is thinking about {topic}.",
    "Follow for more on {topic}.",
    "What would you add?",
    "Agree or disagree?",
)

EMOJI = ("🚀", "💡", "✨", "👉", "📌", "🌱", "🔥", "✅")

AD_ANGLES = (
    ("benefit", "{Product} makes {benefit} simple.", "Shop {product}"),
    ("problem", "Tired of the old way? Meet {product}.", "Try {product} today"),
    ("curiosity", "The small change everyone asks about: {product}.", "See how it works"),
    ("urgency", "Now is the moment for {product}.", "Get yours now"),
    ("story", "We built {product} for people like you.", "Learn more"),
)

AD_TONE_WORDS = {
    "professional": "Designed for results, built to last.",
    "casual": "No fuss, just something that works.",
    "urgent": "Don't wait: this is worth acting on today.",
    "luxe": "Crafted with care for those who expect more.",
    "playful": "Fun to use, easy to love.",
    "bold": "Made for people who go all in.",
}

COMMENT_SHORT = (
    "Great point on {phrase}.",
    "This is so true about {phrase}!",
    "Well said, {author}.",
    "Saving this one. {Phrase} matters.",
    "Couldn't agree more on {phrase}.",
)
COMMENT_MEDIUM = (
    "Really like how you framed {phrase}. In my experience the hard part is keeping it "
    "going after the first win.",
    "Thanks for sharing this, {author}. The part about {phrase} matches what I have seen: "
    "small steps, done consistently.",
    "Interesting take on {phrase}. What was the biggest surprise for you along the way?",
    "This resonates. {Phrase} is where most teams underestimate the effort, and you "
    "explain why clearly.",
)

IDEA_ANGLES = (
    (
        "A practical guide to {topic}",
        "Walk through the first three steps anyone can take with "
        "{topic}, with one example for each.",
        "Most guides overcomplicate {topic}; three steps are enough.",
    ),
    (
        "Myths about {topic}",
        "Take the most repeated claims about {topic} and test each against real experience.",
        "The popular advice on {topic} is often backwards.",
    ),
    (
        "What I learned from {topic}",
        "Share a personal lesson from working on {topic}: what "
        "went wrong, what changed, what you would repeat.",
        "Failure teaches more about {topic} than success does.",
    ),
    (
        "The future of {topic}",
        "Describe where {topic} is heading in the next few years and what to do about it now.",
        "Most predictions about {topic} will age badly.",
    ),
    (
        "A checklist for {topic}",
        "Give a short checklist readers can use this week to improve how they handle {topic}.",
        "If {topic} needs a long checklist, it is too complicated.",
    ),
)
