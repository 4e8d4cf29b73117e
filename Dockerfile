# keep4o-bot: the daemon on SQLite in /data (or PostgreSQL: DATABASE_URL or [database] url).
#   docker build -t keep4o-bot .
#   docker run -d --name keep4o -v keep4o-data:/data --env-file .env -p 8787:8787 keep4o-bot

# --- builder: a virtualenv with the project and its dependencies --------------------------
FROM debian:bookworm-slim AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/keep4o
ENV PATH=/opt/keep4o/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Dependencies first, from pyproject.toml alone, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY bot/_version.py bot/_version.py
RUN touch bot/__init__.py \
 && pip install ".[postgres]" \
 && pip uninstall -y keep4o-bot
COPY bot ./bot
# pip and setuptools are build tools: they stay behind in this stage.
RUN pip install --no-deps . \
 && pip uninstall -y pip setuptools \
 && find /opt/keep4o -name __pycache__ -prune -exec rm -rf {} +

# --- runtime: the interpreter, the virtualenv and the data folders; no pip, no compilers ---
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /home/keep4o --create-home keep4o \
 && mkdir /data \
 && chown keep4o:keep4o /data
COPY --from=builder /opt/keep4o /opt/keep4o
WORKDIR /app
# bot.storage finds migrations/ (and the digest seeds/) in the working directory.
COPY config ./config
COPY migrations ./migrations
COPY seeds ./seeds
# The default campaign's relative "data/..." paths (its SQLite file, the digest files) land in
# the volume. No DATABASE_URL here: it would override a campaign file's [database] url.
RUN ln -s /data /app/data
ENV PATH=/opt/keep4o/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER keep4o
# matplotlib's font cache (for the digest's chart), built once here instead of at every start.
RUN python3 -c "import matplotlib.font_manager"
VOLUME ["/data"]
EXPOSE 8787
# [server] port of the default campaign; the standard library only, the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8787/healthz', timeout=4).status != 200)"]
# Exec form: the bot is PID 1's only process and receives SIGTERM from `docker stop` itself.
ENTRYPOINT ["keep4o-bot"]
CMD ["run"]
