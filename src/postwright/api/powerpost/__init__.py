"""powerpost dialect: ``/api/v1/content/*`` (snake_case)."""
