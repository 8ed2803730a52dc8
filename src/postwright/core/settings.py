"""Settings, nested by concern, read from ``POSTWRIGHT_*`` environment variables and ``.env``.

Each concern is its own settings class with its own prefix, so the environment keeps the
flat names operators expect (``POSTWRIGHT_DATABASE_URL``) while code reads
``settings.database.url``.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "test", "production"]
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development", "postwright"}


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", extra="ignore", env_file_encoding="utf-8"
    )


class DatabaseSettings(BaseSettings):
    model_config = _config("POSTWRIGHT_DATABASE_")

    url: str = "sqlite+aiosqlite:///./var/postwright.db"
    pool_size: int = 10
    echo: bool = False
    sqlite_busy_timeout_ms: int = 30_000
    # PostgreSQL: a pooled connection idle this long is pinged before it is used again.
    ping_after_idle_seconds: float = 5.0

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class RedisSettings(BaseSettings):
    model_config = _config("POSTWRIGHT_REDIS_")

    url: str | None = None


class AuthSettings(BaseSettings):
    model_config = _config("POSTWRIGHT_JWT_")

    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: int = 30


class RateLimitSettings(BaseSettings):
    """Per user per endpoint class, in `limits` notation ("1000/hour")."""

    model_config = _config("POSTWRIGHT_RATE_LIMIT_")

    enabled: bool = True
    read: str = "1000/hour"
    write: str = "500/hour"
    ai: str = "100/hour"
    anonymous: str = "120/minute"


class HttpSettings(BaseSettings):
    model_config = _config("POSTWRIGHT_HTTP_")

    max_body_bytes: int = 5 * 1024 * 1024
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Tests run fake providers on 127.0.0.1; production refuses loopback/private targets.
    allow_loopback_urls: bool = False

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, data: dict[str, object]) -> dict[str, object]:
        origins = data.get("cors_origins")
        if isinstance(origins, str):
            data["cors_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        return data


class CreditCosts(BaseModel):
    """Credits per action (the voxburst table, adcopy and powerpost as defaults).

    Set as JSON: ``POSTWRIGHT_BILLING_COSTS='{"thread": 3}'``. powerpost charges per platform
    and research mode; fractional per-platform prices are rounded up per generation.
    """

    enhance_content: int = Field(default=1, ge=0)
    generate_post_content: int = Field(default=1, ge=0)
    build_image_prompt: int = Field(default=1, ge=0)
    hashtags: int = Field(default=1, ge=0)
    bulk_item: int = Field(default=1, ge=0)
    bulk_enhance_item: int = Field(default=1, ge=0)
    best_time: int = Field(default=1, ge=0)
    thread: int = Field(default=2, ge=0)
    image: int = Field(default=5, ge=0)
    adcopy_copy: int = Field(default=1, ge=0)
    adcopy_static_ad: int = Field(default=3, ge=0)
    adcopy_video: int = Field(default=40, ge=0)
    project_post: int = Field(default=1, ge=0)
    powerpost_regular_per_platform: float = Field(default=5, ge=0)
    powerpost_deep_per_platform: float = Field(default=7.5, ge=0)


class BillingSettings(BaseSettings):
    model_config = _config("POSTWRIGHT_BILLING_")

    costs: CreditCosts = Field(default_factory=CreditCosts)
    # Svix secret (``whsec_…``) for POST /api/v1/webhook/clerk.
    clerk_webhook_secret: SecretStr | None = None
    # HMAC-SHA256 key for POST /api/v1/webhook/dodopayments.
    dodopayments_webhook_secret: SecretStr | None = None
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # A metered call's hold (credits or quota reserved before a model call) left unsettled
    # this long (a crashed process) is released by the maintenance pass.
    hold_ttl_seconds: int = Field(default=900, ge=60)


class LlmSettings(BaseSettings):
    """The default model; None means the builtin offline engine. Workspaces may override it."""

    model_config = _config("POSTWRIGHT_LLM_")

    # "openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5", "google:gemini-2.5-flash",
    # "ollama:llama3.2" (or any "openai-compatible:<model>") together with base_url.
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 3


class JobSettings(BaseSettings):
    """Durable jobs (DBOS). ``inprocess``: this process runs jobs too (the embedded default);
    ``enqueue``: it only enqueues and separate ``postwright worker`` processes run them."""

    model_config = _config("POSTWRIGHT_JOBS_")

    enabled: bool = True
    mode: Literal["inprocess", "enqueue"] = "inprocess"
    # Default: a SQLite file beside the app's, or the app's PostgreSQL database ("dbos" schema).
    system_database_url: str | None = None
    # Stable per process; a restarted worker with the same id recovers its own workflows.
    executor_id: str | None = None
    worker_concurrency: int = 4
    # Model calls at once across all workers (the provider's concurrency), and starts per minute.
    llm_concurrency: int = 16
    llm_rate_limit_per_minute: int = 120
    # Posts one bulk job sends to the LLM queue at once (the queue's limits still apply).
    bulk_window: int = 50
    # Word 3-gram Jaccard above which the later of two posts in a bulk job is rewritten.
    bulk_similarity_threshold: float = Field(default=0.35, gt=0, le=1)
    polling_interval_seconds: float = 1.0
    # Liveness: every job-running process records a heartbeat this often; a live worker takes
    # over the unfinished jobs of an executor silent for longer than the timeout.
    heartbeat_interval_seconds: float = Field(default=5.0, gt=0)
    executor_timeout_seconds: float = Field(default=30.0, gt=0)


class ProjectSettings(BaseSettings):
    """sparkvox projects: how much source material one project may carry."""

    model_config = _config("POSTWRIGHT_PROJECTS_")

    max_source_bytes: int = Field(default=512 * 1024, ge=1)
    max_moments: int = Field(default=10, ge=1)


class PublishingSettings(BaseSettings):
    """Connected accounts and the publish loop. ``base_urls`` (JSON) points providers' APIs
    elsewhere (tests use fakes on 127.0.0.1); OAuth endpoints likewise."""

    model_config = _config("POSTWRIGHT_PUBLISHING_")

    base_urls: dict[str, str] = Field(default_factory=dict)
    linkedin_client_id: str | None = None
    linkedin_client_secret: SecretStr | None = None
    linkedin_authorize_url: str = "https://www.linkedin.com/oauth/v2/authorization"
    linkedin_token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    x_client_id: str | None = None
    x_client_secret: SecretStr | None = None
    x_authorize_url: str = "https://x.com/i/oauth2/authorize"
    x_token_url: str = "https://api.x.com/2/oauth2/token"
    # Key for the zorbit cron endpoint POST /api/v1/post/publish (platform admins' keys work too).
    cron_api_key: SecretStr | None = None
    # How often the worker looks for due posts (cron, seconds field allowed).
    schedule: str = "*/30 * * * * *"
    retry_attempts: int = Field(default=5, ge=1)
    retry_initial_seconds: float = Field(default=1.0, ge=0)
    refresh_before_seconds: int = Field(default=600, ge=0)
    timeout_seconds: float = Field(default=30.0, gt=0)


class WebhookSettings(BaseSettings):
    """Outgoing webhooks: each attempt's timeout and the retry schedule (exponential, with
    jitter, until ``retry_window_hours`` of nominal delays have passed)."""

    model_config = _config("POSTWRIGHT_WEBHOOKS_")

    timeout_seconds: float = Field(default=10.0, gt=0)
    retry_base_seconds: float = Field(default=5.0, gt=0)
    retry_max_delay_seconds: float = Field(default=5 * 3600.0, gt=0)
    retry_window_hours: float = Field(default=24.0, gt=0)
    concurrency: int = Field(default=8, ge=1)


class MediaSettings(BaseSettings):
    """Where media lives and which image provider draws pictures. ``backend=local`` keeps
    files under ``local_dir`` (default ``{data_dir}/media``) and serves them through the app
    with HMAC-signed, expiring URLs; ``s3`` uses presigned URLs of an S3-compatible bucket."""

    model_config = _config("POSTWRIGHT_MEDIA_")

    backend: Literal["local", "s3"] = "local"
    local_dir: Path | None = None
    url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    upload_ttl_seconds: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_endpoint_url: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"
    s3_public_base_url: str | None = None
    # "builtin" (Pillow cards, no key), "openai" (Images API) or "replicate".
    image_provider: Literal["builtin", "openai", "replicate"] = "builtin"
    openai_api_key: SecretStr | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-image-1"
    replicate_api_token: SecretStr | None = None
    replicate_base_url: str = "https://api.replicate.com/v1"
    replicate_model: str = "black-forest-labs/flux-schnell"
    provider_timeout_seconds: float = Field(default=120.0, gt=0)
    provider_poll_interval_seconds: float = Field(default=1.0, gt=0)


class AdcopySettings(BaseSettings):
    """adcopy's static-ad and video jobs: deadlines, asset links and the video engine."""

    model_config = _config("POSTWRIGHT_ADCOPY_")

    # A job still unfinished this long after submission becomes ``expired`` and is refunded.
    static_ad_deadline_seconds: int = Field(default=600, ge=1)
    video_deadline_seconds: int = Field(default=1800, ge=1)
    # How often the worker looks for jobs past their deadline (cron, seconds field first).
    expiry_sweep_cron: str = "*/30 * * * * *"
    # Lifetime of the signed asset URLs made each time a job's status is read.
    asset_url_ttl_seconds: int = Field(default=3600, ge=60)
    # ``builtin``: captioned card video rendered here with ffmpeg; ``heygen``: an avatar
    # video from a HeyGen-style HTTP API at ``video_provider_base_url``.
    video_provider: Literal["builtin", "heygen"] = "builtin"
    video_provider_base_url: str = "https://api.heygen.com"
    video_provider_api_key: SecretStr | None = None
    video_poll_interval_seconds: float = Field(default=10.0, gt=0)


