# coverage-bot: polls news feeds and serves Telegram (long polling, or a webhook with `run --webhook-url`).
# The image runs on SQLite (/data) or PostgreSQL (DATABASE_URL; asyncpg is installed): see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/coverage-bot.db \
    MPLCONFIGDIR=/tmp/matplotlib
# (MPLCONFIGDIR: matplotlib's font cache, for /trend charts. The user below cannot write its home, /app, where
# matplotlib would keep it: it warned and rebuilt the cache in every process.)

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --shell /usr/sbin/nologin bot

WORKDIR /app
COPY pyproject.toml README.md feeds.yaml ./
COPY summarizer/ summarizer/
COPY bot/ bot/
COPY seeds/ seeds/
# The project itself with its PostgreSQL driver; versions are bounded in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]" \
    && mkdir -p /data \
    && chown 10001:10001 /data

USER 10001:10001
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["coverage-bot", "healthcheck"]

CMD ["coverage-bot", "run", "--config", "/app/feeds.yaml"]
