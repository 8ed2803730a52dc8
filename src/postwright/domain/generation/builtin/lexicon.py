"""Phrasebook of the builtin composer.

Slots: ``{subject}`` is the topic's noun phrase (it fits "about {subject}" and "{Subject} is …"
reads badly, so no line puts a verb after it); ``{term}``/``{term2}`` are other key phrases of
the topic; ``{group}`` is one group of the persona's audience, ``{vocab}`` a word of its
vocabulary, ``{keyword}`` one of its keywords. ``{Name}`` is the capitalised form. Lines that
need a topic sentence (``{sentence}``), a clause (``{clause}``) or a list count (``{count}``)
are only used for topics that have one.
"""

from __future__ import annotations

# Hooks per post format. Every line works for any noun phrase as {subject}.
HOOKS = {
    "take": (
        "A quick thought on {subject}.",
        "Most advice on {subject} skips the hard part.",
        "I changed my mind about {subject}.",
        "Here is what I have learned about {subject}.",
        "What nobody tells you about {subject}.",
        "The simplest way I know to think about {subject}:",
        "If {subject} is on your list this quarter, read this first.",
        "One honest observation about {subject}.",
        "Let's talk about {subject}, minus the hype.",
        "My working notes on {subject}, cleaned up.",
    ),
    "list": (
        "{Count} things I would tell anyone starting with {subject}:",
        "{Count} lessons from working on {subject}:",
        "If I had to get {subject} right again, I would do {count} things:",
        "{Count} habits that made {subject} easier for us:",
        "Short checklist for {subject}, {count} items:",
    ),
    "story": (
        "A year ago I got {subject} wrong.",
        "The first time I worked on {subject}, I made every mistake in the book.",
        "A small story about {subject}.",
        "Last quarter taught me something about {subject}.",
        "I used to think {subject} came down to tools.",
    ),
    "howto": (
        "Here is how I would approach {subject} today.",
        "A simple way to get started with {subject}:",
        "How I would explain {subject} to a new colleague:",
        "What I would do first with {subject}:",
    ),
    "contrarian": (
        "Unpopular opinion: most advice on {subject} is too complicated.",
        "Hot take: {subject} is easier than the experts make it sound.",
        "Everyone has an opinion on {subject}. Mine is less exciting.",
        "The popular advice on {subject} is often backwards.",
    ),
}
# The topic's own sentence as the hook: only for statements, questions and clauses.
STATEMENT_HOOKS = (
    "{sentence}",
    "I keep coming back to this: {sentence_mid}",
    "A belief I hold more firmly every year: {sentence_mid}",
)
QUESTION_HOOKS = ("{sentence}", "A question I hear a lot: {sentence_mid}")
CLAUSE_HOOKS = ("Here is {clause}.", "Let me walk through {clause}.", "A few words on {clause}.")
# After a question or statement hook, a line that engages it (never restates it as a question).
QUESTION_FOLLOWS = (
    "Short answer: it depends on {other}, and here is how I think about it.",
    "My answer has changed over the years, and {other} is why.",
    "I get asked this often, so here is my honest answer.",
)
STATEMENT_FOLLOWS = (
    "I did not always think so.",
    "It took me a while to see it.",
    "The evidence keeps piling up.",
)

