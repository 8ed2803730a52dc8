"""Avoided words in any inflection: "disrupt" also catches "Disrupting" and "disruption"'s
stem-mates, "synergy" catches "Synergies", "game-changer" catches "game-changers" and
"#GameChanger". The composer drops a candidate sentence rather than edit one."""

from __future__ import annotations

from collections.abc import Iterable

import regex
import snowballstemmer  # type: ignore[import-untyped]

_STEMMER = snowballstemmer.stemmer("english")
_WORD = regex.compile(r"[\p{L}\p{N}]+")


def stems(text: str) -> list[str]:
    return [str(s) for s in _STEMMER.stemWords([w.lower() for w in _WORD.findall(text)])]


class Avoider:
    """Matches a persona's avoided words and phrases by stem, as whole words."""

    def __init__(self, avoid_words: Iterable[str]) -> None:
        self.phrases = [p for p in (stems(a) for a in avoid_words) if p]
        # "#GameChanger", "gamechanger": the phrase written as one word.
        self.joined = {"".join(p) for p in self.phrases if len(p) > 1}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def hits(self, text: str) -> bool:
        if not self.phrases:
            return False
        found = stems(text)
        for phrase in self.phrases:
            size = len(phrase)
            if any(found[i : i + size] == phrase for i in range(len(found) - size + 1)):
                return True
        squashed = {str(_STEMMER.stemWord(w.lower())) for w in _WORD.findall(text)}
        return bool(self.joined & squashed) or any(
            j in w.lower() for j in self.joined for w in _WORD.findall(text)
        )