class Settings(BaseSettings):
    model_config = _config("POSTWRIGHT_")

    env: Environment = "development"
    secret_key: SecretStr | None = None
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8000
    # Where clients reach this server (``https://posts.example.com``): every URL handed to a
    # client (media, upload targets, OAuth redirect URIs, outbox feed links) starts with it.
    # Unset: the request's own scheme and host, or, outside a request, the address ``serve``
    # binds (``core.public_url``). Set it behind a proxy or a port mapping.
    public_base_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    bootstrap_api_key: SecretStr | None = None
    idempotency_ttl_hours: int = 24
    # How long a request waits for another one holding its Idempotency-Key (then 409).
    idempotency_wait_seconds: float = Field(default=30.0, ge=0, le=600)
    soft_delete_retention_days: int = 30
    # How long a process trusts an API key it has looked up; a revocation in the same
    # process applies at once, one in another process within this bound.
    api_key_cache_seconds: float = Field(default=10.0, ge=0)

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    jwt: AuthSettings = Field(default_factory=AuthSettings)
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    projects: ProjectSettings = Field(default_factory=ProjectSettings)
    publishing: PublishingSettings = Field(default_factory=PublishingSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    adcopy: AdcopySettings = Field(default_factory=AdcopySettings)

    @model_validator(mode="after")
    def _check_public_base_url(self) -> Settings:
        url = self.public_base_url
        if url is not None and not (url.startswith(("http://", "https://")) and "?" not in url):
            raise ValueError("POSTWRIGHT_PUBLIC_BASE_URL must be an http(s) URL without a query")
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "POSTWRIGHT_SECRET_KEY must be set to a random value of 32+ characters "
                    "in production"
                )
        return self

    def resolved_secret_key(self) -> bytes:
        """The signing/encryption secret; outside production a per-data-dir one is kept on disk."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _secret_on_disk(self.data_dir / "secret.key")


@lru_cache(maxsize=8)
def _secret_on_disk(path: Path) -> bytes:
    """Read once per process: requests ask for the secret (media URLs are signed with it)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
