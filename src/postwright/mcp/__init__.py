"""The MCP server: Postwright's tools, resources and prompts for AI assistants and agents,
over streamable HTTP (``/mcp`` in the API process) and stdio (``postwright mcp``)."""
