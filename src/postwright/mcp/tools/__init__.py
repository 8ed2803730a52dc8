"""The tools, one module per area; importing them registers them in ``runtime.TOOLS``."""

from postwright.mcp.tools import accounts, billing, bulk, generation, media, personas, posts

__all__ = ["accounts", "billing", "bulk", "generation", "media", "personas", "posts"]
