"""Architectural guard: posts are built and moved only by the Post service.

Reads the source tree (no database): outside ``domain/content/post_service.py`` nothing
calls ``Post(...)``, assigns a post's ``publish_state`` / ``scheduled_on`` /
``published_at`` / ``deleted_at``, or calls a post's ``soft_delete`` / ``restore``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import postwright

SOURCE = Path(postwright.__file__).parent
SERVICE = SOURCE / "domain" / "content" / "post_service.py"
STATE_FIELDS = {"publish_state", "scheduled_on", "published_at", "deleted_at"}
STATE_METHODS = {"soft_delete", "restore"}


def _names_a_post(node: ast.expr) -> bool:
    """``post``, ``self.post``, ``item.post``… — a variable that holds a post."""
    if isinstance(node, ast.Name):
        return node.id == "post" or node.id.endswith("_post")
    if isinstance(node, ast.Attribute):
        return node.attr == "post"
    return False


def offences(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "Post") or (
                isinstance(func, ast.Attribute) and func.attr == "Post"
            ):
                found.append((node.lineno, "Post(...) construction"))
            if (
                isinstance(func, ast.Attribute)
                and func.attr in STATE_METHODS
                and _names_a_post(func.value)
            ):
                found.append((node.lineno, f"post.{func.attr}()"))
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr in STATE_FIELDS
                and _names_a_post(target.value)
            ):
                found.append((node.lineno, f"post.{target.attr} = …"))
    return found


def test_the_guard_sees_what_it_forbids() -> None:
    sample = ast.parse(
        "p = Post(id='x')\n"
        "q = models.Post()\n"
        "post.publish_state = 'draft'\n"
        "self.post.scheduled_on = None\n"
        "post.soft_delete(now)\n"
        "old_post.restore(now)\n"
        "persona.soft_delete(now)\n"
        "post.content = 'fine'\n"
        "x = post.publish_state == 'draft'\n"
    )
    assert sorted(line for line, _ in offences(sample)) == [1, 2, 3, 4, 5, 6]


def test_posts_are_built_and_moved_only_by_the_post_service() -> None:
    assert SERVICE.is_file()
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path == SERVICE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{path.relative_to(SOURCE)}:{line}: {what}" for line, what in offences(tree)]
    assert found == [], "go through domain/content/post_service.py:\n" + "\n".join(found)