# Body sentences: the core of a post, topic terms in every one.
TAKE_LINES = (
    "The teams that get {term} right start small and measure what changes.",
    "Treat {term} as a habit, not a project.",
    "Progress on {term} comes from doing the boring parts consistently.",
    "It is tempting to wait for the perfect plan for {term}.",
    "In practice, the first version of {term} teaches you more than any plan.",
    "The details of {term} matter more than the headline.",
    "Small, specific improvements to {term} compound faster than big announcements.",
    "When I look at {term}, I look for the people doing the work.",
    "Their questions about {term} tell you what to build and what to explain.",
    "Clarity about {term} beats volume every time.",
    "Most of the cost in {term} hides in the handoffs nobody owns.",
    "Before adding anything to {term}, ask what you could remove.",
    "The hard part of {term} is rarely technical; it is agreeing on what good looks like.",
    "A written definition of done saves more time on {term} than any tool.",
    "With {term}, the second month tells you more than the launch week.",
    "Nobody regrets writing down why a {term} decision was made.",
    "The fastest way to improve {term} is to watch someone use it.",
    "Good work on {term} looks boring from the outside.",
    "The best ideas about {term} I have seen came from the people closest to it.",
    "If {term} feels stuck, shrink the problem until it moves again.",
)
VOCAB_LINES = (
    "It all comes down to {vocab}.",
    "Watch the {vocab}; it tells you more than any roadmap.",
    "I would start by looking at the {vocab}.",
    "The word I keep using here is {vocab}.",
)
GROUP_LINES = (
    "For {group}, the practical move is to pick one part of {term} and try it this week.",
    "If you are one of the {group} reading this, start with the smallest useful step.",
    "I see {group} get this right when they keep the feedback loop short.",
    "Ask {group} what slows them down with {term}; the answer is rarely what you expect.",
)
KEYWORD_LINES = (
    "This is where {keyword} stops being a buzzword and starts paying off.",
    "It connects directly to {keyword}, which is why I keep writing about it.",
)
LIST_ITEMS = (
    "Start with one {term} problem you can measure.",
    "Write down what {term} should change before you begin.",
    "Ask {group} what they need from {term}.",
    "Cut anything in {term} you cannot explain in one sentence.",
    "Review {term} every week, not every quarter.",
    "Share what did not work with {term}, not just what did.",
    "Keep the first version of {term} small enough to finish.",
    "Pick one number for {term} and watch it.",
    "Make one person clearly responsible for {term}.",
    "Talk to the people affected by {term} before you decide.",
)
# Stories and how-tos are arcs: their lines only make sense in order, so one arc is used whole.
STORY_ARCS = (
    (
        "We started with {term} and assumed the rest would follow.",
        "It did not, at least not at first.",
        "What changed things was a single conversation with the people using it.",
        "Within a few weeks, {term} looked very different.",
        "Looking back, the signs were there from day one.",
    ),
    (
        "I treated {term} as a side project and gave it whatever time was left.",
        "Unsurprisingly, very little happened.",
        "Then I blocked one morning a week for it and protected that time.",
        "Three months later, {term} was the thing people asked me about.",
        "Consistency did what talent and tools could not.",
    ),
    (
        "My first attempt at {term} was far too ambitious.",
        "I planned for every case and shipped nothing for weeks.",
        "The second attempt did one thing, and did it well.",
        "That version is still running today.",
        "Scope, not skill, was the problem.",
    ),
)
HOWTO_ARCS = (
    (
        "First, be clear about the problem {term} should solve.",
        "Then pick one measure of success and stick to it.",
        "Finally, share what you learn, including what did not work.",
        "Repeat the loop every few weeks.",
        "That is the whole method; the discipline is the hard part.",
    ),
    (
        "Start with the smallest version of {term} that is still useful.",
        "Next, put it in front of real people early.",
        "After that, keep only what they actually use.",
        "Write down why you removed the rest.",
        "Those notes become your playbook for the next round.",
    ),
    (
        "Step one: list what {term} has to achieve in plain words.",
        "Step two: find the one constraint that blocks it.",
        "Step three: remove that constraint before touching anything else.",
        "Only then look for new tools.",
        "Most of the gains come from step three.",
    ),
)
CONTRARIAN_LINES = (
    "Most of {term} is not a tooling problem.",
    "You do not need a big framework for {term}; you need a clear owner.",
    "The loudest opinions on {term} usually come from people who have not shipped it.",
    "The boring answer on {term} is usually the right one.",
)

# Persona fields: opinions by kind, the goal.
BELIEF_LEADS = ("I believe {opinion}.", "I am convinced {opinion}.", "My view: {opinion}.")
RULE_LEADS = (
    "My rule: {opinion}.",
    "The habit I would keep: {opinion}.",
    "If I had to pick one principle: {opinion}.",
    "What I tell every team: {opinion}.",
)
PHRASE_LEADS = ("Where I stand: {opinion}.", "One principle I keep: {opinion}.")
GOAL_VERB_LEADS = (
    "I write these to {goal}.",
    "That is the point of sharing this: to {goal}.",
    "Posts like this one exist to {goal}.",
)
GOAL_PHRASE_LEADS = ("All of this serves one aim: {goal}.", "The goal is simple: {goal}.")

CTAS = (
    "What is your take on {subject}?",
    "How are you handling {term} right now?",
    "If you work on {subject}, what would you add?",
    "Which part of this matches what you see?",
    "Tell me where you disagree.",
    "Save this for the next time {term} comes up.",
    "Send this to someone working on {subject}.",
    "What did I miss?",
    "Curious how {group} see this. Reply and tell me.",
    "Follow along for more notes like this.",
)

EMOJI = ("🚀", "💡", "✨", "👉", "📌", "🌱", "🔥", "✅")
COUNT_WORDS = {2: "two", 3: "three", 4: "four"}

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
