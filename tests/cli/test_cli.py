"""The CLI as an operator runs it: real processes on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.processes import app_env, run_cli, served


def test_workspace_create_keys_and_serve(database_url: str, tmp_path: Path) -> None:
    # Revocation reaches another process within the key cache's bound: keep it short here.
    env = app_env(database_url, tmp_path, POSTWRIGHT_API_KEY_CACHE_SECONDS="0")

    created = run_cli(
        "workspace", "create", "--name", "Acme", "--owner-email", "ops@acme.test", "--json", env=env
    )
    assert created.returncode == 0, created.stderr
    ids = json.loads(created.stdout)
    assert ids["api_key"].startswith("pw_live_")

    second = run_cli(
        "key", "create", "--workspace", ids["workspace_id"], "--name", "deploy", env=env
    )
    assert second.returncode == 0, second.stderr
    second_key = second.stdout.strip().rsplit(" ", 1)[-1]

    listed = run_cli("key", "list", "--workspace", ids["workspace_id"], "--json", env=env)
    assert listed.returncode == 0
    assert {k["name"] for k in json.loads(listed.stdout)} == {"first key", "deploy"}
    assert ids["api_key"] not in listed.stdout
    assert second_key not in listed.stdout

    with served(env) as base_url:
        me = httpx.get(f"{base_url}/api/v1/user", headers={"x-api-key": second_key})
        assert me.status_code == 200
        assert me.json()["id"] == ids["user_id"]
        assert me.json()["email"] == "ops@acme.test"

        keys = httpx.get(
            f"{base_url}/api/v1/api-keys", headers={"x-api-key": ids["api_key"]}
        ).json()
        deploy_id = next(k["id"] for k in keys["keys"] if k["name"] == "deploy")
        revoked = run_cli("key", "revoke", deploy_id, env=env)
        assert revoked.returncode == 0, revoked.stderr
        assert (
            httpx.get(f"{base_url}/api/v1/user", headers={"x-api-key": second_key}).status_code
            == 401
        )


def test_demo_seeds_once_and_reuses_its_key(database_url: str, tmp_path: Path) -> None:
    env = app_env(database_url, tmp_path)
    first = run_cli("demo", env=env)
    again = run_cli("demo", env=env)

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    key = first.stdout.split("API key: ")[1].split()[0]
    assert "created" in first.stdout
    assert "re-using" in again.stdout
    assert key in again.stdout
    listed = json.loads(run_cli("key", "list", "--json", env=env).stdout)
    assert [k["name"] for k in listed] == ["first key"]


def test_bootstrap_key_creates_the_first_workspace_once(database_url: str, tmp_path: Path) -> None:
    key = "pw_live_bootstrap-" + "k" * 32
    env = app_env(database_url, tmp_path, POSTWRIGHT_BOOTSTRAP_API_KEY=key)
    with served(env) as base_url:
        me = httpx.get(f"{base_url}/api/v1/user", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200
        # The bootstrap owner is a platform admin.
        workspaces = httpx.get(f"{base_url}/api/v1/workspaces", headers={"x-api-key": key}).json()
        assert [w["role"] for w in workspaces["workspaces"]] == ["owner"]
    with served(env):
        pass
    listed = json.loads(run_cli("key", "list", "--json", env=env).stdout)
    assert [k["name"] for k in listed] == ["first key"]


def test_unknown_workspace_fails_cleanly(database_url: str, tmp_path: Path) -> None:
    result = run_cli(
        "key", "create", "--workspace", "ws_missing", env=app_env(database_url, tmp_path)
    )
    assert result.returncode == 1
    assert "NOT_FOUND" in result.stderr
    assert "Traceback" not in result.stderr
