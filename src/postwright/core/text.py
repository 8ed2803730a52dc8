"""Text every database can store: no NUL characters, no unpaired UTF-16 surrogates.

PostgreSQL rejects U+0000 in text columns and no UTF-8 encoder accepts a lone surrogate,
yet both are valid JSON escapes. Refusing them at the edge gives the client a 400 that
names the field, instead of a failure deep inside a transaction.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Only a body with one of these escapes can carry unstorable text, so most bodies are never
# parsed twice. A NUL or surrogate escape preceded by an odd run of backslashes is literal text.
_SUSPECT_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def find_unstorable_text(body: bytes) -> str | None:
    """The dotted path of the first string (key or value) that cannot be stored, if any."""
    if not _SUSPECT_ESCAPE.search(body):
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # malformed JSON is reported by request validation
    return _first_unstorable(document, "")


def _first_unstorable(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return None if is_storable(value) else (path or "body")
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if not is_storable(key):
                return path or "body"
            found = _first_unstorable(item, child)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unstorable(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
