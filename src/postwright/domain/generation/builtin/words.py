"""Small word lists the composer reads topics with: no tagger, just the words that matter.

They decide three things: whether a topic is an instruction, a question, a clause or a
statement (verbs, auxiliaries); where a noun phrase starts and stops (function words); and
whether a capital is the author's (a brand, a place) or only the first letter of a sentence.
"""

from __future__ import annotations


def split_words(text: str) -> frozenset[str]:
    """A word list written as prose: easier to read and edit than a list literal."""
    return frozenset(text.split())


# "Write a post about …", "Share tips on …": the verbs a request to the composer opens with.
INSTRUCTION_VERBS = split_words(
    """write draft create generate compose make craft prepare produce give share post tell
    explain describe discuss talk list summarise summarize outline cover announce introduce
    highlight showcase promote celebrate teach show break help"""
)
# What the instruction asks for: "a post", "some tips", "a short LinkedIn update".
REQUEST_NOUNS = split_words(
    """post posts tweet tweets thread threads update updates caption captions article articles
    piece story stories note message blog carousel reel video script content copy
    announcement tips tip ideas idea thoughts thought lessons lesson advice insights insight
    takeaways takeaway ways reasons mistakes examples facts guide overview breakdown rundown
    summary checklist list"""
)
REQUEST_FILLERS = split_words(
    """a an some the me us few quick short long brief engaging viral fun helpful friendly
    detailed simple linkedin x twitter instagram facebook threads bluesky tiktok mastodon
    pinterest youtube social media professional casual 3 5 7 10 three five seven ten"""
)
REQUEST_LINKS = (
    "about",
    "on",
    "around",
    "covering",
    "regarding",
    "for",
    "to",
    "of",
    "from",
    "explaining",
)
QUESTION_OPENERS = split_words(
    """what when where who whom whose which should can could is are was were do does did will
    would has have had shall may might must isn't aren't don't doesn't won't can't"""
)
CLAUSE_OPENERS = frozenset({"why", "how", "what", "when", "where", "who", "which"})
# After the subject, these make the topic a statement: "Remote work is here", "We shipped".
PAST_VERBS = split_words(
    """shipped launched built learned learnt hired raised doubled tripled moved switched
    stopped quit tried broke decided realised realized changed started failed grew lost won
    cut made took got kept became went came saved spent replaced killed rewrote deleted"""
)
# Third-person verbs that are rarely plural nouns ("costs", "needs" and "wins" often are).
S_VERBS = split_words(
    """beats matters kills deserves belongs outperforms requires seems becomes replaces
    hurts fails stays keeps makes takes gets goes works"""
)
FINITE_VERBS = PAST_VERBS | S_VERBS
# Pronoun or name openers that make a statement ("We shipped …", "I learned …").
STATEMENT_SUBJECTS = frozenset({"i", "we", "you", "they", "he", "she", "it", "nobody", "everyone"})
# Verbs a persona's opinion or goal may open with (imperative: "ship small").
BASE_VERBS = split_words(
    """ship talk test measure default focus build start stop keep write read ask listen learn
    teach share help make take give show hire fire cut save spend invest use try run plan
    automate document simplify delete remove avoid choose pick prefer optimise optimize scale
    grow sell buy market launch iterate review fix debug deploy release design prototype
    validate interview call meet explain educate engage inspire support serve protect reduce
    increase improve create generate drive deliver own trust doubt question challenge reward
    celebrate empower enable connect switch move migrate adopt quit leave stay price
    pay raise charge hire negotiate outsource self-host host"""
)
# Words never a subject on their own, though a keyword scorer likes them.
NOT_SUBJECTS = split_words(
    """months month weeks week years year days day hours hour minutes today tomorrow yesterday
    lot lots bit way ways thing things part parts kind sort people one ones someone
    everyone anyone nobody everybody ideas idea tips tip thoughts thought reasons reason
    lessons lesson post posts time times matter"""
)
# Ending a noun phrase: function words and the like ("for", "with", "in" join phrases).
FUNCTION_WORDS = split_words(
    """a an the and or but if then so than that this these those there their they them its
    it our ours we us my me i you your yours he she his her to of in on at by for with
    from into onto over under about after before during without within between through
    up down out off as is are was were be been being am do does did done not no nor
    will would can could should shall may might must has have had having very too just
    really also only even still more most less least much many some any all each every
    other another such what when where who whom whose which why how here now"""
)
# Capitalised words that stay capitalised mid-sentence (the suffix and case rules catch
# "iOS", "MongoDB", "GPT-5" and "Q4" on their own).
PROPER_WORDS = split_words(
    """python rust java kotlin swift ruby scala elixir haskell kubernetes docker linux
    windows android apple google microsoft amazon meta facebook instagram linkedin twitter
    tiktok youtube pinterest mastodon bluesky threads reddit slack notion figma stripe
    shopify salesforce hubspot canva zoom netflix spotify airbnb uber tesla openai anthropic
    claude gemini copilot chatgpt excel postgres postgresql mysql redis kafka terraform
    azure vercel supabase tableau jira asana trello react vue angular svelte django flask
    fastapi rails laravel node nextjs webflow wordpress substack europe european
    africa african asia asian america american germany german france french india indian
    china chinese japan japanese canada canadian brazil mexico spain spanish italy italian
    london paris berlin tokyo york english monday tuesday wednesday thursday friday saturday
    sunday january february april june july august september october november
    december christmas easter ramadan diwali halloween thanksgiving bitcoin ethereum
    mongodb nvidia intel samsung oracle ibm sap adobe photoshop lightroom"""
)
