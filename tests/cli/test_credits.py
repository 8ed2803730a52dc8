"""``postwright credits`` as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.processes import app_env, run_cli


def test_grant_then_balance_and_a_replayed_reference(database_url: str, tmp_path: Path) -> None:
    env = app_env(database_url, tmp_path)
    created = run_cli("workspace", "create", "--name", "Acme", "--json", env=env)
    workspace = json.loads(created.stdout)["workspace_id"]

    for _ in range(2):
        granted = run_cli(
            "credits", "grant", "--workspace", workspace, "--amount", "25",
            "--reason", "goodwill", "--reference", "ticket-42", env=env,
        )  # fmt: skip
        assert granted.returncode == 0, granted.stderr

    shown = run_cli("credits", "balance", "--workspace", workspace, env=env)
    assert shown.returncode == 0, shown.stderr
    # 25 granted once, plus the free plan's 100 for the month.
    assert json.loads(shown.stdout) == {
        "balance": 125,
        "reserved": 0,
        "available": 125,
        "used_this_period": 0,
        "plan_id": "plan_free",
    }


def test_unknown_workspace_and_bad_amount_fail(database_url: str, tmp_path: Path) -> None:
    env = app_env(database_url, tmp_path)
    missing = run_cli("credits", "grant", "--workspace", "ws_nope", "--amount", "5", env=env)
    assert missing.returncode == 1
    assert "NOT_FOUND" in missing.stderr
    negative = run_cli("credits", "grant", "--workspace", "ws_nope", "--amount", "-5", env=env)
    assert negative.returncode != 0
