# Autoposter's image: one image for every role. The default command runs the web app;
# `autoposter worker` and `autoposter db upgrade` run from the same image (see compose.yaml).
#
#   docker build -t autoposter .
#   docker run --rm -p 8000:8000 -v autoposter-data:/data autoposter
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A system user without a login shell: nothing in the container runs as root.
RUN groupadd --system --gid 10001 autoposter \
    && useradd --system --uid 10001 --gid autoposter --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin autoposter

WORKDIR /app
# The pinned versions in constraints.txt are the ones the test suite ran against.
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN pip install --constraint constraints.txt . \
    && mkdir -p /data /var/log/autoposter \
    && chown autoposter:autoposter /data /var/log/autoposter

# /data holds the SQLite files (when no DATABASE_URL/QUEUE_URL is set), generated vault keys
# and media waiting for TikTok. Logs go to stderr and to a per-container directory, so
# containers sharing /data over a network file system never append to the same log file.
ENV AUTOPOSTER_DATA_DIR=/data \
    AUTOPOSTER_LOG_DIR=/var/log/autoposter
VOLUME /data

USER autoposter
EXPOSE 8000
# An explicit port: AUTOPOSTER_PUBLIC_URL is the public https address (port 443), not the
# port inside the container.
CMD ["autoposter", "serve", "--host", "0.0.0.0", "--port", "8000"]
