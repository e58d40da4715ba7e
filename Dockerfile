# One image for every service; docker-compose.yml picks the service by command.
FROM python:3.11-slim

# Unbuffered output reaches `docker compose logs` at once instead of when a
# buffer fills.
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The services run from here: compose's `nameko run --config
# services/<name>/config.yml` resolves against it.
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY eventing/ eventing/
COPY ops/ ops/
COPY services/ services/

# Non-editable and without the test extras: the image carries what runs.
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --user-group --uid 10001 app

# `volunteer-platform migrate` makes sure var/ (for local SQLite files) exists
# under the working directory; the app user must be able to write there.
RUN mkdir -p /app/var && chown app:app /app/var

USER app

CMD ["volunteer-platform", "--help"]
