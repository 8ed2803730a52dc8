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


def test_compose_runs_postgres_redis_two_api_replicas_and_a_worker() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "api", "worker"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["api"]["ports"] == ["8000-8001:8000"]
    known = set(environment_variables())
    for name in ("api", "worker", "migrate"):
        used = {k for k in services[name]["environment"] if k.startswith("POSTWRIGHT_")}
        assert used <= known, used - known


def test_dockerfile_runs_as_non_root_from_a_uv_build() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.count("FROM ") >= 2
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "USER postwright" in dockerfile
