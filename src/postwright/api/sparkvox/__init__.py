"""sparkvox: projects and their LinkedIn post drafts."""
