# One image for every wowz service; the command picks the service: `wowz run <service>`.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 wowz
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas schemas
COPY bus bus
COPY store store
COPY producers producers
COPY consumers consumers
COPY sandbox sandbox
COPY wowz wowz
COPY supabase supabase
RUN pip install --no-cache-dir -e . \
 && mkdir -p /app/var && chown wowz /app/var
USER wowz
ENV WOWZ_CHROMIUM_PATH=/usr/lib/chromium/chromium WOWZ_HOST=0.0.0.0
CMD ["wowz", "up"]
