# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 postwright && mkdir -p /data && chown postwright /data
COPY --from=build --chown=postwright /app /app
ENV PATH=/app/.venv/bin:$PATH \
    POSTWRIGHT_HOST=0.0.0.0 \
    POSTWRIGHT_PORT=8000 \
    POSTWRIGHT_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
WORKDIR /app
USER postwright
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["postwright", "serve"]
