"""The builtin offline engine: real composition from persona, topic and platform rules."""

from postwright.domain.generation.builtin.engine import BuiltinEngine

__all__ = ["BuiltinEngine"]
