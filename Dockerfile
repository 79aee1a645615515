# Queue System in one container: pages, API and websocket on one port (3000).
#
#   docker build -t queue-system .
#   docker run --init -p 3000:3000 -v queue-data:/data \
#     -e QUEUE_ENV=production -e QUEUE_SECRET_KEY="$(openssl rand -base64 48)" \
#     -e QUEUE_BASE_URL=http://192.168.1.20:3000 queue-system
#
# The frontend is built here, once; the container starts in seconds (scripts/start.sh applies the
# migrations, then serves that build). Publish the port the image was built for (build arg
# QUEUE_PORT, default 3000) or serve it over https: see README "Deployment".
FROM python:3.11-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:/app/.tools/node_modules/.bin:$PATH

# Node (Debian's) runs npm to install bun, and the frontend build. Reflex's own bun download needs
# the open internet, so bun comes from the npm registry, exactly as `make setup` does.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 1000 --user-group --create-home --shell /usr/sbin/nologin app \
    && mkdir -p /app /data \
    && chown app:app /app /data

WORKDIR /app
USER app

RUN npm install --no-audit --no-fund --prefix /app/.tools bun@1.4.5 \
    && npm cache clean --force \
    && bun --version

# Every Python package comes from the lock file, each checked against its hash (see README "Updating
# dependencies"); the frontend's packages from reflex.lock/ (bun.lock, frozen).
COPY --chown=app:app requirements.txt requirements.lock ./
RUN python -m venv /app/.venv && /app/.venv/bin/pip install --require-hashes -r requirements.lock

COPY --chown=app:app . .

ARG QUEUE_PORT=3000
ENV QUEUE_PORT=${QUEUE_PORT}
RUN bash scripts/build-frontend.sh

ENV QUEUE_HOST=0.0.0.0 \
    QUEUE_PREBUILT_FRONTEND=1 \
    QUEUE_DATABASE_URL=sqlite:////data/queue.db \
    QUEUE_OUTBOX_DIR=/data/outbox \
    QUEUE_REPORT_ARCHIVE_DIR=/data/archive

VOLUME ["/data"]
EXPOSE ${QUEUE_PORT}

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('QUEUE_PORT', '3000'), timeout=4)"]

CMD ["bash", "scripts/start.sh"]
