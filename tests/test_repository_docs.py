"""The README, the compose file and the settings stay consistent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic_settings import BaseSettings

from postwright.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def environment_variables(cls: type[BaseSettings] = Settings) -> Iterator[str]:
    prefix = cls.model_config.get("env_prefix", "")
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            yield from environment_variables(annotation)
        else:
            yield f"{prefix}{name}".upper()


def test_readme_documents_every_setting_and_both_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in environment_variables() if f"`{name}`" not in readme]
    assert missing == []
    assert "make run" in readme
    assert "make test" in readme


def test_compose_runs_postgres_redis_two_enqueueing_api_replicas_and_two_workers() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "api", "worker-1", "worker-2"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["ports"] == ["8000-8001:8000"]
    assert services["api"]["environment"]["POSTWRIGHT_JOBS_MODE"] == "enqueue"
    worker_ids = {
        services[name]["environment"]["POSTWRIGHT_JOBS_EXECUTOR_ID"]
        for name in ("worker-1", "worker-2")
    }
    assert len(worker_ids) == 2  # each worker its own executor id
    known = set(environment_variables())
    for name in ("api", "worker-1", "worker-2", "migrate"):
        used = {k for k in services[name]["environment"] if k.startswith("POSTWRIGHT_")}
        assert used <= known, used - known


def test_dockerfile_runs_as_non_root_from_a_uv_build() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "USER postwright" in dockerfile
